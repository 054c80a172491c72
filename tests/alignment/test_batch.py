"""The SIMD batch aligner gives exactly the Smith-Waterman score of every pair."""

from __future__ import annotations

import re

import numba
import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from seqsim.alignment.batch import BatchAligner, score_tables
from seqsim.alignment.scoring import scoring_scheme
from seqsim.kernels.batch_sw import _align_batch
from seqsim.kernels.simd import HAS_AVX2, SIMD_PATH, VECTOR_BYTES

from conftest import biopython_score


def store_of(sequences: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
    np.cumsum([s.size for s in sequences], out=offsets[1:])
    codes = np.concatenate(sequences) if sequences else np.zeros(0, np.uint8)
    return codes.astype(np.uint8), offsets


def related(rng, ancestor: np.ndarray, rate: float, size: int) -> np.ndarray:
    child = ancestor.copy()
    mutate = rng.random(child.size) < rate
    child[mutate] = rng.integers(0, size, mutate.sum())
    cut = rng.integers(0, max(1, child.size // 4))
    return child[cut : child.size - rng.integers(0, max(1, child.size // 4))].astype(np.uint8)


SCHEMES = {
    "blosum62": scoring_scheme("protein"),
    "blosum45": scoring_scheme(
        "protein", matrix="BLOSUM45", open_gap_score=-16, extend_gap_score=-2
    ),  # fmt: skip
    "pam250": scoring_scheme("protein", matrix="PAM250", open_gap_score=-4, extend_gap_score=-4),
    "dna": scoring_scheme("dna"),
    "nuc44": scoring_scheme("dna", matrix="NUC.4.4", open_gap_score=-10, extend_gap_score=-1),
}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(sorted(SCHEMES)), st.integers(0, 2**32 - 1), st.integers(1, 70))
@example("blosum62", 0, 1)
@example("dna", 1, 33)
def test_batch_scores_equal_biopython(scheme_name, seed, n_targets):
    scheme = SCHEMES[scheme_name]
    size = scheme.matrix.shape[0]
    rng = np.random.default_rng(seed)
    ancestor = rng.integers(0, size, rng.integers(1, 300))
    targets = [
        related(rng, ancestor, 0.3, size) if k % 2 else rng.integers(0, size, rng.integers(0, 300))
        for k in range(n_targets)
    ]
    codes, offsets = store_of([t.astype(np.uint8) for t in targets])
    aligner = BatchAligner(codes, offsets, scheme)
    query = related(rng, ancestor, 0.2, size)
    scores = aligner.scores(query)
    expected = [biopython_score(scheme, query, t) for t in targets]
    assert scores.tolist() == expected


def test_saturated_lanes_are_recomputed_exactly():
    rng = np.random.default_rng(7)
    scheme = SCHEMES["blosum62"]
    long = rng.integers(0, 20, 7000).astype(np.uint8)  # self-score > 32767: scalar path
    medium = related(rng, long[:3500], 0.05, 20)  # int16 path
    short = rng.integers(0, 20, 50).astype(np.uint8)  # int8 path
    targets = [long, medium, short, long[::-1].copy()]
    codes, offsets = store_of(targets)
    scores = BatchAligner(codes, offsets, scheme).scores(long)
    assert scores[0] > 32767 and 127 < scores[1] < 32767 and scores[2] < 127
    assert scores.tolist() == [biopython_score(scheme, long, t) for t in targets]


def test_wide_gap_scores_start_in_int16():
    scheme = scoring_scheme("protein", open_gap_score=-200, extend_gap_score=-1)
    rng = np.random.default_rng(3)
    targets = [rng.integers(0, 24, 120).astype(np.uint8) for _ in range(20)]
    codes, offsets = store_of(targets)
    aligner = BatchAligner(codes, offsets, scheme)
    assert aligner.first_type == np.int16
    query = targets[4][10:90]
    assert aligner.scores(query).tolist() == [biopython_score(scheme, query, t) for t in targets]


def test_target_subset_order_and_empty_sequences():
    scheme = SCHEMES["blosum62"]
    rng = np.random.default_rng(5)
    sequences = [rng.integers(0, 20, n).astype(np.uint8) for n in (0, 40, 0, 90, 10)]
    codes, offsets = store_of(sequences)
    aligner = BatchAligner(codes, offsets, scheme, targets=np.array([3, 0, 1]))
    query = sequences[3]
    assert aligner.scores(query).tolist() == [
        biopython_score(scheme, query, sequences[t]) for t in (3, 0, 1)
    ]
    assert aligner.scores(np.zeros(0, np.uint8)).tolist() == [0, 0, 0]


def test_thread_count_does_not_change_scores():
    scheme = SCHEMES["blosum62"]
    rng = np.random.default_rng(11)
    sequences = [rng.integers(0, 20, rng.integers(1, 200)).astype(np.uint8) for _ in range(300)]
    codes, offsets = store_of(sequences)
    aligner = BatchAligner(codes, offsets, scheme)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = aligner.scores(sequences[0])
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = aligner.scores(sequences[0])
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one, two)
    queries = sequences[:40]
    serial = list(aligner.scores_many(queries, threads=1))
    threaded = list(aligner.scores_many(queries, threads=2))
    assert all(np.array_equal(a, b) for a, b in zip(serial, threaded, strict=True))
    assert np.array_equal(serial[0], one)


@pytest.mark.skipif(not HAS_AVX2, reason="checks AVX2 code generation")
@pytest.mark.parametrize(
    ("lane_type", "instructions"),
    [(np.int8, ("vpaddsb", "vpmaxsb", "vpshufb")), (np.int16, ("vpaddsw", "vpmaxsw"))],
)
def test_kernel_stays_vectorized(lane_type, instructions):
    """The inner loop must compile to saturating SIMD adds and maxima, on
    512-bit registers on the AVX-512 path."""
    tables = score_tables(SCHEMES["blosum62"])
    columns = np.zeros(VECTOR_BYTES * 4, dtype=np.uint8)
    lanes = VECTOR_BYTES // np.dtype(lane_type).itemsize
    work = [np.zeros(n * lanes, dtype=lane_type) for n in (5, 5, tables.shape[0])]
    out = np.zeros(lanes, dtype=np.int32)
    # A fresh, uncached compilation: functions loaded from numba's cache have no assembly.
    kernel = numba.njit(nogil=True)(_align_batch.py_func)
    kernel(np.zeros(5, np.uint8), tables, columns, 0, 4, *work, -12, -1, out, 0)
    assembly = kernel.inspect_asm(kernel.signatures[0])
    register = "zmm" if SIMD_PATH == "avx512" else "ymm"
    for instruction in instructions:
        assert re.search(rf"\b{instruction}\s+%{register}", assembly), instruction


def ungapped_oracle(matrix: np.ndarray, a: np.ndarray, b: np.ndarray) -> int:
    """Best-scoring diagonal segment, by brute force."""
    best = 0
    for shift in range(-len(a) + 1, len(b)):
        running = 0
        for i in range(len(a)):
            j = i + shift
            if 0 <= j < len(b):
                running = max(0, running + int(matrix[a[i], b[j]]))
                best = max(best, running)
    return best


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 50))
def test_ungapped_scores_equal_the_oracle_below_the_int8_cap(seed, n_targets):
    scheme = SCHEMES["blosum62"]
    rng = np.random.default_rng(seed)
    ancestor = rng.integers(0, 24, rng.integers(1, 120))
    targets = [
        related(rng, ancestor, 0.4, 24) if k % 2 else rng.integers(0, 24, rng.integers(0, 120))
        for k in range(n_targets)
    ]
    codes, offsets = store_of([t.astype(np.uint8) for t in targets])
    query = related(rng, ancestor, 0.3, 24)
    got = BatchAligner(codes, offsets, scheme).ungapped_scores(query)
    expected = [min(127, ungapped_oracle(scheme.matrix, query, t)) for t in targets]
    assert got.tolist() == expected


def first_best_cell(matrix, open_gap, extend_gap, a, b) -> tuple[int, int, int]:
    """Plain Gotoh SW; the best score and the first cell reaching it, scanning
    target positions in order and query positions within each."""
    n, m = len(a), len(b)
    neg = -(10**9)
    H = [[0] * (m + 1) for _ in range(n + 1)]
    E = [[neg] * (m + 1) for _ in range(n + 1)]
    F = [[neg] * (m + 1) for _ in range(n + 1)]
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            E[i][j] = max(E[i][j - 1] + extend_gap, H[i][j - 1] + open_gap)
            F[i][j] = max(F[i - 1][j] + extend_gap, H[i - 1][j] + open_gap)
            H[i][j] = max(0, H[i - 1][j - 1] + int(matrix[a[i - 1], b[j - 1]]), E[i][j], F[i][j])
    best, cell = 0, (-1, -1)
    for j in range(1, m + 1):
        for i in range(1, n + 1):
            if H[i][j] > best:
                best, cell = H[i][j], (i - 1, j - 1)
    return best, *cell


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_score_ends_find_the_first_best_cell(seed):
    scheme = SCHEMES["blosum62"]
    rng = np.random.default_rng(seed)
    ancestor = rng.integers(0, 20, rng.integers(1, 40))
    targets = [related(rng, ancestor, 0.3, 20) for _ in range(rng.integers(1, 20))]
    codes, offsets = store_of(targets)
    query = related(rng, ancestor, 0.3, 20)
    aligner = BatchAligner(codes, offsets, scheme)
    chosen = np.arange(len(targets))[::-1]
    ends = aligner.score_ends(query, chosen)
    for k, target in enumerate(chosen):
        best, row, column = first_best_cell(
            scheme.matrix, scheme.open_gap_score, scheme.extend_gap_score, query, targets[target]
        )
        assert tuple(ends[k]) == (row, column)
