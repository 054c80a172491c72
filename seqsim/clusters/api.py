"""``seqsim cluster`` (and the pipeline rule of that name) as one call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqsim.clusters.methods import (
    ALIGNMENT_COLUMNS,
    ClusterSettings,
    LinkRule,
    clusters_of,
    link_graph,
    pair_identity,
    prepare_pairs,
    update_clusters,
)
from seqsim.clusters.outputs import cdhit_clstr, member_table
from seqsim.errors import ConfigError, InputError
from seqsim.io import (
    FilePath,
    read_clusters_tsv,
    write_fasta,
    write_outputs,
    write_table,
    write_text,
)
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


@dataclass(frozen=True)
class ClusterOutputs:
    """Where ``seqsim cluster`` writes each output (None: not written):
    ``tsv`` (MMseqs2's clusters TSV: representative, member; no header),
    ``members`` (the per-member table,
    :data:`~seqsim.clusters.outputs.MEMBER_COLUMNS`), ``clstr`` (CD-HIT),
    ``sizes_plot`` (cluster sizes, PNG) and ``representatives`` (FASTA)."""

    tsv: FilePath | None = None
    members: FilePath | None = None
    clstr: FilePath | None = None
    sizes_plot: FilePath | None = None
    representatives: FilePath | None = None


@dataclass(frozen=True)
class Clustering:
    """What the outputs are written from: the per-member table in output
    order, each stored sequence's representative (store rows), the store and
    the method's name."""

    members: pd.DataFrame
    representative: np.ndarray
    sequences: SequenceStore
    method: str


def write_clusters(
    store: FilePath,
    pairs: Sequence[FilePath],
    outputs: ClusterOutputs,
    *,
    settings: ClusterSettings,
    alignment_pairs: Sequence[FilePath] = (),
    update: FilePath | None = None,
) -> pd.DataFrame:
    """Clusters of the store's sequences from the pair tables ``pairs`` (see
    :func:`~seqsim.clusters.methods.assign_clusters` for the ``settings``'
    thresholds and methods; ``alignment_pairs``, the search's pair tables, give identities
    and coverages that ``pairs`` lack), written to the ``outputs`` asked for
    (:class:`ClusterOutputs`). A store's copies join their representative's
    cluster. Returns the per-member table in output order. ``update``: earlier
    clusters (MMseqs2 TSV) of some of the store's sequences, kept as they
    are while the others join them or form new clusters
    (:func:`~seqsim.clusters.methods.update_clusters`)."""
    sequences = read_store(store)
    pair_table = _read_pairs(sequences, pairs, alignment_pairs)
    check_feature(pair_table, settings.rule.feature)
    representative = _representatives(sequences, pair_table, settings, update)
    members = _member_table(sequences, pair_table, representative, settings.rule)
    _log_clusters(members, settings)
    write_outputs(outputs, WRITERS, Clustering(members, representative, sequences, settings.method))
    return members


def _read_pairs(
    sequences: SequenceStore, pairs: Sequence[FilePath], alignment_pairs: Sequence[FilePath]
) -> pd.DataFrame:
    """The pair tables as :func:`~seqsim.clusters.methods.prepare_pairs`
    gives them, with the identities and coverages of ``alignment_pairs``."""
    alignment = indexed_pairs(read_pairs(alignment_pairs), sequences) if alignment_pairs else None
    return _with_alignment(prepare_pairs(indexed_pairs(read_pairs(pairs), sequences)), alignment)


def _representatives(
    sequences: SequenceStore,
    pairs: pd.DataFrame,
    settings: ClusterSettings,
    update: FilePath | None,
) -> np.ndarray:
    """Each stored sequence's representative (store rows): from scratch, or
    kept from the earlier clusters ``update``."""
    if update is None:
        return clusters_of(sequences.lengths, pairs, settings)
    previous = _previous_clusters(update, sequences)
    chosen = update_clusters(sequences.lengths, pairs, previous, settings)
    new = previous < 0
    log.info(
        "update: %d earlier sequences kept in their %d clusters; %d new ones: %d joined "
        "them, %d in %d new clusters",
        int((~new).sum()), np.unique(previous[~new]).size, int(new.sum()),
        int((new & ~new[chosen]).sum()), int((new & new[chosen]).sum()),
        np.unique(chosen[new & new[chosen]]).size,
    )  # fmt: skip
    return chosen


def _member_table(
    sequences: SequenceStore, pairs: pd.DataFrame, representative: np.ndarray, rule: LinkRule
) -> pd.DataFrame:
    """The per-member table (:func:`~seqsim.clusters.outputs.member_table`)
    over the output's records."""
    lengths = sequences.lengths
    has_identity = ("fident" if rule.identity == "alignment" else "shorter_ident") in pairs
    per_stored = member_table(
        representative, lengths, pairs, link_graph(lengths, pairs, rule), feature=rule.feature,
        identity=pair_identity(pairs, lengths, rule.identity) if has_identity else None,
    )  # fmt: skip
    return _output_members(per_stored, representative, sequences)


def _log_clusters(members: pd.DataFrame, settings: ClusterSettings) -> None:
    rule = settings.rule
    log.info(
        "%d sequences in %d clusters (%s, %s >= %g%s%s); %d singletons, %d far from their cluster",
        len(members), members["cluster"].nunique(), settings.method, rule.feature,
        rule.min_similarity,
        "" if rule.min_identity is None else f", {rule.identity} identity >= {rule.min_identity:g}",
        "" if rule.coverage is None else f", {rule.cov_mode} coverage >= {rule.coverage:g}",
        int((members["size"] == 1).sum()), int((members["outlier"] == "far").sum()),
    )  # fmt: skip


def _write_tsv(clustering: Clustering, path: FilePath) -> None:
    write_table(clustering.members[["representative", "member"]], path, header=False)


def _write_members(clustering: Clustering, path: FilePath) -> None:
    write_table(clustering.members, path)


def _write_clstr(clustering: Clustering, path: FilePath) -> None:
    write_text(cdhit_clstr(clustering.members, clustering.sequences.alphabet), path)


def _plot_sizes(clustering: Clustering, path: FilePath) -> None:
    from seqsim.plots import plot_cluster_sizes

    sizes = clustering.members.drop_duplicates("cluster")["size"].to_numpy()
    plot_cluster_sizes(sizes, path, title=f"{clustering.method} clusters")


def _write_representatives(clustering: Clustering, path: FilePath) -> None:
    sequences = clustering.sequences
    heads = np.unique(clustering.representative)  # store rows, in the clusters' order
    descriptions = sequences.records["description"].fillna("").astype(str).tolist()
    ids = sequences.ids
    write_fasta(
        ((f"{ids[r]} {descriptions[r]}".rstrip(), sequences.sequence(int(r))) for r in heads),
        path,
    )


# Output name (a field of ClusterOutputs) -> its writer, in the order they are written.
WRITERS: dict[str, Callable[[Clustering, FilePath], None]] = {
    "tsv": _write_tsv,
    "members": _write_members,
    "clstr": _write_clstr,
    "sizes_plot": _plot_sizes,
    "representatives": _write_representatives,
}


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
