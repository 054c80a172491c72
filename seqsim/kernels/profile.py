"""Kernels for position-specific profiles built from a set's own hits.

A sequence's profile counts, at each of its positions, the residues its
significant hits align there (PSI-BLAST's idea, with the set itself as the
database). :func:`_aligned_residue_counts` reads the hits' CIGARs;
:func:`_profile_local_scores` aligns a profile against a sequence
(Smith-Waterman/Gotoh with position-specific substitution scores; the
scalar reference and fallback of the SIMD batch kernel, which scores
profiles in :meth:`seqsim.alignment.batch.BatchAligner.profile_scores`).
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS

_DIGIT_0 = 48
_OP_M, _OP_I, _OP_D = 77, 73, 68  # ord("M"), ord("I"), ord("D")


@numba.jit(**JIT_OPTIONS)
def _aligned_residue_counts(
    query_offsets, target_codes, target_offsets, hit_query, hit_target, hit_weight,
    query_start, target_start, cigar_bytes, cigar_offsets, n_letters,
):  # fmt: skip
    """Weighted counts ``[residue of the query set, letter]`` of the target
    residues each hit aligns to each query position (``M`` columns of its
    CIGAR, query as the read: ``I`` = query residue against a gap).
    Starts are 0-based."""
    counts = np.zeros((query_offsets[-1], n_letters), dtype=np.float32)
    for h in range(hit_query.size):
        qpos = query_offsets[hit_query[h]] + query_start[h]
        tpos = target_offsets[hit_target[h]] + target_start[h]
        weight = hit_weight[h]
        run = 0
        for k in range(cigar_offsets[h], cigar_offsets[h + 1]):
            byte = cigar_bytes[k]
            if byte < _DIGIT_0 + 10 and byte >= _DIGIT_0:
                run = run * 10 + (byte - _DIGIT_0)
                continue
            if byte == _OP_M:
                for _ in range(run):
                    letter = target_codes[tpos]
                    if letter < n_letters:
                        counts[qpos, letter] += weight
                    qpos += 1
                    tpos += 1
            elif byte == _OP_I:
                qpos += run
            elif byte == _OP_D:
                tpos += run
            run = 0
    return counts


@numba.jit(**JIT_OPTIONS)
def _profile_local_score(profile, start, end, target, open_gap, extend_gap):
    """Best local alignment score of profile rows ``start:end`` against
    ``target`` (codes), Gotoh with Biopython's gap convention (a gap of
    length L scores ``open + (L - 1) * extend``)."""
    n = target.size
    h_prev = np.zeros(n + 1, dtype=np.float32)
    h_row = np.zeros(n + 1, dtype=np.float32)
    f = np.full(n + 1, -np.inf, dtype=np.float32)  # gap in the target, down the profile
    best = np.float32(0.0)
    o, x = np.float32(open_gap), np.float32(extend_gap)
    for i in range(start, end):
        e = np.float32(-np.inf)  # gap in the profile, along the target
        h_row[0] = 0.0
        for j in range(1, n + 1):
            f[j] = max(h_prev[j] + o, f[j] + x)
            e = max(h_row[j - 1] + o, e + x)
            h = max(np.float32(0.0), h_prev[j - 1] + profile[i, target[j - 1]], e, f[j])
            h_row[j] = h
            if h > best:
                best = h
        h_prev, h_row = h_row, h_prev
    return best


@numba.jit(**JIT_OPTIONS)
def _profile_local_scores(
    profile, profile_offsets, codes, offsets, profile_rows, target_rows, open_gap, extend_gap
):  # fmt: skip
    """:func:`_profile_local_score` of sequence ``profile_rows[k]``'s profile
    against sequence ``target_rows[k]``, for every k."""
    scores = np.empty(profile_rows.size, dtype=np.float64)
    for k in range(profile_rows.size):
        p, t = profile_rows[k], target_rows[k]
        scores[k] = _profile_local_score(
            profile, profile_offsets[p], profile_offsets[p + 1],
            codes[offsets[t] : offsets[t + 1]], open_gap, extend_gap,
        )  # fmt: skip
    return scores
