"""MinHash / FracMinHash sketches and the Mash distance.

Checked against a plain-Python MurmurHash3 and exact k-mer sets, against
binomial sampling error on sequences of known Jaccard index, and against
``mash`` itself (Debian's ``mash`` package) on real Rfam sequences.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from Bio.SeqIO.FastaIO import SimpleFastaParser
from hypothesis import example, given, settings, strategies as st

from seqsim.errors import ConfigError
from seqsim.kmers.sketch import (
    PAIR_SKETCH_COLUMNS,
    jaccard_estimate,
    mash_distance,
    pairwise_mash,
    sketch_store,
)
from seqsim.sequences.ingest import ingest_fasta

from conftest import REPO, make_store, shared_data
from oracles import kmer_counter

MASK64 = 2**64 - 1


# --- plain-Python oracles -------------------------------------------------------------------


def murmur3_x64_128_h1(data: bytes, seed: int) -> int:
    """First 64-bit word of MurmurHash3_x64_128, straight from the reference C code."""

    def rotl(x: int, r: int) -> int:
        return ((x << r) | (x >> (64 - r))) & MASK64

    def fmix(x: int) -> int:
        x ^= x >> 33
        x = (x * 0xFF51AFD7ED558CCD) & MASK64
        x ^= x >> 33
        x = (x * 0xC4CEB9FE1A85EC53) & MASK64
        return x ^ (x >> 33)

    c1, c2 = 0x87C37B91114253D5, 0x4CF5AD432745937F
    h1 = h2 = seed
    n_blocks = len(data) // 16
    for block in range(n_blocks):
        k1 = int.from_bytes(data[16 * block : 16 * block + 8], "little")
        k2 = int.from_bytes(data[16 * block + 8 : 16 * block + 16], "little")
        h1 ^= (rotl((k1 * c1) & MASK64, 31) * c2) & MASK64
        h1 = (rotl(h1, 27) + h2) & MASK64
        h1 = (h1 * 5 + 0x52DCE729) & MASK64
        h2 ^= (rotl((k2 * c2) & MASK64, 33) * c1) & MASK64
        h2 = (rotl(h2, 31) + h1) & MASK64
        h2 = (h2 * 5 + 0x38495AB5) & MASK64
    tail = data[16 * n_blocks :]
    if len(tail) > 8:
        k2 = int.from_bytes(tail[8:], "little")
        h2 ^= (rotl((k2 * c2) & MASK64, 33) * c1) & MASK64
    if tail:
        k1 = int.from_bytes(tail[:8], "little")
        h1 ^= (rotl((k1 * c1) & MASK64, 31) * c2) & MASK64
    h1 ^= len(data)
    h2 ^= len(data)
    h1 = (h1 + h2) & MASK64
    h2 = (h2 + h1) & MASK64
    h1, h2 = fmix(h1), fmix(h2)
    return (h1 + h2) & MASK64


def oracle_hashes(sequence: str, k: int, *, canonical: bool = True, seed: int = 42) -> list[int]:
    """Sorted distinct Mash hashes of a DNA sequence's k-mers (32-bit when k <= 16)."""
    words = kmer_counter(sequence, k, "ACGT", canonical=canonical)
    mask = MASK64 if k > 16 else 0xFFFFFFFF
    return sorted({murmur3_x64_128_h1(word.encode("ascii"), seed) & mask for word in words})


def oracle_bottom_union(a: list[int], b: list[int], size: int) -> tuple[int, int]:
    """(shared, union) among the ``size`` smallest hashes of the union of two sketches."""
    smallest = sorted(set(a) | set(b))[:size]
    return len(set(smallest) & set(a) & set(b)), len(smallest)


# --- hashing and sketching ------------------------------------------------------------------

dna_text = st.text(alphabet="ACGTN", min_size=0, max_size=80)


def test_hashes_match_values_printed_by_mash():
    # `mash sketch -i -k 21 -s 1000` then `mash info -d` (mash 2.3) on this sequence:
    # its smallest hashes, pinned so the check runs where mash is not installed.
    sequence = "ACGTACGTTTGACCAGTAGGACCATTAGACAGATTTAG"
    k21 = sketch_store(make_store([sequence], "dna"), 21, size=3)
    assert k21.sequence_hashes(0).tolist() == [
        821824867373112287,
        1978052501190482730,
        2102228090027919494,
    ]
    assert k21.hash_bits == 64
    k11 = sketch_store(make_store([sequence], "dna"), 11, size=2)  # mash -k 11: 32-bit hashes
    assert k11.sequence_hashes(0).tolist() == [9354563, 125773778]
    assert k11.hash_bits == 32


