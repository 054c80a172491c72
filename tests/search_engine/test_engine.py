"""Alignment hits: exact scores, thresholds, blocks, pair tables, BLAST tabular."""

from __future__ import annotations

import io
import os
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from seqsim.alignment.pairwise import local_score
from seqsim.cli import main
from seqsim.errors import ConfigError
from seqsim.pair_tables import self_scores
from seqsim.parallel import block_rows
from seqsim.search_engine.engine import HitFilter, search_hits

from conftest import REPO

EXAMPLE = REPO / "resources" / "example" / "protein.fasta"


def test_exhaustive_hits_cover_every_pair_with_exact_scores(small_protein, protein_example):
    _, scheme = protein_example
    hits = search_hits(small_protein, small_protein, scheme, HitFilter(exhaustive=True))
    assert len(hits) == small_protein.n_sequences**2
    for row in hits.sample(40, random_state=0).itertuples():
        expected = local_score(
            small_protein.sequence_codes(row.query),
            small_protein.sequence_codes(row.target),
            scheme,
        )
        assert row.raw == expected


def test_hits_are_sorted_best_first_and_pass_the_threshold(small_protein, protein_example):
    _, scheme = protein_example
    hits = search_hits(small_protein, small_protein, scheme, HitFilter(max_evalue=1e-3))
    assert (hits["evalue"] <= 1e-3).all()
    for _, group in hits.groupby("query", sort=False):
        assert group["evalue"].is_monotonic_increasing
    # The best hit scores like the self hit (an identical copy may tie with it).
    first = hits.groupby("query").head(1)
    best_self = self_scores(small_protein, scheme)[first["query"]]
    assert (first["raw"].to_numpy() == best_self).all()


def test_blocks_give_the_same_hits(small_protein, protein_example):
    _, scheme = protein_example
    whole = search_hits(small_protein, small_protein, scheme)
    parts = pd.concat(
        [
            search_hits(
                small_protein,
                small_protein,
                scheme,
                query_indices=block_rows(small_protein.n_sequences, b, 3),
            )
            for b in range(3)
        ]
    ).sort_values("query", kind="stable", ignore_index=True)
    pd.testing.assert_frame_equal(parts, whole)


def test_cli_align_fasta_pair(tmp_path):
    query = tmp_path / "q.fa"
    query.write_text(">q1\nMKVLAAGIWQQRRSTEHHHHKLLLAGGGWPPP\n")
    out = tmp_path / "hits.tsv"
    code = main(
        ["align", str(query), str(EXAMPLE), "-o", str(out), "--exhaustive", "--header",
         "--extra-columns", "tlen,raw"]
    )  # fmt: skip
    assert code == 0
    table = pd.read_csv(out, sep="\t")
    assert len(table) == 298 and set(table["qseqid"]) == {"q1"}


@pytest.mark.parametrize("prefilter", ["ungapped", "kmer"])
def test_cli_search_finds_the_strong_hits_of_exhaustive_alignment(tmp_path, prefilter):
    exhaustive, searched = tmp_path / "align.tsv", tmp_path / "search.tsv"
    assert main(["align", str(EXAMPLE), "-o", str(exhaustive), "--evalue", "1e-20"]) == 0
    assert main(["search", str(EXAMPLE), "-o", str(searched), "--evalue", "1e-20",
                 "--prefilter", prefilter, "--threads", "2"]) == 0  # fmt: skip
    columns = [0, 1, 10, 11]  # qseqid sseqid evalue bitscore
    every = pd.read_csv(exhaustive, sep="\t", header=None)[columns]
    found = pd.read_csv(searched, sep="\t", header=None)[columns]
    if prefilter == "ungapped":
        pd.testing.assert_frame_equal(found, every)
    else:
        # A heuristic: what it finds is exact; it may miss a few strong hits.
        assert len(found.merge(every)) == len(found) >= 0.99 * len(every)


def test_cli_dna_defaults(tmp_path):
    dna = REPO / "resources" / "example" / "dna.fasta"
    out = tmp_path / "hits.tsv"
    assert main(["align", str(dna), "-o", str(out), "--evalue", "1e-10"]) == 0
    table = pd.read_csv(out, sep="\t", header=None)
    assert (table[10].astype(float) <= 1e-10).all()


