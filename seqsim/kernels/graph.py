"""Kernels over the all-vs-all hit graph: paths through intermediate sequences.

Edges are significant hits with their bit scores as weights. The strength of
a path is its weakest edge; a pair's path scores are the strongest paths
through one intermediate (``path1``), through two (``path2``), and through
any number (``widest``, read off a maximum spanning tree, where every widest
path lies). Homologs too remote to align directly often share well-aligned
intermediates (the idea behind intermediate-sequence and profile searches).

Work per node is bounded by its three-edge neighbourhood plus ``top_k``
spanning-tree nodes, never by the number of nodes: widest paths to touched
nodes come from a lowest-common-ancestor query on the tree (binary lifting),
and the best widest-path partners beyond them from a best-first walk of the
tree that stops after ``top_k`` of them.
"""

from __future__ import annotations

import numba
import numpy as np

from seqsim.kernels import JIT_OPTIONS


@numba.jit(**JIT_OPTIONS)
def _tree_lifting(tree_indptr, tree_indices, tree_weights):
    """Binary-lifting tables of a spanning forest, each tree rooted at its
    lowest node: ``root``, ``depth``, ``up[j, v]`` (the 2**j-th ancestor of
    v, or v's root) and ``weakest[j, v]`` (the weakest edge on the way there)."""
    n = tree_indptr.size - 1
    levels = 1
    while (1 << levels) < n:
        levels += 1
    root = np.full(n, -1, dtype=np.int64)
    depth = np.zeros(n, dtype=np.int64)
    up = np.empty((levels, n), dtype=np.int64)
    weakest = np.empty((levels, n), dtype=np.float64)
    queue = np.empty(n, dtype=np.int64)
    for start in range(n):
        if root[start] >= 0:
            continue
        root[start] = start
        up[0, start] = start
        weakest[0, start] = np.inf
        queue[0] = start
        head, tail = 0, 1
        while head < tail:
            u = queue[head]
            head += 1
            for a in range(tree_indptr[u], tree_indptr[u + 1]):
                v = tree_indices[a]
                if root[v] < 0:
                    root[v] = start
                    depth[v] = depth[u] + 1
                    up[0, v] = u
                    weakest[0, v] = tree_weights[a]
                    queue[tail] = v
                    tail += 1
    for j in range(1, levels):
        for v in range(n):
            middle = up[j - 1, v]
            up[j, v] = up[j - 1, middle]
            weakest[j, v] = min(weakest[j - 1, v], weakest[j - 1, middle])
    return root, depth, up, weakest


@numba.jit(**JIT_OPTIONS)
def _tree_path(a, b, root, depth, up, weakest):
    """(weakest edge, number of edges) on the tree path a-b; (0, 0) across trees."""
    if root[a] != root[b]:
        return 0.0, 0
    if a == b:
        return np.inf, 0
    bottleneck = np.inf
    hops = 0
    if depth[a] < depth[b]:
        a, b = b, a
    gap = depth[a] - depth[b]
    j = 0
    while gap > 0:
        if gap & 1:
            bottleneck = min(bottleneck, weakest[j, a])
            a = up[j, a]
            hops += 1 << j
        gap >>= 1
        j += 1
    if a == b:
        return bottleneck, hops
    for j in range(up.shape[0] - 1, -1, -1):
        if up[j, a] != up[j, b]:
            bottleneck = min(bottleneck, weakest[j, a], weakest[j, b])
            a = up[j, a]
            b = up[j, b]
            hops += 2 << j
    bottleneck = min(bottleneck, weakest[0, a], weakest[0, b])
    return bottleneck, hops + 2


@numba.jit(**JIT_OPTIONS)
def _walk_first(node_a, node_b, width, hops):
    """Order of the best-first tree walk: wider first, then fewer hops, then index."""
    if width[node_a] != width[node_b]:
        return width[node_a] > width[node_b]
    if hops[node_a] != hops[node_b]:
        return hops[node_a] < hops[node_b]
    return node_a < node_b


@numba.jit(**JIT_OPTIONS)
def _heap_push(heap, size, node, width, hops):
    heap[size] = node
    i = size
    while i > 0:
        parent = (i - 1) // 2
        if not _walk_first(heap[i], heap[parent], width, hops):
            break
        heap[i], heap[parent] = heap[parent], heap[i]
        i = parent
    return size + 1


