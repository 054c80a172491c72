"""Karlin-Altschul statistics: the BLAST table, bit scores, E-values, length adjustment."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from seqsim.alignment.scoring import scoring_scheme
from seqsim.alignment.statistics import (
    BLAST_DEFAULT_GAP_COSTS,
    GAPPED_PARAMETERS,
    UNGAPPED_PARAMETERS,
    KarlinAltschul,
    background_frequencies,
    bit_score,
    effective_search_space,
    evalue,
    karlin_altschul,
    length_adjustment,
    ungapped_karlin_altschul,
)
from seqsim.errors import ConfigError
from seqsim.search_engine.engine import HitFilter, search_hits

from conftest import make_store

BLOSUM62_11_1 = GAPPED_PARAMETERS["BLOSUM62", -12, -1]


def test_table_has_blast_default_blosum62():
    """BLAST's published BLOSUM62 11/1 values (blastp's default)."""
    params = karlin_altschul(scoring_scheme("protein"))
    assert params is BLOSUM62_11_1
    assert (params.lambda_, params.k, params.h) == (0.267, 0.041, 0.14)
    assert (params.alpha, params.beta) == (1.9, -30)
    assert not params.round_down


@pytest.mark.parametrize(
    ("matrix", "open_cost", "extend_cost", "lambda_", "k", "h"),
    [
        ("BLOSUM62", 10, 1, 0.243, 0.024, 0.10),
        ("BLOSUM62", 9, 2, 0.279, 0.058, 0.19),
        ("BLOSUM62", 11, 2, 0.297, 0.082, 0.27),
        ("BLOSUM45", 14, 2, 0.195, 0.032, 0.10),
        ("BLOSUM50", 13, 2, 0.193, 0.035, 0.12),
        ("PAM30", 9, 1, 0.294, 0.11, 0.61),
        ("PAM70", 10, 1, 0.291, 0.091, 0.41),
        ("PAM250", 14, 2, 0.182, 0.024, 0.073),
    ],
)
def test_blast_gap_costs_map_to_biopython_scores(matrix, open_cost, extend_cost, lambda_, k, h):
    """BLAST's cost o/e is open_gap_score -(o + e), extend_gap_score -e here."""
    scheme = scoring_scheme(
        "protein",
        matrix=matrix,
        open_gap_score=-(open_cost + extend_cost),
        extend_gap_score=-extend_cost,
    )
    params = karlin_altschul(scheme)
    assert (params.lambda_, params.k, params.h) == (lambda_, k, h)


def test_blastn_default_and_round_down():
    """blastn's 2/-3 with gap costs 5/2 is the DNA default; odd scores round down."""
    params = karlin_altschul(scoring_scheme("dna"))
    assert (params.lambda_, params.k, params.h) == (0.625, 0.41, 0.78)
    assert params.round_down
    assert bit_score(41, params) == bit_score(40, params)
    assert evalue(41, 1000, 10**6, 100, params) == evalue(40, 1000, 10**6, 100, params)
    assert evalue(42, 1000, 10**6, 100, params) < evalue(41, 1000, 10**6, 100, params)
    one_two = karlin_altschul(
        scoring_scheme(
            "dna", match_score=1, mismatch_score=-2, open_gap_score=-3, extend_gap_score=-1
        )
    )
    assert (one_two.lambda_, one_two.k, one_two.round_down) == (1.29, 0.49, False)


def test_table_is_sane():
    assert len(GAPPED_PARAMETERS) > 100
    for (name, open_gap, extend_gap), params in GAPPED_PARAMETERS.items():
        assert open_gap <= extend_gap < 0, name
        assert 0 < params.lambda_ < 2 and 0 < params.k < 1 and 0 < params.h < 2, name
        assert params.alpha > 0 and params.beta <= 0, name
    for name, (open_cost, extend_cost) in BLAST_DEFAULT_GAP_COSTS.items():
        assert (name, -(open_cost + extend_cost), -extend_cost) in GAPPED_PARAMETERS


def test_unknown_schemes_raise_config_error():
    with pytest.raises(ConfigError, match=r"BLOSUM62.*-12/-1"):  # names the supported pairs
        karlin_altschul(scoring_scheme("protein", open_gap_score=-5, extend_gap_score=-5))
    with pytest.raises(ConfigError, match="supported matrices: BLOSUM45"):
        karlin_altschul(scoring_scheme("dna", matrix="NUC.4.4"))
    with pytest.raises(ConfigError, match="match2/mismatch-3"):
        karlin_altschul(scoring_scheme("dna", open_gap_score=-9, extend_gap_score=-1))


def test_biopython_blosum80_is_not_blasts():
    """Same name, other scores (1/3-bit vs 1/2-bit units): refuse BLAST's parameters."""
    scheme = scoring_scheme("protein", matrix="BLOSUM80", open_gap_score=-11, extend_gap_score=-1)
    assert ("BLOSUM80", -11, -1) in GAPPED_PARAMETERS
    with pytest.raises(ConfigError, match="1/3-bit"):
        karlin_altschul(scheme)


