"""Pair tables -> square similarity and distance matrices."""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.io import atomic_path
from seqsim.matrix.pair_tables import check_feature


def similarity_matrix(n_sequences: int, pairs: pd.DataFrame, feature: str) -> np.ndarray:
    """Square float32 matrix of ``feature`` for every pair; 1 on the diagonal, 0
    for pairs absent from ``pairs`` (they share nothing the feature counts)."""
    check_feature(pairs, feature)
    matrix = np.zeros((n_sequences, n_sequences), dtype=np.float32)
    query = pairs["query"].to_numpy()
    target = pairs["target"].to_numpy()
    values = pairs[feature].to_numpy(dtype=np.float32)
    matrix[query, target] = values
    matrix[target, query] = values
    np.fill_diagonal(matrix, 1.0)
    return matrix


def write_labelled_matrix(
    matrix: np.ndarray, ids: Sequence[str], path: str | os.PathLike[str]
) -> None:
    """TSV with a header row of ids and the id as the first column of each row."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write("id\t" + "\t".join(ids) + "\n")
        for row_id, row in zip(ids, matrix, strict=True):
            handle.write(row_id + "\t" + "\t".join(f"{value:.6g}" for value in row) + "\n")


def write_phylip_distances(
    matrix: np.ndarray, ids: Sequence[str], path: str | os.PathLike[str]
) -> None:
    """Square relaxed-PHYLIP distance matrix (names then distances, space separated),
    as read by PHYLIP neighbor, FastME, RapidNJ and Biopython's DistanceMatrix tools."""
    for name in ids:
        if any(char.isspace() or char in "():;," for char in name):
            raise ConfigError(f"ID {name!r} cannot be written to PHYLIP (space or ():;,)")
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(f"{len(ids)}\n")
        for name, row in zip(ids, matrix, strict=True):
            handle.write(name + " " + " ".join(f"{value:.6f}" for value in row) + "\n")
