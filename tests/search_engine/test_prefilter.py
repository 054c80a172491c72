"""The k-mer index prefilter: index and diagonal kernels against plain Python,
candidates that obey the seeding rule, planted homologs found, short
sequences kept, and search results independent of blocks and threads."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import seqsim.search_engine.engine
from seqsim.alignment.scoring import scoring_scheme
from seqsim.errors import ConfigError
from seqsim.kernels.kmer_index import _build_index, _diagonal_score
from seqsim.parallel import block_rows
from seqsim.search_engine.engine import HitFilter, search_hits
from seqsim.search_engine.prefilter import KmerIndex, KmerPrefilterSettings
from seqsim.validation.simulate import SimulationParams, simulate_families

from conftest import make_store

PROTEIN = "ARNDCQEGHILKMFPSTWYV"
SCHEME = scoring_scheme("protein")
MATRIX = SCHEME.matrix.astype(np.int64)
protein_text = st.text(alphabet=PROTEIN + "X", max_size=60)


@pytest.mark.slow  # ~35 s on 2 cores
@settings(max_examples=60, deadline=None)
@given(st.lists(protein_text, min_size=1, max_size=6), st.integers(2, 4))
def test_index_lists_every_kmer_occurrence(sequences, k):
    store = make_store(sequences, "protein")
    slots = np.arange(store.n_sequences, dtype=np.int64)
    word_offsets, entry_sequence, entry_position = _build_index(
        store.codes, store.offsets, slots, k, 20
    )
    found = {}
    for word in range(20**k):
        entries = range(word_offsets[word], word_offsets[word + 1])
        found[word] = sorted((int(entry_sequence[e]), int(entry_position[e])) for e in entries)
        # Entries run by ascending sequence (the all-vs-all early exit relies on it).
        assert list(entry_sequence[word_offsets[word] : word_offsets[word + 1]]) == sorted(
            entry_sequence[word_offsets[word] : word_offsets[word + 1]]
        )
    expected = {}
    for s, text in enumerate(sequences):
        for p in range(len(text) - k + 1):
            window = text[p : p + k]
            if "X" in window:
                continue
            value = 0
            for letter in window:
                value = value * 20 + PROTEIN.index(letter)
            expected.setdefault(value, []).append((s, p))
    assert {w: v for w, v in found.items() if v} == expected


def kadane(query: str, target: str, diagonal: int) -> int:
    best = running = 0
    for i, a in enumerate(query):
        j = i + diagonal
        if 0 <= j < len(target):
            score = int(SCHEME.matrix[PROTEIN.index(a), PROTEIN.index(target[j])])
            running = max(0, running + score)
            best = max(best, running)
    return best


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet=PROTEIN, min_size=1, max_size=50),
    st.text(alphabet=PROTEIN, min_size=1, max_size=50),
    st.integers(-49, 49),
)
def test_diagonal_score_is_the_best_ungapped_segment(query, target, diagonal):
    codes = make_store([query, target], "protein")
    got = _diagonal_score(codes.sequence_codes(0), codes.sequence_codes(1), diagonal, MATRIX)
    assert got == kadane(query, target, diagonal)


def neighbourhood_hits(query: str, target: str, k: int, threshold: int) -> dict[int, int]:
    """Diagonal -> number of (query k-mer, target k-mer) pairs scoring >= threshold."""
    hits: dict[int, int] = {}
    for i, j in itertools.product(range(len(query) - k + 1), range(len(target) - k + 1)):
        score = sum(
            int(SCHEME.matrix[PROTEIN.index(a), PROTEIN.index(b)])
            for a, b in zip(query[i : i + k], target[j : j + k], strict=True)
        )
        if score >= threshold:
            hits[j - i] = hits.get(j - i, 0) + 1
    return hits


def seeded(hits: dict[int, int], diagonal: int, band: int) -> bool:
    """The seeding rule: a hit on ``diagonal`` and a second within the band."""
    near = sum(n for d, n in hits.items() if abs(d - diagonal) <= band)
    return hits.get(diagonal, 0) >= 1 and near >= 2


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.text(alphabet=PROTEIN, min_size=30, max_size=70), min_size=2, max_size=5),
    st.sampled_from([0, 1, 5]),
)
def test_candidates_are_exactly_the_targets_the_seeding_rule_picks(sequences, band):
    store = make_store(sequences, "protein")
    chosen = KmerPrefilterSettings(k=3, threshold=11, min_diagonal_score=20, diagonal_band=band)
    index = KmerIndex(store, SCHEME, chosen)
    offsets, targets = index.candidates(store, np.arange(store.n_sequences))
    for q in range(store.n_sequences):
        expected = set()
        for t in range(store.n_sequences):
            hits = neighbourhood_hits(sequences[q], sequences[t], 3, 11)
            if any(
                seeded(hits, d, band) and kadane(sequences[q], sequences[t], d) >= 20 for d in hits
            ):
                expected.add(t)
        assert set(targets[offsets[q] : offsets[q + 1]].tolist()) == expected


def test_a_band_finds_seeds_either_side_of_an_indel():
    """One seed hit each side of a 3-residue insertion: a candidate with a
    band of 3 or more, not when both hits must share a diagonal. Flank
    letters differ between the two sequences and score little, so at
    threshold 44 only the two planted 5-mers (self scores 46) are hits."""
    rng = np.random.default_rng(5)

    def flank(letters: str, n: int) -> str:
        return "".join(rng.choice(list(letters), n))

    query = flank("ARND", 30) + "WCWHY" + flank("ARND", 10) + "YHWCW" + flank("ARND", 30)
    target = flank("EGKS", 25) + "WCWHY" + flank("EGKS", 13) + "YHWCW" + flank("EGKS", 30)
    store = make_store([query, target], "protein")
    found = {}
    for band in (0, 2, 3, 16):
        chosen = KmerPrefilterSettings(k=5, threshold=44, min_diagonal_score=0, diagonal_band=band)
        offsets, targets = KmerIndex(store, SCHEME, chosen).candidates(
            store, np.arange(2), all_vs_all=True
        )
        found[band] = targets.tolist()
    assert found == {0: [], 2: [], 3: [1], 16: [1]}


def test_identical_and_close_copies_are_candidates():
    rng = np.random.default_rng(3)
    base = "".join(rng.choice(list(PROTEIN), 150))
    mutated = list(base)
    for position in range(10, 150, 15):  # 90% identity
        mutated[position] = "W" if base[position] != "W" else "C"
    others = ["".join(rng.choice(list(PROTEIN), 150)) for _ in range(20)]
    store = make_store([base, *others, "".join(mutated), base], "protein")
    index = KmerIndex(store, SCHEME)
    offsets, targets = index.candidates(store, np.arange(store.n_sequences), all_vs_all=True)
    first = set(targets[offsets[0] : offsets[1]])
    assert {21, 22} <= first
    # all_vs_all: only larger indices, and each query's list ascending.
    for q in range(store.n_sequences):
        row = targets[offsets[q] : offsets[q + 1]]
        assert (row > q).all() and (np.diff(row) > 0).all()


@pytest.fixture(scope="module")
def planted():
    """Simulated families: close ones (60-90% identity) and the whole range."""
    params = SimulationParams(
        n_superfamilies=4, members_per_family=(4, 6), identity_range=(0.6, 0.9),
        n_singletons=20, seed=11,
    )  # fmt: skip
    result = simulate_families(params)
    store = make_store([sequence for _, sequence in result.records], "protein")
    return store, result.labels["family"].to_numpy()


def test_planted_close_homologs_are_all_found(planted):
    store, family = planted
    hits = search_hits(store, store, SCHEME, HitFilter(kmer=KmerPrefilterSettings()))
    found = set(zip(hits["query"], hits["target"], strict=True))
    same = [
        (i, j)
        for i in range(store.n_sequences)
        for j in range(store.n_sequences)
        if i != j and family[i] == family[j]
    ]
    missing = [pair for pair in same if pair not in found]
    assert not missing, f"{len(missing)} of {len(same)} same-family pairs missed"


def test_short_sequences_are_aligned_against_everything():
    rng = np.random.default_rng(5)
    long = "".join(rng.choice(list(PROTEIN), 200))
    peptide = long[50:62]  # 12 residues: below the short-sequence length
    store = make_store([peptide, long, "MKV"], "protein")
    hits = search_hits(store, store, SCHEME, HitFilter(kmer=KmerPrefilterSettings()))
    pairs = set(zip(hits["query"], hits["target"], strict=True))
    assert (0, 1) in pairs and (1, 0) in pairs


@pytest.mark.parametrize("threads", [1, 2])
def test_search_results_do_not_depend_on_blocks_or_threads(planted, monkeypatch, threads):
    store, _ = planted
    hit_filter = HitFilter(kmer=KmerPrefilterSettings(k=4, threshold=14, min_diagonal_score=25))
    whole = search_hits(store, store, SCHEME, hit_filter)
    monkeypatch.setattr(seqsim.search_engine.engine, "_QUERY_BLOCK", 7)
    small_blocks = search_hits(store, store, SCHEME, hit_filter, threads=threads)
    pd.testing.assert_frame_equal(small_blocks, whole)
    # Blocks of query rows, as the Snakemake jobs run them, each against all targets.
    parts = pd.concat(
        [
            search_hits(
                store, store, SCHEME, hit_filter, threads=threads,
                query_indices=block_rows(store.n_sequences, b, 3),
            )
            for b in range(3)
        ]
    ).sort_values("query", kind="stable", ignore_index=True)  # fmt: skip
    pd.testing.assert_frame_equal(parts, whole)


def test_exhaustive_search_reports_every_pair_exactly_once(planted):
    store, _ = planted
    everything = HitFilter(exhaustive=True, kmer=KmerPrefilterSettings())
    hits = search_hits(store, store, SCHEME, everything)
    pairs = pd.MultiIndex.from_arrays([hits["query"], hits["target"]])
    assert pairs.is_unique and len(pairs) == store.n_sequences**2


def test_defaults_exact_dna_11mers_a_protein_band_and_bad_settings():
    store = make_store(["ACGT" * 10], "dna")
    index = KmerIndex(store, scoring_scheme("dna"))
    assert (index.settings.k, index.settings.threshold) == (11, 22)
    with pytest.raises(ConfigError, match="out of range"):
        KmerIndex(store, scoring_scheme("dna"), KmerPrefilterSettings(k=15))
    with pytest.raises(ConfigError, match="diagonal band = -1"):
        KmerIndex(store, scoring_scheme("dna"), KmerPrefilterSettings(diagonal_band=-1))
    assert index.settings.diagonal_band == 0
    protein = KmerIndex(make_store(["ACDEFGHIK" * 5], "protein"), SCHEME)
    assert protein.settings.diagonal_band == 16
