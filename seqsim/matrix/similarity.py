"""Pair tables -> square similarity and distance matrices."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.io import atomic_path
from seqsim.matrix.names import STRICT_LENGTH
from seqsim.pair_tables import check_feature


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


PhylipLayout = Literal["square", "lower"]


def write_phylip_distances(
    matrix: np.ndarray,
    names: Sequence[str],
    path: str | os.PathLike[str],
    *,
    layout: PhylipLayout = "square",
    strict: bool = False,
) -> None:
    """A PHYLIP distance matrix: the count, then one row per sequence.

    ``strict``: each name padded to exactly 10 characters (PHYLIP's
    ``neighbor``); relaxed: the name, a space, the distances (quicktree,
    clearcut, FastME, RapidNJ, scikit-bio's ``phylip_dm``). ``square``:
    every distance; ``lower``: row ``i`` holds its distances to rows before
    it (``neighbor``'s option L). ``names`` must be PHYLIP-safe
    (:func:`seqsim.matrix.names.safe_names`).
    """
    if layout not in ("square", "lower"):
        raise ConfigError(f"unknown PHYLIP layout {layout!r}; use square or lower")
    for name in names:
        if any(char.isspace() or char in "():;,[]'\"" for char in name):
            raise ConfigError(f"name {name!r} cannot be written to PHYLIP (space or ():;,[]')")
        if strict and len(name) > STRICT_LENGTH:
            raise ConfigError(f"name {name!r} is longer than strict PHYLIP's 10 characters")
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(f"{len(names)}\n")
        for i, (name, row) in enumerate(zip(names, matrix, strict=True)):
            values = row[:i] if layout == "lower" else row
            label = name.ljust(STRICT_LENGTH) if strict else name + " "
            handle.write(label + " ".join(f"{value:.6f}" for value in values) + "\n")