@settings(max_examples=60, deadline=None)
@given(
    st.lists(dna_text, min_size=1, max_size=4),
    st.sampled_from([1, 3, 11, 16, 17, 21, 31]),
    st.integers(1, 40),
    st.booleans(),
)
@example(["NNNN", "", "ACG"], 3, 5, True)  # all-N, empty and short sequences: empty sketches
@example(["A" * 40, "ACGT" * 10], 17, 1, True)  # repeats: one or four distinct k-mers
def test_sketches_are_the_smallest_oracle_hashes(sequences, k, size, canonical):
    sketches = sketch_store(make_store(sequences, "dna"), k, size=size, canonical=canonical)
    assert sketches.kind == "minhash" and sketches.size == size
    for index, sequence in enumerate(sequences):
        expected = oracle_hashes(sequence, k, canonical=canonical)[:size]
        assert sketches.sequence_hashes(index).tolist() == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(dna_text, min_size=1, max_size=4), st.sampled_from([5, 21]), st.integers(1, 8))
@example(["ACGT" * 20], 5, 1)
def test_fracminhash_keeps_hashes_below_the_scaled_threshold(sequences, k, scaled):
    sketches = sketch_store(make_store(sequences, "dna"), k, scaled=scaled)
    assert sketches.kind == "fracminhash" and sketches.hash_bits == 64 and sketches.size is None
    threshold = MASK64 // scaled
    for index, sequence in enumerate(sequences):
        words = kmer_counter(sequence, k, "ACGT", canonical=True)
        hashes = {murmur3_x64_128_h1(word.encode("ascii"), 42) for word in words}
        expected = sorted(h for h in hashes if h <= threshold)
        assert sketches.sequence_hashes(index).tolist() == expected


def test_seed_changes_the_hashes():
    store = make_store(["ACGTTGCAAGGCTTAACCGT"], "dna")
    seeded = sketch_store(store, 5, size=100, seed=7)
    assert seeded.sequence_hashes(0).tolist() == oracle_hashes("ACGTTGCAAGGCTTAACCGT", 5, seed=7)
    assert not np.array_equal(seeded.hashes, sketch_store(store, 5, size=100).hashes)


def test_bad_options_are_refused():
    dna = make_store(["ACGTACGT"], "dna")
    with pytest.raises(ConfigError, match="size"):
        sketch_store(dna, 3, size=0)
    with pytest.raises(ConfigError, match="scaled"):
        sketch_store(dna, 3, scaled=0)
    with pytest.raises(ConfigError, match="seed"):
        sketch_store(dna, 3, seed=2**32)
    with pytest.raises(ConfigError, match="out of range"):
        sketch_store(dna, 32)
    with pytest.raises(ConfigError, match="DNA/RNA only"):
        sketch_store(make_store(["MKV"], "protein"), 2, canonical=True)
    sketches = sketch_store(dna, 3)
    with pytest.raises(ConfigError, match="shape"):
        pairwise_mash(sketches, np.array([0, 0]))
    with pytest.raises(ConfigError, match="indices"):
        pairwise_mash(sketches, np.array([[0, 1]]))


# --- Jaccard estimates ----------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(dna_text, dna_text, st.sampled_from([5, 11, 17, 21]), st.integers(1, 60))
@example("ACGTACGTAC", "ACGTACGTAC", 5, 3)  # identical: j = 1, distance 0
@example("AAAAAAAAAA", "CCCCCCCCCC", 5, 3)  # disjoint: j = 0, distance 1
@example("", "NNNNN", 5, 3)  # both empty: undefined
def test_estimate_is_mash_union_estimator_and_exact_for_full_sketches(a, b, k, size):
    sketches = sketch_store(make_store([a, b], "dna"), k, size=size)
    row = pairwise_mash(sketches, np.array([[0, 1]])).iloc[0]
    hashes_a, hashes_b = oracle_hashes(a, k)[:size], oracle_hashes(b, k)[:size]
    assert (row.n_shared, row.n_union) == oracle_bottom_union(hashes_a, hashes_b, size)
    same = jaccard_estimate(sketches.sequence_hashes(0), sketches.sequence_hashes(1), size)
    assert same == row.jaccard or (math.isnan(same) and math.isnan(row.jaccard))

    kmers_a = kmer_counter(a, k, "ACGT", canonical=True).keys()
    kmers_b = kmer_counter(b, k, "ACGT", canonical=True).keys()
    union = len(kmers_a | kmers_b)
    if union == 0:
        assert math.isnan(row.jaccard) and math.isnan(row.distance)
    elif size >= max(len(kmers_a), len(kmers_b)):
        # Full sketches hold every k-mer: the estimate is the exact Jaccard index
        # (barring a 32-bit hash collision, about n^2 / 2^33 for n k-mers).
        assert row.jaccard == len(kmers_a & kmers_b) / union
        assert row.distance == pytest.approx(mash_distance(row.jaccard, k))


