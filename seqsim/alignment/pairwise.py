"""Pairwise alignment of two encoded sequences: checked wrappers around the
scalar kernels in :mod:`seqsim.kernels.alignment`.

``local_score`` and ``global_score`` give the score only (linear memory);
``align`` also traces the alignment back (one byte per DP cell) and returns an
:class:`Alignment` with coordinates, a CIGAR and identity counts.

Sequences are 1-D uint8 arrays of store codes (:mod:`seqsim.sequences.alphabet`); the
scores are those of Biopython's ``PairwiseAligner`` with the same matrix, mode
and gap scores (global mode penalizes end gaps like internal gaps).

Conventions of :class:`Alignment`:

* Coordinates are 0-based and end-exclusive. An empty local alignment (no
  cell scores above 0) has score 0 and all coordinates 0.
* The CIGAR uses SAM's ``M`` (aligned column, match or mismatch), ``I``
  (query residue against a gap: an insertion in the query relative to the
  target) and ``D`` (target residue against a gap), with the query as the
  read. :meth:`Alignment.extended_cigar` gives the ``=``/``X`` form.
* An identity is a column whose two store codes are equal (so ``X``/``X`` and
  ``N``/``N`` count); a positive is a column whose substitution score is > 0.
  A gap opening is a run of ``I`` or of ``D`` columns (``I`` directly followed
  by ``D`` is two openings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from seqsim.alignment.scoring import ScoringScheme
from seqsim.kernels.alignment import (
    OP_DELETE,
    OP_INSERT,
    OP_MATCH,
    _global_score,
    _global_traceback,
    _local_score,
    _local_traceback,
)
from seqsim.sequences.alphabet import Alphabet

AlignMode = Literal["local", "global"]

_OP_LETTERS = "MID"
_CIGAR_RE = re.compile(r"(\d+)([MID])")


@dataclass(frozen=True)
class Alignment:
    """One pairwise alignment: score, coordinates, CIGAR and column counts.

    ``query_codes`` and ``target_codes`` are the full input sequences (kept for
    :meth:`render`; not compared or shown).
    """

    score: int
    query_start: int
    query_end: int
    target_start: int
    target_end: int
    query_length: int
    target_length: int
    alignment_length: int  # columns
    identities: int
    mismatches: int  # aligned columns with different codes
    positives: int  # aligned columns with substitution score > 0
    gap_opens: int
    gaps: int  # gap columns (I + D)
    cigar: str
    query_codes: np.ndarray = field(repr=False, compare=False)
    target_codes: np.ndarray = field(repr=False, compare=False)

    @property
    def fident(self) -> float:
        """Identities per alignment column, in [0, 1] (MMseqs2's ``fident``)."""
        return self.identities / self.alignment_length if self.alignment_length else 0.0

    @property
    def pident(self) -> float:
        """Percent identities per alignment column (BLAST's ``pident``)."""
        return 100.0 * self.fident

    @property
    def identity_shorter(self) -> float:
        """Identities per residue of the shorter sequence (CD-HIT's identity)."""
        shorter = min(self.query_length, self.target_length)
        return self.identities / shorter if shorter else 0.0

    @property
    def query_coverage(self) -> float:
        """Fraction of the query inside the alignment."""
        span = self.query_end - self.query_start
        return span / self.query_length if self.query_length else 0.0

    @property
    def target_coverage(self) -> float:
        """Fraction of the target inside the alignment."""
        span = self.target_end - self.target_start
        return span / self.target_length if self.target_length else 0.0

    def operations(self) -> list[tuple[int, str]]:
        """The CIGAR as (length, operation) pairs."""
        return [(int(length), op) for length, op in _CIGAR_RE.findall(self.cigar)]

    def extended_cigar(self) -> str:
        """The CIGAR with ``=`` (identical codes) and ``X`` (different) for ``M``."""
        columns = []
        q = self.query_start
        t = self.target_start
        for length, op in self.operations():
            if op == "M":
                same = self.query_codes[q : q + length] == self.target_codes[t : t + length]
                columns.append(np.where(same, "=", "X"))
                q += length
                t += length
            else:
                columns.append(np.full(length, op))
                q += length if op == "I" else 0
                t += length if op == "D" else 0
        if not columns:
            return ""
        return _run_lengths("".join(np.concatenate(columns)))

    def render(self, alphabet: Alphabet, scheme: ScoringScheme | None = None) -> str:
        """Three lines: aligned query, match line, aligned target.

        The match line has ``|`` for identities, ``+`` for other positive
        columns (when ``scheme`` is given) and a space otherwise; gaps are ``-``.

        >>> from seqsim.sequences.alphabet import get_alphabet
        >>> from seqsim.alignment.scoring import scoring_scheme
        >>> dna = get_alphabet("dna")
        >>> scheme = scoring_scheme("dna")
        >>> query, target = dna.encode("ACGTACGTTACGTACGT"), dna.encode("ACGTACGTACGTACGA")
        >>> print(align(query, target, scheme).render(dna))
        ACGTACGTTACGTACG
        ||||||| ||||||||
        ACGTACG-TACGTACG
        """
        query_line, match_line, target_line = [], [], []
        q = self.query_start
        t = self.target_start
        for length, op in self.operations():
            for _ in range(length):
                if op == "M":
                    a, b = self.query_codes[q], self.target_codes[t]
                    query_line.append(alphabet.decode(self.query_codes[q : q + 1]))
                    target_line.append(alphabet.decode(self.target_codes[t : t + 1]))
                    if a == b:
                        match_line.append("|")
                    elif scheme is not None and scheme.matrix[a, b] > 0:
                        match_line.append("+")
                    else:
                        match_line.append(" ")
                    q += 1
                    t += 1
                elif op == "I":
                    query_line.append(alphabet.decode(self.query_codes[q : q + 1]))
                    match_line.append(" ")
                    target_line.append("-")
                    q += 1
                else:
                    query_line.append("-")
                    match_line.append(" ")
                    target_line.append(alphabet.decode(self.target_codes[t : t + 1]))
                    t += 1
        return "\n".join("".join(line) for line in (query_line, match_line, target_line))


def local_score(query: np.ndarray, target: np.ndarray, scheme: ScoringScheme) -> int:
    """Smith-Waterman score (affine gaps) of two code arrays; 0 if either is empty.

    >>> from seqsim.sequences.alphabet import get_alphabet
    >>> from seqsim.alignment.scoring import scoring_scheme
    >>> dna = get_alphabet("dna")
    >>> local_score(dna.encode("ACGTACGT"), dna.encode("TTACGTAA"), scoring_scheme("dna"))
    10
    """
    matrix = _check(query, target, scheme)
    return int(_local_score(query, target, matrix, scheme.open_gap_score, scheme.extend_gap_score))


def global_score(query: np.ndarray, target: np.ndarray, scheme: ScoringScheme) -> int:
    """Needleman-Wunsch score (affine gaps, end gaps penalized like internal ones).

    >>> from seqsim.sequences.alphabet import get_alphabet
    >>> from seqsim.alignment.scoring import scoring_scheme
    >>> dna = get_alphabet("dna")
    >>> global_score(dna.encode("ACGT"), dna.encode("ACGTAA"), scoring_scheme("dna"))
    -1
    """
    matrix = _check(query, target, scheme)
    return int(_global_score(query, target, matrix, scheme.open_gap_score, scheme.extend_gap_score))


def align(
    query: np.ndarray,
    target: np.ndarray,
    scheme: ScoringScheme,
    *,
    mode: AlignMode = "local",
) -> Alignment:
    """Optimal local or global alignment with traceback (ties: see the kernel module).

    Memory is one byte per DP cell (16 MB for two 4,000-residue sequences).

    >>> from seqsim.sequences.alphabet import get_alphabet
    >>> from seqsim.alignment.scoring import scoring_scheme
    >>> protein = get_alphabet("protein")
    >>> query, target = protein.encode("MKVLAAGIW"), protein.encode("KVLGIW")
    >>> hit = align(query, target, scoring_scheme("protein"), mode="global")
    >>> hit.score, hit.cigar, hit.identities, hit.gap_opens, hit.gaps
    (9, '1I3M2I3M', 6, 2, 3)
    """
    matrix = _check(query, target, scheme)
    if mode == "local":
        kernel = _local_traceback
    elif mode == "global":
        kernel = _global_traceback
    else:
        raise ValueError(f"unknown alignment mode {mode!r}; expected 'local' or 'global'")
    score, q_start, q_end, t_start, t_end, ops = kernel(
        query, target, matrix, scheme.open_gap_score, scheme.extend_gap_score
    )
    return _summarize(int(score), q_start, q_end, t_start, t_end, ops, query, target, matrix)


def _summarize(
    score: int,
    q_start: int,
    q_end: int,
    t_start: int,
    t_end: int,
    ops: np.ndarray,
    query: np.ndarray,
    target: np.ndarray,
    matrix: np.ndarray,
) -> Alignment:
    is_match = ops == OP_MATCH
    # Residues of each aligned column (only valid where is_match).
    q_pos = q_start + np.cumsum(ops != OP_DELETE) - 1
    t_pos = t_start + np.cumsum(ops != OP_INSERT) - 1
    q_res = query[q_pos[is_match]]
    t_res = target[t_pos[is_match]]
    identities = int(np.count_nonzero(q_res == t_res))
    positives = int(np.count_nonzero(matrix[q_res, t_res] > 0))
    n_match = int(np.count_nonzero(is_match))
    gap = ~is_match
    # A gap opening starts a run of I or D: a gap column after a different operation.
    starts = gap.copy()
    starts[1:] &= ops[1:] != ops[:-1]
    return Alignment(
        score=score,
        query_start=int(q_start),
        query_end=int(q_end),
        target_start=int(t_start),
        target_end=int(t_end),
        query_length=int(query.size),
        target_length=int(target.size),
        alignment_length=int(ops.size),
        identities=identities,
        mismatches=n_match - identities,
        positives=positives,
        gap_opens=int(np.count_nonzero(starts)),
        gaps=int(ops.size) - n_match,
        cigar=_run_lengths("".join(_OP_LETTERS[op] for op in ops.tolist())),
        query_codes=query,
        target_codes=target,
    )


def _run_lengths(columns: str) -> str:
    """``MMMIDD`` -> ``3M1I2D``."""
    return "".join(f"{len(run.group())}{run.group()[0]}" for run in re.finditer(r"(.)\1*", columns))


def _check(query: np.ndarray, target: np.ndarray, scheme: ScoringScheme) -> np.ndarray:
    """Validate the two sequences; return the matrix as C-contiguous int32."""
    size = scheme.matrix.shape[0]
    for name, codes in (("query", query), ("target", target)):
        if not isinstance(codes, np.ndarray) or codes.dtype != np.uint8 or codes.ndim != 1:
            raise TypeError(f"{name} must be a 1-D uint8 array of residue codes")
        if codes.size and int(codes.max()) >= size:
            raise ValueError(
                f"{name} has residue code {int(codes.max())}, outside the "
                f"{scheme.alphabet} alphabet of {size} letters (invalid or unencoded residue)"
            )
    return np.ascontiguousarray(scheme.matrix, dtype=np.int32)
