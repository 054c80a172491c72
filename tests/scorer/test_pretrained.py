"""The shipped scorer: its model card agrees with the checkpoint, `seqsim
score` uses it without labels, and the compact output keeps what it says."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from seqsim.cli import main
from seqsim.scorer.checkpoint import load_checkpoint
from seqsim.scorer.pretrained import (
    CARD_DATA_START,
    CARD_FULL_LENGTH_END,
    CARD_FULL_LENGTH_START,
    PRETRAINED,
    card_block,
    card_calibration,
    model_path,
    shipped_model,
)
from seqsim.scorer.scoring import kept_pairs

from conftest import REPO

EXAMPLE = REPO / "resources" / "example"


def card_numbers(path) -> dict:
    text = path.with_suffix(".md").read_text()
    block = text.split(CARD_DATA_START, 1)[1]
    return json.loads(block.split("```json", 1)[1].split("```", 1)[0])


@pytest.mark.parametrize("alphabet", ["protein", "dna"])
def test_model_card_numbers_are_the_checkpoints(alphabet):
    path = shipped_model(alphabet)
    assert path is not None and path == model_path(alphabet)
    numbers = card_numbers(path)
    _, metadata = load_checkpoint(path)
    assert numbers["checkpoint_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert numbers["training_data_sha256"] == metadata.training_data_sha256
    scalars = {k: v for k, v in metadata.metrics.items() if not isinstance(v, list)}
    assert numbers["held_out"] == scalars
    assert numbers["val_split"] == metadata.extra["evaluation"]["val_split"]
    assert numbers["data_files_sha256"] == metadata.extra["evaluation"]["data"]
    # The card's table shows the same numbers as its JSON.
    text = path.with_suffix(".md").read_text()
    p = numbers["val_split"]["probability"]
    assert f"| learned probability | {p['family']:.3f} |" in text
    assert metadata.alphabet == alphabet and metadata.settings["seed"] == 1
    # The learned probability beats the alignment score on the held-out part.
    assert p["family"] > numbers["val_split"]["sw_bitscore"]["family"]


@pytest.mark.parametrize(
    ("alphabet", "sets"),
    [("protein", {"scope40_val", "scope208", "pfam"}), ("dna", {"rfam_held_out"})],
)
def test_card_calibration_is_the_benchmarks_last_run_of_this_checkpoint(alphabet, sets):
    """The card's calibration on sets the model never saw (issue 28's measure)
    quotes, per set, the last run recorded by benchmarks/bench_calibration.py,
    and names the checkpoint it measured."""
    path = shipped_model(alphabet)
    assert path is not None
    block = card_calibration(path.with_suffix(".md").read_text())
    assert block, "no calibration in the card: python benchmarks/bench_calibration.py --write-card"
    numbers = json.loads(block.split("```json", 1)[1].split("```", 1)[0])
    assert numbers["checkpoint_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), (
        "the model was rebuilt: rerun benchmarks/bench_calibration.py, then --write-card"
    )
    rows = pd.read_csv(
        REPO / "benchmarks" / "results" / "bench_calibration.tsv",
        sep="\t", dtype=str, keep_default_na=False,
    )  # fmt: skip
    assert set(numbers["sets"]) == sets
    for name, values in numbers["sets"].items():
        mine = rows[rows["row"] == name]
        last = mine.iloc[-1]
        assert (values["date"], values["run"]) == (last["date"], last["run"]), name
        run = mine[(mine["date"] == last["date"]) & (mine["run"] == last["run"])]
        for column in ("ECE", "precision p>=0.5", "precision p>=0.9", "undecidable pairs"):
            recorded = run.loc[run["column"] == column, "value"]
            assert float(recorded.iloc[0]) == values[column], (name, column)
        row = f"| {name} | this model | {values['ECE']:.3f} | {values['precision p>=0.5']:.3f} |"
        assert row in block


def test_card_whole_proteins_are_the_benchmarks_last_run_of_this_checkpoint():
    """The protein card's whole-protein benchmark (issue 29) quotes the last
    run recorded by benchmarks/bench_full_length.py for each set, and names
    the checkpoint it measured."""
    path = shipped_model("protein")
    assert path is not None
    block = card_block(path.with_suffix(".md").read_text(), CARD_FULL_LENGTH_START,
                       CARD_FULL_LENGTH_END)  # fmt: skip
    assert block, "no whole proteins in the card: benchmarks/bench_full_length.py --write-card"
    assert hashlib.sha256(path.read_bytes()).hexdigest() in block, (
        "the model was rebuilt: rerun benchmarks/bench_full_length.py, then --write-card"
    )
    rows = pd.read_csv(
        REPO / "benchmarks" / "results" / "bench_full_length.tsv",
        sep="\t", dtype=str, keep_default_na=False,
    )  # fmt: skip
    for name in ("scope208_chains", "simulated"):
        mine = rows[rows["row"] == name]
        last = mine.iloc[-1]
        run = mine[(mine["date"] == last["date"]) & (mine["run"] == last["run"])]
        precision = run.loc[run["column"] == "precision p>=0.5", "value"].iloc[0]
        assert f"| {name} | this model ({last['run']}) | {precision} |" in block, name


def test_nucleotides_use_the_shipped_rfam_model_and_rna_shares_it(tmp_path):
    assert shipped_model("dna") == shipped_model("rna") is not None
    assert shipped_model("amino") is None and set(PRETRAINED) == {"protein", "dna", "rna"}
    out = tmp_path / "dna.parquet"
    assert main(["score", str(EXAMPLE / "dna.fasta"), "-o", str(out), "-q"]) == 0
    table = pd.read_parquet(out)
    labels = pd.read_csv(EXAMPLE / "dna_labels.tsv", sep="\t").set_index("id")
    same = (
        labels.loc[table["query"], "superfamily"].to_numpy()
        == labels.loc[table["target"], "superfamily"].to_numpy()
    )
    likely = table["probability"].to_numpy() >= 0.5
    assert likely.sum() > 50 and same[likely].mean() > 0.7
    # The same sequences as RNA: the same model, the same probabilities.
    rna = tmp_path / "rna.fasta"
    rna.write_text((EXAMPLE / "dna.fasta").read_text().replace("T", "U"))
    assert main(["score", str(rna), "-o", str(tmp_path / "rna.parquet"), "-q"]) == 0
    again = pd.read_parquet(tmp_path / "rna.parquet")
    assert np.array_equal(again["probability"].to_numpy(), table["probability"].to_numpy())


def test_score_without_labels_uses_the_shipped_model(tmp_path):
    out = tmp_path / "scored.parquet"
    assert main(["score", str(EXAMPLE / "protein.fasta"), "-o", str(out), "-q"]) == 0
    table = pd.read_parquet(out)
    assert list(table.columns) == ["query", "target", "probability", "bits"]
    assert table["probability"].between(0, 1).all()
    labels = pd.read_csv(EXAMPLE / "protein_labels.tsv", sep="\t").set_index("id")
    same = (
        labels.loc[table["query"], "superfamily"].to_numpy()
        == labels.loc[table["target"], "superfamily"].to_numpy()
    )
    # Simulated families, unlike SCOP domains, in a small set: of the pairs
    # called more likely homologous than not, 76% share a superfamily
    # (measured; the rest are linked only by weak widest paths).
    likely = table["probability"].to_numpy() >= 0.5
    assert likely.sum() > 100 and same[likely].mean() > 0.7
    # Bytes per kept pair stay small (parquet, ids dictionary-encoded).
    assert out.stat().st_size / len(table) < 100


def test_kept_pairs_are_the_likely_ones_and_each_sequences_top_k():
    rng = np.random.default_rng(5)
    n = 30
    q = rng.integers(0, n, 400)
    t = rng.integers(0, n, 400)
    pairs = pd.DataFrame({"query": np.minimum(q, t), "target": np.maximum(q, t)})
    pairs = pairs[pairs["query"] != pairs["target"]].drop_duplicates(ignore_index=True)
    pairs["probability"] = rng.random(len(pairs)) ** 4
    pairs["bits"] = rng.random(len(pairs)) * 50
    keep = kept_pairs(pairs, n, min_probability=0.5, top_k=2)
    expected = pairs["probability"].to_numpy() >= 0.5
    for sequence in range(n):
        mine = pairs[(pairs["query"] == sequence) | (pairs["target"] == sequence)]
        best = mine.sort_values(["probability", "bits"], ascending=False).index[:2]
        expected[best] = True
    assert np.array_equal(keep, expected)
