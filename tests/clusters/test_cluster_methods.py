"""Clustering: every sequence assigned once, and each method's defining property."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from seqsim.cli import cluster as cli_cluster
from seqsim.clusters import methods as clustering
from seqsim.clusters.methods import CLUSTER_METHODS, assign_clusters, cluster_table
from seqsim.errors import ConfigError

from oracles import connected_components

FRACTIONS = st.floats(0, 1).map(lambda x: round(x, 2))


@st.composite
def graphs(draw):
    """Random pair tables (either order of query and target, as the score's
    tables may list them) with a score and the search's alignment columns."""
    n = draw(st.integers(1, 30))
    edges = draw(
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), FRACTIONS, FRACTIONS,
                      FRACTIONS, FRACTIONS, FRACTIONS),
            max_size=60,
        )
    )  # fmt: skip
    seen, rows = set(), []
    for a, b, *values in edges:
        if a != b and (min(a, b), max(a, b)) not in seen:
            seen.add((min(a, b), max(a, b)))
            rows.append((a, b, *values))
    columns = ["query", "target", "score", "fident", "shorter_ident", "qcov", "tcov"]
    pairs = pd.DataFrame(rows, columns=columns).astype(
        {"query": "int32", "target": "int32", "score": "float32"}
    )
    lengths = np.array(draw(st.lists(st.integers(1, 500), min_size=n, max_size=n)))
    return lengths, pairs


def linked_set(pairs: pd.DataFrame, threshold: float) -> set[tuple[int, int]]:
    strong = pairs[pairs["score"] >= threshold]
    return {(int(a), int(b)) for a, b in zip(strong["query"], strong["target"], strict=True)} | {
        (int(b), int(a)) for a, b in zip(strong["query"], strong["target"], strict=True)
    }


THRESHOLDS = st.fixed_dictionaries(
    {
        "min_similarity": st.sampled_from([0.0, 0.3, 0.5]),
        "min_identity": st.sampled_from([None, 0.2, 0.5]),
        "identity": st.sampled_from(clustering.IDENTITY_DEFINITIONS),
        "coverage": st.sampled_from([None, 0.3, 0.8]),
        "cov_mode": st.sampled_from(clustering.COVERAGE_MODES),
    }
)


def passes(row: dict, lengths: np.ndarray, rep: int, member: int, t: dict) -> bool:
    """Plain-Python reading of the thresholds in docs/outputs.md (Clusters):
    may ``member`` join ``rep``?"""
    if row["score"] < t["min_similarity"]:
        return False
    cover = {row["query"]: row["qcov"], row["target"]: row["tcov"]}
    if t["min_identity"] is not None:
        identity = {
            "alignment": row["fident"],
            "shorter": row["shorter_ident"],
            "longer": row["shorter_ident"]
            * min(lengths[rep], lengths[member])
            / max(lengths[rep], lengths[member]),
        }[t["identity"]]
        if identity < t["min_identity"] - 1e-12:
            return False
    if t["coverage"] is not None:
        c, mode = t["coverage"], t["cov_mode"]
        short, long = sorted((rep, member), key=lambda s: lengths[s])
        if lengths[rep] == lengths[member]:  # both are the shorter and the longer one
            short_cov = long_cov = min(cover[rep], cover[member])
        else:
            short_cov, long_cov = cover[short], cover[long]
        needed = {
            "both": min(cover[rep], cover[member]),
            "target": cover[member],
            "query": cover[rep],
            "shorter": short_cov,
            "longer": long_cov,
        }[mode]
        if needed < c:
            return False
    return True


def pair_rows(pairs: pd.DataFrame) -> dict[tuple[int, int], dict]:
    rows = {}
    for row in pairs.to_dict("records"):
        rows[(int(row["query"]), int(row["target"]))] = row
        rows[(int(row["target"]), int(row["query"]))] = row
    return rows


def may_join(rows, lengths, rep, member, thresholds) -> bool:
    row = rows.get((rep, member))
    return row is not None and passes(row, lengths, rep, member, thresholds)


@settings(max_examples=150, deadline=None)
@given(graphs(), THRESHOLDS, st.sampled_from(["set-cover", "greedy-incremental"]),
       st.sampled_from(clustering.REPRESENTATIVES))  # fmt: skip
def test_thresholds_hold_between_every_member_and_its_representative(
    graph, thresholds, method, representative
):
    lengths, pairs = graph
    if method == "greedy-incremental":
        representative = "longest"
    rep = assign_clusters(
        lengths, pairs, feature="score", method=method, representative=representative,
        **thresholds,
    )  # fmt: skip
    rows = pair_rows(pairs)
    assert (rep[rep] == rep).all()
    for member, representative_of in enumerate(rep.tolist()):
        if member != representative_of:
            assert may_join(rows, lengths, representative_of, member, thresholds)


