"""K-mer kernels: rolling integer k-mer values, distinct k-mers per sequence,
and shared-k-mer counts through an inverted index.

A k-mer of residue codes c_1..c_k (each < base) has the value
sum_i c_i * base^(k-i). Windows holding a code >= base (ambiguity codes such
as X or N) are skipped. For DNA with ``canonical``, the value is
min(forward, reverse complement) with base 4 and complement 3 - c.
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS


@numba.jit(**JIT_OPTIONS)
def _sequence_kmers(codes, k, base, canonical):
    """All valid k-mer values of one sequence, in order of position (uint64)."""
    n = codes.size
    out = np.empty(max(n - k + 1, 0), dtype=np.uint64)
    n_out = 0
    forward = np.uint64(0)
    reverse = np.uint64(0)
    top = np.uint64(1)
    for _ in range(k - 1):
        top *= np.uint64(base)
    run = 0  # valid residues in a row ending here
    for pos in range(n):
        code = codes[pos]
        if code >= base:
            run = 0
            forward = np.uint64(0)
            reverse = np.uint64(0)
            continue
        c = np.uint64(code)
        if run >= k:
            forward -= np.uint64(codes[pos - k]) * top
        forward = forward * np.uint64(base) + c
        if canonical:
            # Reverse complement: drop the least significant digit (the oldest
            # residue's complement) and put the new complement on top.
            reverse = reverse // np.uint64(base) + (np.uint64(base - 1) - c) * top
        run += 1
        if run >= k:
            value = forward
            if canonical and reverse < forward:
                value = reverse
            out[n_out] = value
            n_out += 1
    return out[:n_out]


@numba.jit(**JIT_OPTIONS)
def _distinct_kmers(codes, offsets, k, base, canonical):
    """Sorted distinct k-mers and their counts for every sequence, as CSR arrays."""
    n_seq = offsets.size - 1
    bound = np.zeros(n_seq + 1, dtype=np.int64)
    for i in range(n_seq):
        bound[i + 1] = bound[i] + max(offsets[i + 1] - offsets[i] - k + 1, 0)
    values = np.empty(bound[n_seq], dtype=np.uint64)
    counts = np.empty(bound[n_seq], dtype=np.uint32)
    kmer_offsets = np.zeros(n_seq + 1, dtype=np.int64)
    filled = 0
    for i in range(n_seq):
        kmers = np.sort(_sequence_kmers(codes[offsets[i] : offsets[i + 1]], k, base, canonical))
        for j in range(kmers.size):
            if j > 0 and kmers[j] == kmers[j - 1]:
                counts[filled - 1] += 1
            else:
                values[filled] = kmers[j]
                counts[filled] = 1
                filled += 1
        kmer_offsets[i + 1] = filled
    return values[:filled].copy(), counts[:filled].copy(), kmer_offsets


@numba.jit(**JIT_OPTIONS)
def _shared_kmers(
    queries, slots, slot_counts, kmer_offsets, post_offsets, post_seqs, post_counts, min_shared
):
    """Shared distinct k-mers and count dot products of each query with each later sequence.

    ``slots[kmer_offsets[i]:kmer_offsets[i+1]]`` are sequence i's k-mers as
    rows of the inverted index; index row s lists the sequences holding it in
    ``post_seqs[post_offsets[s]:post_offsets[s+1]]`` (ascending) with counts.
    Only targets j > query are counted, so each unordered pair appears once.
    Returns (query, target, n_shared, dot) for pairs with n_shared >= min_shared.
    """
    n_seq = kmer_offsets.size - 1
    shared = np.zeros(n_seq, dtype=np.int32)
    dot = np.zeros(n_seq, dtype=np.float64)
    touched = np.empty(n_seq, dtype=np.int64)
    cap = 1024
    out_q = np.empty(cap, dtype=np.int32)
    out_t = np.empty(cap, dtype=np.int32)
    out_n = np.empty(cap, dtype=np.int32)
    out_d = np.empty(cap, dtype=np.float64)
    n_out = 0
    for query in queries:
        n_touched = 0
        for s in range(kmer_offsets[query], kmer_offsets[query + 1]):
            row = slots[s]
            mine = np.float64(slot_counts[s])
            for p in range(post_offsets[row], post_offsets[row + 1]):
                target = post_seqs[p]
                if target <= query:
                    continue
                if shared[target] == 0:
                    touched[n_touched] = target
                    n_touched += 1
                shared[target] += 1
                dot[target] += mine * post_counts[p]
        touched[:n_touched].sort()
        for t in range(n_touched):
            target = touched[t]
            if shared[target] >= min_shared:
                if n_out == cap:
                    cap *= 2
                    out_q = _grow(out_q, cap)
                    out_t = _grow(out_t, cap)
                    out_n = _grow(out_n, cap)
                    out_d = _grow(out_d, cap)
                out_q[n_out] = query
                out_t[n_out] = target
                out_n[n_out] = shared[target]
                out_d[n_out] = dot[target]
                n_out += 1
            shared[target] = 0
            dot[target] = 0.0
    return out_q[:n_out], out_t[:n_out], out_n[:n_out], out_d[:n_out]


@numba.jit(**JIT_OPTIONS)
def _grow(array, size):
    bigger = np.empty(size, dtype=array.dtype)
    bigger[: array.size] = array
    return bigger
