"""Scoring schemes for alignment: a substitution matrix over store codes plus
affine gap scores.

Gap scores use Biopython's convention (``PairwiseAligner``): a gap of length
L scores ``open_gap_score + (L - 1) * extend_gap_score``, both negative.
BLAST states gap *costs* the other way round: "gap open 11, extend 1" means a
gap of length L costs 11 + L, which is ``open_gap_score = -12``,
``extend_gap_score = -1`` here (blastp 11/1, ssearch36 ``-f -11 -g -1`` and
parasail open 12 / extend 1 all give the same raw scores). BLAST's published
Karlin-Altschul parameters for "BLOSUM62 11/1" therefore apply to the default.

Defaults: proteins BLOSUM62 with gaps 11/1 (BLAST's blastp); DNA/RNA match 2,
mismatch -3, gaps 5/2 (BLAST's blastn task), i.e. open -7, extend -2.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from Bio.Align import substitution_matrices

from seqsim.errors import ConfigError
from seqsim.sequences.alphabet import NUCLEOTIDE_LETTERS, PROTEIN_LETTERS, AlphabetName

DEFAULT_PROTEIN_MATRIX = "BLOSUM62"
DEFAULT_GAPS = {"protein": (-12, -1), "dna": (-7, -2), "rna": (-7, -2)}
DEFAULT_MATCH_MISMATCH = (2, -3)


@dataclass(frozen=True)
class ScoringScheme:
    """Integer substitution scores indexed by store codes, and affine gap scores.

    ``matrix[a, b]`` scores residue code ``a`` against ``b`` (codes from
    :mod:`seqsim.sequences.alphabet`); it is symmetric.
    """

    alphabet: AlphabetName
    name: str  # e.g. "BLOSUM62" or "match2/mismatch-3"
    matrix: np.ndarray = field(repr=False)  # int32 (alphabet size, alphabet size)
    open_gap_score: int
    extend_gap_score: int

    def __post_init__(self) -> None:
        if self.open_gap_score > 0 or self.extend_gap_score > 0:
            raise ConfigError("gap scores must be <= 0 (Biopython convention: negative)")
        if self.open_gap_score > self.extend_gap_score:
            # Opening cheaper than extending breaks the Gotoh recurrences' assumptions.
            raise ConfigError("open_gap_score must be <= extend_gap_score")
        if not np.array_equal(self.matrix, self.matrix.T):
            raise ConfigError(f"substitution matrix {self.name} is not symmetric")

    @property
    def label(self) -> str:
        """Short description, e.g. ``BLOSUM62 gap -12/-1``."""
        return f"{self.name} gap {self.open_gap_score}/{self.extend_gap_score}"


def _matrix_over_codes(name: str, letters: str) -> np.ndarray:
    try:
        loaded = substitution_matrices.load(name)
    except (FileNotFoundError, ValueError):
        known = ", ".join(substitution_matrices.load())
        raise ConfigError(f"unknown substitution matrix {name!r}; Biopython has: {known}") from None
    alphabet = loaded.alphabet
    if any(letter not in alphabet for letter in letters.replace("*", "").replace("N", "")):
        raise ConfigError(f"matrix {name} does not cover the letters {letters}")
    fallback = "X" if "X" in alphabet else ("N" if "N" in alphabet else None)
    floor = float(np.min(loaded))
    size = len(letters)
    out = np.empty((size, size), dtype=np.float64)
    for i, a in enumerate(letters):
        for j, b in enumerate(letters):
            a_in = a if a in alphabet else fallback
            b_in = b if b in alphabet else fallback
            out[i, j] = loaded[a_in, b_in] if a_in and b_in else floor
    if not np.array_equal(out, np.round(out)):
        raise ConfigError(f"matrix {name} has non-integer scores; seqsim needs integers")
    return out.astype(np.int32)


def scoring_scheme(
    alphabet: AlphabetName,
    *,
    matrix: str | None = None,
    match_score: int | None = None,
    mismatch_score: int | None = None,
    open_gap_score: int | None = None,
    extend_gap_score: int | None = None,
) -> ScoringScheme:
    """Build a scheme: a named Biopython matrix, or match/mismatch for DNA/RNA.

    Unset values take the alphabet's defaults (see the module docstring).
    For nucleotides with match/mismatch, N scores as a mismatch against
    everything, itself included.

    >>> scoring_scheme("protein").label
    'BLOSUM62 gap -12/-1'
    """
    default_open, default_extend = DEFAULT_GAPS[alphabet]
    open_gap = default_open if open_gap_score is None else int(open_gap_score)
    extend_gap = default_extend if extend_gap_score is None else int(extend_gap_score)
    if alphabet == "protein":
        if match_score is not None or mismatch_score is not None:
            raise ConfigError("match/mismatch scores apply to DNA/RNA; proteins need a matrix")
        name = matrix or DEFAULT_PROTEIN_MATRIX
        scores = _matrix_over_codes(name, PROTEIN_LETTERS)
    elif matrix is not None:
        name = matrix
        scores = _matrix_over_codes(name, NUCLEOTIDE_LETTERS)
    else:
        match = DEFAULT_MATCH_MISMATCH[0] if match_score is None else int(match_score)
        mismatch = DEFAULT_MATCH_MISMATCH[1] if mismatch_score is None else int(mismatch_score)
        if match <= 0 or mismatch >= 0:
            raise ConfigError("need match_score > 0 and mismatch_score < 0")
        name = f"match{match}/mismatch{mismatch}"
        size = len(NUCLEOTIDE_LETTERS)
        scores = np.full((size, size), mismatch, dtype=np.int32)
        np.fill_diagonal(scores[:4, :4], match)
    return ScoringScheme(alphabet, name, scores, open_gap, extend_gap)
