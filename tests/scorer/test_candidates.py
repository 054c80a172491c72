"""Candidate pairs and their hit-graph path features against plain Python."""

from __future__ import annotations

import itertools
import math

import hypothesis.strategies as st
import numpy as np
import pandas as pd
from hypothesis import given, settings

from seqsim.feature_names import SCORER_FEATURES
from seqsim.scorer.candidates import _path_features, candidate_pairs, edge_regions, hit_graph

from conftest import make_store


def hits_of(edges: dict[tuple[int, int], float], n: int) -> pd.DataFrame:
    """A minimal all-vs-all hit table: self hits plus both directions of each edge."""
    rows = [(i, i, 100.0) for i in range(n)]
    rows += [(i, j, w) for (i, j), w in edges.items()] + [(j, i, w) for (i, j), w in edges.items()]
    table = pd.DataFrame(rows, columns=["query", "target", "bitscore"])
    return table.assign(
        raw=(table["bitscore"] * 2).astype(int), evalue=1e-5, evalue_pair=1e-5, nident=10,
        length=20, qstart=1, qend=20, sstart=1, send=20, qlen=50, tlen=50, cigar="20M",
    )  # fmt: skip


def store_of(n: int):
    """n random proteins of length 50 (the hit tables' lengths)."""
    rng = np.random.default_rng(n)
    return make_store(["".join(rng.choice(list("ACDEFGHIKLMNPQRSTVWY"), 50)) for _ in range(n)],
                      "protein")  # fmt: skip


def test_path_features_match_a_plain_python_search():
    rng = np.random.default_rng(2)
    n = 9
    edges = {
        (i, j): float(rng.integers(20, 90))
        for i, j in itertools.combinations(range(n), 2)
        if rng.random() < 0.3
    }
    pairs = candidate_pairs(hits_of(edges, n), store_of(n), top_k=n)
    weight = {**edges, **{(j, i): w for (i, j), w in edges.items()}}

    def neighbours(i):
        return [j for j in range(n) if (i, j) in weight]

    def widest(i, j):  # best bottleneck over all simple paths
        best, stack = 0.0, [(i, math.inf, {i})]
        while stack:
            node, bottleneck, seen = stack.pop()
            for m in neighbours(node):
                if m in seen:
                    continue
                value = min(bottleneck, weight[node, m])
                if m == j:
                    best = max(best, value)
                else:
                    stack.append((m, value, seen | {m}))
        return best

    for row in pairs.itertuples():
        i, j = row.query, row.target
        one = max((min(weight[i, m], weight[m, j]) for m in neighbours(i) if (m, j) in weight),
                  default=0.0)  # fmt: skip
        assert row.path1 == one
        assert row.widest == widest(i, j)
        assert row.bits == edges.get((i, j), 0.0)
        assert row.has_hit == ((i, j) in edges)
    assert list(pairs.columns) == ["query", "target", *SCORER_FEATURES]


def test_widest_path_ties_do_not_multiply_the_candidates():
    """A chain of equal edges: every pair has the same widest path, and each
    sequence must still get only its neighbours plus top_k partners."""
    n, top_k = 60, 5
    edges = {(i, i + 1): 40.0 for i in range(n - 1)}
    pairs = candidate_pairs(hits_of(edges, n), store_of(n), top_k=top_k)
    per_sequence = np.bincount(np.concatenate([pairs["query"], pairs["target"]]), minlength=n)
    assert len(pairs) <= n * (top_k + 2)
    assert per_sequence.max() <= 2 * (top_k + 2)
    # Ties go to shared neighbours first: the next-but-one sequence is kept.
    assert ((pairs["query"] == 10) & (pairs["target"] == 12)).any()


def consistent(a, b, min_overlap):
    """Whether regions a and b (start, end) of one sequence overlap by
    min_overlap of the shorter (0: always)."""
    if min_overlap == 0:
        return True
    overlap = min(a[1], b[1]) - max(a[0], b[0]) + 1
    return overlap >= min_overlap * (min(a[1] - a[0], b[1] - b[0]) + 1)


