"""The matrix stage as one call each: ``seqsim similarity-matrix`` and
``seqsim cluster`` (and the pipeline rules of those names)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np

from seqsim.errors import ConfigError
from seqsim.io import FilePath, write_npy, write_table, write_text
from seqsim.matrix.cluster import ClusterMethod, assign_clusters, cluster_table
from seqsim.matrix.pair_tables import indexed_pairs, read_pairs
from seqsim.matrix.similarity import (
    similarity_matrix,
    write_labelled_matrix,
    write_phylip_distances,
)
from seqsim.sequences.store import output_rows, read_store

log = logging.getLogger("seqsim")


def write_similarity_matrix(
    store: FilePath,
    pairs: Sequence[FilePath],
    npy: FilePath,
    *,
    feature: str,
    max_sequences: int = 20000,
    tsv: FilePath | None = None,
    ids: FilePath | None = None,
    phylip: FilePath | None = None,
    tree: FilePath | None = None,
    plot: FilePath | None = None,
) -> np.ndarray:
    """The similarity matrix of ``feature`` over the pair tables ``pairs`` of
    the store's sequences (``npy``), and optionally its labelled TSV, the id
    order, the distances 1 - similarity as PHYLIP, their UPGMA tree and a
    heatmap. Refuses more than ``max_sequences`` sequences (a dense N x N
    matrix). A store's copies (``ingest --dedupe``) get their
    representative's row and column (similarity 1 to it). Returns the matrix."""
    sequences = read_store(store)
    rows, names = output_rows(sequences)
    n = len(names)
    if n > max_sequences:
        raise ConfigError(
            f"{n} sequences would make a {n}^2 dense matrix; "
            f"raise --max-sequences (matrix.max_sequences) above {max_sequences} to build it"
        )
    stored = indexed_pairs(read_pairs(pairs), sequences)
    matrix = similarity_matrix(sequences.n_sequences, stored, feature)
    if n != sequences.n_sequences:
        matrix = matrix[np.ix_(rows, rows)]
    write_npy(matrix, npy)
    if ids:
        write_text("".join(f"{i}\n" for i in names), ids)
    if tsv:
        write_labelled_matrix(matrix, names, tsv)
    if phylip:
        write_phylip_distances(1.0 - matrix, names, phylip)
    if tree:
        from seqsim.matrix.trees import upgma_newick

        write_text(upgma_newick(1.0 - matrix, names), tree)
    if plot:
        from seqsim.plots import plot_similarity_heatmap

        title = f"{feature} similarity, {n} {sequences.alphabet} sequences"
        plot_similarity_heatmap(matrix, plot, title=title)
    return matrix


def write_clusters(
    store: FilePath,
    pairs: Sequence[FilePath],
    output: FilePath,
    *,
    feature: str,
    min_similarity: float,
    method: ClusterMethod = "set-cover",
) -> np.ndarray:
    """Clusters of the store's sequences from the pair tables ``pairs``
    (pairs with ``feature`` >= ``min_similarity`` are linked), written in
    the MMseqs2 layout (a store's copies join their representative's
    cluster); returns each stored sequence's representative index."""
    sequences = read_store(store)
    representative = assign_clusters(
        sequences.lengths,
        indexed_pairs(read_pairs(pairs), sequences),
        feature=feature,
        min_similarity=min_similarity,
        method=method,
    )
    log.info(
        "%d sequences in %d clusters (%s, %s >= %g); %d singletons",
        sequences.n_sequences,
        np.unique(representative).size,
        method,
        feature,
        min_similarity,
        int((np.bincount(representative, minlength=sequences.n_sequences) == 1).sum()),
    )
    rows, names = output_rows(sequences)
    first_row = np.searchsorted(rows, np.arange(sequences.n_sequences))
    write_table(cluster_table(first_row[representative[rows]], names), output)
    return representative
