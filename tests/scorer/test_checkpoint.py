"""Checkpoints: round trip and every corruption case."""

from __future__ import annotations

import json

import pytest
import torch

from seqsim.errors import InputError
from seqsim.scorer.checkpoint import FORMAT_VERSION, load_checkpoint, save_checkpoint


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
