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
from seqsim.scorer.pretrained import CARD_DATA_START, PRETRAINED, model_path, shipped_model
from seqsim.scorer.scoring import kept_pairs

from conftest import REPO

EXAMPLE = REPO / "resources" / "example"


def card_numbers(path) -> dict:
    text = path.with_suffix(".md").read_text()
    block = text.split(CARD_DATA_START, 1)[1]
    return json.loads(block.split("```json", 1)[1].split("```", 1)[0])


@pytest.mark.parametrize("alphabet", sorted(PRETRAINED))
def test_model_card_numbers_are_the_checkpoints(alphabet):
    path = shipped_model(alphabet)
    assert path is not None and path == model_path(alphabet)
    numbers = card_numbers(path)
    _, metadata = load_checkpoint(path)
    assert numbers["checkpoint_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert numbers["training_data_sha256"] == metadata["training_data_sha256"]
    scalars = {k: v for k, v in metadata["metrics"].items() if not isinstance(v, list)}
    assert numbers["held_out"] == scalars
    assert numbers["val_split"] == metadata["evaluation"]["val_split"]
    assert numbers["data_files_sha256"] == metadata["evaluation"]["data"]
    # The card's table shows the same numbers as its JSON.
    text = path.with_suffix(".md").read_text()
    p = numbers["val_split"]["probability"]
    assert f"| learned probability | {p['family']:.3f} | {p['superfamily']:.3f} |" in text
    assert metadata["alphabet"] == alphabet and metadata["settings"]["seed"] == 1


def test_no_model_ships_for_nucleotides_and_score_says_so(tmp_path, capsys):
    assert shipped_model("dna") is None and shipped_model("rna") is None
    out = str(tmp_path / "s.parquet")
    assert main(["score", str(EXAMPLE / "dna.fasta"), "-o", out, "-q"]) == 1
    error = capsys.readouterr().err.strip().splitlines()
    assert len(error) == 1 and "ships no homology scorer for dna sequences" in error[0]


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
