"""``seqsim cluster`` (and the pipeline rule of that name) as one call."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from seqsim.clusters.methods import (
    ALIGNMENT_COLUMNS,
    ClusterSettings,
    clusters_of,
    link_graph,
    pair_identity,
    prepare_pairs,
    update_clusters,
)
from seqsim.clusters.outputs import cdhit_clstr, member_table
from seqsim.errors import ConfigError, InputError
from seqsim.io import FilePath, read_clusters_tsv, write_fasta, write_table, write_text
from seqsim.pair_tables import check_feature, indexed_pairs, read_pairs
from seqsim.sequences.store import SequenceStore, output_rows, read_store

log = logging.getLogger("seqsim")


def _with_alignment(pairs: pd.DataFrame, alignment: pd.DataFrame | None) -> pd.DataFrame:
    """``pairs`` with the identity and coverage columns of the search's pairs
    (``alignment``) that it lacks (NaN for a pair the search did not align)."""
    if alignment is None:
        return pairs
    missing = [c for c in ALIGNMENT_COLUMNS if c not in pairs.columns and c in alignment]
    if not missing:
        return pairs
    columns = prepare_pairs(alignment)[["query", "target", *missing]]
    return pairs.merge(columns, on=["query", "target"], how="left")


def write_clusters(
    store: FilePath,
    pairs: Sequence[FilePath],
    output: FilePath | None = None,
    *,
    settings: ClusterSettings,
    alignment_pairs: Sequence[FilePath] = (),
    clstr: FilePath | None = None,
    representatives: FilePath | None = None,
    members: FilePath | None = None,
    update: FilePath | None = None,
    sizes_plot: FilePath | None = None,
) -> pd.DataFrame:
    """Clusters of the store's sequences from the pair tables ``pairs`` (see
    :func:`~seqsim.clusters.methods.assign_clusters` for the ``settings``'
    thresholds and methods; ``alignment_pairs``, the search's pair tables, give identities
    and coverages that ``pairs`` lack). A store's copies join their
    representative's cluster. Writes ``output`` (MMseqs2's TSV: representative,
    member; no header), ``clstr`` (CD-HIT), ``representatives`` (FASTA) and
    ``members`` (:data:`~seqsim.clusters.outputs.MEMBER_COLUMNS`) and
    ``sizes_plot`` (cluster sizes, PNG);
    returns the per-member table in output order. ``update``: earlier
    clusters (MMseqs2 TSV) of some of the store's sequences, kept as they
    are while the others join them or form new clusters
    (:func:`~seqsim.clusters.methods.update_clusters`)."""
    sequences = read_store(store)
    lengths = sequences.lengths
    alignment = indexed_pairs(read_pairs(alignment_pairs), sequences) if alignment_pairs else None
    pair_table = _with_alignment(
        prepare_pairs(indexed_pairs(read_pairs(pairs), sequences)), alignment
    )
    rule = settings.rule
    check_feature(pair_table, rule.feature)
    if update is None:
        chosen = clusters_of(lengths, pair_table, settings)
    else:
        previous = _previous_clusters(update, sequences)
        chosen = update_clusters(lengths, pair_table, previous, settings)
        new = previous < 0
        log.info(
            "update: %d earlier sequences kept in their %d clusters; %d new ones: %d joined "
            "them, %d in %d new clusters",
            int((~new).sum()), np.unique(previous[~new]).size, int(new.sum()),
            int((new & ~new[chosen]).sum()), int((new & new[chosen]).sum()),
            np.unique(chosen[new & new[chosen]]).size,
        )  # fmt: skip
    has_identity = ("fident" if rule.identity == "alignment" else "shorter_ident") in pair_table
    per_stored = member_table(
        chosen, lengths, pair_table, link_graph(lengths, pair_table, rule), feature=rule.feature,
        identity=pair_identity(pair_table, lengths, rule.identity) if has_identity else None,
    )  # fmt: skip
    table = _output_members(per_stored, chosen, sequences)
    log.info(
        "%d sequences in %d clusters (%s, %s >= %g%s%s); %d singletons, %d far from their cluster",
        len(table), table["cluster"].nunique(), settings.method, rule.feature,
        rule.min_similarity,
        "" if rule.min_identity is None else f", {rule.identity} identity >= {rule.min_identity:g}",
        "" if rule.coverage is None else f", {rule.cov_mode} coverage >= {rule.coverage:g}",
        int((table["size"] == 1).sum()), int((table["outlier"] == "far").sum()),
    )  # fmt: skip
    if output:
        write_table(table[["representative", "member"]], output, header=False)
    if members:
        write_table(table, members)
    if clstr:
        write_text(cdhit_clstr(table, sequences.alphabet), clstr)
    if sizes_plot:
        from seqsim.plots import plot_cluster_sizes

        sizes = table.drop_duplicates("cluster")["size"].to_numpy()
        plot_cluster_sizes(sizes, sizes_plot, title=f"{settings.method} clusters")
    if representatives:
        heads = np.unique(chosen)  # store rows, in the clusters' order
        descriptions = sequences.records["description"].fillna("").astype(str).tolist()
        ids = sequences.ids
        write_fasta(
            ((f"{ids[r]} {descriptions[r]}".rstrip(), sequences.sequence(int(r))) for r in heads),
            representatives,
        )
    return table


def _previous_clusters(path: FilePath, sequences: SequenceStore) -> np.ndarray:
    """Each stored sequence's representative in an earlier clusters TSV (-1: not in it)."""
    if not sequences.copies.empty:
        raise ConfigError("cluster --update does not take a store made with --dedupe")
    table = read_clusters_tsv(path)
    row = {name: k for k, name in enumerate(sequences.ids)}
    unknown = [name for name in table.to_numpy().ravel() if name not in row]
    if unknown:
        raise InputError(path, f"{len(unknown)} IDs are not in the store (first: {unknown[0]!r})")
    previous = np.full(sequences.n_sequences, -1, dtype=np.int64)
    previous[[row[m] for m in table["member"]]] = [row[r] for r in table["representative"]]
    return previous


def _output_members(
    per_stored: pd.DataFrame, representative: np.ndarray, sequences: SequenceStore
) -> pd.DataFrame:
    """The per-member table over the output's records (a copy repeats its
    stored sequence's row; a copy of a representative is identical to it),
    with IDs, clusters numbered from 0 in representative order, representative first."""
    rows, names = output_rows(sequences)
    first_row = np.searchsorted(rows, np.arange(sequences.n_sequences))
    rep_out = first_row[representative[rows]]
    table = per_stored.iloc[rows].reset_index(drop=True)
    position = np.arange(rows.size)
    copy_of_rep = (position != first_row[rows]) & (representative[rows] == rows)
    table.loc[copy_of_rep, ["identity", "member_coverage", "representative_coverage"]] = 1.0
    names_array = np.asarray(names, dtype=object)
    table["member"] = names_array
    table["representative"] = names_array[rep_out]
    table["size"] = np.bincount(rep_out, minlength=rows.size)[rep_out]
    table["cluster"] = np.unique(rep_out, return_inverse=True)[1]
    order = np.lexsort((position, position != rep_out, rep_out))
    return table.iloc[order].reset_index(drop=True)
