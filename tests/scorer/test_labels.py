"""Pair labels from hierarchies and pairs tables, and held-out group splits."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from seqsim.errors import ConfigError
from seqsim.scorer.labels import PairLabels, held_out_groups, pair_labels

from conftest import REPO


def test_pair_labels_positive_negative_and_excluded():
    levels = pd.DataFrame(
        {"family": ["a.1.1.1", "a.1.1.2", "a.1.2.1", "b.1.1.1"],
         "superfamily": ["a.1.1", "a.1.1", "a.1.2", "b.1.1"],
         "fold": ["a.1", "a.1", "a.1", "b.1"]},
        index=["s0", "s1", "s2", "s3"],
    )  # fmt: skip
    pairs = pd.DataFrame({"query": [0, 0, 0, 1], "target": [1, 2, 3, 4]})
    labels = pair_labels(pairs, levels, ["s0", "s1", "s2", "s3", "unlabelled"])
    assert labels[0] == 1.0 and math.isnan(labels[1]) and labels[2] == 0.0
    assert math.isnan(labels[3])
    with pytest.raises(ConfigError):
        pair_labels(pairs, levels, ["s0"], level="class")


def test_pairs_table_labels_and_groups():
    ids = ["a", "b", "c", "d", "e"]
    table = pd.DataFrame(
        {"id1": ["a", "b", "d", "a", "b"], "id2": ["b", "c", "e", "d", "a"],
         "label": [1, 1, 1, 0, 1]}
    )  # fmt: skip
    labels = PairLabels.from_pairs(table, ids)
    got = labels(np.array([1, 2, 0, 3, 0, 4]), np.array([0, 1, 3, 0, 2, 3]))
    assert got[:4].tolist() == [1.0, 1.0, 0.0, 0.0]
    assert math.isnan(got[4]) and got[5] == 1.0  # (a, c) unlisted; (e, d) listed as (d, e)
    # Groups are the connected components of the homolog pairs.
    assert labels.group[0] == labels.group[1] == labels.group[2] != labels.group[3]
    first, second = labels.positive_pairs(np.ones(5, dtype=bool))
    assert sorted(zip(first.tolist(), second.tolist(), strict=True)) == [(0, 1), (1, 2), (3, 4)]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"id1": ["a"], "id2": ["x"], "label": [1]}, "not among the sequences"),
        ({"id1": ["a"], "id2": ["b"], "label": [2]}, "0 or 1"),
        ({"id1": ["a", "b"], "id2": ["b", "a"], "label": [1, 0]}, "both 1 and 0"),
        ({"id1": ["a"], "id2": ["b"]}, "label column"),
        ({"first": ["a"], "id2": ["b"], "label": [1]}, "id1"),
    ],
)
def test_bad_pairs_tables_are_refused_with_the_source_named(table, message):
    with pytest.raises(ConfigError, match=message) as caught:
        PairLabels.from_pairs(pd.DataFrame(table), ["a", "b"], "pairs.tsv")
    assert "pairs.tsv" in str(caught.value)


def test_held_out_split_never_puts_one_superfamily_on_both_sides():
    labels = pd.read_csv(REPO / "resources" / "example" / "protein_labels.tsv", sep="\t")
    pair = PairLabels.from_table(labels, labels["id"].tolist(), "superfamily")
    superfamily = labels["superfamily"].to_numpy()
    for seed in range(5):
        held = held_out_groups(pair.group, 0.2, seed)
        rest = np.where(held, -1, pair.group)
        encoder = held_out_groups(rest, 0.5, seed + 1)
        head = ~held & ~encoder
        parts = [set(superfamily[mask]) for mask in (held, encoder, head)]
        assert all(parts) and not (
            parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2]
        )
