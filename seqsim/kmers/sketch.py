"""MinHash and FracMinHash sketches of k-mer sets, and the Mash distance.

A sketch keeps a small, hash-chosen sample of a sequence's distinct k-mers, so
that the Jaccard index of two k-mer sets can be *estimated* from the two
samples alone (Broder 1997; Ondov et al. 2016, Genome Biol 17:132):

- **MinHash** (bottom-s, ``size=s``): the s smallest distinct hashes. Two
  sketches are compared as Mash does: walk the union of both in ascending
  order up to s hashes and count the hashes found in both; the Jaccard
  estimate is shared / union.
- **FracMinHash** (``scaled=c``, Irber et al. 2022): every hash at most
  ``(2^64 - 1) // c``, about 1/c of the distinct k-mers; the estimate is the
  Jaccard index of the two kept sets.

The Mash distance ``-ln(2j / (1 + j)) / k`` turns a Jaccard index j into an
estimate of the per-base mutation rate under a Poisson model of k-mer loss.

Hashing is Mash's, so that sketches match ``mash sketch`` hash for hash:
MurmurHash3_x64_128 of the (canonical, for DNA) k-mer written as upper-case
ASCII text, seed 42, keeping the first 64-bit word of the digest, or only its
low 32 bits when the k-mer space is at most 2^32 (``base ** k <= 2 ** 32``:
k <= 16 for DNA, k <= 7 for protein; Mash's ``hashBits``). RNA is hashed
with T for U, as it is stored. FracMinHash always keeps 64 bits, so that
``scaled`` selects a fine-grained fraction. See :mod:`seqsim.kernels.sketch`.

All similarities here are estimates with sampling error about
``sqrt(j (1 - j) / s)`` for bottom-s sketches; they are exact when the
sketches hold every k-mer (s at least the number of distinct k-mers).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.io import tsv_text, write_text
from seqsim.kernels.sketch import _count_shared, _count_shared_pairs, _sketch_sequences
from seqsim.kmers.profiles import KMER_BASE, resolve_k
from seqsim.progress import progress
from seqsim.sequences.alphabet import PROTEIN_LETTERS, AlphabetName
from seqsim.sequences.ingest import AlphabetChoice, ingest_fasta
from seqsim.sequences.store import SequenceStore

log = logging.getLogger("seqsim")

SketchKind = Literal["minhash", "fracminhash"]

# Text each k-mer digit is spelled with before hashing: store codes 0..base-1.
KMER_LETTERS = {"dna": "ACGT", "rna": "ACGT", "protein": PROTEIN_LETTERS[:20]}
MASH_SEED = 42
# Mash keeps 32-bit hashes while the k-mer space (base ** k) fits in 32 bits.
MASH_32BIT_KMER_SPACE = 2**32
MAX_HASH_64 = np.uint64(2**64 - 1)
PAIR_SKETCH_COLUMNS = ["query", "target", "n_shared", "n_union", "jaccard", "distance"]


@dataclass(frozen=True)
class Sketches:
    """One sketch per sequence, as CSR arrays.

    Sequence i's hashes are ``hashes[offsets[i]:offsets[i+1]]``, distinct and
    ascending. ``size`` is set for MinHash sketches, ``scaled`` for FracMinHash.
    A sequence with no valid k-mer has an empty sketch.
    """

    alphabet: AlphabetName
    k: int
    canonical: bool
    kind: SketchKind
    size: int | None
    scaled: int | None
    seed: int
    hash_bits: int  # 32 or 64
    hashes: np.ndarray  # uint64 (n_hashes,)
    offsets: np.ndarray  # int64 (n_sequences + 1,)

    @property
    def n_sequences(self) -> int:
        return self.offsets.size - 1

    @property
    def sketch_sizes(self) -> np.ndarray:
        """Number of hashes kept for each sequence."""
        return np.diff(self.offsets)

    def sequence_hashes(self, index: int) -> np.ndarray:
        return self.hashes[self.offsets[index] : self.offsets[index + 1]]


def sketch_store(
    store: SequenceStore,
    k: int | None = None,
    *,
    size: int = 1000,
    scaled: int | None = None,
    canonical: bool | None = None,
    seed: int = MASH_SEED,
) -> Sketches:
    """Sketch the distinct k-mers of every sequence in ``store``.

    Parameters
    ----------
    store
        Encoded sequences; k-mers holding an ambiguity code (N, X, ...) are
        skipped, as Mash skips them.
    k
        K-mer size (the alphabet's default when None; Mash's default is 21).
    size
        Hashes kept per sequence in a MinHash sketch (Mash's ``-s``).
    scaled
        When given, build FracMinHash sketches keeping about 1 hash in
        ``scaled`` instead, and ignore ``size``.
    canonical
        Merge each DNA k-mer with its reverse complement (Mash's default; pass
        False for Mash's ``-n``). None means True for DNA/RNA, False for protein.
    seed
        MurmurHash3 seed (Mash's ``-S``, default 42).

    Returns
    -------
    Sketches
        One sketch per sequence, in store order.
    """
    k = resolve_k(store.alphabet, k)
    if canonical is None:
        canonical = store.alphabet != "protein"
    if canonical and store.alphabet == "protein":
        raise ConfigError("canonical k-mers apply to DNA/RNA only")
    if not 0 <= seed < 2**32:
        raise ConfigError(f"seed must be in 0..2^32-1 (a 32-bit MurmurHash3 seed), not {seed}")
    if scaled is not None:
        if scaled < 1:
            raise ConfigError(f"scaled must be at least 1, not {scaled}")
        kind: SketchKind = "fracminhash"
        hash_bits = 64
        kept_size, max_hash = -1, MAX_HASH_64 // np.uint64(scaled)
    else:
        if size < 1:
            raise ConfigError(f"size must be at least 1, not {size}")
        kind = "minhash"
        hash_bits = 64 if KMER_BASE[store.alphabet] ** k > MASH_32BIT_KMER_SPACE else 32
        kept_size, max_hash = size, MAX_HASH_64
    letters = np.frombuffer(KMER_LETTERS[store.alphabet].encode("ascii"), dtype=np.uint8)
    hashes, offsets = _sketch_sequences(
        np.ascontiguousarray(store.codes, dtype=np.uint8),
        store.offsets.astype(np.int64),
        k,
        KMER_BASE[store.alphabet],
        canonical,
        letters,
        np.uint64(seed),
        hash_bits,
        kept_size,
        max_hash,
    )
    return Sketches(
        alphabet=store.alphabet,
        k=k,
        canonical=canonical,
        kind=kind,
        size=size if kind == "minhash" else None,
        scaled=scaled,
        seed=seed,
        hash_bits=hash_bits,
        hashes=hashes,
        offsets=offsets,
    )


def jaccard_estimate(a_hashes: np.ndarray, b_hashes: np.ndarray, size: int | None) -> float:
    """Estimate the Jaccard index of two k-mer sets from their sketches.

    Mash's bottom-s union estimator: of the ``size`` smallest hashes in the
    union of both sketches, the fraction found in both. ``size=None`` (for
    FracMinHash sketches) uses the whole union. NaN when both are empty.

    Parameters
    ----------
    a_hashes, b_hashes
        Sorted, distinct hashes (uint64), e.g. :meth:`Sketches.sequence_hashes`.
    size
        The sketch size s, or None for no limit.

    Examples
    --------
    >>> a = np.array([1, 3, 5, 7], dtype=np.uint64)
    >>> b = np.array([1, 2, 3, 4], dtype=np.uint64)
    >>> jaccard_estimate(a, b, None)  # {1, 3} of {1, 2, 3, 4, 5, 7}
    0.3333333333333333
    >>> jaccard_estimate(a, b, 2)  # {1} of the 2 smallest, {1, 2}
    0.5
    >>> jaccard_estimate(a, b, 3)  # {1, 3} of the 3 smallest, {1, 2, 3}
    0.6666666666666666
    """
    n_shared, n_union = _count_shared(
        np.ascontiguousarray(a_hashes, dtype=np.uint64),
        np.ascontiguousarray(b_hashes, dtype=np.uint64),
        _size_limit(size),
    )
    return n_shared / n_union if n_union else float("nan")


def mash_distance(jaccard: float | np.ndarray, k: int) -> float | np.ndarray:
    """Mash distance ``-ln(2j / (1 + j)) / k`` of Jaccard index j and k-mer size k.

    As Mash reports it: 1 when j = 0 (no shared k-mers), and capped at 1;
    exactly 0 when j = 1. NaN stays NaN.

    Examples
    --------
    >>> round(mash_distance(0.5, 21), 6)  # ln(1.5) / 21
    0.019308
    >>> mash_distance(np.array([0.0, 1.0]), 21)
    array([1., 0.])
    """
    j = np.asarray(jaccard, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        distance = np.minimum(-np.log(2 * j / (1 + j)) / k, 1.0)
    distance = np.where(j == 0, 1.0, np.where(j == 1, 0.0, distance))
    return float(distance) if distance.ndim == 0 else distance


def pairwise_mash(sketches: Sketches, pairs: np.ndarray) -> pd.DataFrame:
    """Jaccard estimates and Mash distances of sequence pairs.

    Parameters
    ----------
    sketches
        From :func:`sketch_store`.
    pairs
        Integer array ``(n_pairs, 2)`` of (query, target) sequence indices.

    Returns
    -------
    pandas.DataFrame
        One row per pair, in the given order, with columns
        :data:`PAIR_SKETCH_COLUMNS`: ``n_shared`` / ``n_union`` as Mash prints
        them (shared hashes among the first ``n_union`` of the union), the
        Jaccard estimate (NaN when both sketches are empty) and the distance.
    """
    pairs = np.asarray(pairs)
    if pairs.size == 0:
        pairs = pairs.reshape(0, 2)
    if pairs.ndim != 2 or pairs.shape[1] != 2 or not np.issubdtype(pairs.dtype, np.integer):
        raise ConfigError(f"pairs must be an integer array of shape (n, 2), not {pairs.shape}")
    if pairs.size and (pairs.min() < 0 or pairs.max() >= sketches.n_sequences):
        raise ConfigError(f"pair indices must be in 0..{sketches.n_sequences - 1}")
    queries = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
    targets = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
    n_shared, n_union = _count_shared_pairs(
        sketches.hashes, sketches.offsets, queries, targets, _size_limit(sketches.size)
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        jaccard = n_shared / n_union
    return pd.DataFrame(
        {
            "query": queries.astype(np.int32),
            "target": targets.astype(np.int32),
            "n_shared": n_shared,
            "n_union": n_union,
            "jaccard": jaccard,
            "distance": mash_distance(jaccard, sketches.k),
        },
        columns=PAIR_SKETCH_COLUMNS,
    )


# Mash's default k-mer sizes (`mash sketch -k`, and 9 for `-a` proteins).
MASH_DEFAULT_K = {"protein": 9, "dna": 21, "rna": 21}
# Query rows compared per step of an all-vs-all: bounds the pair arrays held at once.
_ROWS_PER_STEP = 256


def all_vs_all_mash(sketches: Sketches, *, max_distance: float = 1.0) -> pd.DataFrame:
    """:func:`pairwise_mash` of every ordered pair (self pairs included, as
    ``mash dist`` of a file against itself), keeping distances <=
    ``max_distance``, by query then target."""
    n = sketches.n_sequences
    parts = []
    starts = range(0, n, _ROWS_PER_STEP)
    for start in progress(starts, total=len(starts), desc="mash-dist", unit="blocks"):
        rows = np.arange(start, min(start + _ROWS_PER_STEP, n))
        pairs = np.stack([np.repeat(rows, n), np.tile(np.arange(n), rows.size)], axis=1)
        table = pairwise_mash(sketches, pairs)
        parts.append(table[table["distance"] <= max_distance])
    if not parts:
        return pairwise_mash(sketches, np.zeros((0, 2), np.int64))
    return pd.concat(parts, ignore_index=True)


def mash_text(table: pd.DataFrame, ids: list[str]) -> str:
    """Pairs from :func:`pairwise_mash` as ``mash dist`` prints them:
    query, target, distance, shared/union hashes (no p-value column)."""
    names = np.asarray(ids, dtype=object)
    lines = pd.DataFrame(
        {
            "query": names[table["query"].to_numpy()],
            "target": names[table["target"].to_numpy()],
            "distance": [f"{d:.6g}" for d in table["distance"]],
            "shared_hashes": table["n_shared"].astype(str) + "/" + table["n_union"].astype(str),
        }
    )
    return tsv_text(lines, header=False)


def write_mash_dist(
    fasta: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    alphabet: AlphabetChoice = "auto",
    k: int | None = None,
    size: int = 1000,
    max_distance: float = 1.0,
) -> None:
    """``seqsim mash-dist``: all-vs-all Mash distances of a FASTA file's
    sequences (as ``mash sketch -i`` then ``mash dist``) written as text;
    ``k`` defaults to Mash's (:data:`MASH_DEFAULT_K`)."""
    store = ingest_fasta([fasta], alphabet=alphabet).store
    k = k or MASH_DEFAULT_K[store.alphabet]
    table = all_vs_all_mash(sketch_store(store, k, size=size), max_distance=max_distance)
    write_text(mash_text(table, store.ids), output)
    log.info("%d pairs with distance <= %g (k=%d, s=%d)", len(table), max_distance, k, size)


def _size_limit(size: int | None) -> int:
    """The kernels' sketch-size argument: -1 means no limit."""
    if size is None:
        return -1
    if size < 1:
        raise ConfigError(f"size must be at least 1, not {size}")
    return int(size)
