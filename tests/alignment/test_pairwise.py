"""Alignment kernels and wrappers against Biopython's PairwiseAligner and the
plain-Python Gotoh oracle in ``tests/dp_oracle.py``."""

from __future__ import annotations

import gzip
import itertools
import os

import numpy as np
import pytest
from Bio import SeqIO
from Bio.Align import PairwiseAligner, substitution_matrices
from Bio.Align.substitution_matrices import Array
from hypothesis import HealthCheck, example, given, settings, strategies as st

from seqsim.alignment.pairwise import Alignment, align, global_score, local_score
from seqsim.alignment.scoring import ScoringScheme, scoring_scheme
from seqsim.sequences.alphabet import get_alphabet

from conftest import shared_data
from dp_oracle import count_columns, gotoh_score, rescore, running_scores

PROTEIN = get_alphabet("protein")
DNA = get_alphabet("dna")

# Matrices and gap pairs (Biopython convention) covered by the property tests.
SCHEMES = {
    "BLOSUM62 -12/-1": scoring_scheme("protein"),
    "BLOSUM62 -11/-2": scoring_scheme("protein", open_gap_score=-11, extend_gap_score=-2),
    "BLOSUM62 -4/-4": scoring_scheme("protein", open_gap_score=-4, extend_gap_score=-4),
    "BLOSUM45 -16/-2": scoring_scheme(
        "protein", matrix="BLOSUM45", open_gap_score=-16, extend_gap_score=-2
    ),
    "PAM250 -10/-1": scoring_scheme(
        "protein", matrix="PAM250", open_gap_score=-10, extend_gap_score=-1
    ),
    "DNA 2/-3 -7/-2": scoring_scheme("dna"),
    "DNA 1/-2 -3/-1": scoring_scheme(
        "dna", match_score=1, mismatch_score=-2, open_gap_score=-3, extend_gap_score=-1
    ),
    "NUC.4.4 -10/-1": scoring_scheme(
        "dna", matrix="NUC.4.4", open_gap_score=-10, extend_gap_score=-1
    ),
}
SCHEME_IDS = list(SCHEMES)

# Under NUMBA_DISABLE_JIT=1 (the coverage job) the kernels run as plain Python:
# keep the sequences short there.
JIT_DISABLED = os.environ.get("NUMBA_DISABLE_JIT", "0") not in ("", "0")
MAX_LENGTH = 60 if JIT_DISABLED else 300

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def alphabet_of(scheme: ScoringScheme):
    return PROTEIN if scheme.alphabet == "protein" else DNA


_ALIGNERS: dict[tuple[str, str], PairwiseAligner] = {}


def biopython_aligner(key: str, mode: str) -> PairwiseAligner:
    """A PairwiseAligner with the scheme's matrix and gap scores.

    Protein schemes use Biopython's own matrix (so the code order is checked
    too); DNA schemes a Biopython matrix equal to the scheme's over ACGTN.
    """
    if (key, mode) not in _ALIGNERS:
        scheme = SCHEMES[key]
        if scheme.alphabet == "protein":
            matrix = substitution_matrices.load(scheme.name)
        else:
            matrix = Array(alphabet="ACGTN", dims=2, data=scheme.matrix.astype(float))
        _ALIGNERS[key, mode] = PairwiseAligner(
            mode=mode,
            substitution_matrix=matrix,
            open_gap_score=scheme.open_gap_score,
            extend_gap_score=scheme.extend_gap_score,
        )
    return _ALIGNERS[key, mode]


def biopython_score(key: str, mode: str, query: np.ndarray, target: np.ndarray) -> int:
    alphabet = alphabet_of(SCHEMES[key])
    score = biopython_aligner(key, mode).score(alphabet.decode(query), alphabet.decode(target))
    return int(round(score))


def mutate(rng: np.random.Generator, codes: np.ndarray, size: int, rate: float) -> np.ndarray:
    """Substitutions and indels of 1-10 residues, each at about ``rate`` per residue."""
    out: list[int] = []
    position = 0
    while position < codes.size:
        roll = rng.random()
        if roll < rate:  # substitution
            out.append(int(rng.integers(size)))
            position += 1
        elif roll < 1.5 * rate:  # deletion from the copy
            position += int(rng.integers(1, 11))
        elif roll < 2 * rate:  # insertion into the copy
            out.extend(rng.integers(size, size=int(rng.integers(1, 11))).tolist())
        else:
            out.append(int(codes[position]))
            position += 1
    return np.array(out, dtype=np.uint8)


