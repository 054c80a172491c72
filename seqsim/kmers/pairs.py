"""K-mer pair features of one block of an all-vs-all, from an inverted index
of the k-mer profiles (:func:`~seqsim.kmers.profiles.count_kmers`).

The features are named in :data:`~seqsim.feature_names.KMER_FEATURES`."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.feature_names import KMER_FEATURES
from seqsim.io import FilePath, write_table
from seqsim.kernels.kmers import _shared_kmers
from seqsim.kmers.profiles import KmerProfiles, read_profiles
from seqsim.parallel import block_rows
from seqsim.progress import progress

log = logging.getLogger("seqsim")

KMER_PAIR_COLUMNS = ["query", "target", "n_shared", *KMER_FEATURES]


def _inverted_index(profiles: KmerProfiles) -> tuple[np.ndarray, ...]:
    """Index rows (one per distinct k-mer) listing the sequences that hold it."""
    owner = np.repeat(np.arange(profiles.n_sequences, dtype=np.int32), profiles.n_distinct)
    order = np.argsort(profiles.values, kind="stable")  # stable: owners stay ascending
    sorted_values = profiles.values[order]
    is_new = np.ones(sorted_values.size, dtype=bool)
    is_new[1:] = sorted_values[1:] != sorted_values[:-1]
    starts = np.flatnonzero(is_new)
    post_offsets = np.append(starts, sorted_values.size).astype(np.int64)
    slots = np.empty(profiles.values.size, dtype=np.int64)
    slots[order] = np.cumsum(is_new) - 1
    return slots, post_offsets, owner[order], profiles.counts[order]


def score_pairs(
    profiles: KmerProfiles,
    *,
    block: int = 0,
    n_blocks: int = 1,
    min_shared: int = 1,
    chunk_size: int = 256,
) -> pd.DataFrame:
    """K-mer features of every pair (query < target) with a query in ``block``.

    Pairs sharing fewer than ``min_shared`` distinct k-mers are left out (their
    features are all zero). Columns: :data:`KMER_PAIR_COLUMNS`, sorted by query, target.
    """
    if min_shared < 1:
        raise ConfigError("min_shared must be at least 1")
    slots, post_offsets, post_seqs, post_counts = _inverted_index(profiles)
    rows = block_rows(profiles.n_sequences, block, n_blocks)
    chunks = [rows[start : start + chunk_size] for start in range(0, rows.size, chunk_size)]
    parts = [
        _shared_kmers(
            chunk,
            slots,
            profiles.counts,
            profiles.offsets,
            post_offsets,
            post_seqs,
            post_counts,
            min_shared,
        )
        for chunk in progress(chunks, total=len(chunks), desc=f"block {block}", unit="chunks")
    ]
    empty = (np.zeros(0, np.int32),) * 3 + (np.zeros(0, np.float64),)
    query, target, n_shared, dot = (
        np.concatenate([part[i] for part in parts]) if parts else empty[i] for i in range(4)
    )
    distinct = profiles.n_distinct
    norms = profiles.norms
    n_q, n_t = distinct[query], distinct[target]
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "query": query.astype(np.int32),
                "target": target.astype(np.int32),
                "n_shared": n_shared.astype(np.int32),
                "jaccard": (n_shared / (n_q + n_t - n_shared)).astype(np.float32),
                "containment": (n_shared / np.minimum(n_q, n_t)).astype(np.float32),
                "containment_query": (n_shared / n_q).astype(np.float32),
                "containment_target": (n_shared / n_t).astype(np.float32),
                "cosine": (dot / (norms[query] * norms[target])).astype(np.float32),
            },
            columns=KMER_PAIR_COLUMNS,
        )
    log.info("block %d/%d: %d query rows, %d pairs", block + 1, n_blocks, rows.size, len(table))
    return table


def write_kmer_pairs(
    profiles: FilePath,
    output: FilePath,
    *,
    block: int = 0,
    n_blocks: int = 1,
    min_shared: int = 1,
) -> pd.DataFrame:
    """``seqsim score-pairs``: :func:`score_pairs` of a profiles file, written to ``output``."""
    table = score_pairs(
        read_profiles(profiles), block=block, n_blocks=n_blocks, min_shared=min_shared
    )
    write_table(table, output)
    return table
