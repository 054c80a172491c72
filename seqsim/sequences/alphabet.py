"""Alphabets, the residue policy, and integer encoding of sequences.

Policy (applied after upper-casing; documented in docs/usage.md, "Input policy"):

Protein: the 20 standard amino acids plus the ambiguity codes B (D/N),
Z (E/Q) and X (any) are kept as they are. J (I/L) becomes X, U
(selenocysteine) becomes C and O (pyrrolysine) becomes K, as BLOSUM-type
matrices have no rows for them. A ``*`` at the end of a sequence (a
translated stop codon) is removed; an internal ``*`` is kept (BLOSUM62 has a
row for it). Anything else (digits, ``-`` or ``.`` gaps, punctuation) is an
invalid character.

DNA / RNA: A, C, G, T are kept; U becomes T (RNA is stored in DNA codes, and
the store remembers that the input was RNA); N and the IUPAC ambiguity codes
R Y S W K M B D H V become N. Anything else is an invalid character.

Codes follow the row order of Biopython's BLOSUM62 (``ARNDCQEGHILKMFPSTWYVBZX*``)
and ``ACGTN`` for nucleotides, so substitution matrices index directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

AlphabetName = Literal["protein", "dna", "rna"]

INVALID_CODE = 255

PROTEIN_LETTERS = "ARNDCQEGHILKMFPSTWYVBZX*"
NUCLEOTIDE_LETTERS = "ACGTN"
# Letters that are valid input but stored as another letter.
PROTEIN_SUBSTITUTIONS = {"J": "X", "U": "C", "O": "K"}
NUCLEOTIDE_SUBSTITUTIONS = {"U": "T", **{code: "N" for code in "RYSWKMBDHV"}}

_NUCLEOTIDE_INPUT = set(NUCLEOTIDE_LETTERS) | set(NUCLEOTIDE_SUBSTITUTIONS)
_NUCLEOTIDE_CORE = frozenset("ACGTUN")


@dataclass(frozen=True)
class Alphabet:
    """An alphabet: its stored letters and the byte -> code lookup table."""

    name: AlphabetName
    letters: str
    lookup: np.ndarray  # uint8[256]: input byte -> code, or INVALID_CODE

    @property
    def size(self) -> int:
        return len(self.letters)

    def encode(self, sequence: str) -> np.ndarray:
        """Encode an upper-case ASCII sequence; invalid letters map to ``INVALID_CODE``."""
        return self.lookup[np.frombuffer(sequence.encode("ascii"), dtype=np.uint8)]

    def decode(self, codes: np.ndarray) -> str:
        letters = self.letters if self.name != "rna" else self.letters.replace("T", "U")
        table = np.frombuffer(letters.encode("ascii"), dtype=np.uint8)
        return table[codes].tobytes().decode("ascii")


def _lookup(letters: str, substitutions: dict[str, str]) -> np.ndarray:
    table = np.full(256, INVALID_CODE, dtype=np.uint8)
    for code, letter in enumerate(letters):
        table[ord(letter)] = code
    for letter, stored in substitutions.items():
        table[ord(letter)] = letters.index(stored)
    return table


ALPHABETS: dict[str, Alphabet] = {
    "protein": Alphabet(
        "protein", PROTEIN_LETTERS, _lookup(PROTEIN_LETTERS, PROTEIN_SUBSTITUTIONS)
    ),
    "dna": Alphabet(
        "dna", NUCLEOTIDE_LETTERS, _lookup(NUCLEOTIDE_LETTERS, NUCLEOTIDE_SUBSTITUTIONS)
    ),
    "rna": Alphabet(
        "rna", NUCLEOTIDE_LETTERS, _lookup(NUCLEOTIDE_LETTERS, NUCLEOTIDE_SUBSTITUTIONS)
    ),
}


def get_alphabet(name: str) -> Alphabet:
    try:
        return ALPHABETS[name]
    except KeyError:
        raise ValueError(
            f"unknown alphabet {name!r}; expected one of {sorted(ALPHABETS)}"
        ) from None


def classify_sequence(sequence: str) -> Literal["protein", "dna", "rna", "either"]:
    """Guess the alphabet of one upper-case sequence.

    A letter outside the IUPAC nucleotide codes makes it protein. A sequence of
    nucleotide codes only is nucleotide when at least 90% of it is A, C, G,
    T, U or N (at least 10 letters long), or when at least 50% of it is and
    it has all four bases (at least 20 letters long: real reads carry many
    ambiguity codes, and cysteine- or glycine-rich peptides such as
    metallothioneins are made of nucleotide codes too but lack a base); RNA
    when it has U and no T. Any other sequence of nucleotide codes only
    (short, or mostly ambiguity codes) is valid in either alphabet:
    ``"either"``.

    >>> classify_sequence("ACGTTGCAACGT"), classify_sequence("MKVLAAGIW"), classify_sequence("GAGA")
    ('dna', 'protein', 'either')
    >>> classify_sequence("GDCGCSGASSCNCGSGCSCSNCGSK")  # a metallothionein
    'either'
    """
    letters = set(sequence)
    if not letters or not letters <= _NUCLEOTIDE_INPUT:
        return "protein"
    core = sum(sequence.count(letter) for letter in _NUCLEOTIDE_CORE & letters) / len(sequence)
    length = len(sequence)
    all_bases = {"A", "C", "G"} <= letters and bool({"T", "U"} & letters)
    if (core >= 0.9 and length >= 10) or (core >= 0.5 and length >= 20 and all_bases):
        return "rna" if "U" in letters and "T" not in letters else "dna"
    return "either"


def only_nucleotide_core(sequence: str) -> bool:
    """Made of A, C, G, T, U and N only (how a set of short records that fit
    either alphabet is told to be nucleotide: primers, not peptides)."""
    return set(sequence) <= _NUCLEOTIDE_CORE


def strip_terminal_stop(sequence: str, alphabet: AlphabetName) -> str:
    """Remove the trailing ``*`` of a translated protein (see the module policy)."""
    if alphabet == "protein":
        return sequence.rstrip("*")
    return sequence
