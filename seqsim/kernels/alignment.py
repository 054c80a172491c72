"""Scalar pairwise alignment kernels: Gotoh local (Smith-Waterman) and global
(Needleman-Wunsch) with affine gaps, score only or with traceback.

Sequences are uint8 store codes; ``matrix`` is the int32 substitution matrix
indexed by codes. Gap scores follow Biopython: a gap of length L scores
``open_gap + (L - 1) * extend_gap`` (both <= 0, ``open_gap <= extend_gap``).
End gaps of global alignments score like internal gaps (Biopython's default).

Recurrences (query along rows i, target along columns j, 1-based cells)::

    E[i,j] = max(H[i,j-1] + open_gap, E[i,j-1] + extend_gap)   gap in the query (D)
    F[i,j] = max(H[i-1,j] + open_gap, F[i-1,j] + extend_gap)   gap in the target (I)
    H[i,j] = max(H[i-1,j-1] + matrix[q_i, t_j], E[i,j], F[i,j] [, 0 if local])

H is the best score of any alignment of the prefixes ending in cell (i, j);
E and F are the best ending in a gap. This is Gotoh's three-state DP: the
match state M[i,j] = H[i-1,j-1] + s; H = max(M, E, F). A deletion may follow
an insertion directly (as in Biopython), paying a new gap opening.

Operation codes (``OP_*``) follow SAM with the query as the read:
``OP_MATCH`` (M) aligns a query residue with a target residue, ``OP_INSERT``
(I) is a query residue against a gap, ``OP_DELETE`` (D) a target residue
against a gap.

Traceback and tie-breaking (deterministic):

* Each cell keeps one byte: bits 0-1 say where H came from (0 stop, 1
  diagonal, 2 E, 3 F), bit 2 that E extended E[i,j-1] (else it opened from
  H[i,j-1]), bit 3 that F extended F[i-1,j] (else it opened from H[i-1,j]).
  The traceback is a walk over the three states H, E and F; in state E or F
  it follows that state's own bit, never H's, so the affine transitions stay
  right.
* Equal candidates for H: diagonal, then E (D), then F (I). Local mode stops
  (the alignment starts) at a cell whose H is <= 0. Equal candidates for E or
  F: extending the open gap beats opening a new one. As the walk runs from
  the end, preferring the diagonal shifts a gap in a repeat to its leftmost
  place: query ``ACGTTACG`` on target ``ACGTACG`` gives target ``ACG-TACG``.
* Local mode ends at the first cell in row-major order (smallest query end,
  then smallest target end) that holds the maximal score. If no cell scores
  above 0, the alignment is empty and all coordinates are 0.
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS

OP_MATCH = 0
OP_INSERT = 1
OP_DELETE = 2

# Far below any reachable score, far enough above int64's minimum that adding
# gap scores to it cannot wrap around.
_NEG_INF = -(2**40)

_FROM_STOP = 0
_FROM_DIAG = 1
_FROM_E = 2
_FROM_F = 3
_E_EXTENDS = 4
_F_EXTENDS = 8


@numba.jit(**JIT_OPTIONS)
def _local_score(query_codes, target_codes, matrix, open_gap, extend_gap):
    """Best Smith-Waterman score (int), O(len(target)) memory."""
    n_query = query_codes.size
    n_target = target_codes.size
    h_row = np.zeros(n_target + 1, dtype=np.int64)  # H of the previous row
    f_row = np.full(n_target + 1, _NEG_INF, dtype=np.int64)
    best = 0
    for i in range(1, n_query + 1):
        scores = matrix[query_codes[i - 1]]
        diagonal = 0  # H[i-1, j-1]
        left = 0  # H[i, j-1]
        e = _NEG_INF
        for j in range(1, n_target + 1):
            e = max(left + open_gap, e + extend_gap)
            up = h_row[j]
            f = max(up + open_gap, f_row[j] + extend_gap)
            f_row[j] = f
            h = diagonal + scores[target_codes[j - 1]]
            h = max(h, e, f, 0)
            diagonal = up
            h_row[j] = h
            left = h
            if h > best:
                best = h
    return best


@numba.jit(**JIT_OPTIONS)
def _global_score(query_codes, target_codes, matrix, open_gap, extend_gap):
    """Needleman-Wunsch score with affine end gaps (int), O(len(target)) memory."""
    n_query = query_codes.size
    n_target = target_codes.size
    h_row = np.empty(n_target + 1, dtype=np.int64)
    f_row = np.full(n_target + 1, _NEG_INF, dtype=np.int64)
    h_row[0] = 0
    for j in range(1, n_target + 1):
        h_row[j] = open_gap + (j - 1) * extend_gap
    for i in range(1, n_query + 1):
        scores = matrix[query_codes[i - 1]]
        diagonal = h_row[0]
        left = open_gap + (i - 1) * extend_gap  # H[i, 0]: a gap over the query prefix
        h_row[0] = left
        e = _NEG_INF
        for j in range(1, n_target + 1):
            e = max(left + open_gap, e + extend_gap)
            up = h_row[j]
            f = max(up + open_gap, f_row[j] + extend_gap)
            f_row[j] = f
            h = max(diagonal + scores[target_codes[j - 1]], e, f)
            diagonal = up
            h_row[j] = h
            left = h
    return h_row[n_target]


@numba.jit(**JIT_OPTIONS)
def _fill(query_codes, target_codes, matrix, open_gap, extend_gap, local):
    """Fill the traceback bytes; return (trace, best score, end cell i, end cell j)."""
    n_query = query_codes.size
    n_target = target_codes.size
    trace = np.zeros((n_query + 1, n_target + 1), dtype=np.uint8)
    h_row = np.zeros(n_target + 1, dtype=np.int64)
    f_row = np.full(n_target + 1, _NEG_INF, dtype=np.int64)
    if not local:
        for j in range(1, n_target + 1):
            h_row[j] = open_gap + (j - 1) * extend_gap
            trace[0, j] = _FROM_E | (_E_EXTENDS if j > 1 else 0)
        for i in range(1, n_query + 1):
            trace[i, 0] = _FROM_F | (_F_EXTENDS if i > 1 else 0)
    best = 0
    best_i = 0
    best_j = 0
    for i in range(1, n_query + 1):
        scores = matrix[query_codes[i - 1]]
        diagonal = h_row[0]
        if local:
            left = 0
        else:
            left = open_gap + (i - 1) * extend_gap
            h_row[0] = left
        e = _NEG_INF
        for j in range(1, n_target + 1):
            bits = 0
            e_open = left + open_gap
            e_extend = e + extend_gap
            if e_extend >= e_open:
                e = e_extend
                bits |= _E_EXTENDS
            else:
                e = e_open
            up = h_row[j]
            f_open = up + open_gap
            f_extend = f_row[j] + extend_gap
            if f_extend >= f_open:
                f = f_extend
                bits |= _F_EXTENDS
            else:
                f = f_open
            f_row[j] = f
            h = diagonal + scores[target_codes[j - 1]]
            source = _FROM_DIAG
            if e > h:
                h = e
                source = _FROM_E
            if f > h:
                h = f
                source = _FROM_F
            if local and h <= 0:
                h = 0
                source = _FROM_STOP
            trace[i, j] = bits | source
            diagonal = up
            h_row[j] = h
            left = h
            if local and h > best:
                best = h
                best_i = i
                best_j = j
    if not local:
        best = h_row[n_target]
        best_i = n_query
        best_j = n_target
    return trace, best, best_i, best_j


@numba.jit(**JIT_OPTIONS)
def _traceback(trace, end_i, end_j):
    """Walk the states back from H at (end_i, end_j); return (start_i, start_j, ops)."""
    ops = np.empty(end_i + end_j, dtype=np.uint8)
    n_ops = 0
    i = end_i
    j = end_j
    state = 0  # 0: H, 1: E, 2: F
    while i > 0 or j > 0:
        cell = trace[i, j]
        if state == 0:
            source = cell & 3
            if source == _FROM_STOP:
                break
            if source == _FROM_DIAG:
                ops[n_ops] = OP_MATCH
                n_ops += 1
                i -= 1
                j -= 1
            elif source == _FROM_E:
                state = 1
            else:
                state = 2
        elif state == 1:
            ops[n_ops] = OP_DELETE
            n_ops += 1
            if not cell & _E_EXTENDS:
                state = 0
            j -= 1
        else:
            ops[n_ops] = OP_INSERT
            n_ops += 1
            if not cell & _F_EXTENDS:
                state = 0
            i -= 1
    return i, j, ops[:n_ops][::-1].copy()


@numba.jit(**JIT_OPTIONS)
def _local_traceback(query_codes, target_codes, matrix, open_gap, extend_gap):
    """Smith-Waterman with traceback.

    Returns (score, query_start, query_end, target_start, target_end, ops):
    0-based, end-exclusive coordinates and uint8 ``OP_*`` codes in alignment
    order. Memory: one byte per DP cell.
    """
    trace, best, end_i, end_j = _fill(query_codes, target_codes, matrix, open_gap, extend_gap, True)
    if best <= 0:
        return 0, 0, 0, 0, 0, np.empty(0, dtype=np.uint8)
    start_i, start_j, ops = _traceback(trace, end_i, end_j)
    return best, start_i, end_i, start_j, end_j, ops


@numba.jit(**JIT_OPTIONS)
def _global_traceback(query_codes, target_codes, matrix, open_gap, extend_gap):
    """Needleman-Wunsch with traceback; same return values as ``_local_traceback``.

    The alignment spans both sequences: starts are 0, ends are the lengths.
    """
    trace, best, end_i, end_j = _fill(
        query_codes, target_codes, matrix, open_gap, extend_gap, False
    )
    start_i, start_j, ops = _traceback(trace, end_i, end_j)
    return best, start_i, end_i, start_j, end_j, ops


@numba.jit(**JIT_OPTIONS)
def residue_gains(codes, best_per_code):
    """Prefix sums of each residue's best possible gain: ``out[k]`` bounds the
    score any alignment can draw from ``codes[:k]`` (``best_per_code``: the
    largest substitution score of each code, floored at 0)."""
    out = np.zeros(codes.size + 1, dtype=np.int64)
    for k in range(codes.size):
        out[k + 1] = out[k] + best_per_code[codes[k]]
    return out


@numba.jit(**JIT_OPTIONS)
def _alignment_start_bound(
    query_codes, target_codes, query_end, target_end, best, matrix, open_gap, extend_gap,
    query_gains, target_gains,
):  # fmt: skip
    """Lower bounds (query, target) on where the local alignment of score
    ``best`` that ends with residues ``query_end``, ``target_end`` matched can
    start: the smallest start positions of any alignment ending there with
    that score, from a DP run backwards from the end cell.

    The DP is anchored (the end residues are aligned, no 0 floor) and visits
    only cells that can still be on such an alignment: the part already
    scored must be >= 0 (every suffix of an optimal local alignment is; a
    gap state may sit ``open - extend`` lower, as the suffix paid the gap's
    opening) and, with the most the residues before it can add
    (``query_gains``/``target_gains``, :func:`residue_gains`), reach
    ``best``. Cost: about the area those cells cover, not the rectangle.
    """
    n = target_end + 1
    # Past half the rectangle the pass would cost more than it saves: give
    # up, bound (0, 0).
    budget = (query_end + 1) * n // 2
    visited = 0
    gap_slack = open_gap - extend_gap  # <= 0
    h_row = np.full(n + 1, _NEG_INF, dtype=np.int64)  # H of the previous row, in place
    f_row = np.full(n + 1, _NEG_INF, dtype=np.int64)
    h_row[0] = 0  # the anchor: nothing aligned yet
    previous_lo, previous_hi = 0, 0  # columns where the previous row has H or F alive
    deepest_row, deepest_column = 1, 1
    for r in range(1, query_end + 2):
        x = query_end + 1 - r  # the query residue of row r
        query_bound = query_gains[x]
        scores = matrix[query_codes[x]]
        c = max(previous_lo, 1)
        diagonal = h_row[c - 1]
        h_row[0] = _NEG_INF
        left = _NEG_INF
        e = _NEG_INF
        lo, hi = -1, -1
        while c <= n:
            if c > previous_hi + 1 and left == _NEG_INF and e == _NEG_INF:
                break
            y = target_end + 1 - c  # the target residue of column c
            bound = min(query_bound, target_gains[y])
            e = max(left + open_gap, e + extend_gap)
            if e < gap_slack or e + bound - gap_slack < best:
                e = _NEG_INF
            up = h_row[c]
            f = max(up + open_gap, f_row[c] + extend_gap)
            if f < gap_slack or f + bound - gap_slack < best:
                f = _NEG_INF
            f_row[c] = f
            h = max(diagonal + scores[target_codes[y]], e, f)
            if h < 0 or h + bound < best:
                h = _NEG_INF
            elif h == best:
                deepest_row = max(deepest_row, r)
                deepest_column = max(deepest_column, c)
            diagonal = up
            h_row[c] = h
            left = h
            if h != _NEG_INF or f != _NEG_INF:
                if lo < 0:
                    lo = c
                hi = c
            c += 1
        if lo < 0:
            break
        visited += c - max(previous_lo, 1)
        if visited > budget:
            return 0, 0
        previous_lo, previous_hi = lo, hi
    return query_end + 1 - deepest_row, target_end + 1 - deepest_column


# The start bound pays off when the alignment is a part of long sequences
# (a domain in a multi-domain protein: 2.7x faster tracebacks with 400-residue
# flanks) and costs ~40% more when it spans them (a single domain), so it runs
# in searches only when the end rectangle is this long on both sides
# (benchmarks/bench_traceback.py).
START_BOUND_FROM = 300


# Columns of the statistics array returned by _local_traceback_many.
STAT_FIELDS = (
    "score", "query_start", "query_end", "target_start", "target_end", "length",
    "identities", "mismatches", "positives", "gap_opens", "gaps",
)  # fmt: skip


@numba.jit(**JIT_OPTIONS)
def _local_traceback_many(
    query_codes, codes, offsets, targets, ends, best_scores, matrix, open_gap, extend_gap,
    start_bound_from,
):  # fmt: skip
    """:func:`_local_traceback` of one query against each of ``targets``
    (indices into the ``codes``/``offsets`` store), summarised without Python.

    ``ends[k]`` (query, target position) is the first cell (column-major)
    where target k's best local score ``best_scores[k]`` is reached, found by
    the batch kernel; -1 means unknown: the whole matrix. With an end (and a
    best score > 0, and ``start_bound_from`` residues or more before the
    end in both, :data:`START_BOUND_FROM` in searches), the traceback DP
    covers only the aligned rectangle: from
    :func:`_alignment_start_bound` to the end. That gives the same alignment
    as the rectangle from the origin: no cell of the restricted DP scores
    more than before, and every cell on the traced path keeps its value and
    its first-best choice, since the path lies inside.

    Returns ``stats`` (int64, one row per target, columns :data:`STAT_FIELDS`)
    and the CIGAR of each alignment as operation runs: ``run_offsets`` (n + 1),
    ``run_ops`` (uint8 ``OP_*``) and ``run_lengths``.
    """
    n = targets.size
    stats = np.zeros((n, len(STAT_FIELDS)), dtype=np.int64)
    run_offsets = np.zeros(n + 1, dtype=np.int64)
    capacity = 64
    run_ops = np.empty(capacity, dtype=np.uint8)
    run_lengths = np.empty(capacity, dtype=np.int64)
    n_runs = 0
    # The most a query (row) or target (column) residue can add to a score.
    query_best = np.zeros(matrix.shape[0], dtype=np.int64)
    target_best = np.zeros(matrix.shape[1], dtype=np.int64)
    for a in range(matrix.shape[0]):
        for b in range(matrix.shape[1]):
            query_best[a] = max(query_best[a], matrix[a, b])
            target_best[b] = max(target_best[b], matrix[a, b])
    query_gains = residue_gains(query_codes, query_best)
    for k in range(n):
        target = codes[offsets[targets[k]] : offsets[targets[k] + 1]]
        query_from, target_from = 0, 0
        query_part, target_part = query_codes, target
        if ends[k, 0] >= 0:
            query_end, target_end = ends[k, 0], ends[k, 1]
            if best_scores[k] > 0 and min(query_end, target_end) >= start_bound_from:
                query_from, target_from = _alignment_start_bound(
                    query_codes, target, query_end, target_end, best_scores[k], matrix,
                    open_gap, extend_gap, query_gains,
                    residue_gains(target[: target_end + 1], target_best),
                )  # fmt: skip
            query_part = query_codes[query_from : query_end + 1]
            target_part = target[target_from : target_end + 1]
        score, qs, qe, ts, te, ops = _local_traceback(
            query_part, target_part, matrix, open_gap, extend_gap
        )
        if score > 0:
            qs, qe, ts, te = qs + query_from, qe + query_from, ts + target_from, te + target_from
        identities = mismatches = positives = gap_opens = gaps = 0
        i, j = qs, ts
        for c in range(ops.size):
            op = ops[c]
            if op == OP_MATCH:
                a, b = query_codes[i], target[j]
                if a == b:
                    identities += 1
                else:
                    mismatches += 1
                if matrix[a, b] > 0:
                    positives += 1
                i += 1
                j += 1
            else:
                gaps += 1
                if c == 0 or ops[c - 1] != op:
                    gap_opens += 1
                if op == OP_INSERT:
                    i += 1
                else:
                    j += 1
            if c == 0 or ops[c - 1] != op:
                if n_runs == capacity:
                    capacity *= 2
                    grown_ops = np.empty(capacity, dtype=np.uint8)
                    grown_ops[:n_runs] = run_ops[:n_runs]
                    grown_lengths = np.empty(capacity, dtype=np.int64)
                    grown_lengths[:n_runs] = run_lengths[:n_runs]
                    run_ops, run_lengths = grown_ops, grown_lengths
                run_ops[n_runs] = op
                run_lengths[n_runs] = 0
                n_runs += 1
            run_lengths[n_runs - 1] += 1
        run_offsets[k + 1] = n_runs
        row = stats[k]
        row[0], row[1], row[2], row[3], row[4] = score, qs, qe, ts, te
        row[5], row[6], row[7], row[8], row[9], row[10] = (
            ops.size, identities, mismatches, positives, gap_opens, gaps,
        )  # fmt: skip
    return stats, run_offsets, run_ops[:n_runs].copy(), run_lengths[:n_runs].copy()