@st.composite
def sequence_pairs(draw, size: int, max_length: int = MAX_LENGTH):
    """Two code arrays: unrelated, or the second a mutated copy of the first.

    Residues are uniform over all codes, so X, B, Z, * (protein) and N (DNA)
    are frequent.
    """
    seed = draw(st.integers(0, 2**32 - 1))
    length = draw(st.integers(1, max_length))
    rng = np.random.default_rng(seed)
    query = rng.integers(size, size=length).astype(np.uint8)
    if draw(st.booleans()):
        target = rng.integers(size, size=draw(st.integers(1, max_length))).astype(np.uint8)
    else:
        target = mutate(rng, query, size, draw(st.sampled_from([0.02, 0.1, 0.3])))
        if target.size == 0:
            target = query[:1].copy()
    return query, target


def short_codes(size: int, max_length: int = 40):
    return st.lists(st.integers(0, size - 1), min_size=0, max_size=max_length).map(
        lambda codes: np.array(codes, dtype=np.uint8)
    )


# --- scores against Biopython and the oracle ---------------------------------------------


@pytest.mark.parametrize("key", SCHEME_IDS)
@FAST
@given(data=st.data())
def test_local_score_matches_biopython(key, data):
    scheme = SCHEMES[key]
    query, target = data.draw(sequence_pairs(scheme.matrix.shape[0]))
    assert local_score(query, target, scheme) == biopython_score(key, "local", query, target)


@pytest.mark.parametrize("key", SCHEME_IDS)
@FAST
@given(data=st.data())
def test_global_score_matches_biopython(key, data):
    scheme = SCHEMES[key]
    query, target = data.draw(sequence_pairs(scheme.matrix.shape[0]))
    assert global_score(query, target, scheme) == biopython_score(key, "global", query, target)


@pytest.mark.parametrize("key", SCHEME_IDS)
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_scores_match_oracle(key, data):
    scheme = SCHEMES[key]
    size = scheme.matrix.shape[0]
    query = data.draw(short_codes(size), label="query")
    target = data.draw(short_codes(size), label="target")
    gaps = (scheme.matrix.tolist(), scheme.open_gap_score, scheme.extend_gap_score)
    assert local_score(query, target, scheme) == gotoh_score(query, target, *gaps, local=True)
    assert global_score(query, target, scheme) == gotoh_score(query, target, *gaps, local=False)


@pytest.mark.parametrize("key", ["BLOSUM62 -12/-1", "DNA 2/-3 -7/-2"])
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_related_pairs_match_oracle(key, data):
    """Mutated copies (long alignments with indels) against the oracle."""
    scheme = SCHEMES[key]
    query, target = data.draw(sequence_pairs(scheme.matrix.shape[0], max_length=80))
    gaps = (scheme.matrix.tolist(), scheme.open_gap_score, scheme.extend_gap_score)
    assert local_score(query, target, scheme) == gotoh_score(query, target, *gaps, local=True)
    assert global_score(query, target, scheme) == gotoh_score(query, target, *gaps, local=False)


@pytest.mark.parametrize("key", ["BLOSUM62 -12/-1", "PAM250 -10/-1", "DNA 2/-3 -7/-2"])
@FAST
@given(data=st.data())
def test_local_score_is_symmetric(key, data):
    scheme = SCHEMES[key]
    query, target = data.draw(sequence_pairs(scheme.matrix.shape[0]))
    forward = local_score(query, target, scheme)
    assert forward == local_score(target, query, scheme)
    assert forward >= 0
    assert global_score(query, target, scheme) == global_score(target, query, scheme)


@pytest.mark.parametrize("key", ["DNA 2/-3 -7/-2", "DNA 1/-2 -3/-1"])
@settings(max_examples=25, deadline=None)
@given(sequence=st.text(alphabet="ACGT", min_size=1, max_size=300))
@example(sequence="A")
@example(sequence="ACGT" * 75)
def test_dna_self_score_is_match_times_length(key, sequence):
    scheme = SCHEMES[key]
    codes = DNA.encode(sequence)
    match = int(scheme.matrix[0, 0])
    assert local_score(codes, codes, scheme) == match * len(sequence)
    assert global_score(codes, codes, scheme) == match * len(sequence)
    hit = align(codes, codes, scheme)
    assert hit.cigar == f"{len(sequence)}M"
    assert hit.identities == len(sequence)


def test_all_n_dna_scores_zero_locally():
    codes = DNA.encode("NNNNNNNN")
    scheme = SCHEMES["DNA 2/-3 -7/-2"]
    assert local_score(codes, codes, scheme) == 0
    assert global_score(codes, codes, scheme) == -3 * 8
    assert align(codes, codes, scheme).cigar == ""


