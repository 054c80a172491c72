"""Tracebacks over the aligned rectangle only give the same alignments as over
the whole matrix up to the end cell."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from test_batch import SCHEMES, related, store_of

from seqsim.alignment.batch import BatchAligner
from seqsim.kernels.alignment import (
    _alignment_start_bound,
    _local_traceback,
    _local_traceback_many,
    residue_gains,
)


def flanked(rng, core: np.ndarray, size: int, repeat: bool) -> np.ndarray:
    """``core`` between random flanks; with ``repeat`` the core occurs twice,
    so equally good alignments compete and the tie rules decide."""
    left = rng.integers(0, size, rng.integers(0, 60))
    right = rng.integers(0, size, rng.integers(0, 60))
    middle = [core, rng.integers(0, size, rng.integers(0, 5)), core] if repeat else [core]
    return np.concatenate([left, *middle, right]).astype(np.uint8)


def traceback_both_ways(scheme, query, targets):
    codes, offsets = store_of(targets)
    chosen = np.arange(len(targets))
    aligner = BatchAligner(codes, offsets, scheme)
    ends = aligner.score_ends(query, chosen)
    scores = aligner.scores(query, parallel=False)
    args = (scheme.matrix, scheme.open_gap_score, scheme.extend_gap_score)
    # best score 0 switches the start bound off: the rectangle from the origin
    from_origin = _local_traceback_many(
        query, codes, offsets, chosen, ends, np.zeros_like(scores), *args, 0
    )
    rectangle = _local_traceback_many(query, codes, offsets, chosen, ends, scores, *args, 0)
    return from_origin, rectangle, scores


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(sorted(SCHEMES)),
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.sampled_from([0.05, 0.3, 0.6]),
)
def test_rectangle_traceback_equals_the_traceback_from_the_origin(scheme_name, seed, repeat, rate):
    scheme = SCHEMES[scheme_name]
    size = 4 if scheme.alphabet == "dna" else 20
    rng = np.random.default_rng(seed)
    ancestor = rng.integers(0, size, rng.integers(1, 80))
    query = flanked(rng, related(rng, ancestor, rate, size), size, repeat)
    targets = [
        flanked(rng, related(rng, ancestor, rate, size), size, repeat and k % 2 == 0)
        for k in range(rng.integers(1, 8))
    ]
    from_origin, rectangle, scores = traceback_both_ways(scheme, query, targets)
    for a, b in zip(from_origin, rectangle, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(rectangle[0][:, 0], scores)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(SCHEMES)), st.integers(0, 2**32 - 1))
def test_start_bound_never_passes_the_traced_start(scheme_name, seed):
    scheme = SCHEMES[scheme_name]
    size = 4 if scheme.alphabet == "dna" else 20
    rng = np.random.default_rng(seed)
    ancestor = rng.integers(0, size, rng.integers(1, 80))
    query = flanked(rng, related(rng, ancestor, 0.3, size), size, False)
    target = flanked(rng, related(rng, ancestor, 0.3, size), size, True)
    args = (scheme.matrix, scheme.open_gap_score, scheme.extend_gap_score)
    best, qs, qe, ts, te, _ = _local_traceback(query, target, *args)
    if best <= 0:
        return
    gains = np.maximum(scheme.matrix.max(axis=1), 0).astype(np.int64)
    query_from, target_from = _alignment_start_bound(
        query, target, qe - 1, te - 1, best, *args,
        residue_gains(query, gains), residue_gains(target[:te], gains),
    )  # fmt: skip
    assert 0 <= query_from <= qs and 0 <= target_from <= ts


def test_start_bound_skips_the_flanks():
    """A remote homolog (half its residues mutated) between 400-residue random
    flanks: the bound lands past most of the flank, not at the origin."""
    scheme = SCHEMES["blosum62"]
    rng = np.random.default_rng(7)
    domain = rng.integers(0, 20, 150)
    args = (scheme.matrix, scheme.open_gap_score, scheme.extend_gap_score)
    gains = np.maximum(scheme.matrix.max(axis=1), 0).astype(np.int64)
    bounds = []
    for _ in range(10):
        query, target = (
            np.concatenate([rng.integers(0, 20, 400), related(rng, domain, 0.5, 20),
                            rng.integers(0, 20, 400)]).astype(np.uint8)
            for _ in range(2)
        )  # fmt: skip
        best, qs, qe, ts, te, _ = _local_traceback(query, target, *args)
        query_from, target_from = _alignment_start_bound(
            query, target, qe - 1, te - 1, best, *args,
            residue_gains(query, gains), residue_gains(target[:te], gains),
        )  # fmt: skip
        assert 0 <= query_from <= qs and 0 <= target_from <= ts
        bounds.append(min(query_from, target_from))
    assert np.median(bounds) > 200


@pytest.mark.parametrize("scheme_name", sorted(SCHEMES))
def test_empty_and_single_residue_alignments(scheme_name):
    scheme = SCHEMES[scheme_name]
    query = np.array([1], dtype=np.uint8)
    from_origin, rectangle, _ = traceback_both_ways(
        scheme, query, [np.array([1], np.uint8), np.array([2], np.uint8), np.zeros(0, np.uint8)]
    )
    for a, b in zip(from_origin, rectangle, strict=True):
        np.testing.assert_array_equal(a, b)
