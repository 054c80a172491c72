"""Checkpoints: round trip and every corruption case."""

from __future__ import annotations

import json

import pytest
import torch

from seqsim.errors import InputError
from seqsim.feature_names import SCORER_FEATURES
from seqsim.scorer.checkpoint import FORMAT_VERSION, load_checkpoint, save_checkpoint

N_FEATURES = len(SCORER_FEATURES)


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
    assert meta.to_json() == {"format_version": FORMAT_VERSION, **metadata()}


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


# ---- contents: a checkpoint that reads but describes a broken model ----------


@pytest.fixture(scope="module")
def shipped():
    """The shipped protein checkpoint's weights and metadata (its JSON object)."""
    from seqsim.scorer.pretrained import shipped_model

    state, metadata = load_checkpoint(shipped_model("protein"))
    return state, metadata.to_json()


def write_raw(path, state, metadata) -> None:
    """Write a checkpoint without save_checkpoint's checks (as a damaged file would be)."""
    from safetensors.torch import save_file

    save_file(state, str(path), metadata={"seqsim": json.dumps(metadata)})


def load_model(path):
    from seqsim.scorer.scoring import load_scorer

    return load_scorer(path, "protein")


def peak_rss_bytes() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def set_field(metadata: dict, dotted: str, value) -> dict:
    broken = json.loads(json.dumps(metadata))
    *parents, last = dotted.split(".")
    node = broken
    for key in parents:
        node = node[key]
    node[last] = value
    return broken


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("calibration", {}, "'calibration' must be a Platt calibration"),
        ("calibration.a", "1.2", "'calibration' needs finite numbers a and b"),
        ("calibration.b", float("nan"), "'calibration' needs finite numbers a and b"),
        ("feature_mean", ["x"] * N_FEATURES, "'feature_mean' must hold finite numbers"),
        ("feature_mean", [float("nan")] * N_FEATURES, "'feature_mean' must hold finite numbers"),
        ("feature_scale", [0.0] * N_FEATURES, "'feature_scale' must hold finite positive numbers"),
        ("feature_high", [-1e9] * N_FEATURES, "'feature_low'/'feature_high' must be finite"),
        ("feature_low", [0.0], "'feature_low'/'feature_high' must be finite bounds"),
        ("feature_low", ["0"] * N_FEATURES, "'feature_low'/'feature_high' must be finite"),
        ("settings", None, "'settings' must be an object"),
        ("settings.edge_evalue", "1", "'settings.edge_evalue' must be a finite positive"),
        ("settings.top_k", 10**9, "'settings.top_k' must be an integer"),
        ("settings.region_overlap", 1.5, "'settings.region_overlap' must be a number from 0"),
        ("settings.widest_coverage", "0.6", "'settings.widest_coverage' must be a number"),
        ("model.kind", "pickle", "'model.kind' must be one of"),
        ("model.hidden", "64", "'model.hidden' must be an integer"),
        ("model.hidden", True, "'model.hidden' must be an integer"),
        ("model.hidden", 10**12, "'model.hidden' must be an integer"),
        (
            "model.hidden",
            30_000,
            "'head.mlp.0.bias' has shape (64,); the model it describes needs (30000,)",
        ),  # fmt: skip
    ],
)
def test_broken_contents_are_refused_in_one_line(tmp_path, shipped, field, value, message):
    state, metadata = shipped
    path = tmp_path / "broken.safetensors"
    write_raw(path, state, set_field(metadata, field, value))
    before = peak_rss_bytes()
    with pytest.raises(InputError) as caught:
        load_model(path)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text and "\n" not in text
    # hidden: 30000 is 3.6 GB of weights: refused before any of it is allocated
    assert peak_rss_bytes() - before < 500e6


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("nan", "tensor 'head.mlp.2.weight' has non-finite values"),
        ("inf", "tensor 'head.mlp.2.weight' has non-finite values"),
        ("integer", "tensor 'head.mlp.2.weight' is torch.int32, not floating point"),
        ("missing", "tensor 'head.mlp.2.weight' is missing"),
        ("extra", "tensor 'payload' is not part of the model"),
    ],
)
def test_broken_weights_are_refused_in_one_line(tmp_path, shipped, damage, message):
    state, metadata = shipped
    state = dict(state)
    weight = state["head.mlp.2.weight"].clone()
    if damage in ("nan", "inf"):
        weight[3, 5] = float(damage)
        state["head.mlp.2.weight"] = weight
    elif damage == "integer":
        state["head.mlp.2.weight"] = weight.to(torch.int32)
    elif damage == "missing":
        del state["head.mlp.2.weight"]
    else:
        state["payload"] = torch.zeros(3)
    path = tmp_path / "broken.safetensors"
    write_raw(path, state, metadata)
    with pytest.raises(InputError, match=message) as caught:
        load_model(path)
    assert str(caught.value).startswith(f"{path}: ")


