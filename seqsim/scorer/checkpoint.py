"""Checkpoints: weights in safetensors format plus JSON metadata in its header.

A checkpoint is one ``.safetensors`` file. Its header's ``seqsim`` entry is a
JSON object: format version, model kind and hyperparameters, alphabet, pair
features (with their standardisation), calibration, training-data hash and
validation metrics. Loading parses that JSON and the raw tensors only, checks
every field and every tensor name and shape against the model the
hyperparameters describe, and never unpickles or executes anything from the
file.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from seqsim.errors import InputError, SeqsimError
from seqsim.io import atomic_path

FORMAT_VERSION = 2  # 2: model kinds (features, siamese) under one module
REQUIRED_METADATA = {
    "format_version": int,
    "model": dict,
    "alphabet": str,
    "features": list,
    "feature_mean": list,
    "feature_scale": list,
    "calibration": dict,
    "training_data_sha256": str,
    "metrics": dict,
}


def save_checkpoint(
    path: str | os.PathLike[str], state: dict[str, torch.Tensor], metadata: dict[str, Any]
) -> None:
    """Write ``state`` (a state dict) and ``metadata`` atomically to ``path``."""
    metadata = {"format_version": FORMAT_VERSION, **metadata}
    _check_metadata(metadata, path)
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in state.items()}
    problem = _tensor_problem(tensors)
    if problem:  # e.g. a training run that diverged: nothing is written
        raise SeqsimError(f"{path}: not written: {problem}")
    text = json.dumps(metadata, sort_keys=True, separators=(",", ":"))
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"seqsim": text})


def load_checkpoint(path: str | os.PathLike[str]) -> tuple[dict[str, torch.Tensor], dict]:
    """The state dict and metadata of a checkpoint, checked; InputError naming
    the file and the problem for a missing, truncated, foreign or incompatible one."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "checkpoint not found")
    try:
        with open(path, "rb") as handle:
            header_size = int.from_bytes(handle.read(8), "little")
            if not 2 <= header_size <= 100_000_000:
                raise InputError(path, "not a safetensors checkpoint (bad header size)")
            header = json.loads(handle.read(header_size))
        state = load_file(str(path))
    except (SafetensorError, json.JSONDecodeError, UnicodeDecodeError, OSError) as error:
        raise InputError(path, f"not a readable safetensors checkpoint ({error})") from None
    text = (header.get("__metadata__") or {}).get("seqsim")
    if text is None:
        raise InputError(path, "a safetensors file without seqsim metadata: not a seqsim model")
    try:
        metadata = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, f"checkpoint metadata is not valid JSON ({error})") from None
    _check_metadata(metadata, path)
    problem = _tensor_problem(state)
    if problem:
        raise InputError(path, problem)
    return state, metadata


def _tensor_problem(state: dict[str, torch.Tensor]) -> str | None:
    """Why these weights cannot make a model (None when they can)."""
    for name, tensor in state.items():
        if not tensor.is_floating_point():
            return f"checkpoint tensor {name!r} is {tensor.dtype}, not floating point"
        if not bool(torch.isfinite(tensor).all()):
            return f"checkpoint tensor {name!r} has non-finite values (NaN or infinity)"
    return None


def _finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_metadata(metadata: Any, path: str | os.PathLike[str]) -> None:
    if not isinstance(metadata, dict):
        raise InputError(path, "checkpoint metadata must be a JSON object")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise InputError(
            path, f"checkpoint format version {version!r}; this seqsim reads {FORMAT_VERSION}"
        )
    for key, kind in REQUIRED_METADATA.items():
        if not isinstance(metadata.get(key), kind):
            raise InputError(
                path, f"checkpoint metadata field {key!r} is missing or not {kind.__name__}"
            )
    n_features = len(metadata["features"])
    if len(metadata["feature_mean"]) != n_features or len(metadata["feature_scale"]) != n_features:
        raise InputError(path, "checkpoint feature standardisation does not match its features")
    problem = _content_problem(metadata)
    if problem:
        raise InputError(path, f"checkpoint metadata field {problem}")


def _content_problem(metadata: dict[str, Any]) -> str | None:
    """What is wrong inside the fields a model computes with (None: nothing)."""
    if not all(isinstance(name, str) for name in metadata["features"]):
        return "'features' must be a list of names"
    if not all(map(_finite_number, metadata["feature_mean"])):
        return "'feature_mean' must hold finite numbers"
    if not all(_finite_number(x) and x > 0 for x in metadata["feature_scale"]):
        return "'feature_scale' must hold finite positive numbers"
    if ("feature_low" in metadata) != ("feature_high" in metadata):
        return "'feature_low' and 'feature_high' go together"
    if "feature_low" in metadata:  # optional: checkpoints before 2026-12-04 clip nothing
        low, high = metadata["feature_low"], metadata["feature_high"]
        n_features = len(metadata["features"])
        if not (isinstance(low, list) and isinstance(high, list)
                and len(low) == n_features and len(high) == n_features
                and all(map(_finite_number, low + high))
                and all(a <= b for a, b in zip(low, high, strict=True))):  # fmt: skip
            return "'feature_low'/'feature_high' must be finite bounds, low <= high, per feature"
    settings = metadata.get("settings", {})  # optional: how candidates were made
    if not isinstance(settings, dict):
        return "'settings' must be an object"
    if "edge_evalue" in settings and not (
        _finite_number(settings["edge_evalue"]) and settings["edge_evalue"] > 0
    ):
        return "'settings.edge_evalue' must be a finite positive number"
    if "profile_evalue" in settings and not (
        _finite_number(settings["profile_evalue"]) and settings["profile_evalue"] > 0
    ):
        return "'settings.profile_evalue' must be a finite positive number"
    top_k = settings.get("top_k", 1)
    if not (isinstance(top_k, int) and not isinstance(top_k, bool) and 1 <= top_k <= 100_000):
        return "'settings.top_k' must be an integer from 1 to 100,000"
    calibrations = {"calibration": metadata["calibration"]}
    if "cosine" in metadata["calibration"]:
        calibrations["calibration.cosine"] = metadata["calibration"]["cosine"]
    for name, calibration in calibrations.items():
        if not isinstance(calibration, dict) or calibration.get("method") != "platt":
            return f"{name!r} must be a Platt calibration (method 'platt', a, b)"
        if not (_finite_number(calibration.get("a")) and _finite_number(calibration.get("b"))):
            return f"{name!r} needs finite numbers a and b"
    return None
