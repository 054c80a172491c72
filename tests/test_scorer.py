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
from seqsim.feature_names import SCORER_FEATURES
from seqsim.scorer.candidates import candidate_pairs
from seqsim.scorer.checkpoint import FORMAT_VERSION, load_checkpoint, save_checkpoint
from seqsim.scorer.embedding import cosine_neighbours, padded_codes
from seqsim.scorer.encoder import SequenceEncoder
from seqsim.scorer.head import CosineHead, PairHead, embedding_terms, same_class_probability
from seqsim.scorer.labels import PairLabels, held_out_groups, pair_labels
from seqsim.scorer.loss import pair_loss

from conftest import REPO, make_store


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
    head = PairHead(17, 3, hidden=16)
    assert head(embedding_terms(a, b), features).shape == (5,)
    assert torch.allclose(
        head(embedding_terms(a, b), features), head(embedding_terms(b, a), features)
    )
    cosine = CosineHead()
    expected = 10.0 * (a * b).sum(-1) - 5.0
    assert torch.allclose(cosine(a, b, features), expected)


def test_same_class_probability_is_hand_checked():
    # p_a = (0.5, 0.5), p_b = (0.2, 0.8) -> 0.5 * 0.2 + 0.5 * 0.8 = 0.5
    a = torch.tensor([[0.0, 0.0]])
    b = torch.tensor([[0.0, math.log(4.0)]])
    assert same_class_probability(a, b).item() == pytest.approx(0.5)
    assert same_class_probability(b, b).item() == pytest.approx(0.2**2 + 0.8**2)


def test_siamese_model_terms_are_symmetric():
    from seqsim.scorer.model import HomologyScorer

    torch.manual_seed(0)
    description = {
        "kind": "siamese", "hidden": 8, "n_classes": 3, "head_terms": "full",
        "encoder": {"embed_dim": 4, "channels": 8, "kernel_size": 3, "dilations": [1],
                    "output_dim": 6},
    }  # fmt: skip
    model = HomologyScorer(description, 24, 2)
    a = torch.nn.functional.normalize(torch.randn(4, 6), dim=-1)
    b = torch.nn.functional.normalize(torch.randn(4, 6), dim=-1)
    features = torch.randn(4, 2)
    assert model.pair_terms(a, b).shape == (4, 1 + 1 + 12)
    assert torch.allclose(model.pair_logits(a, b, features), model.pair_logits(b, a, features))


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
    assert list(pairs.columns) == ["query", "target", *SCORER_FEATURES]


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


