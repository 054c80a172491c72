"""Kernels over the all-vs-all hit graph: paths through intermediate sequences.

Edges are significant hits with their bit scores as weights. The strength of
a path is its weakest edge; a pair's path scores are the strongest paths
through one intermediate (``path1``), through two (``path2``), and through
any number (``widest``, read off a maximum spanning tree, where every widest
path lies). Homologs too remote to align directly often share well-aligned
intermediates (the idea behind intermediate-sequence and profile searches).
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS


@numba.jit(**JIT_OPTIONS)
def _path_rows(indptr, indices, weights, tree_indptr, tree_indices, tree_weights, top_k):
    """For every node q: candidate partners t != q (its direct neighbours, plus
    the ``top_k`` best by max(path1, path2, widest), see :func:`_top_partners`),
    as CSR arrays, with ``path1``, ``path2``, ``widest`` and ``shared``
    (neighbours in common)."""
    n = indptr.size - 1
    path1 = np.zeros(n, dtype=np.float64)
    path2 = np.zeros(n, dtype=np.float64)
    widest = np.zeros(n, dtype=np.float64)
    shared = np.zeros(n, dtype=np.int64)
    is_neighbour = np.zeros(n, dtype=np.bool_)
    queue = np.empty(n, dtype=np.int64)
    visited = np.zeros(n, dtype=np.bool_)
    hops = np.zeros(n, dtype=np.int64)
    out_offsets = np.zeros(n + 1, dtype=np.int64)
    capacity = n * (top_k + 8) + n
    out_targets = np.empty(capacity, dtype=np.int64)
    out_values = np.empty((capacity, 4), dtype=np.float64)
    n_out = 0
    for q in range(n):
        path1[:] = 0.0
        path2[:] = 0.0
        widest[:] = 0.0
        shared[:] = 0
        # One intermediate m: min(w(q, m), w(m, t)); and neighbours in common.
        for a in range(indptr[q], indptr[q + 1]):
            m = indices[a]
            is_neighbour[m] = True
            for b in range(indptr[m], indptr[m + 1]):
                t = indices[b]
                shared[t] += 1
                value = min(weights[a], weights[b])
                if value > path1[t]:
                    path1[t] = value
        # Two intermediates: extend every one-intermediate path by one edge.
        for m in range(n):
            if path1[m] <= 0.0 or m == q:
                continue
            for b in range(indptr[m], indptr[m + 1]):
                t = indices[b]
                value = min(path1[m], weights[b])
                if value > path2[t]:
                    path2[t] = value
        # Any number: the weakest edge on the spanning-tree path from q.
        visited[:] = False
        visited[q] = True
        queue[0] = q
        widest[q] = np.inf
        hops[q] = 0
        head, tail = 0, 1
        while head < tail:
            u = queue[head]
            head += 1
            for a in range(tree_indptr[u], tree_indptr[u + 1]):
                v = tree_indices[a]
                if not visited[v]:
                    visited[v] = True
                    widest[v] = min(widest[u], tree_weights[a])
                    hops[v] = hops[u] + 1
                    queue[tail] = v
                    tail += 1
        widest[q] = 0.0
        best = np.maximum(np.maximum(path1, path2), widest)
        best[q] = 0.0
        keep = _top_partners(best, shared, path1, hops, top_k)
        if n_out + n > capacity:
            capacity = 2 * (n_out + n)
            grown_targets = np.empty(capacity, dtype=np.int64)
            grown_values = np.empty((capacity, 4), dtype=np.float64)
            grown_targets[:n_out] = out_targets[:n_out]
            grown_values[:n_out] = out_values[:n_out]
            out_targets, out_values = grown_targets, grown_values
        for t in range(n):
            if (is_neighbour[t] or keep[t]) and t != q:
                out_targets[n_out] = t
                out_values[n_out, 0] = path1[t]
                out_values[n_out, 1] = path2[t]
                out_values[n_out, 2] = widest[t]
                out_values[n_out, 3] = shared[t]
                n_out += 1
            is_neighbour[t] = False
        out_offsets[q + 1] = n_out
    return out_offsets, out_targets[:n_out], out_values[:n_out]


@numba.jit(**JIT_OPTIONS)
def _top_partners(best, shared, path1, hops, top_k):
    """Bool mask of the ``top_k`` nodes with the largest positive ``best``.
    Ties at the cut, common with widest paths (a whole component can share
    one bottleneck edge), go to more shared neighbours, then the stronger
    one-intermediate path, then fewer spanning-tree ``hops``, then the lower
    index, so that exactly ``top_k`` are kept and the candidate set stays
    linear in the number of nodes."""
    n = best.size
    keep = np.zeros(n, dtype=np.bool_)
    if top_k <= 0:
        return keep
    positive = np.flatnonzero(best > 0.0)
    if positive.size <= top_k:
        keep[positive] = True
        return keep
    cut = np.partition(best[positive], positive.size - top_k)[positive.size - top_k]
    n_above = 0
    for t in positive:
        if best[t] > cut:
            keep[t] = True
            n_above += 1
    ties = positive[best[positive] == cut]
    # One key: shared neighbours first (path1 is far below 1e7 bits); a stable
    # sort keeps equal keys in index order.
    by_hops = ties[np.argsort(hops[ties], kind="mergesort")]
    tie_key = -(shared[by_hops].astype(np.float64) * 1e7 + path1[by_hops])
    ties = by_hops[np.argsort(tie_key, kind="mergesort")]
    for k in range(top_k - n_above):
        keep[ties[k]] = True
    return keep
