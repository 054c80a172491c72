"""Masking of low-complexity segments of protein sequences before a search.

Stretches of biased composition (poly-Q runs, charged or proline-rich
stretches, repeats of a few letters) align with high scores between
unrelated sequences. The search can mask them first (``search.mask: seg``),
as BLAST does with SEG: masked residues become X, which BLOSUM matrices
score as a mismatch, so they neither seed a hit nor extend one. Coordinates
and lengths are kept, so hits on a masked store describe the original
sequences.

The mask is compositional, SEG's first two stages
(:mod:`seqsim.kernels.complexity`), with a wider window and higher
thresholds than SEG's 12 / 2.2 / 2.5 bits: on the SCOPe40 val split SEG's
own settings mask 3.6% of residues and cost 11% of the Smith-Waterman
superfamily sensitivity, tantan's repeat mask 2.3% and 23% (repeat domains
such as leucine-rich or ankyrin repeats are their homology signal); these
settings mask 0.8% and cost 1.5%, and still remove most low-complexity
hits between unrelated simulated whole proteins. It is off by default: the
shipped scorer ranks remote homologs worse with it (benchmarks/README.md,
``bench_masking.py``).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from seqsim.kernels.complexity import _low_complexity_mask
from seqsim.sequences.alphabet import get_alphabet
from seqsim.sequences.store import SequenceStore

# Window (residues) and Shannon-entropy thresholds (bits) of the mask.
WINDOW, TRIGGER, EXTENSION = 20, 2.5, 2.8
MASKED_LETTER = "X"


def low_complexity(codes: np.ndarray) -> np.ndarray:
    """Which residues of one protein sequence's codes are low-complexity."""
    n_letters = get_alphabet("protein").size
    return _low_complexity_mask(codes, WINDOW, TRIGGER, EXTENSION, n_letters)


def mask_low_complexity(store: SequenceStore) -> SequenceStore:
    """The protein store with its low-complexity residues set to X (same
    ids, offsets and lengths)."""
    if store.alphabet != "protein":
        raise ValueError(f"low-complexity masking is for proteins, not {store.alphabet}")
    masked_code = get_alphabet("protein").letters.index(MASKED_LETTER)
    codes = store.codes.copy()
    offsets = store.offsets
    for index in range(store.n_sequences):
        piece = codes[offsets[index] : offsets[index + 1]]
        piece[low_complexity(piece)] = masked_code
    return dataclasses.replace(store, codes=codes)


def masked_fraction(original: SequenceStore, masked: SequenceStore) -> float:
    """The share of residues the mask changed."""
    return float((original.codes != masked.codes).mean()) if original.codes.size else 0.0
