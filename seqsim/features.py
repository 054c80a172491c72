"""K-mer profiles and pair features, built on the numba kernels.

Pair features are named in :data:`PAIR_FEATURES`; the config schema's
``similarity.feature`` enum uses the same names.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from seqsim.alphabet import PROTEIN_LETTERS, AlphabetName
from seqsim.errors import ConfigError, InputError
from seqsim.io import read_table, write_npz
from seqsim.kernels.kmers import _distinct_kmers, _shared_kmers
from seqsim.progress import progress
from seqsim.store import SequenceStore

log = logging.getLogger("seqsim")

# Letters a k-mer may use: the 20 standard amino acids, or ACGT. Windows with
# ambiguity codes (codes at or above the base) are skipped.
KMER_BASE = {"protein": 20, "dna": 4, "rna": 4}
DEFAULT_K = {"protein": 3, "dna": 11, "rna": 11}
# Largest k whose values fit in 63 bits.
MAX_K = {"protein": 14, "dna": 31, "rna": 31}

# Reduced protein alphabets: groups of amino acids counted as one letter, so that
# k-mers of remote homologs match more often (Murphy et al. 2000, Protein Eng
# 13:149; Dayhoff's six exchange groups). Letters outside the groups (B, Z, X,
# *) stay ambiguous and break k-mers.
REDUCED_ALPHABETS: dict[str, str] = {
    "murphy10": "LVIM C AG ST P FYW EDNQ KR H",
    "dayhoff6": "AGPST C DENQ HKR ILMV FWY",
}

PAIR_FEATURES: dict[str, str] = {
    "jaccard": "distinct shared k-mers / distinct k-mers in either sequence",
    "containment": "distinct shared k-mers / distinct k-mers of the sequence with fewer",
    "containment_query": "distinct shared k-mers / distinct k-mers of the query",
    "containment_target": "distinct shared k-mers / distinct k-mers of the target",
    "cosine": "cosine of the two k-mer count vectors",
}
PAIR_COLUMNS = ["query", "target", "n_shared", *PAIR_FEATURES]
PROFILE_FORMAT_VERSION = 1


@dataclass(frozen=True)
class KmerProfiles:
    """Distinct k-mers and counts of each sequence (CSR: ``offsets`` has n+1 entries)."""

    alphabet: AlphabetName
    k: int
    canonical: bool
    values: np.ndarray  # uint64, sorted within each sequence
    counts: np.ndarray  # uint32
    offsets: np.ndarray  # int64

    @property
    def n_sequences(self) -> int:
        return self.offsets.size - 1

    @property
    def n_distinct(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def norms(self) -> np.ndarray:
        owner = np.repeat(np.arange(self.n_sequences), self.n_distinct)
        squares = self.counts.astype(np.float64) ** 2
        return np.sqrt(np.bincount(owner, weights=squares, minlength=self.n_sequences))


def resolve_k(alphabet: AlphabetName, k: int | None) -> int:
    """The k-mer size to use: ``k`` if given (checked), else the alphabet's default."""
    if k is None:
        return DEFAULT_K[alphabet]
    if not 1 <= k <= MAX_K[alphabet]:
        raise ConfigError(f"k = {k} is out of range for {alphabet}: use 1..{MAX_K[alphabet]}")
    return k


def reduction_table(name: str) -> np.ndarray:
    """uint8[256]: protein store code -> reduced letter (group index), 255 for
    letters outside every group."""
    if name not in REDUCED_ALPHABETS:
        raise ConfigError(
            f"unknown reduced alphabet {name!r}; use one of {list(REDUCED_ALPHABETS)}"
        )
    table = np.full(256, 255, dtype=np.uint8)
    for group, letters in enumerate(REDUCED_ALPHABETS[name].split()):
        for letter in letters:
            table[PROTEIN_LETTERS.index(letter)] = group
    return table


def count_kmers(
    store: SequenceStore,
    *,
    k: int | None = None,
    canonical: bool = False,
    reduced_alphabet: str | None = None,
) -> KmerProfiles:
    """Count the distinct k-mers of every sequence in ``store``.

    ``canonical`` (DNA/RNA only) merges each k-mer with its reverse complement;
    ``reduced_alphabet`` (protein only, a name in :data:`REDUCED_ALPHABETS`)
    counts k-mers over amino-acid groups.
    """
    k = resolve_k(store.alphabet, k)
    if canonical and store.alphabet == "protein":
        raise ConfigError("canonical k-mers apply to DNA/RNA only")
    codes = np.ascontiguousarray(store.codes, dtype=np.uint8)
    base = KMER_BASE[store.alphabet]
    if reduced_alphabet is not None:
        if store.alphabet != "protein":
            raise ConfigError("reduced alphabets apply to proteins only")
        codes = reduction_table(reduced_alphabet)[codes]
        base = len(REDUCED_ALPHABETS[reduced_alphabet].split())
    values, counts, offsets = _distinct_kmers(
        codes, store.offsets.astype(np.int64), k, base, canonical
    )
    profiles = KmerProfiles(store.alphabet, k, canonical, values, counts, offsets)
    n_empty = int((profiles.n_distinct == 0).sum())
    log.info(
        "counted %d distinct %d-mers over %d sequences (%d too short or ambiguous for any k-mer)",
        values.size,
        k,
        store.n_sequences,
        n_empty,
    )
    return profiles


def write_profiles(profiles: KmerProfiles, path: str | os.PathLike[str]) -> None:
    write_npz(
        {
            "format_version": np.int64(PROFILE_FORMAT_VERSION),
            "alphabet": np.str_(profiles.alphabet),
            "k": np.int64(profiles.k),
            "canonical": np.bool_(profiles.canonical),
            "values": profiles.values,
            "counts": profiles.counts,
            "offsets": profiles.offsets,
        },
        path,
    )


def read_profiles(path: str | os.PathLike[str]) -> KmerProfiles:
    try:
        with np.load(Path(path), allow_pickle=False) as data:
            if int(data["format_version"]) != PROFILE_FORMAT_VERSION:
                raise InputError(path, "k-mer profile format is not supported; recount k-mers")
            return KmerProfiles(
                alphabet=str(data["alphabet"]),
                k=int(data["k"]),
                canonical=bool(data["canonical"]),
                values=data["values"],
                counts=data["counts"],
                offsets=data["offsets"],
            )
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except (KeyError, ValueError, OSError) as error:
        raise InputError(path, f"not a seqsim k-mer profile file ({error})") from None


def block_rows(n_sequences: int, block: int, n_blocks: int) -> np.ndarray:
    """Query rows of one block: every ``n_blocks``-th row, so that blocks of
    the upper triangle hold about equal numbers of pairs."""
    if not 0 <= block < n_blocks:
        raise ConfigError(f"block {block} is out of range for {n_blocks} blocks")
    return np.arange(block, n_sequences, n_blocks, dtype=np.int64)


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
    features are all zero). Columns: :data:`PAIR_COLUMNS`, sorted by query, target.
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
            columns=PAIR_COLUMNS,
        )
    log.info("block %d/%d: %d query rows, %d pairs", block + 1, n_blocks, rows.size, len(table))
    return table


def read_pairs(paths: list[str | os.PathLike[str]]) -> pd.DataFrame:
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
