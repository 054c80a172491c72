"""Checkpoints: weights in safetensors format plus JSON metadata in its header.

A checkpoint is one ``.safetensors`` file. Its header's ``seqsim`` entry is a
JSON object: format version, model kind and hyperparameters, alphabet, pair
features (with their standardisation), calibration, training-data hash and
validation metrics. Loading parses that JSON and the raw tensors only, checks
every field (into a :class:`CheckpointMetadata`) and every tensor name and
shape against the model the hyperparameters describe, and never unpickles or
executes anything from the file.
"""

from __future__ import annotations

import copy
import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file

from seqsim.errors import InputError, SeqsimError
from seqsim.io import atomic_path
from seqsim.scorer.profiles import PROFILE_EVALUE

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
# The JSON fields CheckpointMetadata reads into its own attributes; any other
# field (e.g. the shipped models' "evaluation") is kept as read, in ``extra``.
_READ_FIELDS = {*REQUIRED_METADATA, "feature_low", "feature_high", "settings"}
MAX_TOP_K = 100_000


class MetadataProblem(ValueError):
    """What is wrong with checkpoint metadata, in one line (the loader adds
    the file's name)."""


@dataclass(frozen=True)
class PlattCalibration:
    """``P(homolog) = sigmoid(a * logit + b)``, fitted on held-out pairs."""

    a: float
    b: float

    @classmethod
    def from_json(cls, value: Any, name: str) -> PlattCalibration:
        """From a JSON object ``{"method": "platt", "a": ..., "b": ...}``;
        MetadataProblem naming the field ``name`` when it is not one."""
        if not isinstance(value, dict) or value.get("method") != "platt":
            raise _field_problem(f"{name!r} must be a Platt calibration (method 'platt', a, b)")
        if not (_finite_number(value.get("a")) and _finite_number(value.get("b"))):
            raise _field_problem(f"{name!r} needs finite numbers a and b")
        return cls(a=value["a"], b=value["b"])

    def to_json(self) -> dict[str, Any]:
        return {"method": "platt", "a": self.a, "b": self.b}