def test_cosine_neighbours_match_a_full_sort():
    rng = np.random.default_rng(3)
    embeddings = rng.normal(size=(37, 5)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    query, target, cosine = cosine_neighbours(embeddings, 6, block=8)
    full = embeddings @ embeddings.T
    for i in range(37):
        order = [j for j in np.argsort(-full[i], kind="stable") if j != i][:6]
        assert target[query == i].tolist() == order
        assert np.allclose(cosine[query == i], full[i, order])


def test_padded_codes_crop_and_pad():
    store = make_store(["ACDEFGHIKL", "MNP"], "protein")
    batch = padded_codes(store, np.array([0, 1]), 99, crop=4)
    assert batch.shape == (2, 4)
    assert batch[0].tolist() == store.sequence_codes(0)[3:7].tolist()  # centred window
    assert batch[1].tolist() == [*store.sequence_codes(1).tolist(), 99]
    windows = {
        tuple(
            padded_codes(store, np.array([0]), 99, crop=4, rng=np.random.default_rng(s))[0].tolist()
        )
        for s in range(20)
    }
    assert len(windows) > 1


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


EXAMPLE = REPO / "resources" / "example"


@pytest.fixture(scope="module")
def example_model(tmp_path_factory):
    """A siamese scorer trained on the bundled protein example (short encoder run;
    the features kind is trained in the pairs-table test)."""
    from seqsim.cli import main

    folder = tmp_path_factory.mktemp("model")
    model = folder / "model.safetensors"
    assert main(["train", str(EXAMPLE / "protein.fasta"), "--labels",
                 str(EXAMPLE / "protein_labels.tsv"), "-o", str(model), "--epochs", "6",
                 "--kind", "siamese", "--encoder-steps", "40",
                 "--reliability-plot", str(folder / "rel.png"), "-q"]) == 0  # fmt: skip
    assert (folder / "rel.png").read_bytes()[:4] == b"\x89PNG"
    return model


def same_superfamily(table: pd.DataFrame, first: str, second: str) -> np.ndarray:
    from seqsim.validation.evaluate import scop_levels

    levels = scop_levels(pd.read_csv(EXAMPLE / "protein_labels.tsv", sep="\t"))
    return (
        levels.loc[table[first], "superfamily"].to_numpy()
        == levels.loc[table[second], "superfamily"].to_numpy()
    ).astype(int)


def test_training_on_the_bundled_example_separates_superfamilies(tmp_path, example_model):
    from seqsim.cli import main

    _, meta = load_checkpoint(example_model)
    assert meta["model"]["kind"] == "siamese"
    assert meta["metrics"]["n_held_out_pairs"] > 0
    assert 0 <= meta["metrics"]["held_out_ece"] <= 1
    scored = tmp_path / "scored.tsv"
    assert main(["score", str(EXAMPLE / "protein.fasta"), "--model", str(example_model),
                 "-o", str(scored), "-q"]) == 0  # fmt: skip
    table = pd.read_csv(scored, sep="\t")
    # Over every candidate pair (twilight-zone families and singletons
    # included), after a 40-step encoder run: measured 0.949.
    auc = roc_auc(table["probability"].to_numpy(), same_superfamily(table, "query", "target"))
    assert auc >= 0.93
    assert table["probability"].between(0, 1).all()
    # Same data and seed: the same checkpoint bytes.
    again = tmp_path / "again.safetensors"
    assert main(["train", str(EXAMPLE / "protein.fasta"), "--labels",
                 str(EXAMPLE / "protein_labels.tsv"), "-o", str(again), "--epochs", "6",
                 "--kind", "siamese", "--encoder-steps", "40", "-q"]) == 0  # fmt: skip
    assert again.read_bytes() == example_model.read_bytes()


def test_embed_writes_unit_embeddings_and_ranked_neighbours(tmp_path, example_model):
    from seqsim.cli import main

    embeddings, neighbours = tmp_path / "emb.parquet", tmp_path / "nbr.tsv"
    assert main(["embed", str(EXAMPLE / "protein.fasta"), "--model", str(example_model),
                 "-o", str(embeddings), "--neighbours-out", str(neighbours), "--top-k", "5",
                 "-q"]) == 0  # fmt: skip
    table = pd.read_parquet(embeddings)
    vectors = table.drop(columns="id").to_numpy()
    assert len(table) == 298 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    pairs = pd.read_csv(neighbours, sep="\t")
    assert (pairs.groupby("query").size() == 5).all()
    assert (pairs["query"] != pairs["target"]).all()
    # Best first within each query, probability monotone in cosine.
    assert (pairs.groupby("query")["cosine"].diff().dropna() <= 1e-7).all()
    order = pairs.sort_values("cosine")
    assert order["probability"].is_monotonic_increasing


def test_score_listed_pairs_and_train_from_a_pairs_table(tmp_path, example_model):
    from seqsim.cli import main

    ids = pd.read_csv(EXAMPLE / "protein_labels.tsv", sep="\t")["id"].to_numpy()
    rng = np.random.default_rng(0)
    listed = pd.DataFrame({"id1": rng.choice(ids, 400), "id2": rng.choice(ids, 400)})
    listed["label"] = same_superfamily(listed, "id1", "id2")
    pairs_path = tmp_path / "pairs.tsv"
    listed.to_csv(pairs_path, sep="\t", index=False)
    scored = tmp_path / "scored.tsv"
    assert main(["score", str(EXAMPLE / "protein.fasta"), "--model", str(example_model),
                 "--pairs", str(pairs_path), "-o", str(scored), "-q"]) == 0  # fmt: skip
    table = pd.read_csv(scored, sep="\t")
    assert table[["id1", "id2", "label"]].equals(listed[["id1", "id2", "label"]])
    assert table["probability"].between(0, 1).all()
    assert roc_auc(table["probability"].to_numpy(), table["label"].to_numpy()) >= 0.9
    # The same pairs as training labels.
    model = tmp_path / "pairs_model.safetensors"
    assert main(["train", str(EXAMPLE / "protein.fasta"), "--pairs", str(pairs_path),
                 "-o", str(model), "--kind", "features", "--epochs", "4", "-q"]) == 0  # fmt: skip
    _, meta = load_checkpoint(model)
    assert meta["model"]["kind"] == "features" and meta["settings"]["level"] == "pairs"
