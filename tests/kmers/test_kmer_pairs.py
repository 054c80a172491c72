"""K-mer pair features against an oracle; blocks, thresholds and pair-table files."""

from __future__ import annotations

import pandas as pd
import pytest

from seqsim.io import write_table
from seqsim.kmers.pairs import KMER_PAIR_COLUMNS, score_pairs
from seqsim.kmers.profiles import (
    count_kmers,
)
from seqsim.pair_tables import read_pairs

from conftest import make_store
from oracles import STANDARD, kmer_counter, pair_features, random_family_sequences


def test_pair_features_match_oracle_for_every_pair():
    sequences = random_family_sequences(1, 25, 60)
    profiles = count_kmers(make_store(sequences, "protein"), k=2)
    pairs = score_pairs(profiles)
    assert list(pairs.columns) == KMER_PAIR_COLUMNS
    counters = [kmer_counter(s, 2, STANDARD["protein"]) for s in sequences]
    found = {(int(row.query), int(row.target)): row for row in pairs.itertuples()}
    assert len(found) == len(pairs)  # each pair once
    for i in range(len(sequences)):
        for j in range(i + 1, len(sequences)):
            expected = pair_features(counters[i], counters[j])
            if expected["n_shared"] == 0:
                assert (i, j) not in found
                continue
            row = found[(i, j)]
            assert row.n_shared == expected["n_shared"]
            for name in ("jaccard", "containment", "containment_query", "containment_target",
                         "cosine"):  # fmt: skip
                assert getattr(row, name) == pytest.approx(expected[name], rel=1e-6)
    assert (pairs["query"] < pairs["target"]).all()


@pytest.mark.parametrize("n_blocks", [2, 3, 7, 40])
def test_blocks_partition_the_pairs(n_blocks):
    profiles = count_kmers(make_store(random_family_sequences(2, 30, 50), "protein"), k=2)
    whole = score_pairs(profiles)
    parts = pd.concat(
        [score_pairs(profiles, block=b, n_blocks=n_blocks, chunk_size=4) for b in range(n_blocks)]
    )
    parts = parts.sort_values(["query", "target"], ignore_index=True)
    pd.testing.assert_frame_equal(parts, whole)


def test_min_shared_drops_weak_pairs():
    profiles = count_kmers(make_store(random_family_sequences(3, 20, 50), "protein"), k=2)
    pairs = score_pairs(profiles, min_shared=5)
    assert (pairs["n_shared"] >= 5).all()
    everything = score_pairs(profiles)
    assert len(pairs) == int((everything["n_shared"] >= 5).sum())


def test_pair_tables_round_trip(tmp_path):
    profiles = count_kmers(make_store(random_family_sequences(4, 10, 40), "protein"), k=2)
    paths = []
    for block in range(3):
        paths.append(tmp_path / f"b{block}.parquet")
        write_table(score_pairs(profiles, block=block, n_blocks=3), paths[-1])
    pd.testing.assert_frame_equal(read_pairs(paths), score_pairs(profiles))
