"""K-mer counting and pair features against plain-Python oracles."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from seqsim.errors import ConfigError
from seqsim.kmers.profiles import (
    KMER_BASE,
    REDUCED_ALPHABETS,
    count_kmers,
    read_profiles,
    write_profiles,
)
from seqsim.sequences.alphabet import get_alphabet

from conftest import make_store
from oracles import STANDARD, kmer_counter


def decode_kmer(value: int, k: int, alphabet: str) -> str:
    base = KMER_BASE[alphabet]
    letters = get_alphabet(alphabet).letters
    digits = []
    for _ in range(k):
        value, digit = divmod(int(value), base)
        digits.append(letters[digit])
    return "".join(reversed(digits))


def profile_counter(profiles, index: int, alphabet: str) -> dict[str, int]:
    start, end = profiles.offsets[index], profiles.offsets[index + 1]
    return {
        decode_kmer(v, profiles.k, alphabet): int(c)
        for v, c in zip(profiles.values[start:end], profiles.counts[start:end], strict=True)
    }


protein_text = st.text(alphabet="ARNDCQEGHILKMFPSTWYVXBZ", min_size=1, max_size=60)
dna_text = st.text(alphabet="ACGTN", min_size=1, max_size=80)


@settings(max_examples=60, deadline=None)
@given(st.lists(protein_text, min_size=1, max_size=5), st.integers(1, 4))
@example(["X"], 1)
@example(["AXA"], 2)
def test_protein_kmer_counts_match_counter(sequences, k):
    profiles = count_kmers(make_store(sequences, "protein"), k=k)
    for index, sequence in enumerate(sequences):
        expected = kmer_counter(sequence, k, STANDARD["protein"])
        assert profile_counter(profiles, index, "protein") == dict(expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(dna_text, min_size=1, max_size=5), st.integers(1, 12), st.booleans())
@example(["ACGTNACGT"], 3, True)
@example(["A" * 40], 31, True)
def test_dna_kmer_counts_match_counter(sequences, k, canonical):
    profiles = count_kmers(make_store(sequences, "dna"), k=k, canonical=canonical)
    for index, sequence in enumerate(sequences):
        expected = kmer_counter(sequence, k, STANDARD["dna"], canonical=canonical)
        assert profile_counter(profiles, index, "dna") == dict(expected)


def test_long_dna_kmers_do_not_overflow():
    rng = np.random.default_rng(0)
    sequence = "".join(rng.choice(list("ACGT"), 200))
    profiles = count_kmers(make_store([sequence], "dna"), k=31, canonical=True)
    expected = kmer_counter(sequence, 31, "ACGT", canonical=True)
    assert profile_counter(profiles, 0, "dna") == dict(expected)


def test_k_out_of_range_and_protein_canonical_are_refused():
    store = make_store(["MKV"], "protein")
    with pytest.raises(ConfigError, match="out of range"):
        count_kmers(store, k=15)
    with pytest.raises(ConfigError, match="DNA/RNA only"):
        count_kmers(store, k=2, canonical=True)


def test_profiles_round_trip(tmp_path):
    profiles = count_kmers(make_store(["MKVLAAG", "MKV"], "protein"), k=2)
    write_profiles(profiles, tmp_path / "p.npz")
    again = read_profiles(tmp_path / "p.npz")
    assert again.k == 2 and again.alphabet == "protein"
    assert np.array_equal(again.values, profiles.values)


def test_profiles_file_bytes_are_reproducible(tmp_path):
    profiles = count_kmers(make_store(["MKVLAAG", "MKV"], "protein"), k=2)
    write_profiles(profiles, tmp_path / "a.npz")
    write_profiles(profiles, tmp_path / "b.npz")
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()


@settings(max_examples=40, deadline=None)
@given(st.lists(protein_text, min_size=1, max_size=4), st.integers(1, 5),
       st.sampled_from(sorted(REDUCED_ALPHABETS)))  # fmt: skip
def test_reduced_alphabet_kmers_match_counter(sequences, k, name):
    groups = REDUCED_ALPHABETS[name].split()
    letter_group = {letter: str(g) for g, members in enumerate(groups) for letter in members}
    profiles = count_kmers(make_store(sequences, "protein"), k=k, reduced_alphabet=name)
    for index, sequence in enumerate(sequences):
        reduced = "".join(letter_group.get(c, "-") for c in sequence)
        expected = kmer_counter(reduced, k, "".join(str(g) for g in range(len(groups))))
        start, end = profiles.offsets[index], profiles.offsets[index + 1]
        got = {}
        for value, count in zip(
            profiles.values[start:end], profiles.counts[start:end], strict=True
        ):
            digits, value = [], int(value)
            for _ in range(k):
                value, digit = divmod(value, len(groups))
                digits.append(str(digit))
            got["".join(reversed(digits))] = int(count)
        assert got == dict(expected)


def test_reduced_alphabet_is_protein_only():
    with pytest.raises(ConfigError, match="proteins only"):
        count_kmers(make_store(["ACGT"], "dna"), k=2, reduced_alphabet="murphy10")
    with pytest.raises(ConfigError, match="unknown reduced alphabet"):
        count_kmers(make_store(["MKV"], "protein"), k=2, reduced_alphabet="nope")