@numba.jit(**JIT_OPTIONS)
def _heap_pop(heap, size, width, hops):
    top = heap[0]
    size -= 1
    heap[0] = heap[size]
    i = 0
    while True:
        left, right, best = 2 * i + 1, 2 * i + 2, i
        if left < size and _walk_first(heap[left], heap[best], width, hops):
            best = left
        if right < size and _walk_first(heap[right], heap[best], width, hops):
            best = right
        if best == i:
            break
        heap[i], heap[best] = heap[best], heap[i]
        i = best
    return top, size


@numba.jit(**JIT_OPTIONS)
def _consistent(start_a, end_a, start_b, end_b, min_overlap):
    """Whether two aligned regions of one sequence overlap by at least
    ``min_overlap`` of the shorter one (0: always, even apart)."""
    if min_overlap <= 0.0:
        return True
    overlap = min(end_a, end_b) - max(start_a, start_b) + 1
    shorter = min(end_a - start_a, end_b - start_b) + 1
    return overlap >= min_overlap * shorter


@numba.jit(**JIT_OPTIONS)
def _path_rows(indptr, indices, weights, here_start, here_end, there_start, there_end,
               min_overlap, tree_indptr, tree_indices, tree_weights,
               root, depth, up, weakest, top_k, rows):  # fmt: skip
    """For every node q of ``rows``: candidate partners t != q (its direct
    neighbours, plus the ``top_k`` best by max(path1, path2, widest), see
    :func:`_top_partners`), as CSR arrays over ``rows``, with ``path1``,
    ``path2``, ``widest`` and ``shared`` (neighbours in common).

    Region consistency: edge ``a`` (row u, column v) aligned u's residues
    ``here_start[a]..here_end[a]`` with v's ``there_start[a]..there_end[a]``.
    A path q-m-t counts (in ``path1`` and ``shared``) only where its two
    alignments overlap on m by ``min_overlap`` (:func:`_consistent`): a
    protein that shares one domain with q and another with t links nothing.
    Two intermediates q-m1-m-t: the step m-t must be consistent on m with
    the arrival of m's best one-intermediate path (the best path only: exact
    for every path would cost a third power of the degree)."""
    n = indptr.size - 1
    path1 = np.zeros(n, dtype=np.float64)
    path2 = np.zeros(n, dtype=np.float64)
    arrival_start = np.zeros(n, dtype=np.int64)
    arrival_end = np.zeros(n, dtype=np.int64)
    shared = np.zeros(n, dtype=np.int64)
    is_touched = np.zeros(n, dtype=np.bool_)
    is_neighbour = np.zeros(n, dtype=np.bool_)
    touched = np.empty(n, dtype=np.int64)
    # Best-first walk of the spanning tree from q.
    width = np.zeros(n, dtype=np.float64)
    walk_hops = np.zeros(n, dtype=np.int64)
    seen = np.zeros(n, dtype=np.bool_)
    seen_list = np.empty(n, dtype=np.int64)
    heap = np.empty(n, dtype=np.int64)
    out_offsets = np.zeros(rows.size + 1, dtype=np.int64)
    capacity = rows.size * (top_k + 8) + 16
    out_targets = np.empty(capacity, dtype=np.int64)
    out_values = np.empty((capacity, 4), dtype=np.float64)
    n_out = 0
    for r in range(rows.size):
        q = rows[r]
        n_touched = 0
        # One intermediate m: min(w(q, m), w(m, t)); and neighbours in common.
        for a in range(indptr[q], indptr[q + 1]):
            m = indices[a]
            is_neighbour[m] = True
            if not is_touched[m]:
                is_touched[m] = True
                touched[n_touched] = m
                n_touched += 1
            for b in range(indptr[m], indptr[m + 1]):
                t = indices[b]
                if not is_touched[t]:
                    is_touched[t] = True
                    touched[n_touched] = t
                    n_touched += 1
                if not _consistent(there_start[a], there_end[a], here_start[b], here_end[b],
                                   min_overlap):  # fmt: skip
                    continue
                shared[t] += 1
                value = min(weights[a], weights[b])
                if value > path1[t]:
                    path1[t] = value
                    arrival_start[t] = there_start[b]
                    arrival_end[t] = there_end[b]
        # Two intermediates: extend every one-intermediate path by one edge.
        n_one = n_touched
        for i in range(n_one):
            m = touched[i]
            if path1[m] <= 0.0 or m == q:
                continue
            for b in range(indptr[m], indptr[m + 1]):
                t = indices[b]
                if not is_touched[t]:
                    is_touched[t] = True
                    touched[n_touched] = t
                    n_touched += 1
                if not _consistent(arrival_start[m], arrival_end[m], here_start[b], here_end[b],
                                   min_overlap):  # fmt: skip
                    continue
                value = min(path1[m], weights[b])
                if value > path2[t]:
                    path2[t] = value
        # Candidates: touched nodes, then the first top_k untouched nodes of
        # the tree walk (which meets them in the order _top_partners ranks them).
        n_candidates = 0
        candidates = np.empty(n_touched + top_k, dtype=np.int64)
        widest = np.empty(n_touched + top_k, dtype=np.float64)
        hops = np.empty(n_touched + top_k, dtype=np.int64)
        for i in range(n_touched):
            t = touched[i]
            if t == q:
                continue
            candidates[n_candidates] = t
            widest[n_candidates], hops[n_candidates] = _tree_path(q, t, root, depth, up, weakest)
            n_candidates += 1
        n_seen = 1
        seen[q] = True
        seen_list[0] = q
        width[q] = np.inf
        walk_hops[q] = 0
        size = _heap_push(heap, 0, q, width, walk_hops)
        n_untouched = 0
        while size > 0 and n_untouched < top_k:
            u, size = _heap_pop(heap, size, width, walk_hops)
            if u != q and not is_touched[u]:
                candidates[n_candidates] = u
                widest[n_candidates] = width[u]
                hops[n_candidates] = walk_hops[u]
                n_candidates += 1
                n_untouched += 1
            for a in range(tree_indptr[u], tree_indptr[u + 1]):
                v = tree_indices[a]
                if not seen[v]:
                    seen[v] = True
                    seen_list[n_seen] = v
                    n_seen += 1
                    width[v] = min(width[u], tree_weights[a])
                    walk_hops[v] = walk_hops[u] + 1
                    size = _heap_push(heap, size, v, width, walk_hops)
        for i in range(n_seen):
            seen[seen_list[i]] = False
        # Rank the candidates in node order, as ties at the cut go to the lower index.
        order = np.argsort(candidates[:n_candidates], kind="mergesort")
        nodes = candidates[:n_candidates][order]
        node_widest = widest[:n_candidates][order]
        node_hops = hops[:n_candidates][order]
        node_path1 = np.empty(n_candidates, dtype=np.float64)
        node_shared = np.empty(n_candidates, dtype=np.int64)
        best = np.empty(n_candidates, dtype=np.float64)
        for i in range(n_candidates):
            t = nodes[i]
            node_path1[i] = path1[t]
            node_shared[i] = shared[t]
            best[i] = max(path1[t], path2[t], node_widest[i])
        keep = _top_partners(best, node_shared, node_path1, node_hops, top_k)
        if n_out + n_candidates > capacity:
            capacity = 2 * (n_out + n_candidates)
            grown_targets = np.empty(capacity, dtype=np.int64)
            grown_values = np.empty((capacity, 4), dtype=np.float64)
            grown_targets[:n_out] = out_targets[:n_out]
            grown_values[:n_out] = out_values[:n_out]
            out_targets, out_values = grown_targets, grown_values
        for i in range(n_candidates):
            t = nodes[i]
            if is_neighbour[t] or keep[i]:
                out_targets[n_out] = t
                out_values[n_out, 0] = path1[t]
                out_values[n_out, 1] = path2[t]
                out_values[n_out, 2] = node_widest[i]
                out_values[n_out, 3] = shared[t]
                n_out += 1
        for i in range(n_touched):
            t = touched[i]
            path1[t] = 0.0
            path2[t] = 0.0
            shared[t] = 0
            is_touched[t] = False
            is_neighbour[t] = False
        out_offsets[r + 1] = n_out
    return out_offsets, out_targets[:n_out], out_values[:n_out]


@numba.jit(**JIT_OPTIONS)
def _top_partners(best, shared, path1, hops, top_k):
    """Bool mask of the ``top_k`` entries with the largest positive ``best``.
    Ties at the cut, common with widest paths (a whole component can share
    one bottleneck edge), go to more shared neighbours, then the stronger
    one-intermediate path, then fewer spanning-tree ``hops``, then the lower
    position, so that exactly ``top_k`` are kept and the candidate set stays
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
