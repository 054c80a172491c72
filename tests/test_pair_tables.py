"""Pair tables of an all-vs-all: each unordered pair once, symmetric E-values."""

from __future__ import annotations

import pytest

from seqsim.pair_tables import alignment_pairs, self_scores
from seqsim.search_engine.engine import HitFilter, search_hits


def test_pair_table_has_each_unordered_pair_once_with_symmetric_evalue(
    small_protein, protein_example
):
    _, scheme = protein_example
    hits = search_hits(small_protein, small_protein, scheme)
    pairs = alignment_pairs(hits, self_scores(small_protein, scheme), scheme, HitFilter())
    assert (pairs["query"] < pairs["target"]).all()
    assert not pairs.duplicated(["query", "target"]).any()
    both = hits.set_index(["query", "target"])["evalue"]
    for row in pairs.itertuples():
        forward = both.get((row.query, row.target))
        backward = both.get((row.target, row.query))
        assert row.evalue == pytest.approx(max(forward, backward if backward else 0))
    assert pairs["score_ratio"].between(0, 1).all()
