"""Candidate pairs and their hit-graph path features against plain Python."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from seqsim.feature_names import SCORER_FEATURES
from seqsim.scorer.candidates import candidate_pairs


def hits_of(edges: dict[tuple[int, int], float], n: int) -> pd.DataFrame:
    """A minimal all-vs-all hit table: self hits plus both directions of each edge."""
    rows = [(i, i, 100.0) for i in range(n)]
    rows += [(i, j, w) for (i, j), w in edges.items()] + [(j, i, w) for (i, j), w in edges.items()]
    table = pd.DataFrame(rows, columns=["query", "target", "bitscore"])
    return table.assign(
        raw=(table["bitscore"] * 2).astype(int), evalue_pair=1e-5, nident=10, length=20,
        qstart=1, qend=20, sstart=1, send=20, qlen=50, tlen=50,
    )  # fmt: skip


def test_path_features_match_a_plain_python_search():
    rng = np.random.default_rng(2)
    n = 9
    edges = {
        (i, j): float(rng.integers(20, 90))
        for i, j in itertools.combinations(range(n), 2)
        if rng.random() < 0.3
    }
    pairs = candidate_pairs(hits_of(edges, n), np.full(n, 50), top_k=n)
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
    pairs = candidate_pairs(hits_of(edges, n), np.full(n, 50), top_k=top_k)
    per_sequence = np.bincount(np.concatenate([pairs["query"], pairs["target"]]), minlength=n)
    assert len(pairs) <= n * (top_k + 2)
    assert per_sequence.max() <= 2 * (top_k + 2)
    # Ties go to shared neighbours first: the next-but-one sequence is kept.
    assert ((pairs["query"] == 10) & (pairs["target"] == 12)).any()