def test_bit_score_formula():
    expected = (0.267 * 100 - math.log(0.041)) / math.log(2)
    assert bit_score(100, BLOSUM62_11_1) == pytest.approx(expected)
    assert bit_score(100, BLOSUM62_11_1) == pytest.approx(43.128, abs=1e-3)
    scores = np.array([0, 50, 100])
    assert bit_score(scores, BLOSUM62_11_1) == pytest.approx(
        (0.267 * scores - math.log(0.041)) / math.log(2)
    )


def fixed_point_function(ell, m, n, big_n, params: KarlinAltschul) -> float:
    return params.beta + params.alpha / params.lambda_ * (
        math.log(params.k) + math.log((m - ell) * (n - big_n * ell))
    )


@pytest.mark.parametrize(
    ("m", "n", "big_n", "capped"),
    [(300, 10**6, 3000, False), (1000, 10**8, 3 * 10**5, False), (50, 10**5, 500, True)],
)
def test_length_adjustment_is_blasts_integer_fixed_point(m, n, big_n, capped):
    """l <= f(l) and l + 1 > f(l + 1): the largest integer below the fixed point,
    unless that would leave K (m - l) (n - N l) <= max(m, n) (short queries)."""
    params = BLOSUM62_11_1
    ell = length_adjustment(m, n, big_n, params)
    assert ell > 0
    assert ell <= fixed_point_function(ell, m, n, big_n, params)
    assert params.k * (m - ell) * (n - big_n * ell) > max(m, n)
    next_space = params.k * (m - ell - 1) * (n - big_n * (ell + 1))
    if capped:
        assert next_space <= max(m, n)
        assert ell + 1 <= fixed_point_function(ell + 1, m, n, big_n, params)
    else:
        assert ell + 1 > fixed_point_function(ell + 1, m, n, big_n, params)
    assert effective_search_space(m, n, big_n, params) == (m - ell) * (n - big_n * ell)


def test_classic_length_adjustment_without_alpha_beta():
    """alpha = lambda / H, beta = 0 gives l = ln(K m' n') / H (Altschul & Gish)."""
    p = BLOSUM62_11_1
    classic = KarlinAltschul(p.lambda_, p.k, p.h, p.lambda_ / p.h, 0.0)
    m, n, big_n = 250, 2 * 10**6, 8000
    ell = length_adjustment(m, n, big_n, classic)
    value = math.log(p.k * (m - ell) * (n - big_n * ell)) / p.h
    assert ell <= value < ell + 1 + 1e-9


def test_evalue_formula_known_case():
    """E = K m' n' exp(-lambda S), with l = 81 for m 300, n 10^6, N 3000 (BLOSUM62 11/1)."""
    params = BLOSUM62_11_1
    assert length_adjustment(300, 10**6, 3000, params) == 81
    expected = 0.041 * (300 - 81) * (10**6 - 3000 * 81) * math.exp(-0.267 * 100)
    assert evalue(100, 300, 10**6, 3000, params) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(1.7245e-5, rel=1e-4)
    # E = m' n' 2^-bits.
    bits = bit_score(100, params)
    assert expected == pytest.approx((300 - 81) * (10**6 - 3000 * 81) * 2.0**-bits, rel=1e-9)


def test_evalue_vectorized():
    params = BLOSUM62_11_1
    scores = np.array([[40, 80], [120, 160]])
    lengths = np.array([[100, 300], [300, 100]])
    values = evalue(scores, lengths, 10**6, 3000, params)
    assert values.shape == (2, 2)
    for index in np.ndindex(scores.shape):
        assert values[index] == evalue(int(scores[index]), int(lengths[index]), 10**6, 3000, params)
    assert isinstance(evalue(50, 100, 10**6, 3000, params), float)
    broadcast = evalue(np.array([40, 80]), 200, 10**6, 3000, params)
    assert broadcast.shape == (2,)


@settings(max_examples=50, deadline=None)
@given(
    score=st.integers(1, 2000),
    m=st.integers(100, 3000),
    n_sequences=st.integers(10, 100_000),
    mean_length=st.integers(150, 1000),
)
def test_evalue_falls_with_score_and_grows_with_database(score, m, n_sequences, mean_length):
    """Monotone for realistic lengths. (Not for a long query against a set of short
    sequences: the length adjustment then nears the sequence length and BLAST's
    effective database length n - N l can shrink as N grows.)"""
    params = BLOSUM62_11_1
    n = n_sequences * mean_length
    base = evalue(score, m, n, n_sequences, params)
    assert evalue(score + 1, m, n, n_sequences, params) < base
    assert evalue(score, m, 2 * n, 2 * n_sequences, params) > base


