"""``ingest --dedupe``: exact copies are stored once, and every output lists
every ID: a set with copies gives the outputs of its distinct sequences,
plus each copy with its representative's rows."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from Bio import SeqIO

from seqsim.cli import main
from seqsim.sequences.ingest import ingest_fasta
from seqsim.sequences.store import output_rows, read_store

from conftest import REPO

# copy id -> the record it repeats (lower case and a stop: the same after the residue policy)
COPIES = {"copyA1": 0, "copyA2": 0, "copyB": 7}


def outputs(folder, fasta, *dedupe):
    """The stages' outputs of one set through the command line."""
    store = folder / "store"
    assert main(["ingest", str(fasta), "-o", str(store), *dedupe, "-q"]) == 0
    hits, pairs = folder / "hits.parquet", folder / "pairs.parquet"
    assert main(["search", "--store", str(store), "--hits-out", str(hits),
                 "--pairs-out", str(pairs), "-q"]) == 0  # fmt: skip
    assert main(["tabulate-hits", "--store", str(store), "--hits", str(hits),
                 "-o", str(folder / "hits.tsv"), "-q"]) == 0  # fmt: skip
    matrix = ["--npy", str(folder / "m.npy"), "--ids", str(folder / "ids.txt"),
              "--phylip", str(folder / "d.phy")]  # fmt: skip
    by = ["--store", str(store), "--pairs", str(pairs), "--feature", "score_ratio", "-q"]
    assert main(["similarity-matrix", *by, *matrix]) == 0
    cluster_outputs = ["--members", str(folder / "members.tsv"), "--clstr", str(folder / "c.clstr"),
                       "--representatives", str(folder / "reps.fasta")]  # fmt: skip
    assert main(["cluster", *by, "--min-similarity", "0.3", "-o", str(folder / "c.tsv"),
                 *cluster_outputs]) == 0  # fmt: skip
    assert main(["score", "--store", str(store), "--hits", str(hits),
                 "-o", str(folder / "scored.parquet"), "-q"]) == 0  # fmt: skip
    return {
        "store": read_store(store),
        "hits": pd.read_csv(folder / "hits.tsv", sep="\t", header=None, dtype=str),
        "matrix": np.load(folder / "m.npy"),
        "ids": (folder / "ids.txt").read_text().split(),
        "clusters": pd.read_csv(
            folder / "c.tsv", sep="\t", header=None, names=["representative", "member"]
        ),  # fmt: skip
        "members": pd.read_csv(folder / "members.tsv", sep="\t"),
        "clstr": (folder / "c.clstr").read_text(),
        "representatives": [r.id for r in SeqIO.parse(folder / "reps.fasta", "fasta")],
        "scored": pd.read_parquet(folder / "scored.parquet"),
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    example = ingest_fasta([REPO / "resources" / "example" / "protein.fasta"]).store
    # 40 distinct sequences (the simulated example has a few exact copies itself)
    distinct_records = {example.sequence(i): example.ids[i] for i in reversed(range(80))}
    records = sorted((name, seq) for seq, name in distinct_records.items())[:40]
    folder = tmp_path_factory.mktemp("copies")
    distinct = folder / "distinct.fasta"
    distinct.write_text("".join(f">{name}\n{seq}\n" for name, seq in records))
    copies = [(name, records[i][1].lower() + "*") for name, i in COPIES.items()]
    with_copies = folder / "with_copies.fasta"
    # copyA1 before its original's neighbours: copies may come anywhere in the input
    text = "".join(f">{n}\n{s}\n" for n, s in records[:3] + copies[:1] + records[3:] + copies[1:])
    with_copies.write_text(text)
    (folder / "d").mkdir()
    (folder / "c").mkdir()
    return outputs(folder / "d", distinct), outputs(folder / "c", with_copies, "--dedupe")


def test_the_store_holds_each_sequence_once_and_lists_the_copies(runs):
    distinct, deduped = runs
    store = deduped["store"]
    assert store.ids == distinct["store"].ids
    assert dict(zip(store.copies["id"], store.copies["representative"], strict=True)) == COPIES
    rows, names = output_rows(store)
    assert names[:3] == [store.ids[0], "copyA1", "copyA2"] and rows[:3].tolist() == [0, 0, 0]


def scored_ids(run) -> set[str]:
    return set(run["scored"]["query"]) | set(run["scored"]["target"])


def test_every_output_lists_every_id(runs):
    distinct, deduped = runs
    every = set(deduped["store"].ids) | set(COPIES)
    assert set(deduped["ids"]) == every
    assert set(deduped["clusters"]["member"]) == every
    assert set(deduped["hits"][0]) == every  # each has its self hit
    # scored pairs list the sequences that have candidates (a copy has one: its original)
    assert scored_ids(deduped) == scored_ids(distinct) | set(COPIES)


def test_copies_repeat_their_representatives_outputs(runs):
    distinct, deduped = runs
    ids = deduped["ids"]
    original = distinct["store"].ids
    at = {name: k for k, name in enumerate(ids)}
    back = [at[name] for name in original]
    # the distinct sequences' matrix is the distinct run's; a copy has its original's row
    assert np.array_equal(deduped["matrix"][np.ix_(back, back)], distinct["matrix"])
    for copy, representative in COPIES.items():
        assert np.array_equal(
            deduped["matrix"][at[copy]], deduped["matrix"][at[original[representative]]]
        )
        assert deduped["matrix"][at[copy], at[original[representative]]] == 1.0
    # clusters: the distinct run's, copies with their original
    members = deduped["clusters"].set_index("member")["representative"]
    assert (
        members[original].tolist()
        == distinct["clusters"].set_index("member")["representative"][original].tolist()
    )
    for copy, representative in COPIES.items():
        assert members[copy] == members[original[representative]]
    # the per-member table, the .clstr and the representatives list every copy too
    table = deduped["members"]
    assert table[["representative", "member"]].values.tolist() == (
        deduped["clusters"].values.tolist()
    )
    for copy, representative in COPIES.items():
        row = table.set_index("member").loc[copy]
        stored = table.set_index("member").loc[original[representative]]
        if stored["representative"] == original[representative]:  # a copy of a representative
            assert row["identity"] == row["member_coverage"] == 1.0
        else:
            assert row["identity"] == stored["identity"]
        assert f">{copy}..." in deduped["clstr"]
    assert deduped["representatives"] == list(dict.fromkeys(table["representative"]))
    assert deduped["clstr"].count(">Cluster ") == table["cluster"].nunique()
    # hits: the distinct run's rows in the same order, and each copy's original's rows
    hits = deduped["hits"]
    among_distinct = hits[hits[0].isin(original) & hits[1].isin(original)]
    assert among_distinct.values.tolist() == distinct["hits"].values.tolist()
    as_copy = hits[hits[0] == "copyB"].drop(columns=[0])
    as_original = hits[hits[0] == original[7]].drop(columns=[0])
    same = {"copyB": original[7]}  # its hit to its original is the original's self hit
    assert as_copy.replace(same).values.tolist() == as_original.replace(same).values.tolist()


def test_scored_pairs_of_copies(runs):
    distinct, deduped = runs
    scored = deduped["scored"]
    original = distinct["store"].ids
    both = scored["query"].isin(original) & scored["target"].isin(original)
    pd.testing.assert_frame_equal(scored[both].reset_index(drop=True), distinct["scored"])
    identical = scored.set_index(["query", "target"]).loc[(original[0], "copyA1")]
    assert identical["probability"] == 1.0 and identical["bits"] > 0


def test_training_on_a_store_with_copies_is_refused(runs, tmp_path, capsys):
    _, deduped = runs
    labels = REPO / "resources" / "example" / "protein_labels.tsv"
    store_folder = tmp_path / "store"
    from seqsim.sequences.store import write_store

    write_store(deduped["store"], store_folder)
    args = ["train", "--store", str(store_folder), "--labels", str(labels), "-o", "m", "-q"]
    assert main(args) == 1
    assert "ingest without --dedupe" in capsys.readouterr().err