@dataclass(frozen=True)
class FeatureScaling:
    """How a model reads its pair features: clipped to ``low``..``high`` (the
    bounds its training pairs had), then standardised by ``mean`` and
    ``scale``; one value per feature. Checkpoints before 2026-12-04 record
    no bounds (None): they clip nothing."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    low: tuple[float, ...] | None = None
    high: tuple[float, ...] | None = None

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> FeatureScaling:
        """From a metadata object's ``feature_mean`` and ``feature_scale``
        lists (and ``feature_low`` with ``feature_high``), of one length."""
        mean = _finite_numbers(document["feature_mean"], "feature_mean")
        scale = _finite_numbers(document["feature_scale"], "feature_scale", positive=True)
        low, high = _feature_bounds(document, len(mean))
        return cls(mean=mean, scale=scale, low=low, high=high)

    def to_json(self) -> dict[str, Any]:
        """The metadata fields of the scaling (bounds only when recorded)."""
        document: dict[str, Any] = {
            "feature_mean": list(self.mean),
            "feature_scale": list(self.scale),
        }
        if self.low is not None and self.high is not None:
            document |= {"feature_low": list(self.low), "feature_high": list(self.high)}
        return document


@dataclass(frozen=True)
class CandidateSettings:
    """How training made its candidate pairs, which scoring repeats: the
    E-value of the hit graph's edges, the partners kept per sequence and the
    E-value of the hits the profiles are built from, the overlap on an
    intermediate that a path needs (``region_overlap``) and the coverage of
    the widest paths' edges (``widest_coverage``; issue 29). A checkpoint
    that does not record one gets the default; both 0 there, as the models
    trained before them counted every path."""

    edge_evalue: float = 1.0
    top_k: int = 100
    profile_evalue: float = PROFILE_EVALUE
    region_overlap: float = 0.0
    widest_coverage: float = 0.0

    @classmethod
    def from_json(cls, settings: Mapping[str, Any]) -> CandidateSettings:
        """From the training settings a checkpoint records."""
        for name in ("edge_evalue", "profile_evalue"):
            if name in settings and not _positive_number(settings[name]):
                raise _field_problem(f"'settings.{name}' must be a finite positive number")
        top_k = settings.get("top_k", cls.top_k)
        if not (_integer(top_k) and 1 <= top_k <= MAX_TOP_K):
            raise _field_problem(f"'settings.top_k' must be an integer from 1 to {MAX_TOP_K:,}")
        fractions = {
            name: settings.get(name, 0.0) for name in ("region_overlap", "widest_coverage")
        }
        for name, value in fractions.items():
            if not (_finite_number(value) and 0.0 <= value <= 1.0):
                raise _field_problem(f"'settings.{name}' must be a number from 0 to 1")
        return cls(
            edge_evalue=settings.get("edge_evalue", cls.edge_evalue),
            top_k=top_k,
            profile_evalue=settings.get("profile_evalue", cls.profile_evalue),
            **{name: float(value) for name, value in fractions.items()},
        )


@dataclass(frozen=True)
class CheckpointMetadata:
    """What a checkpoint records beside its weights: the JSON object in its
    header, field by field. :meth:`from_json` checks every field (type,
    finiteness, lengths); :meth:`to_json` gives the object back."""

    model: Mapping[str, Any]  # kind and hyperparameters (checked by seqsim.scorer.model)
    alphabet: str
    features: tuple[str, ...]  # the pair features the model reads, in order
    scaling: FeatureScaling
    calibration: PlattCalibration  # of the model's logit
    training_data_sha256: str
    metrics: Mapping[str, Any]  # measured on the held-out pairs of training
    cosine_calibration: PlattCalibration | None = None  # of the embedding cosine (siamese)
    settings: Mapping[str, Any] | None = None  # the training settings (TrainSettings)
    extra: Mapping[str, Any] = field(default_factory=dict)  # fields read by no one, kept
    format_version: int = FORMAT_VERSION

    @property
    def candidates(self) -> CandidateSettings:
        """The candidate-pair settings training used (and scoring repeats)."""
        return CandidateSettings.from_json(self.settings or {})

    @classmethod
    def from_json(cls, document: Any, source: str | os.PathLike[str]) -> CheckpointMetadata:
        """The metadata of a parsed JSON object; InputError naming ``source``
        and the first problem, in one line, when a field is missing or wrong."""
        try:
            return cls._read(document)
        except MetadataProblem as problem:
            raise InputError(source, str(problem)) from None

    @classmethod
    def _read(cls, document: Any) -> CheckpointMetadata:
        _check_layout(document)
        features = document["features"]
        if not all(isinstance(name, str) for name in features):
            raise _field_problem("'features' must be a list of names")
        scaling = FeatureScaling.from_json(document)
        settings = document.get("settings", {})  # optional: how candidates were made
        if not isinstance(settings, dict):
            raise _field_problem("'settings' must be an object")
        CandidateSettings.from_json(settings)  # checked on load; .candidates reads it
        calibration = document["calibration"]
        platt = PlattCalibration.from_json(calibration, "calibration")
        cosine = None
        if "cosine" in calibration:  # siamese models: the embedding-only probability
            cosine = PlattCalibration.from_json(calibration["cosine"], "calibration.cosine")
        return cls(
            model=document["model"],
            alphabet=document["alphabet"],
            features=tuple(features),
            scaling=scaling,
            calibration=platt,
            training_data_sha256=document["training_data_sha256"],
            metrics=document["metrics"],
            cosine_calibration=cosine,
            settings=document.get("settings"),
            extra={key: value for key, value in document.items() if key not in _READ_FIELDS},
            format_version=document["format_version"],
        )

    def to_json(self) -> dict[str, Any]:
        """The JSON object of the metadata (a copy: changing it changes nothing here)."""
        calibration = self.calibration.to_json()
        if self.cosine_calibration is not None:
            calibration["cosine"] = self.cosine_calibration.to_json()
        document = {
            "format_version": self.format_version,
            "model": self.model,
            "alphabet": self.alphabet,
            "features": list(self.features),
            **self.scaling.to_json(),
            "calibration": calibration,
            "training_data_sha256": self.training_data_sha256,
            "metrics": self.metrics,
            **({} if self.settings is None else {"settings": self.settings}),
            **self.extra,
        }
        return copy.deepcopy(document)


def save_checkpoint(
    path: str | os.PathLike[str],
    state: dict[str, torch.Tensor],
    metadata: CheckpointMetadata | Mapping[str, Any],
) -> None:
    """Write ``state`` (a state dict) and ``metadata`` atomically to ``path``,
    checked as loading checks them. ``metadata`` is a :class:`CheckpointMetadata`
    or its JSON object (without the format version, which is added)."""
    if isinstance(metadata, CheckpointMetadata):
        document = metadata.to_json()
    else:
        document = {"format_version": FORMAT_VERSION, **metadata}
    CheckpointMetadata.from_json(document, path)
    tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in state.items()}
    problem = _tensor_problem(tensors)
    if problem:  # e.g. a training run that diverged: nothing is written
        raise SeqsimError(f"{path}: not written: {problem}")
    text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    with atomic_path(path) as tmp:
        save_file(tensors, str(tmp), metadata={"seqsim": text})


def load_checkpoint(
    path: str | os.PathLike[str],
) -> tuple[dict[str, torch.Tensor], CheckpointMetadata]:
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
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, f"checkpoint metadata is not valid JSON ({error})") from None
    metadata = CheckpointMetadata.from_json(document, path)
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


def _check_layout(document: Any) -> None:
    """An object of this format version, every required field of its JSON
    type, and as many feature statistics as features."""
    if not isinstance(document, dict):
        raise MetadataProblem("checkpoint metadata must be a JSON object")
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise MetadataProblem(
            f"checkpoint format version {version!r}; this seqsim reads {FORMAT_VERSION}"
        )
    for key, kind in REQUIRED_METADATA.items():
        if not isinstance(document.get(key), kind):
            raise _field_problem(f"{key!r} is missing or not {kind.__name__}")
    n_features = len(document["features"])
    if len(document["feature_mean"]) != n_features or len(document["feature_scale"]) != n_features:
        raise MetadataProblem("checkpoint feature standardisation does not match its features")


def _feature_bounds(
    document: Mapping[str, Any], n_features: int
) -> tuple[tuple[float, ...] | None, tuple[float, ...] | None]:
    """``feature_low`` and ``feature_high``: finite, low <= high, one per
    feature; (None, None) when the metadata has neither."""
    if ("feature_low" in document) != ("feature_high" in document):
        raise _field_problem("'feature_low' and 'feature_high' go together")
    if "feature_low" not in document:
        return None, None
    low, high = document["feature_low"], document["feature_high"]
    if not (isinstance(low, list) and isinstance(high, list)
            and len(low) == n_features and len(high) == n_features
            and all(map(_finite_number, low + high))
            and all(a <= b for a, b in zip(low, high, strict=True))):  # fmt: skip
        raise _field_problem(
            "'feature_low'/'feature_high' must be finite bounds, low <= high, per feature"
        )
    return tuple(low), tuple(high)


def _finite_numbers(values: list[Any], name: str, *, positive: bool = False) -> tuple[float, ...]:
    """``values`` as a tuple, when all are finite (and positive) numbers."""
    check = _positive_number if positive else _finite_number
    if not all(map(check, values)):
        kind = "finite positive numbers" if positive else "finite numbers"
        raise _field_problem(f"{name!r} must hold {kind}")
    return tuple(values)


def _field_problem(problem: str) -> MetadataProblem:
    return MetadataProblem(f"checkpoint metadata field {problem}")


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _finite_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive_number(value: Any) -> bool:
    return _finite_number(value) and value > 0