@pytest.mark.skipif(shutil.which("blastp") is None, reason="NCBI BLAST+ is not installed")
def test_agrees_with_blastp_on_every_hit_blastp_reports(tmp_path, protein_example):
    """blastp without composition statistics, SEG or Spouge's correction, run
    beside seqsim: seqsim finds every blastp hit with a score at least as high
    (blastp's gapped extension is heuristic), and where the scores are equal
    the E-value and bit score are the same text."""
    store, _ = protein_example
    queries = tmp_path / "q.fa"
    picked = range(0, store.n_sequences, 15)
    queries.write_text("".join(f">{store.ids[i]}\n{store.sequence(i)}\n" for i in picked))
    subprocess.run(
        ["makeblastdb", "-in", str(EXAMPLE), "-dbtype", "prot", "-out", str(tmp_path / "db")],
        check=True, capture_output=True,
    )  # fmt: skip
    blast = subprocess.run(
        ["blastp", "-query", str(queries), "-db", str(tmp_path / "db"), "-outfmt", "6 std score",
         "-comp_based_stats", "0", "-seg", "no", "-evalue", "10", "-max_target_seqs", "1000"],
        check=True, capture_output=True, text=True, env={**os.environ, "OLD_FSC": "1"},
    ).stdout  # fmt: skip
    ours = tmp_path / "ours.tsv"
    assert (
        main(["align", str(queries), str(EXAMPLE), "-o", str(ours), "--extra-columns", "raw"]) == 0
    )
    columns = ["q", "t", "pident", "length", "mismatch", "gapopen", "qstart", "qend",
               "sstart", "send", "evalue", "bitscore", "raw"]  # fmt: skip
    theirs = pd.read_csv(io.StringIO(blast), sep="\t", names=columns, dtype=str)
    theirs = theirs.drop_duplicates(["q", "t"])  # blastp may add weaker HSPs of a pair
    mine = pd.read_csv(ours, sep="\t", names=columns, dtype=str)
    merged = theirs.merge(mine, on=["q", "t"], suffixes=("_blast", "_seqsim"))
    assert len(merged) == len(theirs) > 100  # every blastp hit is found
    raw_blast, raw_seqsim = merged["raw_blast"].astype(int), merged["raw_seqsim"].astype(int)
    assert (raw_seqsim >= raw_blast).all()
    same = merged[raw_seqsim == raw_blast]
    assert len(same) > 0.98 * len(merged)
    for column in ("evalue", "bitscore"):
        assert (same[f"{column}_blast"] == same[f"{column}_seqsim"]).all(), column
    # Equal-score alignments may start or end elsewhere (ties): most coordinates agree.
    assert (same["qstart_blast"] == same["qstart_seqsim"]).mean() > 0.9
    assert len(mine) >= len(theirs)  # exhaustive: never fewer hits


def test_ungapped_prefilter_keeps_nearly_all_hits_and_changes_none(small_protein, protein_example):
    _, scheme = protein_example
    full = search_hits(small_protein, small_protein, scheme, HitFilter(max_evalue=1.0))
    filtered = search_hits(
        small_protein, small_protein, scheme, HitFilter(max_evalue=1.0, min_ungapped=30)
    )
    key = ["query", "target"]
    merged = filtered.merge(full, on=key, suffixes=("", "_full"))
    assert len(merged) == len(filtered)  # no pair appears that the full search lacks
    assert (merged["raw"] == merged["raw_full"]).all()
    assert len(filtered) >= 0.95 * len(full)
    with pytest.raises(ConfigError):
        HitFilter(min_ungapped=0)


@pytest.mark.parametrize("min_ungapped", [None, 30])
def test_scoring_each_pair_once_gives_the_same_hits(
    small_protein, protein_example, monkeypatch, min_ungapped
):
    import seqsim.search_engine.engine

    _, scheme = protein_example
    monkeypatch.setattr(seqsim.search_engine.engine, "_SYMMETRIC_CHUNK", 16)
    hit_filter = HitFilter(min_ungapped=min_ungapped)
    per_query = search_hits(
        small_protein,
        small_protein,
        scheme,
        hit_filter,
        query_indices=np.arange(small_protein.n_sequences),
    )
    symmetric = search_hits(small_protein, small_protein, scheme, hit_filter, threads=2)
    pd.testing.assert_frame_equal(symmetric, per_query)


@pytest.mark.parametrize("prefilter", ["ungapped", "none"])
def test_upper_triangle_tiles_together_are_the_all_vs_all(small_protein, prefilter):
    from seqsim.search_engine.api import SearchOptions
    from seqsim.search_engine.engine import tile_rows

    options = SearchOptions(prefilter=prefilter)
    scheme, hit_filter = options.scheme("protein"), options.hit_filter()
    whole = search_hits(small_protein, small_protein, scheme, hit_filter)
    n = small_protein.n_sequences
    for n_blocks in (1, 2, 3, 5):
        tiles = [
            search_hits(small_protein, small_protein, scheme, hit_filter,
                        tile=(block_rows(n, a, n_blocks), block_rows(n, b, n_blocks)))
            for a, b in tile_rows(n_blocks)
        ]  # fmt: skip
        union = pd.concat(tiles, ignore_index=True)
        union = union.iloc[
            np.lexsort((union["target"].to_numpy(), -union["raw"].to_numpy(),
                        union["evalue"].to_numpy(), union["query"].to_numpy()))
        ].reset_index(drop=True)  # fmt: skip
        pd.testing.assert_frame_equal(union, whole)
        # each unordered pair in exactly one tile
        pairs = [set(zip(t["query"].clip(upper=t["target"]), t["query"].clip(lower=t["target"]),
                         strict=True)) for t in tiles]  # fmt: skip
        assert sum(len(p) for p in pairs) == len(set().union(*pairs))


