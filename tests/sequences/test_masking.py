"""Low-complexity masking before a search (issue 29): the entropy kernel
against a plain-Python SEG (stages 1 and 2), the store's shape kept, and
hits that a masked search no longer makes."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import seqsim
from seqsim.errors import ConfigError
from seqsim.kernels.complexity import _low_complexity_mask, _window_entropies
from seqsim.search_engine.api import SearchOptions
from seqsim.sequences.load import read_sequences
from seqsim.sequences.masking import (
    EXTENSION,
    TRIGGER,
    WINDOW,
    mask_low_complexity,
    masked_fraction,
)

RNG = np.random.default_rng(29)
AMINO = np.array(list("ACDEFGHIKLMNPQRSTVWY"))
# A compositionally simple run (Q with a little A), as in many real proteins.
LOW_COMPLEXITY = "QQQQAQQQQQQAQQQQQQQQAQQQQQQQQQAQQQQQQQQQ"


def _random_protein(length: int) -> str:
    return "".join(RNG.choice(AMINO, length))


def _entropy(window: list[int]) -> float:
    counts = Counter(window)
    return -sum(c / len(window) * math.log2(c / len(window)) for c in counts.values())


def _reference_mask(codes: list[int], window: int, trigger: float, extension: float) -> list[bool]:
    """SEG stages 1-2 written plainly: every window at most ``trigger``
    bits, grown over neighbouring windows at most ``extension`` bits."""
    entropies = [_entropy(codes[i : i + window]) for i in range(len(codes) - window + 1)]
    low = [False] * len(codes)
    for start, value in enumerate(entropies):
        if value > trigger:
            continue
        left = right = start
        while left > 0 and entropies[left - 1] <= extension:
            left -= 1
        while right + 1 < len(entropies) and entropies[right + 1] <= extension:
            right += 1
        for i in range(left, right + window):
            low[i] = True
    return low


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 5), min_size=0, max_size=120),
    st.integers(1, 25),
    st.floats(0.0, 3.0),
    st.floats(0.0, 1.0),
)
def test_kernel_matches_the_plain_reference(codes, window, trigger, wider):
    array = np.array(codes, dtype=np.uint8)
    expected = _reference_mask(codes, window, trigger, trigger + wider)
    got = _low_complexity_mask(array, window, trigger, trigger + wider, 24)
    assert got.tolist() == expected
    entropies = _window_entropies(array, window, 24)
    assert entropies.size == max(len(codes) - window + 1, 0)
    for start, value in enumerate(entropies):
        assert value == pytest.approx(_entropy(codes[start : start + window]), abs=1e-9)


def test_mask_keeps_the_store_shape_and_masks_the_simple_run():
    sequences = {
        "run": _random_protein(60) + LOW_COMPLEXITY + _random_protein(50),
        "plain": _random_protein(120),
        "short": "QQQQQ",
    }
    store = read_sequences(sequences, alphabet="protein")
    masked = mask_low_complexity(store)
    assert masked.ids == store.ids
    assert np.array_equal(masked.offsets, store.offsets)
    run = masked.sequence(0)
    assert "X" * len(LOW_COMPLEXITY) in run
    assert run.replace("X", "") != run and len(run) == len(sequences["run"])
    assert masked.sequence(1) == store.sequence(1)  # random: complex everywhere
    assert masked.sequence(2) == "QQQQQ"  # shorter than a window
    assert 0 < masked_fraction(store, masked) < 0.3
    expected = _reference_mask(list(store.sequence_codes(0)), WINDOW, TRIGGER, EXTENSION)
    assert [c == "X" for c in run] == expected
    with pytest.raises(ValueError, match="proteins"):
        mask_low_complexity(read_sequences({"d": "ACGTACGTAC"}, alphabet="dna"))


def test_masked_search_drops_a_hit_made_only_by_low_complexity():
    sequences = {
        "a": _random_protein(80) + LOW_COMPLEXITY + _random_protein(80),
        "b": _random_protein(90) + LOW_COMPLEXITY + _random_protein(70),
    }

    def pair_hits(mask: str) -> int:
        hits = seqsim.search(sequences, mask=mask, max_evalue=1e-3)
        return int((hits["query"] != hits["target"]).sum())

    assert pair_hits("none") == 2
    assert pair_hits("seg") == 0


def test_masked_search_keeps_a_real_hit_on_the_original_coordinates():
    core = _random_protein(120)
    mutated = "".join(c if RNG.random() > 0.2 else RNG.choice(AMINO) for c in core)
    sequences = {"a": LOW_COMPLEXITY + core, "b": mutated + _random_protein(30)}
    masked = seqsim.search(sequences, mask="seg", max_evalue=1e-3)
    pair = masked[(masked["query"] == "a") & (masked["target"] == "b")]
    assert len(pair) == 1
    assert pair["qstart"].iloc[0] > len(LOW_COMPLEXITY) - 5  # in a's core
    assert pair["qlen"].iloc[0] == len(sequences["a"])


def test_nucleotide_searches_are_not_masked():
    dna = {"a": "A" * 40 + "ACGTTGCAAGTCCGATAGCT" * 2, "b": "A" * 40 + "TTGACCGTAGGCTAACGTCA"}
    assert seqsim.search(dna, mask="seg").equals(seqsim.search(dna, mask="none"))


def test_unknown_mask_is_refused():
    with pytest.raises(ConfigError, match="seg or none"):
        SearchOptions(mask="tantan").hit_filter()
