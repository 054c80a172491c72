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
# The card's calibration on sets the model never saw lies between these lines:
# written by benchmarks/bench_calibration.py --write-card, kept by a rebuild.
CARD_CALIBRATION_START = "<!-- calibration: written by benchmarks/bench_calibration.py -->"
CARD_CALIBRATION_END = "<!-- end of calibration -->"


def card_calibration(card_text: str) -> str:
    """The calibration block of a model card's text (markers included), or ''."""
    if CARD_CALIBRATION_START not in card_text:
        return ""
    start = card_text.index(CARD_CALIBRATION_START)
    end = card_text.index(CARD_CALIBRATION_END, start) + len(CARD_CALIBRATION_END)
    return card_text[start:end]


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