def dense_path_rows(n, weight, tree_weight, top_k, region=None, min_overlap=0.0):
    """Plain-Python reference of the path kernel: every node's path values to
    every other node, then its neighbours plus the top_k by max(path1, path2,
    widest), ties to more shared neighbours, a stronger path1, fewer tree
    hops, the lower index. Returns {(q, t): (path1, path2, widest, shared)}.
    ``region[u, v]``: ((start, end) on u, (start, end) on v) of edge u-v; a
    path through m counts when its alignments overlap on m (path2: the step
    after m against the arrival of m's best, first-found, one-step path)."""
    region = region or {key: ((1, 20), (1, 20)) for key in weight}
    adjacent = {i: [j for j in range(n) if (i, j) in weight] for i in range(n)}
    tree_adjacent = {i: [j for j in range(n) if (i, j) in tree_weight] for i in range(n)}
    rows = {}
    for q in range(n):
        path1, shared, arrival = [0.0] * n, [0] * n, [None] * n
        for m in adjacent[q]:
            for t in adjacent[m]:
                if not consistent(region[q, m][1], region[m, t][0], min_overlap):
                    continue
                shared[t] += 1
                if min(weight[q, m], weight[m, t]) > path1[t]:
                    path1[t] = min(weight[q, m], weight[m, t])
                    arrival[t] = region[m, t][1]
        path2 = [0.0] * n
        for m in range(n):
            if m != q and path1[m] > 0:
                for t in adjacent[m]:
                    if consistent(arrival[m], region[m, t][0], min_overlap):
                        path2[t] = max(path2[t], min(path1[m], weight[m, t]))
        widest, hops, stack = [0.0] * n, [0] * n, [(q, math.inf, 0, -1)]
        while stack:
            node, bottleneck, depth, parent = stack.pop()
            for v in tree_adjacent[node]:
                if v != parent:
                    widest[v] = min(bottleneck, tree_weight[node, v])
                    hops[v] = depth + 1
                    stack.append((v, widest[v], depth + 1, node))
        best = [0.0 if t == q else max(path1[t], path2[t], widest[t]) for t in range(n)]

        keys = {t: (-best[t], -(shared[t] * 1e7 + path1[t]), hops[t], t) for t in range(n)}
        ranked = sorted((t for t in range(n) if best[t] > 0), key=keys.__getitem__)
        kept = set(ranked[:top_k]) | set(adjacent[q])
        for t in sorted(kept - {q}):
            rows[q, t] = (path1[t], path2[t], widest[t], float(shared[t]))
    return rows


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(2, 40),
    tree_like=st.booleans(),
    density=st.floats(0.0, 0.5),
    levels=st.integers(1, 4),
    top_k=st.integers(0, 8),
    seed=st.integers(0, 2**31),
    min_overlap=st.sampled_from([0.0, 0.3, 0.5, 1.0]),
)
def test_sparse_path_kernel_matches_the_dense_reference(
    n, tree_like, density, levels, top_k, seed, min_overlap
):
    """Few distinct weights make ties at every cut. Tree-like graphs (a random
    tree, some edges dropped, a few added) have long paths beyond the
    three-edge neighbourhood, where the tree walk chooses; dense ones have
    several components and isolated nodes at low densities. Each edge aligns
    random regions of its two sequences (length 60), so that some paths are
    region-consistent and some not."""
    rng = np.random.default_rng(seed)
    if tree_like:
        chosen = {(int(rng.integers(0, j)), j) for j in range(1, n) if rng.random() < 0.9}
        chosen |= {(i, j) for i, j in itertools.combinations(range(n), 2) if rng.random() < 0.02}
    else:
        chosen = {(i, j) for i, j in itertools.combinations(range(n), 2) if rng.random() < density}
    edges = {pair: float(20 * rng.integers(1, levels + 1)) for pair in sorted(chosen)}

    def random_region():
        start = int(rng.integers(1, 50))
        return start, int(rng.integers(start, 61))

    regions = {pair: (random_region(), random_region()) for pair in edges}
    assert_matches_dense_reference(edges, n, top_k, regions, min_overlap)


def test_tree_walk_ties_go_to_the_lower_index():
    """A broom: the chain 0-1-2-3, then ten leaves on 3, every edge equal. From
    0 the leaves tie (same widest path, same hops): the lowest ones are kept."""
    edges = {(0, 1): 40.0, (1, 2): 40.0, (2, 3): 40.0, **{(3, leaf): 40.0 for leaf in range(4, 14)}}
    assert_matches_dense_reference(edges, 14, top_k=5)


