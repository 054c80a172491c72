"""Packing targets for the batch kernel (:mod:`seqsim.kernels.batch_sw`):
sequences side by side in SIMD lanes, one ``VECTOR_BYTES``-byte column per
target position."""

from __future__ import annotations

import numpy as np

from seqsim.kernels import JIT_OPTIONS
from seqsim.kernels.simd import VECTOR_BYTES, simd_jit


@simd_jit(**JIT_OPTIONS)
def _pack(codes, offsets, indices, order, lanes, pad_code):
    """Targets ``indices[order]`` (of a store's ``codes``/``offsets``) in
    batches of ``lanes``: returns ``slots`` (position in ``indices`` of each
    lane, -1 if empty), ``columns`` (uint8, batch after batch, one
    ``VECTOR_BYTES`` column per position of the batch's longest target,
    padded with ``pad_code``) and ``batch_offsets`` (first column of each batch)."""
    n_batches = (order.size + lanes - 1) // lanes
    batch_offsets = np.zeros(n_batches + 1, dtype=np.int64)
    slots = np.full(n_batches * lanes, -1, dtype=np.int64)
    for batch in range(n_batches):
        longest = 0
        for lane in range(lanes):
            k = batch * lanes + lane
            if k < order.size:
                slots[k] = order[k]
                sequence = indices[order[k]]
                longest = max(longest, offsets[sequence + 1] - offsets[sequence])
        batch_offsets[batch + 1] = batch_offsets[batch] + longest
    columns = np.full(batch_offsets[n_batches] * VECTOR_BYTES, pad_code, dtype=np.uint8)
    for batch in range(n_batches):
        for lane in range(lanes):
            slot = slots[batch * lanes + lane]
            if slot < 0:
                continue
            start = offsets[indices[slot]]
            for position in range(offsets[indices[slot] + 1] - start):
                column = batch_offsets[batch] + position
                columns[column * VECTOR_BYTES + lane] = codes[start + position]
    return slots, columns, batch_offsets
