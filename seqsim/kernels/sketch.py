"""MinHash kernels: k-mer hashing, bottom-s and FracMinHash sketches, sketch merges.

The hash is Mash's: MurmurHash3_x64_128 (Austin Appleby's public-domain
reference algorithm) of the k-mer *as ASCII text* (``"ACGT..."``, or the
amino-acid letters), seeded with ``seed``, keeping the first 64-bit word of
the 128-bit result (``h1``; the little-endian first 8 bytes of the digest).
Mash keeps only the low 32 bits of that word when the k-mer space fits in
32 bits (k <= 16 for DNA, k <= 7 for protein; ``hash_bits=32``).

K-mers come from :func:`seqsim.kernels.kmers._sequence_kmers` as integers
(canonical DNA k-mers are the smaller of forward and reverse complement,
which is also the lexicographically smaller string, as Mash picks it) and are
spelled back into text with a letters table before hashing.

All arithmetic is on ``uint64`` and wraps modulo 2^64, as in C. Every constant
is an ``np.uint64`` so that numba never mixes signed and unsigned integers
(which it would promote to float64).
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS
from seqsim.kernels.kmers import _sequence_kmers

_C1 = np.uint64(0x87C37B91114253D5)
_C2 = np.uint64(0x4CF5AD432745937F)
_FMIX1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX2 = np.uint64(0xC4CEB9FE1A85EC53)
_ADD1 = np.uint64(0x52DCE729)
_ADD2 = np.uint64(0x38495AB5)
_FIVE = np.uint64(5)
_LOW32 = np.uint64(0xFFFFFFFF)


@numba.jit(**JIT_OPTIONS)
def _rotl64(x, r):
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


@numba.jit(**JIT_OPTIONS)
def _fmix64(k):
    """MurmurHash3's 64-bit finaliser (an avalanche mix of all bits)."""
    k ^= k >> np.uint64(33)
    k *= _FMIX1
    k ^= k >> np.uint64(33)
    k *= _FMIX2
    k ^= k >> np.uint64(33)
    return k


@numba.jit(**JIT_OPTIONS)
def _load64(data, start, n_bytes):
    """Little-endian word from ``data[start:start+n_bytes]`` (n_bytes <= 8)."""
    word = np.uint64(0)
    for i in range(n_bytes):
        word |= np.uint64(data[start + i]) << np.uint64(8 * i)
    return word


@numba.jit(**JIT_OPTIONS)
def _murmur3_x64_128_h1(data, seed):
    """First 64-bit word (h1) of MurmurHash3_x64_128 of the bytes ``data`` (uint8)."""
    n_bytes = data.size
    h1 = np.uint64(seed)
    h2 = np.uint64(seed)
    n_blocks = n_bytes // 16
    for block in range(n_blocks):
        k1 = _load64(data, 16 * block, 8)
        k2 = _load64(data, 16 * block + 8, 8)
        k1 *= _C1
        k1 = _rotl64(k1, 31)
        k1 *= _C2
        h1 ^= k1
        h1 = _rotl64(h1, 27)
        h1 += h2
        h1 = h1 * _FIVE + _ADD1
        k2 *= _C2
        k2 = _rotl64(k2, 33)
        k2 *= _C1
        h2 ^= k2
        h2 = _rotl64(h2, 31)
        h2 += h1
        h2 = h2 * _FIVE + _ADD2
    # Tail: up to 15 bytes; bytes 8..14 go to k2, bytes 0..7 to k1.
    tail = 16 * n_blocks
    n_tail = n_bytes - tail
    if n_tail > 8:
        k2 = _load64(data, tail + 8, n_tail - 8)
        k2 *= _C2
        k2 = _rotl64(k2, 33)
        k2 *= _C1
        h2 ^= k2
    if n_tail > 0:
        k1 = _load64(data, tail, min(n_tail, 8))
        k1 *= _C1
        k1 = _rotl64(k1, 31)
        k1 *= _C2
        h1 ^= k1
    h1 ^= np.uint64(n_bytes)
    h2 ^= np.uint64(n_bytes)
    h1 += h2
    h2 += h1
    h1 = _fmix64(h1)
    h2 = _fmix64(h2)
    h1 += h2
    return h1


