"""Adding sequences to a finished run: the same hits and scores as searching
the whole set again, and clusters that keep every earlier assignment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

from seqsim.cli import main
from seqsim.clusters.methods import (
    CLUSTER_METHODS,
    ClusterSettings,
    LinkRule,
    assign_clusters,
    link_graph,
    prepare_pairs,
    update_clusters,
)
from seqsim.errors import ConfigError
from seqsim.io import write_table
from seqsim.scorer.api import score
from seqsim.search_engine.api import SearchOptions
from seqsim.search_engine.engine import search_hits
from seqsim.search_engine.update import combined_store, extended_hits
from seqsim.sequences.ingest import ingest_fasta
from seqsim.sequences.store import write_store

from conftest import REPO


@pytest.fixture(scope="module")
def split_example(tmp_path_factory):
    """80 sequences of the example: the 55 longest as a finished run's set,
    the 25 shortest (and a copy of an old one under a new ID) as new ones."""
    store = ingest_fasta([REPO / "resources" / "example" / "protein.fasta"]).store
    rows = sorted(range(80), key=lambda i: (-store.lengths[i], i))
    folder = tmp_path_factory.mktemp("split")
    old, new = folder / "old.fasta", folder / "new.fasta"
    old.write_text("".join(f">{store.ids[i]}\n{store.sequence(i)}\n" for i in rows[:55]))
    new.write_text("".join(f">{store.ids[i]}\n{store.sequence(i)}\n" for i in rows[55:])
                   + f">copy_of_{store.ids[rows[0]]}\n{store.sequence(rows[0])}\n")  # fmt: skip
    return folder, old, new


def test_extended_hits_are_the_whole_sets_hits(split_example):
    _, old_fasta, new_fasta = split_example
    old = ingest_fasta([old_fasta]).store
    store = combined_store(old, ingest_fasta([new_fasta]).store)
    options = SearchOptions()
    scheme, hit_filter = options.scheme("protein"), options.hit_filter()
    old_hits = search_hits(old, old, scheme, hit_filter)
    hits, new_hits = extended_hits(old_hits, store, old.n_sequences, scheme, hit_filter)
    pd.testing.assert_frame_equal(hits, search_hits(store, store, scheme, hit_filter))
    touches_new = (new_hits["query"] >= old.n_sequences) | (new_hits["target"] >= old.n_sequences)
    assert touches_new.all() and len(new_hits) > 0
    # E-values grew with the database: every old hit's E-value is larger now
    both_old = (hits["query"] < old.n_sequences) & (hits["target"] < old.n_sequences)
    merged = hits[both_old].merge(old_hits, on=["query", "target"], suffixes=("", "_before"))
    assert (merged["evalue"] > merged["evalue_before"]).all()


def test_a_clashing_id_or_an_exhaustive_update_is_refused(split_example):
    _, old_fasta, _ = split_example
    old = ingest_fasta([old_fasta]).store
    with pytest.raises(ConfigError, match="already in the run"):
        combined_store(old, old)
    with pytest.raises(ConfigError, match="not of an exhaustive"):
        search_hits(old, old, SearchOptions().scheme("protein"),
                    SearchOptions(exhaustive=True).hit_filter(),
                    tile=(np.arange(10, 55), np.arange(55)))  # fmt: skip


def test_search_db_gives_neighbours_and_the_whole_sets_scores(split_example, tmp_path):
    folder, old_fasta, new_fasta = split_example
    results = tmp_path / "results"
    old = ingest_fasta([old_fasta]).store
    write_store(old, results / "store")
    options = SearchOptions()
    scheme, hit_filter = options.scheme("protein"), options.hit_filter()
    # a finished run's hits come in tiles
    hits = search_hits(old, old, scheme, hit_filter)
    for block, part in enumerate((hits[hits["query"] % 2 == 0], hits[hits["query"] % 2 == 1])):
        write_table(
            part.reset_index(drop=True), results / "search" / f"hits_tile_{block}_{block}.parquet"
        )
    out, update = tmp_path / "neighbours.tsv", tmp_path / "update"
    assert main(["search", str(new_fasta), "--db", str(results), "-o", str(out),
                 "--top-k", "5", "--update-dir", str(update), "-q"]) == 0  # fmt: skip
    neighbours = pd.read_csv(out, sep="\t")
    new_ids = [line[1:] for line in new_fasta.read_text().splitlines() if line.startswith(">")]
    assert set(neighbours["query"]) <= set(new_ids)
    assert neighbours.groupby("query").size().max() <= 5
    copy = neighbours[neighbours["query"] == new_ids[-1]].iloc[0]
    assert copy["target"] == new_ids[-1].removeprefix("copy_of_") and copy["rank"] == 1
    assert copy["probability"] > 0.99
    # the extended run's scored pairs are a search and scoring of the whole set
    store = combined_store(old, ingest_fasta([new_fasta]).store)
    whole = score(None, store, hits=search_hits(store, store, scheme, hit_filter))
    pd.testing.assert_frame_equal(pd.read_parquet(update / "scorer" / "scored_pairs.parquet"),
                                  whole)  # fmt: skip


def at_half(method: str) -> ClusterSettings:
    """Link pairs with score >= 0.5."""
    return ClusterSettings(LinkRule("score", 0.5), method)  # type: ignore[arg-type]


@st.composite
def grown_graphs(draw):
    n = draw(st.integers(2, 25))
    n_old = draw(st.integers(1, n - 1))
    scores = st.floats(0, 1).map(lambda x: round(x, 2))
    edges = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), scores),
                          max_size=60))  # fmt: skip
    rows = {(min(a, b), max(a, b)): s for a, b, s in edges if a != b}
    pairs = pd.DataFrame([(a, b, s) for (a, b), s in rows.items()],
                         columns=["query", "target", "score"])  # fmt: skip
    lengths = np.array(draw(st.lists(st.integers(1, 300), min_size=n, max_size=n)))
    return lengths, pairs, n_old


@settings(max_examples=100, deadline=None)
@given(grown_graphs(), st.sampled_from(CLUSTER_METHODS))
def test_an_update_keeps_every_earlier_assignment(graph, method):
    lengths, pairs, n_old = graph
    old_pairs = pairs[(pairs["query"] < n_old) & (pairs["target"] < n_old)]
    earlier = assign_clusters(lengths[:n_old], old_pairs, feature="score",
                              min_similarity=0.5, method=method)  # fmt: skip
    previous = np.concatenate([earlier, np.full(lengths.size - n_old, -1)])
    grown = update_clusters(lengths, pairs, previous, at_half(method))
    assert (grown[:n_old] == earlier).all()
    assert (grown[grown] == grown).all()
    if method in ("set-cover", "greedy-incremental"):
        links = link_graph(lengths, prepare_pairs(pairs), LinkRule("score", 0.5))
        for member in range(n_old, lengths.size):
            if grown[member] != member:
                assert links[grown[member], member] >= 0.5


@settings(max_examples=100, deadline=None)
@given(grown_graphs())
def test_greedy_incremental_update_is_cd_hits_clusters_when_new_sequences_are_shorter(graph):
    lengths, pairs, n_old = graph
    # every new sequence shorter than every earlier one, as CD-HIT would take them last
    lengths = np.concatenate([lengths[:n_old] + 300, lengths[n_old:]])
    whole = assign_clusters(lengths, pairs, feature="score", min_similarity=0.5,
                            method="greedy-incremental")  # fmt: skip
    old_pairs = pairs[(pairs["query"] < n_old) & (pairs["target"] < n_old)]
    earlier = assign_clusters(lengths[:n_old], old_pairs, feature="score", min_similarity=0.5,
                              method="greedy-incremental")  # fmt: skip
    previous = np.concatenate([earlier, np.full(lengths.size - n_old, -1)])
    grown = update_clusters(lengths, pairs, previous, at_half("greedy-incremental"))
    assert (grown == whole).all()
