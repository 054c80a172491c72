"""Clustering: every sequence assigned once, and each method's defining property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from seqsim.cli.cluster import METHODS
from seqsim.errors import ConfigError
from seqsim.matrix.cluster import CLUSTER_METHODS, assign_clusters, cluster_table

from oracles import connected_components


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 30))
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0, 1)),
            max_size=60,
        )
    )
    seen, rows = set(), []
    for a, b, score in edges:
        a, b = min(a, b), max(a, b)
        if a != b and (a, b) not in seen:
            seen.add((a, b))
            rows.append((a, b, round(score, 3)))
    pairs = pd.DataFrame(rows, columns=["query", "target", "score"]).astype(
        {"query": "int32", "target": "int32", "score": "float32"}
    )
    lengths = np.array(draw(st.lists(st.integers(1, 500), min_size=n, max_size=n)))
    return lengths, pairs


def linked_set(pairs: pd.DataFrame, threshold: float) -> set[tuple[int, int]]:
    strong = pairs[pairs["score"] >= threshold]
    return {(int(a), int(b)) for a, b in zip(strong["query"], strong["target"], strict=True)} | {
        (int(b), int(a)) for a, b in zip(strong["query"], strong["target"], strict=True)
    }


@settings(max_examples=80, deadline=None)
@given(graphs(), st.sampled_from(CLUSTER_METHODS))
def test_every_sequence_has_one_representative_that_represents_itself(graph, method):
    lengths, pairs = graph
    rep = assign_clusters(lengths, pairs, feature="score", min_similarity=0.5, method=method)
    assert rep.shape == lengths.shape
    assert (rep[rep] == rep).all()  # representatives point to themselves
    table = cluster_table(rep, [f"s{i}" for i in range(lengths.size)])
    assert sorted(table["member"]) == sorted(f"s{i}" for i in range(lengths.size))


@settings(max_examples=80, deadline=None)
@given(graphs(), st.sampled_from(["set-cover", "greedy-incremental"]))
def test_members_link_to_their_representative_and_representatives_do_not_link(graph, method):
    lengths, pairs = graph
    rep = assign_clusters(lengths, pairs, feature="score", min_similarity=0.5, method=method)
    linked = linked_set(pairs, 0.5)
    for member, representative in enumerate(rep):
        if member != representative:
            assert (member, int(representative)) in linked
    reps = np.unique(rep)
    assert not any((int(a), int(b)) in linked for a in reps for b in reps if a != b)


@settings(max_examples=80, deadline=None)
@given(graphs())
def test_connected_matches_union_find_and_picks_the_longest(graph):
    lengths, pairs = graph
    rep = assign_clusters(lengths, pairs, feature="score", min_similarity=0.5, method="connected")
    strong = pairs[pairs["score"] >= 0.5]
    components = connected_components(
        lengths.size, list(zip(strong["query"], strong["target"], strict=True))
    )
    for a in range(lengths.size):
        for b in range(lengths.size):
            assert (components[a] == components[b]) == (rep[a] == rep[b])
    for member, representative in enumerate(rep):
        assert lengths[representative] >= lengths[member]


def test_set_cover_picks_the_hub():
    # 0 is linked to 1..4; 4 to 5. Greedy set cover takes 0 first, then 5 alone.
    pairs = pd.DataFrame({"query": [0, 0, 0, 0, 4], "target": [1, 2, 3, 4, 5], "score": [0.9] * 5})
    lengths = np.array([10, 50, 50, 50, 50, 50])
    rep = assign_clusters(lengths, pairs, feature="score", min_similarity=0.5)
    assert rep.tolist() == [0, 0, 0, 0, 0, 5]
    table = cluster_table(rep, list("abcdef"))
    assert table.values.tolist() == [
        ["a", "a"], ["a", "b"], ["a", "c"], ["a", "d"], ["a", "e"], ["f", "f"],
    ]  # fmt: skip


def test_greedy_incremental_joins_the_most_similar_representative():
    pairs = pd.DataFrame({"query": [0, 1], "target": [2, 2], "score": [0.6, 0.9]})
    rep = assign_clusters(
        np.array([30, 20, 10]),
        pairs,
        feature="score",
        min_similarity=0.5,
        method="greedy-incremental",
    )
    assert rep.tolist() == [0, 1, 1]


def test_unknown_method_or_feature():
    pairs = pd.DataFrame({"query": [0], "target": [1], "score": [0.6]})
    with pytest.raises(ConfigError, match="unknown cluster method"):
        assign_clusters(np.array([1, 1]), pairs, feature="score", min_similarity=0.5, method="x")
    with pytest.raises(ConfigError, match="unknown pair feature"):
        assign_clusters(np.array([1, 1]), pairs, feature="nope", min_similarity=0.5)


def test_cli_choices_match_the_methods():
    assert tuple(METHODS) == CLUSTER_METHODS
