"""Profiles from a set's own hits, and profile-sequence alignment scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from seqsim.alignment.scoring import scoring_scheme
from seqsim.scorer.profiles import build_profiles, profile_scores, target_conditionals
from seqsim.search_engine.engine import HitFilter, search_hits

from conftest import biopython_score, make_store

PROTEIN = scoring_scheme("protein")
DNA = scoring_scheme("dna")
NO_HITS = pd.DataFrame(
    {"query": [], "target": [], "evalue": [], "qstart": [], "sstart": [], "cigar": []}
)


def all_vs_all(store, scheme):
    return search_hits(store, store, scheme, HitFilter(max_evalue=1e-3))


@settings(max_examples=40, deadline=None)
@given(
    st.text("ACDEFGHIKLMNPQRSTVWYX", min_size=0, max_size=40),
    st.text("ACDEFGHIKLMNPQRSTVWYBZ", min_size=0, max_size=40),
)
def test_a_profile_without_hits_scores_as_smith_waterman(a, b):
    store = make_store([a or "A", b or "A"], "protein")
    profile = build_profiles(store, NO_HITS, PROTEIN)
    np.testing.assert_array_equal(profile, PROTEIN.matrix[store.codes].astype(np.float32))
    (score,) = profile_scores(profile, store, PROTEIN, np.array([0]), np.array([1]))
    expected = biopython_score(PROTEIN, store.sequence_codes(0), store.sequence_codes(1))
    assert score == expected


@settings(max_examples=20, deadline=None)
@given(st.text("ACGTN", min_size=1, max_size=40), st.text("ACGT", min_size=1, max_size=40))
def test_dna_profiles_without_hits_score_as_smith_waterman(a, b):
    store = make_store([a, b], "dna")
    profile = build_profiles(store, NO_HITS, DNA)
    (score,) = profile_scores(profile, store, DNA, np.array([0]), np.array([1]))
    assert score == biopython_score(DNA, store.sequence_codes(0), store.sequence_codes(1))


def test_target_frequencies_are_distributions_and_match_the_matrix():
    background, conditionals, lam = target_conditionals(PROTEIN)
    assert abs(background.sum() - 1) < 1e-12
    np.testing.assert_allclose(conditionals.sum(axis=1), 1.0)
    # Log-odds of the implied target frequencies give back BLOSUM62 up to a
    # per-row constant, within its half-bit rounding.
    log_odds = np.log(conditionals / background) / lam
    rows = log_odds - PROTEIN.matrix[:20, :20]
    assert np.ptp(rows - rows.mean(axis=1, keepdims=True), axis=1).max() < 1.5


def test_hits_put_their_residues_into_the_query_profile():
    rng = np.random.default_rng(3)
    letters = "ACDEFGHIKLMNPQRSTVWY"
    core = "".join(rng.choice(list(letters), 80))
    # The second sequence: the core with W at position 40 (0-based), flanked.
    variant = core[:40] + ("W" if core[40] != "W" else "Y") + core[41:]
    store = make_store(
        [core, "MKV" + variant + "GG", "".join(rng.choice(list(letters), 60))], "protein"
    )
    hits = all_vs_all(store, PROTEIN)
    profile = build_profiles(store, hits, PROTEIN)
    plain = PROTEIN.matrix[store.codes].astype(np.float32)
    column = profile[40]
    w = "ARNDCQEGHILKMFPSTWYV".index(variant[40])
    own = store.codes[40]
    assert column[w] > plain[40, w]  # the hit's residue is now likelier
    assert column[own] > column[w]  # the sequence's own residue still leads
    # The third sequence has no significant hit: its profile is the matrix.
    start, end = store.offsets[2], store.offsets[3]
    np.testing.assert_array_equal(profile[start:end], plain[start:end])


def test_profiles_lift_remote_members_of_a_family_above_their_direct_scores():
    rng = np.random.default_rng(5)
    ancestor = rng.integers(0, 20, 120)

    def member(rate):
        child = ancestor.copy()
        mutate = rng.random(child.size) < rate
        child[mutate] = rng.integers(0, 20, mutate.sum())
        return "".join("ARNDCQEGHILKMFPSTWYV"[c] for c in child)

    family = [member(0.35) for _ in range(12)]
    remote = [member(0.7), member(0.7)]
    store = make_store(family + remote, "protein")
    hits = all_vs_all(store, PROTEIN)
    profile = build_profiles(store, hits, PROTEIN)
    plain = PROTEIN.matrix[store.codes].astype(np.float32)
    q, t = np.array([12]), np.array([13])
    lifted = profile_scores(profile, store, PROTEIN, np.zeros(1, int), np.array([12]))
    direct = profile_scores(plain, store, PROTEIN, np.zeros(1, int), np.array([12]))
    assert lifted[0] > direct[0]
    # Symmetric in the pair.
    assert profile_scores(profile, store, PROTEIN, q, t) == profile_scores(
        profile, store, PROTEIN, t, q
    )


@settings(max_examples=40, deadline=None)
@given(
    # Whole profile rows (24 values each), drawn by row count: a filter on the
    # length discarded so many lists that hypothesis's health check failed.
    st.integers(1, 30).flatmap(
        lambda rows: st.lists(st.integers(-20, 20), min_size=24 * rows, max_size=24 * rows)
    ),
    st.lists(st.text("ACDEFGHIKLMNPQRSTVWYBZX", min_size=1, max_size=60), min_size=1, max_size=70),
    st.sampled_from([(-12, -1), (-5, -2), (-130, -1)]),
)
def test_simd_profile_scores_equal_the_scalar_kernel(values, targets, gaps):
    """Random integer profiles (including scores that saturate int8 lanes and
    gaps past int8) against random targets: the batch kernel's cascade gives
    the scalar float kernel's scores."""
    from seqsim.alignment.batch import BatchAligner
    from seqsim.alignment.scoring import ScoringScheme
    from seqsim.kernels.profile import _profile_local_score

    profile = np.array(values, dtype=np.int8).reshape(-1, 24) * 6  # up to +-120
    scheme = ScoringScheme("protein", "BLOSUM62", PROTEIN.matrix, *gaps)
    store = make_store(targets, "protein")
    aligner = BatchAligner(store.codes, store.offsets, scheme)
    got = aligner.profile_scores(profile)
    rows = profile.astype(np.float32)
    expected = [
        _profile_local_score(rows, 0, rows.shape[0], store.sequence_codes(t), *gaps)
        for t in range(store.n_sequences)
    ]
    assert got.tolist() == expected