@pytest.mark.parametrize("limit", [1, 3])
@pytest.mark.parametrize("exhaustive", [False, True])
def test_max_target_seqs_keeps_each_querys_best_hits_of_the_whole_search(
    small_protein, protein_example, limit, exhaustive
):
    _, scheme = protein_example
    whole = search_hits(
        small_protein, small_protein, scheme, HitFilter(min_ungapped=30, exhaustive=exhaustive)
    )
    limited = search_hits(
        small_protein, small_protein, scheme,
        HitFilter(min_ungapped=30, exhaustive=exhaustive, max_target_seqs=limit), threads=2,
    )  # fmt: skip
    expected = whole.groupby("query", sort=False).head(limit).reset_index(drop=True)
    assert len(expected) < len(whole)  # the limit cuts
    pd.testing.assert_frame_equal(limited, expected)


def test_max_target_seqs_is_refused_for_a_tile_and_below_one(small_protein, protein_example):
    _, scheme = protein_example
    rows = np.arange(small_protein.n_sequences)
    with pytest.raises(ConfigError, match="not a tile"):
        search_hits(small_protein, small_protein, scheme, HitFilter(max_target_seqs=2),
                    tile=(rows, rows))  # fmt: skip
    with pytest.raises(ConfigError, match="at least 1"):
        HitFilter(max_target_seqs=0)


@pytest.mark.parametrize("tiled", [False, True])
def test_a_memory_budget_spills_hits_and_changes_no_output_byte(
    small_protein, tmp_path, caplog, tiled
):
    """Hits over --max-memory wait on disk and come back a bucket of queries at
    a time; BLAST text, hit and pair tables are the bytes of the run without it."""
    import logging

    from seqsim.search_engine.api import write_search
    from seqsim.sequences.store import write_store

    store_dir = tmp_path / "store"
    write_store(small_protein, store_dir)
    outputs = {}
    for budget in (None, 20_000):
        out = tmp_path / str(budget)
        spill = tmp_path / f"spill_{budget}"
        spill.mkdir()
        tile = {"block": 0, "n_blocks": 2, "target_block": 1} if tiled else {}
        with caplog.at_level(logging.INFO, logger="seqsim"):
            write_search(
                store=store_dir, output=out / "hits.tsv", hits_out=out / "hits.parquet",
                pairs_out=out / "pairs.parquet", header=True, max_memory=budget,
                spill_dir=spill, threads=2, **tile,
            )  # fmt: skip
        assert not any(spill.iterdir())  # the spilled hits are gone
        outputs[budget] = {p.name: p.read_bytes() for p in out.iterdir()}
    assert "spilling" in caplog.text
    assert outputs[None] == outputs[20_000]
    hits = pd.read_parquet(tmp_path / "None" / "hits.parquet")
    assert len(hits) > 100


def test_stream_parquet_row_groups_do_not_depend_on_the_pieces(tmp_path, monkeypatch):
    import seqsim.io
    from seqsim.io import TableStream

    monkeypatch.setattr(seqsim.io, "STREAM_ROW_GROUP", 7)
    table = pd.DataFrame({"a": np.arange(40), "b": [f"x{i}" for i in range(40)]})
    written = []
    for cuts in ([40], [3, 3, 30, 4], [1] * 40, [0, 40, 0]):
        path = tmp_path / f"{len(cuts)}.parquet"
        with TableStream(path) as stream:
            start = 0
            for size in cuts:
                stream.write(table.iloc[start : start + size])
                start += size
        written.append(path.read_bytes())
        pd.testing.assert_frame_equal(pd.read_parquet(path), table)
    assert len(set(written)) == 1


def test_a_failed_stream_leaves_no_file(tmp_path):
    from seqsim.io import TableStream

    path = tmp_path / "out.parquet"
    with pytest.raises(RuntimeError), TableStream(path) as stream:
        stream.write(pd.DataFrame({"a": [1]}))
        raise RuntimeError("boom")
    assert list(tmp_path.iterdir()) == []


def test_tabulate_hits_in_buckets_writes_the_same_text(small_protein, tmp_path, monkeypatch):
    import seqsim.search_engine.tabular
    from seqsim.search_engine.api import write_search
    from seqsim.search_engine.tabular import tabulate_hits
    from seqsim.sequences.store import write_store

    store_dir = tmp_path / "store"
    write_store(small_protein, store_dir)
    tiles = []
    for a, b in [(0, 0), (0, 1), (1, 1)]:
        tiles.append(tmp_path / f"tile_{a}_{b}.parquet")
        write_search(store=store_dir, hits_out=tiles[-1], block=a, target_block=b, n_blocks=2)
    tabulate_hits(store_dir, tiles, tmp_path / "whole.tsv", header=True)
    # a budget of a few hits per bucket: many buckets
    monkeypatch.setattr(seqsim.search_engine.tabular, "_TEXT_BYTES_PER_HIT", 10**6)
    tabulate_hits(store_dir, tiles, tmp_path / "buckets.tsv", header=True, max_memory=3 * 10**8)
    whole = (tmp_path / "whole.tsv").read_bytes()
    assert whole.count(b"\n") > 100
    assert (tmp_path / "buckets.tsv").read_bytes() == whole