@pytest.mark.skipif(JIT_DISABLED, reason="16M DP cells are too slow without numba")
def test_long_near_identical_proteins_match_biopython():
    """4,000 residues with a few substitutions and indels: exact scores, no overflow."""
    key = "BLOSUM62 -12/-1"
    scheme = SCHEMES[key]
    rng = np.random.default_rng(7)
    query = rng.integers(20, size=4000).astype(np.uint8)  # standard amino acids
    target = query.copy()
    target[rng.choice(4000, size=40, replace=False)] = rng.integers(20, size=40)
    target = np.concatenate(
        [target[:1000], target[1012:3000], rng.integers(20, size=7), target[3000:]]
    )
    target = target.astype(np.uint8)
    expected_local = biopython_score(key, "local", query, target)
    expected_global = biopython_score(key, "global", query, target)
    assert expected_local > 15_000
    assert local_score(query, target, scheme) == expected_local
    assert global_score(query, target, scheme) == expected_global
    hit = align(query, target, scheme)
    assert hit.score == expected_local
    assert rescore(query, target, scheme.matrix, -12, -1, hit) == expected_local
    whole = align(query, target, scheme, mode="global")
    assert whole.score == expected_global
    assert rescore(query, target, scheme.matrix, -12, -1, whole) == expected_global


# --- traceback -----------------------------------------------------------------------------


def check_alignment(hit: Alignment, query, target, scheme: ScoringScheme) -> None:
    """Everything a reported alignment must satisfy, recomputed from its CIGAR."""
    gaps = (scheme.open_gap_score, scheme.extend_gap_score)
    assert rescore(query, target, scheme.matrix, *gaps, hit) == hit.score
    counts = count_columns(query, target, scheme.matrix, hit)
    assert counts["query_end"] == hit.query_end
    assert counts["target_end"] == hit.target_end
    assert counts["columns"] == hit.alignment_length
    assert counts["identities"] == hit.identities
    assert counts["mismatches"] == hit.mismatches
    assert counts["gaps"] == hit.gaps
    assert counts["gap_opens"] == hit.gap_opens
    assert 0 <= hit.query_start <= hit.query_end <= query.size
    assert 0 <= hit.target_start <= hit.target_end <= target.size
    assert hit.query_length == query.size and hit.target_length == target.size
    ops = hit.operations()
    assert all(length > 0 for length, _ in ops)
    assert all(a[1] != b[1] for a, b in itertools.pairwise(ops))  # runs are merged
    assert counts["positives"] == hit.positives


@pytest.mark.parametrize("key", SCHEME_IDS)
@FAST
@given(data=st.data())
def test_traceback_is_consistent(key, data):
    scheme = SCHEMES[key]
    query, target = data.draw(sequence_pairs(scheme.matrix.shape[0]))

    hit = align(query, target, scheme)
    check_alignment(hit, query, target, scheme)
    assert hit.score == local_score(query, target, scheme)
    if hit.score > 0:  # a local alignment starts and ends with aligned residues
        assert hit.cigar.endswith("M") and hit.operations()[0][1] == "M"
        # It starts after the last cell scoring <= 0: no prefix scores <= 0.
        gaps = (scheme.open_gap_score, scheme.extend_gap_score)
        assert min(running_scores(query, target, scheme.matrix, *gaps, hit)) > 0
    else:
        assert hit.cigar == "" and hit.alignment_length == 0

    whole = align(query, target, scheme, mode="global")
    check_alignment(whole, query, target, scheme)
    assert whole.score == global_score(query, target, scheme)
    assert (whole.query_start, whole.query_end) == (0, query.size)
    assert (whole.target_start, whole.target_end) == (0, target.size)


@pytest.mark.parametrize("key", ["BLOSUM62 -12/-1", "DNA 2/-3 -7/-2"])
@settings(max_examples=30, deadline=None)
@given(data=st.data())
def test_traceback_of_short_sequences(key, data):
    """Short and empty sequences, shrinkable: the same invariants."""
    scheme = SCHEMES[key]
    size = scheme.matrix.shape[0]
    query = data.draw(short_codes(size, 25), label="query")
    target = data.draw(short_codes(size, 25), label="target")
    for mode in ("local", "global"):
        hit = align(query, target, scheme, mode=mode)
        check_alignment(hit, query, target, scheme)
        scorer = local_score if mode == "local" else global_score
        assert hit.score == scorer(query, target, scheme)