def mutate(sequence: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    changed = sequence.copy()
    where = rng.random(sequence.size) < rate
    changed[where] = (changed[where] + rng.integers(1, 4, where.sum())) % 4
    return changed


def known_jaccard_pairs(n_pairs: int, length: int, k: int, seed: int):
    """Random sequences and mutated copies, with their exact canonical k-mer Jaccard."""
    rng = np.random.default_rng(seed)
    sequences, exact = [], []
    for rate in np.linspace(0.003, 0.08, n_pairs):
        ancestor = rng.integers(0, 4, length)
        pair = ["".join("ACGT"[c] for c in s) for s in (ancestor, mutate(ancestor, rate, rng))]
        a, b = (kmer_counter(s, k, "ACGT", canonical=True).keys() for s in pair)
        sequences += pair
        exact.append((len(a & b) / len(a | b), len(a | b)))
    return sequences, np.array(exact)


def test_bottom_sketch_error_is_within_sampling_tolerance():
    # Of the s smallest hashes of the union (a random sample of it when the hash
    # behaves randomly) the number also in both sketches is hypergeometric:
    # sd = sqrt(j (1 - j) / s * (U - s) / (U - 1)) for true Jaccard j and union size U.
    k, size, n_pairs = 21, 200, 60
    sequences, exact = known_jaccard_pairs(n_pairs, 3000, k, seed=5)
    pairs = np.arange(2 * n_pairs).reshape(n_pairs, 2)
    table = pairwise_mash(sketch_store(make_store(sequences, "dna"), k, size=size), pairs)
    j, union = exact[:, 0], exact[:, 1]
    assert (table["n_union"] == size).all()
    sd = np.sqrt(j * (1 - j) / size * (union - size) / (union - 1))
    z = (table["jaccard"].to_numpy() - j) / sd
    assert np.abs(z).max() < 4.5  # each estimate within 4.5 sd
    assert abs(z.mean()) < 4 / np.sqrt(n_pairs)  # no bias: mean z within 4 of its own sd
    assert 0.5 < z.std() < 1.5  # the spread is the sampling error, not more


def test_fracminhash_error_is_within_sampling_tolerance():
    k, scaled, n_pairs = 21, 20, 60
    sequences, exact = known_jaccard_pairs(n_pairs, 3000, k, seed=6)
    pairs = np.arange(2 * n_pairs).reshape(n_pairs, 2)
    sketches = sketch_store(make_store(sequences, "dna"), k, scaled=scaled)
    table = pairwise_mash(sketches, pairs)
    j, union = exact[:, 0], exact[:, 1]
    # Each k-mer is kept with probability 1/scaled: binomial union counts...
    expected_kept = union / scaled
    kept_sd = np.sqrt(union * (1 / scaled) * (1 - 1 / scaled))
    assert np.abs((table["n_union"] - expected_kept) / kept_sd).max() < 4.5
    # ...and the Jaccard index of the kept sets errs by about sqrt(j (1 - j) / kept).
    sd = np.sqrt(j * (1 - j) / table["n_union"].to_numpy())
    z = (table["jaccard"].to_numpy() - j) / sd
    assert np.abs(z).max() < 4.5
    assert abs(z.mean()) < 4 / np.sqrt(n_pairs)


def test_jaccard_estimate_examples():
    a = np.array([1, 3, 5, 7], dtype=np.uint64)
    b = np.array([1, 2, 3, 4], dtype=np.uint64)
    assert jaccard_estimate(a, b, None) == 2 / 6
    assert jaccard_estimate(a, b, 4) == 2 / 4  # union walk stops at 4: {1, 2, 3, 4}
    assert jaccard_estimate(a, a[:2], 10) == 2 / 4  # one side runs out: the rest is union
    assert math.isnan(jaccard_estimate(a[:0], b[:0], 10))


# --- Mash distance --------------------------------------------------------------------------


def test_mash_distance_by_hand():
    # j = 1/3: 2j / (1 + j) = (2/3) / (4/3) = 1/2, so the distance is ln 2 / k.
    assert mash_distance(1 / 3, 10) == pytest.approx(math.log(2) / 10, rel=1e-12)
    # j = 1/2: 2j / (1 + j) = 2/3, distance ln(3/2) / k.
    assert mash_distance(0.5, 21) == pytest.approx(math.log(1.5) / 21, rel=1e-12)
    # 18 of 21 hashes shared at k = 21: mash 2.3 prints 0.00381156.
    assert mash_distance(18 / 21, 21) == pytest.approx(0.00381156, abs=5e-9)
    assert mash_distance(1.0, 21) == 0.0
    assert mash_distance(0.0, 21) == 1.0
    # -ln(2 * 0.01 / 1.01) / 3 = 1.31; mash caps distances at 1.
    assert mash_distance(0.01, 3) == 1.0
    assert math.isnan(mash_distance(float("nan"), 21))
    values = mash_distance(np.array([0.0, 1 / 3, 1.0]), 10)
    np.testing.assert_allclose(values, [1.0, math.log(2) / 10, 0.0], rtol=1e-12)


def test_pairwise_table_shape_and_order():
    sketches = sketch_store(make_store(["ACGTACGTAA", "ACGTACGTTT", "GGGG"], "dna"), 5)
    table = pairwise_mash(sketches, np.array([[2, 0], [0, 1], [1, 1]]))
    assert list(table.columns) == PAIR_SKETCH_COLUMNS
    assert table["query"].tolist() == [2, 0, 1] and table["target"].tolist() == [0, 1, 1]
    assert table.loc[2, "distance"] == 0.0 and table.loc[0, "n_shared"] == 0
    assert len(pairwise_mash(sketches, np.zeros((0, 2), dtype=np.int64))) == 0


# --- against mash on real sequences ---------------------------------------------------------

# Rfam families with sequences of 150-1,200 nt (PROVENANCE.md: lengths 38-1,182, median 127).
RFAM_FAMILIES = ["RF00030", "RF00011", "RF01268", "RF00478", "RF00373"]
PER_FAMILY = 12


def rfam_subset(tmp_path: Path) -> tuple[Path, int]:
    """60 sequences from 5 Rfam families, plus 4 long ones with IUPAC codes, as FASTA."""
    folder = shared_data("rfam_nrc")
    labels = pd.read_csv(folder / "labels.tsv", sep="\t")
    chosen = set(
        labels[labels["rfam_family"].isin(RFAM_FAMILIES)]
        .groupby("rfam_family")
        .head(PER_FAMILY)["id"]
    )
    with gzip.open(folder / "rfam_nrc.fasta.gz", "rt") as source:
        records = list(SimpleFastaParser(source))
    ambiguous = [
        title.split()[0]
        for title, seq in records
        if len(seq) >= 150 and not set(seq) <= set("ACGT")
    ][:4]
    chosen |= set(ambiguous)
    path = tmp_path / "rfam_subset.fasta"
    with open(path, "w") as out:
        out.writelines(f">{t}\n{s}\n" for t, s in records if t.split()[0] in chosen)
    return path, len(ambiguous)


def run_mash(*args: str) -> str:
    return subprocess.run(["mash", *args], check=True, capture_output=True, text=True).stdout


@pytest.mark.skipif(shutil.which("mash") is None, reason="mash is not installed")
@pytest.mark.parametrize(
    ("k", "size"),
    [
        (21, 1000),  # mash's defaults: these sketches hold every k-mer (64-bit hashes)
        (21, 64),  # sketches hold a fraction of the k-mers (64-bit hashes)
        (13, 64),  # k <= 16: mash keeps 32-bit hashes
    ],
)
def test_pairwise_mash_equals_mash_dist_on_rfam(tmp_path, k, size):
    fasta, n_ambiguous = rfam_subset(tmp_path)
    assert n_ambiguous == 4
    store = ingest_fasta([fasta], alphabet="dna").store
    sketches = sketch_store(store, k, size=size)
    sketch_file = tmp_path / "subset"
    run_mash("sketch", "-i", "-k", str(k), "-s", str(size), "-o", str(sketch_file), str(fasta))
    msh = f"{sketch_file}.msh"

    # Identical sketches, hash for hash.
    info = json.loads(run_mash("info", "-d", msh))
    assert info["hashBits"] == sketches.hash_bits and info["hashSeed"] == sketches.seed
    mash_hashes = {entry["name"]: entry["hashes"] for entry in info["sketches"]}
    assert set(mash_hashes) == set(store.ids)
    for index, name in enumerate(store.ids):
        assert sketches.sequence_hashes(index).tolist() == mash_hashes[name]

    # All pairs: the same shared/union counts and the distance to mash's 6 printed digits.
    index_of = {name: i for i, name in enumerate(store.ids)}
    rows = [line.split("\t") for line in run_mash("dist", msh, msh).splitlines()]
    assert len(rows) == store.n_sequences**2
    pairs = np.array([[index_of[r[0]], index_of[r[1]]] for r in rows])
    ours = pairwise_mash(sketches, pairs)
    mash_counts = np.array([[int(x) for x in r[4].split("/")] for r in rows])
    np.testing.assert_array_equal(ours["n_shared"], mash_counts[:, 0])
    np.testing.assert_array_equal(ours["n_union"], mash_counts[:, 1])
    mash_distances = np.array([float(r[2]) for r in rows])
    np.testing.assert_allclose(ours["distance"], mash_distances, rtol=5e-6, atol=0)

    # Sanity on the data: Rfam families are diverged, so most pairs share no k-mer (distance
    # 1), but pairs within a family share k-mers more often and so are closer on average.
    family = np.array([name.split("_")[0] for name in store.ids])
    same = family[pairs[:, 0]] == family[pairs[:, 1]]
    off_diagonal = pairs[:, 0] != pairs[:, 1]
    distance = ours["distance"].to_numpy()
    assert distance[same & off_diagonal].mean() < distance[~same].mean()


@pytest.mark.skipif(shutil.which("mash") is None, reason="mash is not installed")
@pytest.mark.parametrize(("k", "hash_bits"), [(7, 32), (9, 64)])  # 64 bits once 20^k > 2^32
def test_protein_sketches_equal_mash_amino_acid_sketches(tmp_path, k, hash_bits):
    folder = shared_data("scope40")
    with gzip.open(folder / "scope40.fasta.gz", "rt") as source:
        # Only the 20 standard amino acids and X: seqsim stores U as C and O as K,
        # where mash would skip the k-mers holding them.
        records = [
            (t.split()[0], s.upper())
            for t, s in SimpleFastaParser(source)
            if set(s.upper()) <= set("ACDEFGHIKLMNPQRSTVWYX")
        ][:40]
    fasta = tmp_path / "proteins.fasta"
    fasta.write_text("".join(f">{t}\n{s}\n" for t, s in records))
    store = ingest_fasta([fasta], alphabet="protein").store
    sketches = sketch_store(store, k, size=50)
    run_mash("sketch", "-a", "-i", "-k", str(k), "-s", "50", "-o", str(tmp_path / "p"), str(fasta))
    info = json.loads(run_mash("info", "-d", str(tmp_path / "p.msh")))
    assert info["hashBits"] == sketches.hash_bits == hash_bits
    assert len(info["sketches"]) == store.n_sequences
    mash_hashes = {entry["name"]: entry["hashes"] for entry in info["sketches"]}
    for index, name in enumerate(store.ids):
        assert sketches.sequence_hashes(index).tolist() == mash_hashes[name]


def test_mash_dist_command_matches_mash(tmp_path):
    from seqsim.cli import main

    example = REPO / "resources" / "example" / "dna.fasta"
    out = tmp_path / "dist.tsv"
    assert main(["mash-dist", str(example), "-o", str(out), "-k", "15", "-s", "200", "-q"]) == 0
    ours = pd.read_csv(out, sep="\t", header=None, names=["q", "t", "d", "shared"])
    assert len(ours) == 145**2
    assert (ours.loc[ours["q"] == ours["t"], "d"] == 0).all()
    if shutil.which("mash") is None:
        pytest.skip("mash is not installed")
    sketch = tmp_path / "m"
    subprocess.run(["mash", "sketch", "-k", "15", "-s", "200", "-i", "-o", str(sketch),
                    str(example)], check=True, capture_output=True)  # fmt: skip
    text = subprocess.run(
        ["mash", "dist", f"{sketch}.msh", f"{sketch}.msh"], check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    theirs = pd.read_csv(
        io.StringIO(text), sep="\t", header=None, names=["t", "q", "d", "p", "shared"]
    )
    merged = ours.merge(theirs, on=["q", "t"])
    assert len(merged) == len(ours)
    assert (merged["shared_x"] == merged["shared_y"]).all()
    np.testing.assert_allclose(merged["d_x"], merged["d_y"], rtol=5e-6, atol=1e-7)