def test_all_vs_all_evalue_is_not_symmetric_but_bit_score_is():
    """Swapping query and target changes m (so E), not the raw or bit score."""
    params = BLOSUM62_11_1
    n, big_n = 300_000, 1000
    forward = evalue(120, 100, n, big_n, params)
    backward = evalue(120, 400, n, big_n, params)
    assert backward > 3 * forward
    # The bit score depends on the raw score alone: (lambda S - ln K) / ln 2,
    # with BLAST's published lambda 0.267 and K 0.041 for BLOSUM62 11/1.
    assert bit_score(120, params) == pytest.approx((0.267 * 120 - math.log(0.041)) / math.log(2))
    # And in a real search, both directions of a pair of different lengths
    # have one raw and bit score but different E-values.
    store = make_store(["MKVLAAGIWHEQRSTYLDKFGHRE" * 3, "MKVLAAGIWHEQRSTYLDKFGHRE"], "protein")
    hits = search_hits(store, store, scoring_scheme("protein"), HitFilter(exhaustive=True))
    pair = hits[hits["query"] != hits["target"]].set_index("query")
    assert pair.loc[0, "raw"] == pair.loc[1, "raw"] > 0
    assert pair.loc[0, "bitscore"] == pair.loc[1, "bitscore"]
    assert pair.loc[0, "evalue"] > 2 * pair.loc[1, "evalue"]


@pytest.mark.parametrize("name", sorted(UNGAPPED_PARAMETERS))
def test_ungapped_parameters_reproduce_blast(name):
    """lambda, H and K from the matrix and Robinson frequencies vs BLAST's ungapped rows."""
    published = UNGAPPED_PARAMETERS[name]
    matrix = scoring_scheme("protein", matrix=name).matrix
    computed = ungapped_karlin_altschul(matrix, background_frequencies("protein"))
    if name == "BLOSUM80":  # Biopython's BLOSUM80 is another (1/3-bit) matrix
        assert computed.lambda_ < 0.8 * published.lambda_
        return
    assert computed.lambda_ == pytest.approx(published.lambda_, rel=2e-3)
    assert computed.h == pytest.approx(published.h, rel=5e-3)
    assert computed.k == pytest.approx(published.k, rel=1e-2)


def test_ungapped_nucleotide_closed_forms():
    """Match 1 / mismatch -1 with uniform bases: lambda = ln 3, K = 1/3 (closed forms)."""
    scheme = scoring_scheme("dna", match_score=1, mismatch_score=-1)
    stats = ungapped_karlin_altschul(scheme.matrix, background_frequencies("dna"))
    assert stats.lambda_ == pytest.approx(math.log(3))
    assert 0.25 * math.exp(stats.lambda_) + 0.75 * math.exp(-stats.lambda_) == pytest.approx(1)
    assert stats.k == pytest.approx(1 / 3)
    # 1/-2 (lowest score -2, highest 1): K by the high == 1 closed form, lambda solves phi = 1.
    scheme = scoring_scheme("dna", match_score=1, mismatch_score=-2)
    stats = ungapped_karlin_altschul(scheme.matrix, background_frequencies("dna"))
    assert 0.25 * math.exp(stats.lambda_) + 0.75 * math.exp(-2 * stats.lambda_) == pytest.approx(1)
    assert stats.k == pytest.approx(stats.h / stats.lambda_ * (1 - math.exp(-stats.lambda_)))


def test_ungapped_needs_negative_mean():
    with pytest.raises(ConfigError, match="negative mean"):
        ungapped_karlin_altschul(np.ones((4, 4), dtype=np.int32), np.full(4, 0.25))


def test_parameter_table_file_is_complete_and_unambiguous():
    """blast_parameters.tsv: one row per scheme and gap pair, every matrix's
    BLAST default gap costs present, the published BLOSUM62 11/1 values."""
    from importlib import resources

    import pandas as pd

    from seqsim.alignment.statistics import BLAST_DEFAULT_GAP_COSTS, PARAMETER_TABLE

    path = resources.files("seqsim.alignment").joinpath(PARAMETER_TABLE)
    table = pd.read_csv(str(path), sep="\t", comment="#")
    gapped = table[table["table"] != "ungapped"]
    assert not gapped.duplicated(["table", "matrix", "open_cost", "extend_cost"]).any()
    assert len(GAPPED_PARAMETERS) == len(gapped)
    assert set(UNGAPPED_PARAMETERS) == set(table.loc[table["table"] == "ungapped", "matrix"])
    for name, (open_cost, extend_cost) in BLAST_DEFAULT_GAP_COSTS.items():
        assert (name, -(open_cost + extend_cost), -extend_cost) in GAPPED_PARAMETERS
    assert BLOSUM62_11_1.lambda_ == 0.267 and BLOSUM62_11_1.k == 0.041
    assert GAPPED_PARAMETERS["match2/mismatch-3", -7, -2].round_down