@numba.jit(**JIT_OPTIONS)
def _hash_kmers(values, k, base, letters, seed, hash_bits):
    """Mash hashes of k-mer values: each value is spelled as k ASCII letters
    (``letters[digit]``, most significant digit first) and hashed."""
    text = np.empty(k, dtype=np.uint8)
    hashes = np.empty(values.size, dtype=np.uint64)
    ubase = np.uint64(base)
    for i in range(values.size):
        value = values[i]
        for pos in range(k - 1, -1, -1):
            text[pos] = letters[value % ubase]
            value //= ubase
        h = _murmur3_x64_128_h1(text, seed)
        if hash_bits == 32:
            h &= _LOW32
        hashes[i] = h
    return hashes


@numba.jit(**JIT_OPTIONS)
def _sketch_sequences(codes, offsets, k, base, canonical, letters, seed, hash_bits, size, max_hash):
    """Per-sequence sketches as CSR arrays (hashes sorted ascending, distinct).

    Each sequence keeps its ``size`` smallest distinct hashes (bottom-s
    MinHash; ``size < 0`` keeps all) among those ``<= max_hash`` (FracMinHash;
    ``max_hash = 2^64 - 1`` keeps all). Returns (hashes, offsets).
    """
    n_seq = offsets.size - 1
    parts = []
    sketch_offsets = np.zeros(n_seq + 1, dtype=np.int64)
    for i in range(n_seq):
        kmers = np.unique(_sequence_kmers(codes[offsets[i] : offsets[i + 1]], k, base, canonical))
        hashes = np.unique(_hash_kmers(kmers, k, base, letters, seed, hash_bits))
        n_keep = np.searchsorted(hashes, max_hash, side="right")
        if size >= 0 and n_keep > size:
            n_keep = size
        parts.append(hashes[:n_keep])
        sketch_offsets[i + 1] = sketch_offsets[i] + n_keep
    out = np.empty(sketch_offsets[n_seq], dtype=np.uint64)
    for i in range(n_seq):
        out[sketch_offsets[i] : sketch_offsets[i + 1]] = parts[i]
    return out, sketch_offsets


@numba.jit(**JIT_OPTIONS)
def _count_shared(a, b, size):
    """Mash's bottom-s union estimator on two sorted, distinct hash arrays.

    Walks the union in ascending order until ``size`` hashes are seen
    (``size < 0``: no limit), counting those in both. Returns (n_shared, n_union).
    """
    limit = size if size >= 0 else a.size + b.size
    i = 0
    j = 0
    n_shared = 0
    n_union = 0
    while n_union < limit and i < a.size and j < b.size:
        if a[i] < b[j]:
            i += 1
        elif b[j] < a[i]:
            j += 1
        else:
            i += 1
            j += 1
            n_shared += 1
        n_union += 1
    # One side ran out: the rest of the other joins the union, up to the limit.
    n_union += (a.size - i) + (b.size - j)
    return n_shared, min(n_union, limit)


@numba.jit(**JIT_OPTIONS)
def _count_shared_pairs(hashes, offsets, queries, targets, size):
    """:func:`_count_shared` for each (query, target) pair of CSR sketches."""
    n_pairs = queries.size
    n_shared = np.empty(n_pairs, dtype=np.int64)
    n_union = np.empty(n_pairs, dtype=np.int64)
    for p in range(n_pairs):
        q = queries[p]
        t = targets[p]
        shared, union = _count_shared(
            hashes[offsets[q] : offsets[q + 1]], hashes[offsets[t] : offsets[t + 1]], size
        )
        n_shared[p] = shared
        n_union[p] = union
    return n_shared, n_union
