"""``seqsim similarity-matrix`` (and the pipeline rule of that name) as one call."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.io import (
    FilePath,
    requested_outputs,
    write_npy,
    write_outputs,
    write_table,
    write_text,
)
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


@dataclass(frozen=True)
class MatrixOutputs:
    """Where ``seqsim similarity-matrix`` writes each output (None: not written).

    Sparse outputs: ``edges`` (Parquet or TSV: each listed pair once, with
    similarity, distance and a saturated flag), ``id_table`` (``ids.tsv``:
    each ID's PHYLIP-safe names) and ``distribution_plot`` (a histogram of
    the pairs' similarity). Dense ones, refused above ``max_sequences``
    sequences: the similarity matrix (``npy``), the id order (``ids``), the
    matrix as labelled TSV (``tsv``), the distances as relaxed (``phylip``)
    and strict (``phylip_strict``) PHYLIP, the UPGMA (``tree``) and
    neighbour-joining (``nj_tree``) trees and a heatmap (``plot``).
    """

    edges: FilePath | None = None
    id_table: FilePath | None = None
    distribution_plot: FilePath | None = None
    npy: FilePath | None = None
    ids: FilePath | None = None
    tsv: FilePath | None = None
    phylip: FilePath | None = None
    phylip_strict: FilePath | None = None
    tree: FilePath | None = None
    nj_tree: FilePath | None = None
    plot: FilePath | None = None


@dataclass(frozen=True)
class ListedPairs:
    """The listed pairs of the store's sequences, which the sparse outputs
    are written from: ``edges`` as :func:`pair_edges` gives them, distances
    saturated at ``max_distance``; ``rows`` and ``names`` the output's
    records (:func:`~seqsim.sequences.store.output_rows`)."""

    sequences: SequenceStore
    edges: pd.DataFrame
    feature: str
    max_distance: float
    rows: np.ndarray
    names: list[str]


@dataclass(frozen=True)
class DenseMatrices:
    """The N x N similarity and distance matrices over the output's records
    (``names``), which the dense outputs are written from."""

    similarity: np.ndarray
    distances: np.ndarray
    names: list[str]
    feature: str
    alphabet: str
    phylip_layout: PhylipLayout


def write_similarity_matrix(
    store: FilePath,
    pairs: Sequence[FilePath],
    outputs: MatrixOutputs,
    *,
    feature: str,
    distance: str | None = None,
    max_distance: float | None = None,
    distance_pairs: Sequence[FilePath] | None = None,
    max_sequences: int = 20000,
    phylip_layout: PhylipLayout = "square",
) -> np.ndarray | None:
    """The similarity of ``feature`` and its distance over the pair tables
    ``pairs`` of the store's sequences, written to the ``outputs`` asked for
    (:class:`MatrixOutputs`; the dense ones refused above ``max_sequences``
    sequences). ``distance`` (:mod:`seqsim.matrix.distances`; None: the
    feature's own) comes from ``distance_pairs`` when given (e.g. the
    search's Scoredist beside the learned probability). A store's copies
    (``ingest --dedupe``) get their representative's rows (similarity 1,
    distance 0 to it). Returns the similarity matrix, or None when no dense
    output was asked for."""
    sequences = read_store(store)
    dense = [name for name in requested_outputs(outputs) if name in DENSE_WRITERS]
    _check_dense_size(sequences, dense, max_sequences)
    listed = _listed_pairs(sequences, pairs, distance_pairs, feature, distance, max_distance)
    write_outputs(outputs, SPARSE_WRITERS, listed)
    if not dense:
        return None
    matrices = _dense_matrices(listed, phylip_layout)
    write_outputs(outputs, DENSE_WRITERS, matrices)
    return matrices.similarity


def _check_dense_size(sequences: SequenceStore, dense: list[str], max_sequences: int) -> None:
    """ConfigError when dense outputs are asked for above ``max_sequences`` sequences."""
    n = len(output_rows(sequences)[1])
    if dense and n > max_sequences:
        raise ConfigError(
            f"{n} sequences would make a {n}^2 dense matrix; "
            "raise --max-sequences (config similarity.max_sequences) "
            f"above {max_sequences} to build it"
        )


def _listed_pairs(
    sequences: SequenceStore,
    pairs: Sequence[FilePath],
    distance_pairs: Sequence[FilePath] | None,
    feature: str,
    distance: str | None,
    max_distance: float | None,
) -> ListedPairs:
    """The pair tables read, with ``feature`` and its distance (see
    :func:`write_similarity_matrix`)."""
    rows, names = output_rows(sequences)
    n = len(names)
    distance = distance or default_distance(feature, sequences.alphabet)
    cap = max_distance_of(distance, max_distance)
    stored = indexed_pairs(read_pairs(pairs), sequences)
    extra = indexed_pairs(read_pairs(distance_pairs), sequences) if distance_pairs else None
    edges = pair_edges(sequences, stored, feature, distance, extra)
    saturated = int((~(edges["distance"].to_numpy() < cap)).sum())
    log.info(
        "%d pairs with %s; distance %s, saturated at %g: %d listed pairs and the %d unlisted",
        len(edges), feature, distance, cap, saturated, n * (n - 1) // 2 - len(edges),
    )  # fmt: skip
    return ListedPairs(sequences, edges, feature, cap, rows, names)


def _dense_matrices(listed: ListedPairs, phylip_layout: PhylipLayout) -> DenseMatrices:
    """The similarity and distance matrices of the listed pairs (0 and the
    saturated distance for the others), over the output's records."""
    sequences, edges = listed.sequences, listed.edges
    similarity = similarity_matrix(sequences.n_sequences, edges, listed.feature)
    distances = distance_matrix(
        sequences.n_sequences, edges, edges["distance"].to_numpy(), listed.max_distance
    )
    if len(listed.names) != sequences.n_sequences:
        similarity = similarity[np.ix_(listed.rows, listed.rows)]
        distances = distances[np.ix_(listed.rows, listed.rows)]
    return DenseMatrices(
        similarity, distances, listed.names, listed.feature, sequences.alphabet, phylip_layout
    )


def _write_edges(listed: ListedPairs, path: FilePath) -> None:
    edges = _output_edges(listed.sequences, listed.edges, listed.feature, listed.max_distance)
    write_table(edges, path)


def _write_id_table(listed: ListedPairs, path: FilePath) -> None:
    write_table(names_table(listed.names), path)


def _plot_distribution(listed: ListedPairs, path: FilePath) -> None:
    from seqsim.plots import plot_similarity_distribution

    plot_similarity_distribution(
        listed.edges[listed.feature].to_numpy(), path, xlabel=listed.feature,
        title=f"{listed.feature} of the listed pairs, {len(listed.names)} sequences",
    )  # fmt: skip


def _write_npy(matrices: DenseMatrices, path: FilePath) -> None:
    write_npy(matrices.similarity, path)


def _write_ids(matrices: DenseMatrices, path: FilePath) -> None:
    write_text("".join(f"{i}\n" for i in matrices.names), path)


def _write_tsv(matrices: DenseMatrices, path: FilePath) -> None:
    write_labelled_matrix(matrices.similarity, matrices.names, path)


def _write_phylip(matrices: DenseMatrices, path: FilePath) -> None:
    names = safe_names(matrices.names)
    write_phylip_distances(matrices.distances, names, path, layout=matrices.phylip_layout)


def _write_phylip_strict(matrices: DenseMatrices, path: FilePath) -> None:
    names = safe_names(matrices.names, STRICT_LENGTH)
    write_phylip_distances(
        matrices.distances, names, path, layout=matrices.phylip_layout, strict=True
    )


def _write_upgma_tree(matrices: DenseMatrices, path: FilePath) -> None:
    from seqsim.matrix.trees import upgma_newick

    write_text(upgma_newick(matrices.distances, matrices.names), path)


def _write_nj_tree(matrices: DenseMatrices, path: FilePath) -> None:
    from seqsim.matrix.trees import nj_newick

    write_text(nj_newick(matrices.distances, matrices.names), path)


def _plot_heatmap(matrices: DenseMatrices, path: FilePath) -> None:
    from seqsim.plots import plot_similarity_heatmap

    n = len(matrices.names)
    title = f"{matrices.feature} similarity, {n} {matrices.alphabet} sequences"
    plot_similarity_heatmap(matrices.similarity, path, title=title)


# Output name (a field of MatrixOutputs) -> its writer, in the order they are written.
SPARSE_WRITERS: dict[str, Callable[[ListedPairs, FilePath], None]] = {
    "edges": _write_edges,
    "id_table": _write_id_table,
    "distribution_plot": _plot_distribution,
}
DENSE_WRITERS: dict[str, Callable[[DenseMatrices, FilePath], None]] = {
    "npy": _write_npy,
    "ids": _write_ids,
    "tsv": _write_tsv,
    "phylip": _write_phylip,
    "phylip_strict": _write_phylip_strict,
    "tree": _write_upgma_tree,
    "nj_tree": _write_nj_tree,
    "plot": _plot_heatmap,
}