@settings(max_examples=100, deadline=None)
@given(graphs(), THRESHOLDS, st.sampled_from(["connected", "leiden", "average-linkage"]),
       st.sampled_from(clustering.REPRESENTATIVES))  # fmt: skip
def test_partitions_only_group_linked_sequences(graph, thresholds, method, representative):
    lengths, pairs = graph
    rep = assign_clusters(
        lengths, pairs, feature="score", method=method, representative=representative,
        **thresholds,
    )  # fmt: skip
    rows = pair_rows(pairs)
    linked = {
        (a, b) for (a, b) in rows if may_join(rows, lengths, a, b, thresholds)
        or may_join(rows, lengths, b, a, thresholds)
    }  # fmt: skip
    components = connected_components(lengths.size, sorted(linked))
    for cluster in np.unique(rep):
        members = np.flatnonzero(rep == cluster).tolist()
        assert rep[cluster] == cluster and cluster in members
        # Every cluster lies inside one connected component of the links.
        assert len({components[m] for m in members}) == 1
        if method == "average-linkage" and len(members) > 1:
            # UPGMA cut: the mean similarity over the cluster's pairs (0: no link) holds.
            total = sum(
                rows[(a, b)]["score"] for a in members for b in members
                if a < b and (a, b) in linked
            )  # fmt: skip
            n_pairs = len(members) * (len(members) - 1) / 2
            assert total / n_pairs >= thresholds["min_similarity"] - 1e-6


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


def test_cli_choices_match_the_module():
    # The other choices come from the parameter registry: tests/test_settings.py
    # (test_choices_are_the_codes) checks them against this module.
    assert cli_cluster.COVERAGE_MODE_NUMBERS == clustering.COVERAGE_MODE_NUMBERS


STAR = pd.DataFrame(
    {  # 0 links 1..3 weakly, 1 links 0, 2, 3 strongly: 1 is the medoid, 3 the longest
        "query": [0, 0, 0, 1, 1],
        "target": [1, 2, 3, 2, 3],
        "score": [0.6, 0.6, 0.6, 0.9, 0.9],
    }
)


@pytest.mark.parametrize(
    ("method", "representative", "expected"),
    [
        ("connected", "longest", 3),
        ("connected", "medoid", 1),
        ("connected", "most-connected", 0),  # 0 and 1 both have 3 links: 0 is longer
        ("leiden", "medoid", 1),
        ("average-linkage", "medoid", 1),
        ("set-cover", "longest", 3),
        ("set-cover", "medoid", 1),
    ],
)
def test_representative_choice(method, representative, expected):
    lengths = np.array([100, 90, 80, 120])
    rep = assign_clusters(
        lengths, STAR, feature="score", min_similarity=0.5, method=method,
        representative=representative,
    )  # fmt: skip
    if method == "set-cover" and representative == "longest":
        # 3 is taken first, with its neighbours 0 and 1; 2 links only 0 and 1.
        assert rep.tolist() == [3, 3, 2, 3]
    else:
        assert rep.tolist() == [expected] * 4


def test_leiden_splits_two_cliques_joined_by_one_weak_link_and_is_seeded():
    clique = [(a, b) for a in range(5) for b in range(a + 1, 5)]
    rows = clique + [(a + 5, b + 5) for a, b in clique] + [(4, 5)]
    pairs = pd.DataFrame(rows, columns=["query", "target"]).assign(
        score=[0.9] * (2 * len(clique)) + [0.5]
    )
    lengths = np.full(10, 50)
    rep = assign_clusters(lengths, pairs, feature="score", min_similarity=0.5, method="leiden")
    assert len(set(rep[:5].tolist())) == 1 and len(set(rep[5:].tolist())) == 1
    assert rep[0] != rep[5]
    again = assign_clusters(lengths, pairs, feature="score", min_similarity=0.5, method="leiden")
    assert (rep == again).all()


def test_average_linkage_refuses_more_than_its_limit(monkeypatch):
    monkeypatch.setattr(clustering, "AVERAGE_LINKAGE_MAX", 3)
    with pytest.raises(ConfigError, match="at most 3 linked sequences"):
        assign_clusters(np.ones(4), STAR, feature="score", min_similarity=0.5,
                        method="average-linkage")  # fmt: skip


def test_bad_threshold_settings_are_refused():
    with pytest.raises(ConfigError, match="identity definition"):
        assign_clusters(np.ones(4), STAR, feature="score", min_similarity=0.5, identity="x")
    with pytest.raises(ConfigError, match="fraction"):
        assign_clusters(np.ones(4), STAR, feature="score", min_similarity=0.5, coverage=80)
    with pytest.raises(ConfigError, match="--alignment-pairs"):
        assign_clusters(np.ones(4), STAR, feature="score", min_similarity=0.5, coverage=0.8)
    with pytest.raises(ConfigError, match="longest sequence"):
        assign_clusters(np.ones(4), STAR, feature="score", min_similarity=0.5,
                        method="greedy-incremental", representative="medoid")  # fmt: skip