def test_weights_that_overflow_into_nan_write_nothing(tmp_path, shipped, capsys):
    """Finite but huge weights: inf - inf inside the MLP is NaN; seqsim score
    stops with one line instead of writing NaN probabilities."""
    from seqsim.cli import main

    from conftest import REPO

    state, metadata = shipped
    state = {name: tensor * 1e30 for name, tensor in state.items()}
    path = tmp_path / "huge.safetensors"
    write_raw(path, state, metadata)
    out = tmp_path / "scored.parquet"
    example = REPO / "resources" / "example" / "protein.fasta"
    assert main(["score", str(example), "--model", str(path), "-o", str(out), "-q"]) == 1
    assert "the scorer gives NaN for" in capsys.readouterr().err
    assert not out.exists()


def test_saving_non_finite_weights_is_refused(tmp_path, shipped):
    from seqsim.errors import SeqsimError

    state, metadata = shipped
    broken = {**state, "head.mlp.4.bias": torch.tensor([float("nan")])}
    path = tmp_path / "model.safetensors"
    with pytest.raises(SeqsimError, match="not written: checkpoint tensor 'head.mlp.4.bias'"):
        save_checkpoint(path, broken, {k: v for k, v in metadata.items() if k != "format_version"})
    assert not path.exists()
    with pytest.raises(InputError, match="'calibration' needs finite numbers"):
        save_checkpoint(path, state, set_field(metadata, "calibration.a", float("inf")))
    assert not path.exists()


def test_a_diverging_training_run_fails_loudly(capsys):
    import seqsim
    from seqsim.errors import SeqsimError
    from seqsim.scorer.training import TrainSettings

    from conftest import REPO

    example = REPO / "resources" / "example"
    settings = TrainSettings(kind="features", epochs=2, batches_per_epoch=20, learning_rate=1e30)
    with pytest.raises(SeqsimError, match=r"pair head \(epoch 1\) training diverged: its loss"):
        seqsim.scorer.train(
            example / "protein.fasta", labels=example / "protein_labels.tsv", settings=settings
        )


def test_region_settings_are_recorded_only_when_on():
    """Models trained with every path (--all-paths) have the checkpoint
    bytes models had before the settings existed; region-consistent ones (the
    default) record them, and scoring reads them back."""
    from seqsim.scorer.checkpoint import CandidateSettings
    from seqsim.scorer.training import TrainSettings, _recorded_settings

    assert "region_overlap" not in _recorded_settings(TrainSettings.all_paths())
    on = _recorded_settings(TrainSettings(seed=3))
    assert (on["region_overlap"], on["widest_coverage"], on["seed"]) == (0.5, 0.5, 3)
    read = CandidateSettings.from_json(on)
    assert (read.region_overlap, read.widest_coverage) == (0.5, 0.5)
    assert CandidateSettings.from_json({}).region_overlap == 0.0
