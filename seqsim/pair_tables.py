"""Pair tables of an all-vs-all: one row per unordered pair (``query`` <
``target``) with its features. Both sides of the search's tables live here:
:func:`alignment_pairs` builds them (``seqsim search --pairs-out``), and
:func:`read_pairs` and :func:`indexed_pairs` read them back, as they read
``seqsim score-pairs``' and ``seqsim score``'s, for the similarity matrix,
the clusters and the learned scorer."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import pandas as pd

from seqsim.alignment.scoring import ScoringScheme
from seqsim.alignment.statistics import SCOREDIST_BLOSUM62, expected_column_score, scoredist
from seqsim.errors import ConfigError, InputError
from seqsim.feature_names import ALIGNMENT_FEATURES, default_similarity_feature
from seqsim.io import read_table, table_columns
from seqsim.sequences.store import SequenceStore, output_rows, store_indices

# Columns of the pair tables :func:`alignment_pairs` writes.
ALIGNMENT_PAIR_COLUMNS = [
    "query", "target", "raw", "bitscore", "evalue", *ALIGNMENT_FEATURES,
    "qcov", "tcov", "scoredist",
]  # fmt: skip


class PairFilter(Protocol):
    """What :func:`alignment_pairs` reads of the search's
    :class:`~seqsim.search_engine.engine.HitFilter` (named by its fields so
    that the readers of pair tables import nothing of the search)."""

    @property
    def max_evalue(self) -> float: ...

    @property
    def exhaustive(self) -> bool: ...


def self_scores(store: SequenceStore, scheme: ScoringScheme) -> np.ndarray:
    """Local alignment score of every sequence with itself (int64)."""
    # Imported here: it loads numba, which the readers below do not need.
    from seqsim.alignment.pairwise import local_score

    return np.array(
        [local_score(store.sequence_codes(i), store.sequence_codes(i), scheme)
         for i in range(store.n_sequences)],
        dtype=np.int64,
    )  # fmt: skip


def self_scores_from_hits(hits: pd.DataFrame, n_sequences: int, column: str = "raw") -> np.ndarray:
    """Each sequence's self-hit score (``column``: raw or bitscore) in an
    all-vs-all hit table (float64; 0 where the table has no self hit)."""
    query, target = hits["query"].to_numpy(), hits["target"].to_numpy()
    scores = np.zeros(n_sequences, dtype=np.float64)
    is_self = query == target
    scores[query[is_self]] = hits[column].to_numpy()[is_self]
    return scores


def alignment_features(hits: pd.DataFrame, self_score: np.ndarray) -> pd.DataFrame:
    """The alignment features (float64) of each row of a hit table, in its row order:

    - ``score_ratio``: SW score / the smaller of the two self-scores, in [0, 1];
    - ``fident``: identities / alignment columns;
    - ``shorter_ident``: identities / length of the shorter sequence;
    - ``coverage``: the smaller of the two aligned fractions.

    ``self_score`` holds every sequence's score against itself (indexed as
    the table's ``query`` and ``target``).
    """
    query, target = hits["query"].to_numpy(), hits["target"].to_numpy()
    raw, nident = hits["raw"].to_numpy(), hits["nident"].to_numpy()
    qlen, tlen = hits["qlen"].to_numpy(), hits["tlen"].to_numpy()
    smaller_self = np.maximum(np.minimum(self_score[query], self_score[target]), 1)
    aligned_query = (hits["qend"].to_numpy() - hits["qstart"].to_numpy() + 1) / qlen
    aligned_target = (hits["send"].to_numpy() - hits["sstart"].to_numpy() + 1) / tlen
    return pd.DataFrame(
        {
            "score_ratio": np.clip(raw / smaller_self, 0.0, 1.0),
            "fident": nident / np.maximum(hits["length"].to_numpy(), 1),
            "shorter_ident": nident / np.maximum(np.minimum(qlen, tlen), 1),
            "coverage": np.minimum(aligned_query, aligned_target),
        },
        index=hits.index,
    )


def alignment_pairs(
    hits: pd.DataFrame,
    self_score: np.ndarray,
    scheme: ScoringScheme,
    hit_filter: PairFilter,
) -> pd.DataFrame:
    """Unordered pairs (query < target) of an all-vs-all, with alignment features
    (:data:`ALIGNMENT_PAIR_COLUMNS`), sorted by query and target: the
    similarity features, the aligned fraction of each sequence (``qcov``
    of ``query``, ``tcov`` of ``target``) and the Scoredist distance
    (:mod:`seqsim.matrix.distances`; NaN where saturated).

    A pair is kept when its symmetric E-value ``evalue_pair`` passes the
    filter (every pair when exhaustive); each unordered pair appears once.
    """
    keep = hits["query"].to_numpy() < hits["target"].to_numpy()
    if not hit_filter.exhaustive:
        keep &= hits["evalue_pair"].to_numpy() <= hit_filter.max_evalue
    pairs = hits[keep]
    features = alignment_features(pairs, self_score)
    query, target = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    calibration = SCOREDIST_BLOSUM62 if scheme.name == "BLOSUM62" else 1.0
    distance = scoredist(
        pairs["raw"].to_numpy(), self_score[query], self_score[target],
        pairs["length"].to_numpy(), expected_column_score(scheme), calibration,
    )  # fmt: skip
    table = pd.DataFrame(
        {
            "query": pairs["query"].to_numpy(np.int32),
            "target": pairs["target"].to_numpy(np.int32),
            "raw": pairs["raw"].to_numpy(np.int32),
            "bitscore": pairs["bitscore"].to_numpy(np.float32),
            "evalue": pairs["evalue_pair"].to_numpy(np.float64),
            **{name: features[name].to_numpy().astype(np.float32) for name in ALIGNMENT_FEATURES},
            "qcov": ((pairs["qend"] - pairs["qstart"] + 1) / pairs["qlen"]).to_numpy(np.float32),
            "tcov": ((pairs["send"] - pairs["sstart"] + 1) / pairs["tlen"]).to_numpy(np.float32),
            "scoredist": distance.astype(np.float32),
        },
        columns=ALIGNMENT_PAIR_COLUMNS,
    )
    return table.sort_values(["query", "target"], kind="stable", ignore_index=True)


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


def similarity_feature(paths: Sequence[str | os.PathLike[str]], feature: str | None) -> str:
    """``feature``, or when it is None the pipeline's choice for these pair
    tables (:func:`~seqsim.feature_names.default_similarity_feature` of
    their columns), read from the first table's header only."""
    return feature or default_similarity_feature(table_columns(paths[0]))


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
