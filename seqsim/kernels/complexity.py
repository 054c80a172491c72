"""Kernel of compositional low-complexity masking (SEG's first two stages).

SEG (Wootton & Federhen 1993, Comput. Chem. 17:149) finds windows of
``window`` residues whose composition has a Shannon entropy (bits) at most
``trigger`` and extends each over the overlapping windows with entropy at
most ``extension``; every residue of those windows is low-complexity. SEG's
third stage, trimming each segment to its least probable subsequence, is
left out: segments stay up to a window wider than SEG's at each end.
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS


@numba.jit(**JIT_OPTIONS)
def _window_entropies(codes, window, n_letters):
    """Shannon entropy (bits) of the composition of each window of
    ``codes`` (``codes.size - window + 1`` values, none when shorter)."""
    n = codes.size - window + 1
    out = np.empty(max(n, 0), dtype=np.float64)
    if n <= 0:
        return out
    counts = np.zeros(n_letters, dtype=np.int64)
    for i in range(window):
        counts[codes[i]] += 1
    for start in range(n):
        if start > 0:
            counts[codes[start - 1]] -= 1
            counts[codes[start + window - 1]] += 1
        total = 0.0
        for c in counts:
            if c > 0:
                p = c / window
                total -= p * np.log2(p)
        out[start] = total
    return out


@numba.jit(**JIT_OPTIONS)
def _low_complexity_mask(codes, window, trigger, extension, n_letters):
    """Boolean mask of ``codes``: the residues of trigger windows and of the
    extension windows contiguous (overlapping) with them."""
    mask = np.zeros(codes.size, dtype=np.bool_)
    entropy = _window_entropies(codes, window, n_letters)
    n = entropy.size
    start = 0
    while start < n:
        if entropy[start] > trigger:
            start += 1
            continue
        left = start
        while left > 0 and entropy[left - 1] <= extension:
            left -= 1
        right = start
        while right + 1 < n and entropy[right + 1] <= extension:
            right += 1
        mask[left : right + window] = True
        start = right + 1
    return mask