def test_affine_gap_traceback_known_answer():
    """One 3-residue insertion: one gap opening, scored open + 2 * extend."""
    scheme = SCHEMES["DNA 2/-3 -7/-2"]
    query = DNA.encode("ACGTACGTAC" + "GGG" + "TGCATGCATG")
    target = DNA.encode("ACGTACGTAC" + "TGCATGCATG")
    hit = align(query, target, scheme)
    assert hit.score == 20 * 2 - 7 - 2 - 2
    assert hit.cigar == "10M3I10M"
    assert (hit.query_start, hit.query_end, hit.target_start, hit.target_end) == (0, 23, 0, 20)
    assert (hit.gap_opens, hit.gaps, hit.identities, hit.mismatches) == (1, 3, 20, 0)
    # The same gap in the other sequence is a deletion.
    swapped = align(target, query, scheme)
    assert swapped.cigar == "10M3D10M" and swapped.score == hit.score


def test_long_gap_beats_two_short_gaps():
    """With a cheap extension, one 4-gap (-10) beats any path through two 2-gaps (-16)."""
    scheme = scoring_scheme("dna", open_gap_score=-7, extend_gap_score=-1)
    left, right = "ACGTACGTACGTAC", "TTGCATGCATGCAT"
    query = DNA.encode(left + "GAGA" + right)
    target = DNA.encode(left + right)
    for mode in ("local", "global"):
        hit = align(query, target, scheme, mode=mode)
        assert hit.cigar == "14M4I14M"
        assert hit.score == 28 * 2 - 7 - 3


def test_insertion_next_to_deletion():
    """Global alignment of unrelated blocks uses an I run and a D run, two openings."""
    scheme = scoring_scheme("dna", open_gap_score=-2, extend_gap_score=-1)
    hit = align(DNA.encode("AAAACCCC"), DNA.encode("AAAAGGGG"), scheme, mode="global")
    check_alignment(hit, DNA.encode("AAAACCCC"), DNA.encode("AAAAGGGG"), scheme)
    # Four mismatches (-12) lose to a 4-insertion plus a 4-deletion (-10).
    assert hit.score == 4 * 2 - 5 - 5
    assert hit.cigar in ("4M4I4D", "4M4D4I")
    assert hit.gap_opens == 2


def test_render_and_derived_fields():
    scheme = SCHEMES["BLOSUM62 -12/-1"]
    query = PROTEIN.encode("MKTAYIAKQRQISFVKSHFSRQ")
    target = PROTEIN.encode("GGMKTAYIAKQRQLSFVKSHFSRQGG")
    hit = align(query, target, scheme)
    assert hit.cigar == "22M"
    assert (hit.query_start, hit.query_end, hit.target_start, hit.target_end) == (0, 22, 2, 24)
    assert (hit.identities, hit.mismatches, hit.positives) == (21, 1, 22)  # I/L scores +2
    assert hit.render(PROTEIN, scheme).splitlines() == [
        "MKTAYIAKQRQISFVKSHFSRQ",
        "|||||||||||+||||||||||",
        "MKTAYIAKQRQLSFVKSHFSRQ",
    ]
    assert hit.render(PROTEIN).splitlines()[1][11] == " "
    assert hit.fident == pytest.approx(21 / 22)
    assert hit.pident == pytest.approx(100 * 21 / 22)
    assert hit.identity_shorter == pytest.approx(21 / 22)
    assert hit.query_coverage == 1.0
    assert hit.target_coverage == pytest.approx(22 / 26)
    assert hit.extended_cigar() == "11=1X10="


def test_render_with_gaps():
    scheme = SCHEMES["DNA 2/-3 -7/-2"]
    query = DNA.encode("ACGTACGTAC" + "GGG" + "TGCATGCATG")
    target = DNA.encode("ACGTACGTAC" + "TGCATGCATG")
    lines = align(target, query, scheme).render(DNA).splitlines()
    assert lines == [
        "ACGTACGTAC---TGCATGCATG",
        "||||||||||   ||||||||||",
        "ACGTACGTACGGGTGCATGCATG",
    ]


