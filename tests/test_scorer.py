"""The learned scorer's parts: loss and heads on hand-computed inputs, the
encoder's masking, path features against plain Python, pair labels, and
checkpoints (round trip and every corruption case)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pandas as pd
import pytest
import torch

from seqsim.errors import ConfigError, InputError
from seqsim.scorer.checkpoint import FORMAT_VERSION, load_checkpoint, save_checkpoint
from seqsim.scorer.encoder import SequenceEncoder
from seqsim.scorer.features import PAIR_FEATURES, candidate_pairs, pair_labels
from seqsim.scorer.head import CosineHead, PairHead, embedding_terms
from seqsim.scorer.loss import pair_loss

from conftest import REPO


def test_loss_matches_hand_computed_cross_entropy():
    logits = torch.tensor([2.0, -1.0, 0.0])
    labels = torch.tensor([1.0, 0.0, 1.0])
    sigmoid = [1 / (1 + math.exp(-x)) for x in (2.0, -1.0, 0.0)]
    terms = [-math.log(sigmoid[0]), -math.log(1 - sigmoid[1]), -math.log(sigmoid[2])]
    assert float(pair_loss(logits, labels)) == pytest.approx(sum(terms) / 3, rel=1e-6)
    weighted = (3 * terms[0] + terms[1] + 3 * terms[2]) / 3
    assert float(pair_loss(logits, labels, positive_weight=3.0)) == pytest.approx(weighted)


def test_embedding_terms_are_symmetric_and_hand_checked():
    a = torch.tensor([[0.6, 0.8]])
    b = torch.tensor([[1.0, 0.0]])
    terms = embedding_terms(a, b)
    assert torch.allclose(terms, torch.tensor([[0.6, 0.4, 0.8, 0.6, 0.0]]))
    assert torch.equal(embedding_terms(b, a), terms)


def test_heads_give_one_logit_per_pair_and_cosine_head_is_linear_in_cos():
    torch.manual_seed(0)
    a = torch.nn.functional.normalize(torch.randn(5, 8), dim=-1)
    b = torch.nn.functional.normalize(torch.randn(5, 8), dim=-1)
    features = torch.randn(5, 3)
    head = PairHead(8, 3, hidden=16)
    assert head(a, b, features).shape == (5,)
    assert torch.allclose(head(a, b, features), head(b, a, features))
    cosine = CosineHead()
    expected = 10.0 * (a * b).sum(-1) - 5.0
    assert torch.allclose(cosine(a, b, features), expected)


def test_encoder_ignores_padding_and_gives_unit_vectors():
    torch.manual_seed(0)
    encoder = SequenceEncoder(n_codes=24, embed_dim=8, channels=16, dilations=(1, 2))
    encoder.eval()
    pad = encoder.pad_code
    codes = torch.tensor([[1, 2, 3, 4, pad, pad, pad], [5, 6, 7, 8, 9, 10, 11]])
    alone = torch.tensor([[1, 2, 3, 4]])
    with torch.no_grad():
        batch = encoder(codes)
        single = encoder(alone)
    assert torch.allclose(batch[0], single[0], atol=1e-5)
    assert torch.allclose(batch.norm(dim=-1), torch.ones(2))


def hits_of(edges: dict[tuple[int, int], float], n: int) -> pd.DataFrame:
    """A minimal all-vs-all hit table: self hits plus both directions of each edge."""
    rows = [(i, i, 100.0) for i in range(n)]
    rows += [(i, j, w) for (i, j), w in edges.items()] + [(j, i, w) for (i, j), w in edges.items()]
    table = pd.DataFrame(rows, columns=["query", "target", "bitscore"])
    return table.assign(
        raw=(table["bitscore"] * 2).astype(int), evalue_pair=1e-5, nident=10, length=20,
        qstart=1, qend=20, sstart=1, send=20, qlen=50, tlen=50,
    )  # fmt: skip


def test_path_features_match_a_plain_python_search():
    rng = np.random.default_rng(2)
    n = 9
    edges = {
        (i, j): float(rng.integers(20, 90))
        for i, j in itertools.combinations(range(n), 2)
        if rng.random() < 0.3
    }
    pairs = candidate_pairs(hits_of(edges, n), np.full(n, 50), top_k=n)
    weight = {**edges, **{(j, i): w for (i, j), w in edges.items()}}

    def neighbours(i):
        return [j for j in range(n) if (i, j) in weight]

    def widest(i, j):  # best bottleneck over all simple paths
        best, stack = 0.0, [(i, math.inf, {i})]
        while stack:
            node, bottleneck, seen = stack.pop()
            for m in neighbours(node):
                if m in seen:
                    continue
                value = min(bottleneck, weight[node, m])
                if m == j:
                    best = max(best, value)
                else:
                    stack.append((m, value, seen | {m}))
        return best

    for row in pairs.itertuples():
        i, j = row.query, row.target
        one = max((min(weight[i, m], weight[m, j]) for m in neighbours(i) if (m, j) in weight),
                  default=0.0)  # fmt: skip
        assert row.path1 == one
        assert row.widest == widest(i, j)
        assert row.bits == edges.get((i, j), 0.0)
        assert row.has_hit == ((i, j) in edges)
    assert list(pairs.columns) == ["query", "target", *PAIR_FEATURES]


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


def metadata() -> dict:
    return {
        "model": {"kind": "features"},
        "alphabet": "protein",
        "features": ["bits"],
        "feature_mean": [1.0],
        "feature_scale": [2.0],
        "calibration": {"method": "platt", "a": 1.0, "b": 0.0},
        "training_data_sha256": "0" * 64,
        "metrics": {"auc": 0.9},
    }


def test_checkpoint_round_trip(tmp_path):
    path = tmp_path / "model.safetensors"
    state = {"w": torch.arange(6, dtype=torch.float32).reshape(2, 3)}
    save_checkpoint(path, state, metadata())
    loaded, meta = load_checkpoint(path)
    assert torch.equal(loaded["w"], state["w"])
    assert meta == {"format_version": FORMAT_VERSION, **metadata()}


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("missing", "checkpoint not found"),
        ("empty", "not a"),
        ("truncated", "not a readable safetensors checkpoint"),
        ("pickle", "not a"),
        ("foreign", "without seqsim metadata"),
        ("version", "format version 99"),
        ("field", "'calibration' is missing"),
        ("features", "standardisation does not match"),
    ],
)
def test_damaged_checkpoints_give_a_clear_error(tmp_path, damage, message):
    from safetensors.torch import save_file

    path = tmp_path / "model.safetensors"
    state = {"w": torch.ones(3)}
    save_checkpoint(path, state, metadata())
    if damage == "missing":
        path.unlink()
    elif damage == "empty":
        path.write_bytes(b"")
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:-5])
    elif damage == "pickle":
        torch.save(state, path)  # a pickle: must be refused, never loaded
    elif damage == "foreign":
        save_file(state, str(path))
    else:
        broken = {"format_version": FORMAT_VERSION, **metadata()}
        if damage == "version":
            broken["format_version"] = 99
        elif damage == "field":
            del broken["calibration"]
        else:
            broken["feature_mean"] = [1.0, 2.0]
        save_file(state, str(path), metadata={"seqsim": json.dumps(broken)})
    with pytest.raises(InputError, match=message) as caught:
        load_checkpoint(path)
    assert str(path) in str(caught.value)


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Mann-Whitney AUC: P(a random homolog pair outscores a random non-homolog)."""
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(scores.size)
    ranks[order] = np.arange(1, scores.size + 1)
    positive = labels == 1
    n_pos, n_neg = positive.sum(), (~positive).sum()
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def test_training_on_the_bundled_example_separates_superfamilies(tmp_path):
    from seqsim.cli import main
    from seqsim.evaluate import scop_levels

    example = REPO / "resources" / "example"
    model = tmp_path / "model.safetensors"
    scored = tmp_path / "scored.tsv"
    assert main(["train", str(example / "protein.fasta"), "--labels",
                 str(example / "protein_labels.tsv"), "-o", str(model), "--epochs", "8",
                 "-q"]) == 0  # fmt: skip
    _, meta = load_checkpoint(model)
    assert meta["metrics"]["n_held_out_pairs"] > 0
    assert main(["score", str(example / "protein.fasta"), "--model", str(model),
                 "-o", str(scored), "-q"]) == 0  # fmt: skip
    table = pd.read_csv(scored, sep="\t")
    levels = scop_levels(pd.read_csv(example / "protein_labels.tsv", sep="\t"))
    same = (
        levels.loc[table["query"], "superfamily"].to_numpy()
        == levels.loc[table["target"], "superfamily"].to_numpy()
    )
    assert roc_auc(table["probability"].to_numpy(), same.astype(int)) >= 0.95
    assert table["probability"].between(0, 1).all()
    # Same data and seed: the same checkpoint bytes.
    again = tmp_path / "again.safetensors"
    assert main(["train", str(example / "protein.fasta"), "--labels",
                 str(example / "protein_labels.tsv"), "-o", str(again), "--epochs", "8",
                 "-q"]) == 0  # fmt: skip
    assert again.read_bytes() == model.read_bytes()