def assert_matches_dense_reference(
    edges: dict[tuple[int, int], float], n: int, top_k: int, regions=None, min_overlap=0.0
) -> None:
    regions = regions or {pair: ((1, 20), (1, 20)) for pair in edges}
    pairs = np.array(list(edges), dtype=np.int64).reshape(-1, 2)
    graph, tree = hit_graph(pairs[:, 0], pairs[:, 1], np.array(list(edges.values())), n)
    table = pd.DataFrame({
        "query": pairs[:, 0], "target": pairs[:, 1],
        "qstart": [regions[p][0][0] for p in edges], "qend": [regions[p][0][1] for p in edges],
        "sstart": [regions[p][1][0] for p in edges], "send": [regions[p][1][1] for p in edges],
    })  # fmt: skip
    weight = {**edges, **{(j, i): w for (i, j), w in edges.items()}}
    region = {**regions, **{(j, i): (b, a) for (i, j), (a, b) in regions.items()}}
    tree_coo = tree.tocoo()
    tree_weight = {
        (int(i), int(j)): float(w)
        for i, j, w in zip(tree_coo.row, tree_coo.col, tree_coo.data, strict=True)
    }
    expected = dense_path_rows(n, weight, tree_weight, top_k, region, min_overlap)
    for threads in (1, 2):
        source, partners, values = _path_features(
            graph, tree, edge_regions(graph, table), min_overlap, top_k, threads
        )
        got = {(int(q), int(t)): tuple(v) for q, t, v in zip(source, partners, values, strict=True)}
        assert got == expected


def test_a_path_through_two_different_regions_is_no_evidence():
    """0-1 aligns on 1's residues 1-20, 1-2 on 1's residues 30-50: 0 and 2
    share a neighbour through different domains of it. With region_overlap
    the pair gets no path and no transitive evidence; without, it does."""
    hits = hits_of({(0, 1): 60.0, (1, 2): 60.0}, 3)
    on_one = {(0, 1): ("sstart", "send", 1, 20), (1, 0): ("qstart", "qend", 1, 20),
              (1, 2): ("qstart", "qend", 30, 50), (2, 1): ("sstart", "send", 30, 50)}  # fmt: skip
    for (query, target), (start, end, low, high) in on_one.items():
        row = (hits["query"] == query) & (hits["target"] == target)
        hits.loc[row, [start, end]] = [low, high]
    store = store_of(3)
    every_path = candidate_pairs(hits, store, top_k=3).set_index(["query", "target"])
    consistent = candidate_pairs(hits, store, top_k=3, region_overlap=0.5, widest_coverage=0.6)
    consistent = consistent.set_index(["query", "target"])
    assert every_path.loc[(0, 2), "path1"] == 60.0 and every_path.loc[(0, 2), "widest"] == 60.0
    # No evidence links 0 and 2: not even a candidate. The direct hits stay.
    assert (0, 2) not in consistent.index
    assert consistent.loc[(0, 1), "bits"] == 60.0


def test_widest_paths_run_over_edges_that_cover_both_sequences():
    """A chain 0-1-2-3-4 of alignments over whole sequences: 0-4 is three
    intermediates apart (no path1, path2) and gets its widest path; with one
    edge covering less than widest_coverage of its sequences it gets none."""
    full = hits_of({(0, 1): 60.0, (1, 2): 50.0, (2, 3): 60.0, (3, 4): 60.0}, 5)
    full[["qend", "send"]] = 50
    store = store_of(5)
    chained = candidate_pairs(full, store, top_k=4, region_overlap=0.5, widest_coverage=0.6)
    chained = chained.set_index(["query", "target"])
    assert chained.loc[(0, 4), "widest"] == 50.0
    assert chained.loc[(0, 4), ["path1", "path2"]].eq(0).all()
    partial = full.copy()
    middle = partial["query"].isin([1, 2]) & partial["target"].isin([1, 2])
    partial.loc[middle & (partial["query"] != partial["target"]), ["qend", "send"]] = 25
    cut = candidate_pairs(partial, store, top_k=4, region_overlap=0.5, widest_coverage=0.6)
    assert ((cut["query"] == 0) & (cut["target"] == 4)).sum() == 0
