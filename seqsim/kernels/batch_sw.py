"""Score-only Smith-Waterman (Gotoh, affine gaps) of one query against many
targets, in the inter-sequence layout of SWIPE (Rognes 2011): each SIMD lane
holds a different target, so the inner loop over query positions has no
dependence between lanes.

Recurrences (Biopython's gap convention: a gap of length L scores
``open + (L - 1) * extend``), for query position i and target position j::

    E[i, j] = max(E[i, j-1] + extend, H[i, j-1] + open)    gap in the query
    F[i, j] = max(F[i-1, j] + extend, H[i-1, j] + open)    gap in the target
    H[i, j] = max(0, H[i-1, j-1] + s(q_i, t_j), E[i, j], F[i, j])

Lanes are int8 (32 per vector) or int16 (16 per vector) with saturating
arithmetic. A lane whose best score reaches the type's maximum may have
saturated and must be recomputed wider; every other lane is exact. Values
saturating at the low end never matter: H >= 0, and E, F only grow from H.
Padding columns (code ``PAD``) score -128 against everything, so they never
raise a lane's best score.
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS
from seqsim.kernels.simd import (
    VECTOR_BYTES,
    simd_jit,
    vadds,
    vlane,
    vload,
    vmax,
    vscores,
    vselect_gt,
    vsplat,
    vstore,
)

PAD_SCORE = -128


@simd_jit(**JIT_OPTIONS, inline="always")
def _gotoh_cell(e, f, diagonal, profile, zero, gap_open, gap_extend):
    """One DP cell across all lanes, given its E and F: returns its H, and the
    E of the cell to its right and the F of the cell below (the recurrences
    above, in SWIPE's order: H + open is added once and serves both)."""
    h = vmax(vmax(vadds(diagonal, profile), zero), vmax(e, f))
    h_open = vadds(h, gap_open)
    return h, vmax(vadds(e, gap_extend), h_open), vmax(vadds(f, gap_extend), h_open)


@simd_jit(**JIT_OPTIONS)
def _align_batch(
    query, tables, columns, first_column, end_column, H, E, P, open_gap, extend_gap, out, at
):
    """Best local score of ``query`` against each target (lane) of one batch,
    written to ``out[at:at + lanes]``.

    ``H``, ``E`` (query length x lanes) and ``P`` (profile rows x lanes) are
    work buffers whose dtype sets the lane type.
    """
    lanes = VECTOR_BYTES // H.itemsize
    n_rows = tables.shape[0]
    zero = vsplat(H, 0)
    gap_open = vsplat(H, open_gap)
    gap_extend = vsplat(H, extend_gap)
    for i in range(query.size):
        vstore(H, i * lanes, zero)
        vstore(E, i * lanes, gap_open)
    best = zero
    for column in range(first_column, end_column):
        codes = vload(columns, column * VECTOR_BYTES)
        for row in range(n_rows):
            vstore(P, row * lanes, vscores(tables, row, codes, H))
        diagonal = zero
        f = gap_open  # F of row 0: a gap opened from above the matrix (H = 0)
        for i in range(query.size):
            offset = i * lanes
            h_left = vload(H, offset)
            h, e, f = _gotoh_cell(
                vload(E, offset), f, diagonal, vload(P, query[i] * lanes),
                zero, gap_open, gap_extend,
            )  # fmt: skip
            diagonal = h_left
            vstore(H, offset, h)
            vstore(E, offset, e)
            best = vmax(best, h)
    for lane in range(lanes):
        out[at + lane] = vlane(best, lane)


@simd_jit(**JIT_OPTIONS)
def _align_one_batch(
    query, tables, columns, batch_offsets, batch, open_gap, extend_gap, lane_type, out
):
    """:func:`_align_batch` for batch number ``batch``, with freshly allocated work buffers."""
    lanes = VECTOR_BYTES // lane_type.itemsize
    H = np.empty(query.size * lanes, dtype=lane_type.dtype)
    E = np.empty(query.size * lanes, dtype=lane_type.dtype)
    P = np.empty(tables.shape[0] * lanes, dtype=lane_type.dtype)
    _align_batch(
        query, tables, columns, batch_offsets[batch], batch_offsets[batch + 1],
        H, E, P, open_gap, extend_gap, out, batch * lanes,
    )  # fmt: skip


@simd_jit(**JIT_OPTIONS, parallel=True)
def _align_batches(query, tables, columns, batch_offsets, open_gap, extend_gap, lane_type, out):
    """Run :func:`_align_batch` over every batch, in parallel; ``out`` gets
    each lane's best score, lanes of batch b at ``out[b * lanes:(b + 1) * lanes]``.
    ``lane_type`` is any array of the lane dtype (int8 or int16).

    Callers set ``numba.set_parallel_chunksize(1)``: batches are sorted by
    length, so equal static shares would be unequal work; the longest go first.
    """
    n_batches = batch_offsets.size - 1
    for k in numba.prange(n_batches):
        _align_one_batch(
            query, tables, columns, batch_offsets, n_batches - 1 - k,
            open_gap, extend_gap, lane_type, out,
        )  # fmt: skip


@simd_jit(**JIT_OPTIONS)
def _align_batches_serial(
    query, tables, columns, batch_offsets, open_gap, extend_gap, lane_type, out
):
    """:func:`_align_batches` on the calling thread only (for query-level threads)."""
    for batch in range(batch_offsets.size - 1):
        _align_one_batch(
            query, tables, columns, batch_offsets, batch, open_gap, extend_gap, lane_type, out
        )


@simd_jit(**JIT_OPTIONS)
def _ungapped_batch(query, tables, columns, first_column, end_column, H, P, out, at):
    """Best ungapped local score (the best diagonal segment) of ``query``
    against each target of one batch: ``H[i, j] = max(0, H[i-1, j-1] + s)``.

    A cheap filter before gapped alignment: a third of the work per cell. With
    int8 lanes, scores of 127 and more read as 127.
    """
    lanes = VECTOR_BYTES // H.itemsize
    n_rows = tables.shape[0]
    zero = vsplat(H, 0)
    for i in range(query.size):
        vstore(H, i * lanes, zero)
    best = zero
    for column in range(first_column, end_column):
        codes = vload(columns, column * VECTOR_BYTES)
        for row in range(n_rows):
            vstore(P, row * lanes, vscores(tables, row, codes, H))
        diagonal = zero
        for i in range(query.size):
            offset = i * lanes
            h_left = vload(H, offset)
            h = vmax(vadds(diagonal, vload(P, query[i] * lanes)), zero)
            diagonal = h_left
            vstore(H, offset, h)
            best = vmax(best, h)
    for lane in range(lanes):
        out[at + lane] = vlane(best, lane)


@simd_jit(**JIT_OPTIONS)
def _ungapped_batches_serial(query, tables, columns, batch_offsets, out):
    """:func:`_ungapped_batch` over every batch, int8 lanes, on the calling thread."""
    lanes = VECTOR_BYTES
    H = np.empty(query.size * lanes, dtype=np.int8)
    P = np.empty(tables.shape[0] * lanes, dtype=np.int8)
    for batch in range(batch_offsets.size - 1):
        _ungapped_batch(
            query, tables, columns, batch_offsets[batch], batch_offsets[batch + 1],
            H, P, out, batch * lanes,
        )  # fmt: skip


@simd_jit(**JIT_OPTIONS)
def _align_batch_ends(
    query, tables, columns, first_column, last_column, H, E, P, open_gap, extend_gap, out, ends, at
):
    """:func:`_align_batch` with int16 lanes that also finds, per lane, the first
    cell (in column order, then row order) reaching the lane's best score: its
    query position goes to ``ends[at + lane, 0]``, its target position (column
    minus ``first_column``) to ``ends[at + lane, 1]``; -1 when the best is 0.

    Tracebacks then only need the rectangle up to that cell.
    """
    lanes = VECTOR_BYTES // H.itemsize
    n_rows = tables.shape[0]
    zero = vsplat(H, 0)
    gap_open = vsplat(H, open_gap)
    gap_extend = vsplat(H, extend_gap)
    for i in range(query.size):
        vstore(H, i * lanes, zero)
        vstore(E, i * lanes, gap_open)
    best = zero
    best_row = vsplat(H, -1)
    best_column = vsplat(H, -1)
    for column in range(first_column, last_column):
        codes = vload(columns, column * VECTOR_BYTES)
        for row in range(n_rows):
            vstore(P, row * lanes, vscores(tables, row, codes, H))
        diagonal = zero
        f = gap_open
        column_index = vsplat(H, column - first_column)
        for i in range(query.size):
            offset = i * lanes
            h_left = vload(H, offset)
            h, e, f = _gotoh_cell(
                vload(E, offset), f, diagonal, vload(P, query[i] * lanes),
                zero, gap_open, gap_extend,
            )  # fmt: skip
            diagonal = h_left
            vstore(H, offset, h)
            vstore(E, offset, e)
            best_row = vselect_gt(h, best, vsplat(H, i), best_row)
            best_column = vselect_gt(h, best, column_index, best_column)
            best = vmax(best, h)
    for lane in range(lanes):
        out[at + lane] = vlane(best, lane)
        ends[at + lane, 0] = vlane(best_row, lane)
        ends[at + lane, 1] = vlane(best_column, lane)


@simd_jit(**JIT_OPTIONS)
def _align_batches_ends(query, tables, columns, batch_offsets, open_gap, extend_gap, out, ends):
    """:func:`_align_batch_ends` over every batch (int16 lanes), on the calling thread."""
    lanes = VECTOR_BYTES // 2
    H = np.empty(query.size * lanes, dtype=np.int16)
    E = np.empty(query.size * lanes, dtype=np.int16)
    P = np.empty(tables.shape[0] * lanes, dtype=np.int16)
    for batch in range(batch_offsets.size - 1):
        _align_batch_ends(
            query, tables, columns, batch_offsets[batch], batch_offsets[batch + 1],
            H, E, P, open_gap, extend_gap, out, ends, batch * lanes,
        )  # fmt: skip
