"""Fuzzing checkpoints: mutated metadata and tensors of the shipped model give
one line naming the file and the field, never a traceback, a NaN
probability or a large allocation.

The examples are drawn the same way on every run (``derandomize``) so CI
cannot fail by chance; a wider random search is a local run with a larger
``max_examples`` and no ``derandomize``.
"""

from __future__ import annotations

import json
import resource
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings, strategies as st
from safetensors.torch import save_file

from seqsim.errors import SeqsimError
from seqsim.scorer.checkpoint import load_checkpoint
from seqsim.scorer.pretrained import shipped_model
from seqsim.scorer.scoring import load_scorer, score_candidates

# The slow tier: a large fuzz run.
pytestmark = pytest.mark.slow

FIELDS = [
    "format_version", "model", "model.kind", "model.hidden", "alphabet", "features",
    "feature_mean", "feature_scale", "calibration", "calibration.method", "calibration.a",
    "calibration.b", "training_data_sha256", "metrics", "settings", "settings.top_k",
    "settings.edge_evalue", "settings.region_overlap", "settings.widest_coverage",
]  # fmt: skip

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**15), 10**15)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=12) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=20,
)


@pytest.fixture(scope="module")
def shipped():
    state, metadata = load_checkpoint(shipped_model("protein"))
    return state, metadata.to_json()


@pytest.fixture(scope="module")
def small_set(small_protein):
    from seqsim.alignment.scoring import scoring_scheme
    from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits

    return small_protein, search_hits(
        small_protein, small_protein, scoring_scheme("protein"), DEFAULT_HIT_FILTER
    )


def mutate_metadata(metadata: dict, field: str, value, delete: bool) -> dict:
    broken = json.loads(json.dumps(metadata))
    *parents, last = field.split(".")
    node = broken
    for key in parents:
        node = node[key]
    if delete:
        node.pop(last, None)
    else:
        node[last] = value
    return broken


def mutate_tensors(state: dict, draw_name: str, how: str) -> dict:
    state = dict(state)
    tensor = state[draw_name].clone()
    if how == "nan":
        tensor.view(-1)[0] = float("nan")
    elif how == "inf":
        tensor.view(-1)[-1] = -float("inf")
    elif how == "float64":
        tensor = tensor.double()
    elif how == "int":
        tensor = tensor.to(torch.int64)
    elif how == "flat":
        tensor = tensor.reshape(-1)
    elif how == "grow":
        tensor = torch.cat([tensor, tensor])
    elif how == "drop":
        del state[draw_name]
        return state
    elif how == "extra":
        state["extra.weight"] = torch.zeros(2, 2)
    state[draw_name] = tensor
    return state


def check_refused_or_finite(path: Path, small_set) -> None:
    store, hits = small_set
    try:
        model, metadata = load_scorer(path, "protein")
        scored = score_candidates(model, metadata, store, hits)
    except SeqsimError as error:
        message = str(error)
        assert "\n" not in message and str(path) in message or "the scorer gives NaN" in message
        return
    assert np.isfinite(scored["probability"].to_numpy()).all()


TENSOR_DAMAGE = ["nan", "inf", "float64", "int", "flat", "grow", "drop", "extra", "none"]


FUZZ = {"derandomize": True, "deadline": None, "suppress_health_check": list(HealthCheck)}


@settings(max_examples=150, **FUZZ)
@given(
    field=st.sampled_from(FIELDS),
    value=json_values,
    delete=st.booleans(),
    tensor=st.sampled_from(["head.mlp.0.weight", "head.mlp.2.bias", "head.mlp.4.weight"]),
    damage=st.sampled_from(TENSOR_DAMAGE),
)
def test_mutated_checkpoints_are_refused_in_one_line(
    shipped, small_set, field, value, delete, tensor, damage
):
    state, metadata = shipped
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    broken_state = mutate_tensors(state, tensor, damage) if damage != "none" else state
    broken = mutate_metadata(metadata, field, value, delete)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.safetensors"
        save_file(broken_state, str(path), metadata={"seqsim": json.dumps(broken)})
        check_refused_or_finite(path, small_set)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 500_000  # kB


@settings(max_examples=60, **FUZZ)
@given(position=st.integers(0, 10**6), byte=st.integers(0, 255))
def test_corrupted_bytes_are_refused_in_one_line(shipped, small_set, position, byte):
    data = bytearray(shipped_model("protein").read_bytes())
    data[position % len(data)] = byte
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.safetensors"
        path.write_bytes(bytes(data))
        check_refused_or_finite(path, small_set)
