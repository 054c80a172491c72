"""Reading pair tables (an all-vs-all's unordered pairs with their features,
from ``seqsim search --pairs-out`` or ``seqsim score-pairs``), the input of
the similarity matrix and the clusters."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from seqsim.errors import ConfigError, InputError
from seqsim.io import read_table
from seqsim.sequences.store import SequenceStore, output_rows, store_indices


def read_pairs(paths: Sequence[str | os.PathLike[str]]) -> pd.DataFrame:
    """Concatenate pair tables (e.g. the blocks of one all-vs-all), sorted by query, target."""
    if not paths:
        raise ConfigError("no pair tables given")
    tables = []
    for path in paths:
        try:
            table = read_table(path)
        except FileNotFoundError:
            raise InputError(path, "no such file") from None
        if not {"query", "target"} <= set(table.columns):
            raise InputError(path, "not a seqsim pair table (no query/target columns)")
        tables.append(table)
    pairs = pd.concat(tables, ignore_index=True)
    return pairs.sort_values(["query", "target"], kind="stable", ignore_index=True)


def check_feature(pairs: pd.DataFrame, feature: str) -> None:
    """ConfigError unless ``feature`` is a feature column of ``pairs``."""
    if feature not in pairs.columns or feature in ("query", "target"):
        usable = [c for c in pairs.columns if c not in ("query", "target")]
        raise ConfigError(f"unknown pair feature {feature!r}; the pair tables have {usable}")


def indexed_pairs(pairs: pd.DataFrame, store: SequenceStore) -> pd.DataFrame:
    """``pairs`` with ``query``/``target`` as store indices: tables that name
    sequences by id (``seqsim score``) are mapped through the store's ids, a
    copy's id (``ingest --dedupe``) to its representative (pairs that
    become a sequence with itself, or repeat another, are dropped); tables
    of indices (the search's and k-mer pair tables) are returned as they are."""
    if pd.api.types.is_integer_dtype(pairs["query"]) and pd.api.types.is_integer_dtype(
        pairs["target"]
    ):
        return pairs
    rows, ids = output_rows(store)
    mapped = {
        col: rows[store_indices(pairs[col], ids, "pair table")] for col in ("query", "target")
    }
    indexed = pairs.assign(**mapped)
    if not store.copies.empty:
        indexed = indexed[indexed["query"] != indexed["target"]]
        indexed = indexed.drop_duplicates(["query", "target"], ignore_index=True)
    return indexed
