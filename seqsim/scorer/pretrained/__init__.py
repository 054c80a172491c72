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


# The protein card's whole-protein benchmark (issue 29) lies between these:
# written by benchmarks/bench_full_length.py --write-card, kept by a rebuild.
CARD_FULL_LENGTH_START = "<!-- whole proteins: written by benchmarks/bench_full_length.py -->"
CARD_FULL_LENGTH_END = "<!-- end of whole proteins -->"
# Blocks of a card that benchmarks write and a rebuild keeps (start, end).
CARD_BENCHMARK_BLOCKS = (
    (CARD_CALIBRATION_START, CARD_CALIBRATION_END),
    (CARD_FULL_LENGTH_START, CARD_FULL_LENGTH_END),
)


def card_block(card_text: str, start_marker: str, end_marker: str) -> str:
    """The block of a model card's text between two markers (included), or ''."""
    if start_marker not in card_text:
        return ""
    start = card_text.index(start_marker)
    end = card_text.index(end_marker, start) + len(end_marker)
    return card_text[start:end]


def card_calibration(card_text: str) -> str:
    """The calibration block of a model card's text (markers included), or ''."""
    return card_block(card_text, CARD_CALIBRATION_START, CARD_CALIBRATION_END)


def put_card_block(card_text: str, block: str, start_marker: str, end_marker: str) -> str:
    """The card's text with ``block`` in place of its old one, or, when it
    has none, before the section that holds the card's JSON numbers."""
    old = card_block(card_text, start_marker, end_marker)
    if old:
        return card_text.replace(old, block)
    heading = card_text.rindex("## ", 0, card_text.index(CARD_DATA_START))
    return f"{card_text[:heading]}{block}\n\n{card_text[heading:]}"


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
