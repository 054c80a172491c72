"""Scorers that ship with seqsim, one per alphabet where a sound one exists,
each with a model card beside it (``NAME.md``) and the command that
regenerates it (:mod:`seqsim.scorer.pretrained.build`)."""

from __future__ import annotations

from pathlib import Path

# Alphabet -> checkpoint file in this folder (RNA is stored in DNA codes and
# shares the nucleotide model). An alphabet without one falls back to the
# alignment score in the pipeline.
PRETRAINED = {
    "protein": "scope40_protein.safetensors",
    "dna": "rfam_nucleotide.safetensors",
    "rna": "rfam_nucleotide.safetensors",
}
# The model card's machine-readable numbers follow this line.
CARD_DATA_START = "<!-- numbers: the JSON below is read by tests/scorer/test_pretrained.py -->"


def model_path(alphabet: str) -> Path:
    """Where the shipped checkpoint for ``alphabet`` lives (it may not exist)."""
    name = PRETRAINED.get(alphabet, f"{alphabet}.safetensors")
    return Path(__file__).resolve().parent / name


def shipped_model(alphabet: str) -> Path | None:
    """The shipped checkpoint for ``alphabet``, or None when seqsim has none."""
    if alphabet not in PRETRAINED:
        return None
    path = model_path(alphabet)
    return path if path.is_file() else None
