"""``seqsim similarity-matrix`` (and the pipeline rule of that name) as one call."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.io import FilePath, write_npy, write_table, write_text
from seqsim.matrix.distances import (
    default_distance,
    distance_matrix,
    max_distance_of,
    pair_distances,
)
from seqsim.matrix.names import STRICT_LENGTH, id_table as names_table, safe_names
from seqsim.matrix.similarity import (
    PhylipLayout,
    similarity_matrix,
    write_labelled_matrix,
    write_phylip_distances,
)
from seqsim.pair_tables import check_feature, indexed_pairs, read_pairs
from seqsim.sequences.store import (
    SequenceStore,
    copy_pairs,
    output_rows,
    read_store,
    with_copies,
)

log = logging.getLogger("seqsim")


def pair_edges(
    sequences: SequenceStore,
    pairs: pd.DataFrame,
    feature: str,
    distance: str,
    distance_pairs: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each listed pair once (``query`` < ``target``, store rows) with its
    ``feature`` and its unclipped ``distance`` (NaN: saturated), from
    ``pairs`` or, when given, from ``distance_pairs`` (then a pair in only
    one of the two has similarity 0 or a saturated distance)."""
    check_feature(pairs, feature)
    if distance_pairs is None:
        edges = pairs[["query", "target", feature]].assign(
            distance=pair_distances(pairs, distance, feature)
        )
    else:
        distances = distance_pairs[["query", "target"]].assign(
            distance=pair_distances(distance_pairs, distance, feature)
        )
        edges = pairs[["query", "target", feature]].merge(
            distances, on=["query", "target"], how="outer", sort=True
        )
        edges[feature] = edges[feature].fillna(0.0)
    return edges.reset_index(drop=True)


def _output_edges(
    sequences: SequenceStore, edges: pd.DataFrame, feature: str, cap: float
) -> pd.DataFrame:
    """The edge list as written: IDs, copies expanded (a pair of identical
    sequences has similarity 1 and distance 0), distances clipped to ``cap``."""
    _, names = output_rows(sequences)
    expanded = with_copies(with_copies(edges, "query", sequences), "target", sequences)
    first, second = copy_pairs(sequences)
    identical = pd.DataFrame({"query": first, "target": second, feature: 1.0, "distance": 0.0})
    both = pd.concat([expanded, identical], ignore_index=True) if first.size else expanded
    both = both.sort_values(["query", "target"], kind="stable", ignore_index=True)
    ids = np.asarray(names, dtype=object)
    raw = both["distance"].to_numpy(np.float64)
    return pd.DataFrame(
        {
            "query": ids[both["query"].to_numpy(np.int64)],
            "target": ids[both["target"].to_numpy(np.int64)],
            feature: both[feature].to_numpy(np.float32),
            "distance": np.minimum(np.nan_to_num(raw, nan=cap), cap).astype(np.float32),
            "saturated": ~(raw < cap),
        }
    )


def write_similarity_matrix(
    store: FilePath,
    pairs: Sequence[FilePath],
    npy: FilePath | None = None,
    *,
    feature: str,
    distance: str | None = None,
    max_distance: float | None = None,
    distance_pairs: Sequence[FilePath] | None = None,
    max_sequences: int = 20000,
    edges: FilePath | None = None,
    id_table: FilePath | None = None,
    tsv: FilePath | None = None,
    ids: FilePath | None = None,
    phylip: FilePath | None = None,
    phylip_strict: FilePath | None = None,
    phylip_layout: PhylipLayout = "square",
    tree: FilePath | None = None,
    nj_tree: FilePath | None = None,
    plot: FilePath | None = None,
    distribution_plot: FilePath | None = None,
) -> np.ndarray | None:
    """The similarity of ``feature`` and its distance over the pair tables
    ``pairs`` of the store's sequences. Sparse outputs: ``edges`` (Parquet:
    each listed pair once, with similarity, distance and a saturated flag)
    ``id_table`` (``ids.tsv``: each ID's PHYLIP-safe names) and
    ``distribution_plot`` (a histogram of the pairs' similarity). Dense ones,
    refused above ``max_sequences`` sequences: the matrix (``npy``), its
    labelled TSV, the id order, the distances as relaxed (``phylip``) and
    strict (``phylip_strict``) PHYLIP, the UPGMA (``tree``) and
    neighbour-joining (``nj_tree``) trees and a heatmap. ``distance``
    (:mod:`seqsim.matrix.distances`; None: the feature's own) comes from
    ``distance_pairs`` when given (e.g. the search's Scoredist beside the
    learned probability). A store's copies (``ingest --dedupe``) get their
    representative's rows (similarity 1, distance 0 to it). Returns the
    similarity matrix, or None when no dense output was asked for."""
    sequences = read_store(store)
    rows, names = output_rows(sequences)
    n = len(names)
    dense = [npy, tsv, ids, phylip, phylip_strict, tree, nj_tree, plot]
    if any(dense) and n > max_sequences:
        raise ConfigError(
            f"{n} sequences would make a {n}^2 dense matrix; "
            f"raise --max-sequences (matrix.max_sequences) above {max_sequences} to build it"
        )
    distance = distance or default_distance(feature, sequences.alphabet)
    cap = max_distance_of(distance, max_distance)
    stored = indexed_pairs(read_pairs(pairs), sequences)
    extra = indexed_pairs(read_pairs(distance_pairs), sequences) if distance_pairs else None
    pair_table = pair_edges(sequences, stored, feature, distance, extra)
    saturated = int((~(pair_table["distance"].to_numpy() < cap)).sum())
    log.info(
        "%d pairs with %s; distance %s, saturated at %g: %d listed pairs and the %d unlisted",
        len(pair_table), feature, distance, cap, saturated, n * (n - 1) // 2 - len(pair_table),
    )  # fmt: skip
    if edges:
        write_table(_output_edges(sequences, pair_table, feature, cap), edges)
    if id_table:
        write_table(names_table(names), id_table)
    if distribution_plot:
        from seqsim.plots import plot_similarity_distribution

        plot_similarity_distribution(
            pair_table[feature].to_numpy(), distribution_plot, xlabel=feature,
            title=f"{feature} of the listed pairs, {n} sequences",
        )  # fmt: skip
    if not any(dense):
        return None
    matrix = similarity_matrix(sequences.n_sequences, pair_table, feature)
    distances = distance_matrix(
        sequences.n_sequences, pair_table, pair_table["distance"].to_numpy(), cap
    )
    if n != sequences.n_sequences:
        matrix = matrix[np.ix_(rows, rows)]
        distances = distances[np.ix_(rows, rows)]
    if npy:
        write_npy(matrix, npy)
    if ids:
        write_text("".join(f"{i}\n" for i in names), ids)
    if tsv:
        write_labelled_matrix(matrix, names, tsv)
    if phylip:
        write_phylip_distances(distances, safe_names(names), phylip, layout=phylip_layout)
    if phylip_strict:
        strict_names = safe_names(names, STRICT_LENGTH)
        write_phylip_distances(
            distances, strict_names, phylip_strict, layout=phylip_layout, strict=True
        )
    if tree:
        from seqsim.matrix.trees import upgma_newick

        write_text(upgma_newick(distances, names), tree)
    if nj_tree:
        from seqsim.matrix.trees import nj_newick

        write_text(nj_newick(distances, names), nj_tree)
    if plot:
        from seqsim.plots import plot_similarity_heatmap

        title = f"{feature} similarity, {n} {sequences.alphabet} sequences"
        plot_similarity_heatmap(matrix, plot, title=title)
    return matrix