def test_empty_sequences():
    scheme = SCHEMES["DNA 2/-3 -7/-2"]
    empty = np.zeros(0, dtype=np.uint8)
    three = DNA.encode("ACG")
    assert local_score(empty, three, scheme) == 0
    assert local_score(empty, empty, scheme) == 0
    assert global_score(empty, three, scheme) == -7 - 2 - 2
    assert global_score(three, empty, scheme) == -7 - 2 - 2
    assert global_score(empty, empty, scheme) == 0
    hit = align(empty, three, scheme)
    assert (hit.score, hit.cigar, hit.alignment_length, hit.fident) == (0, "", 0, 0.0)
    assert (hit.identity_shorter, hit.query_coverage, hit.target_coverage) == (0.0, 0.0, 0.0)
    whole = align(empty, three, scheme, mode="global")
    assert (whole.score, whole.cigar, whole.target_end) == (-11, "3D", 3)
    whole = align(three, empty, scheme, mode="global")
    assert (whole.score, whole.cigar, whole.query_end) == (-11, "3I", 3)
    assert align(empty, empty, scheme, mode="global").cigar == ""


def test_input_checks():
    scheme = SCHEMES["DNA 2/-3 -7/-2"]
    codes = DNA.encode("ACGT")
    with pytest.raises(TypeError, match="uint8"):
        local_score(codes.astype(np.int64), codes, scheme)
    with pytest.raises(TypeError, match="1-D"):
        align(codes, codes.reshape(2, 2), scheme)
    with pytest.raises(TypeError, match="query"):
        global_score("ACGT", codes, scheme)
    with pytest.raises(ValueError, match="code 5"):
        local_score(np.array([0, 5], dtype=np.uint8), codes, scheme)
    with pytest.raises(ValueError, match="code 255"):  # an invalid letter left encoded
        local_score(codes, DNA.encode("AC-T"), scheme)
    with pytest.raises(ValueError, match="mode"):
        align(codes, codes, scheme, mode="semiglobal")


def test_alignment_is_frozen_and_compares_by_fields():
    scheme = SCHEMES["DNA 2/-3 -7/-2"]
    codes = DNA.encode("ACGTACGT")
    hit = align(codes, codes, scheme)
    assert hit == align(codes.copy(), codes.copy(), scheme)
    with pytest.raises(AttributeError):
        hit.score = 1


# --- real proteins -------------------------------------------------------------------------


def test_scope40_pairs_match_biopython():
    """30 pairs of SCOPe40 domains (the file is sorted by sccs, so many are related)."""
    path = shared_data("scope40") / "scope40.fasta.gz"
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    with gzip.open(path, "rt") as handle:
        # Every 3rd of the first 180 domains: mostly same fold, some same family.
        records = list(itertools.islice(SeqIO.parse(handle, "fasta"), 0, 180, 3))
    key = "BLOSUM62 -12/-1"
    scheme = SCHEMES[key]
    aligner = biopython_aligner(key, "local")
    assert len(records) == 60
    for first, second in zip(records[::2], records[1::2], strict=True):
        query = PROTEIN.encode(str(first.seq).upper())
        target = PROTEIN.encode(str(second.seq).upper())
        expected = int(round(aligner.score(PROTEIN.decode(query), PROTEIN.decode(target))))
        assert local_score(query, target, scheme) == expected, (first.id, second.id)
        hit = align(query, target, scheme)
        assert hit.score == expected
        check_alignment(hit, query, target, scheme)
        whole = align(query, target, scheme, mode="global")
        assert whole.score == biopython_score(key, "global", query, target)
        check_alignment(whole, query, target, scheme)


def test_documented_tie_breaking():
    """Gaps in a repeat go leftmost; equal local maxima: the first in row-major order."""
    scheme = scoring_scheme("dna", open_gap_score=-3, extend_gap_score=-1)
    hit = align(DNA.encode("ACGTTACG"), DNA.encode("ACGTACG"), scheme, mode="global")
    assert hit.render(DNA).splitlines()[2] == "ACG-TACG"
    assert hit.cigar == "3M1I4M"
    # Equal candidates for a gap state: extending beats opening (pinned examples).
    hit = align(DNA.encode("CAG"), DNA.encode("GTGA"), scheme, mode="global")
    assert (hit.score, hit.cigar) == (-7, "2I1M3D")  # "3M1D" scores -7 too
    hit = align(DNA.encode("ATAAC"), DNA.encode("TCA"), scoring_scheme("dna"), mode="global")
    assert (hit.score, hit.cigar) == (-13, "3M2I")
    # Two equal hits in the target end in the same query row: the smaller target end wins.
    hit = align(DNA.encode("ACGT"), DNA.encode("ACGTTTTTTACGT"), scheme)
    assert (hit.score, hit.target_start, hit.target_end) == (8, 0, 4)
    # Two equal hits in the query: the smaller query end (earlier row) wins.
    hit = align(DNA.encode("ACGTTTTTTACGT"), DNA.encode("ACGT"), scheme)
    assert (hit.score, hit.query_start, hit.query_end) == (8, 0, 4)
