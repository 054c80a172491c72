from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from Bio.Align import PairwiseAligner, substitution_matrices

from seqsim.alignment.scoring import ScoringScheme, scoring_scheme
from seqsim.sequences.alphabet import get_alphabet
from seqsim.sequences.ingest import ingest_fasta
from seqsim.sequences.store import RECORD_COLUMNS, SequenceStore

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Snakemake runs (the workflow marker) belong to the slow tier; runs
    before the -m selection, which then sees the slow marker."""
    for item in items:
        if item.get_closest_marker("workflow"):
            item.add_marker(pytest.mark.slow)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def fasta(tmp_path):
    """Write FASTA text to a file in tmp_path and return its path."""
    counter = iter(range(1_000_000))

    def make(text: str, name: str | None = None) -> Path:
        return write(tmp_path / (name or f"input{next(counter)}.fasta"), text)

    return make


def shared_data(name: str) -> Path:
    """A data set in ../shared/data; skips the test when it is absent."""
    folder = SHARED_DATA / name
    if not folder.is_dir():
        pytest.skip(f"{folder} is not available")
    return folder


def make_store(sequences: list[str], alphabet: str) -> SequenceStore:
    """An in-memory store of ``sequences`` (ids s0, s1, ...)."""
    coder = get_alphabet(alphabet)
    codes = [coder.encode(s) for s in sequences]
    lengths = np.array([c.size for c in codes], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    records = pd.DataFrame(
        {
            "index": np.arange(len(sequences)),
            "id": [f"s{i}" for i in range(len(sequences))],
            "description": "",
            "length": lengths,
            "file": "mem",
            "record": np.arange(1, len(sequences) + 1),
        },
        columns=RECORD_COLUMNS,
    )
    joined = np.concatenate(codes) if codes else np.zeros(0, np.uint8)
    return SequenceStore(alphabet, joined.astype(np.uint8), offsets, records)


@pytest.fixture(scope="module")
def protein_example():
    """The bundled protein example and the default protein scoring scheme."""
    store = ingest_fasta([REPO / "resources" / "example" / "protein.fasta"]).store
    return store, scoring_scheme("protein")


@pytest.fixture(scope="module")
def small_protein(protein_example, tmp_path_factory):
    """The first 60 sequences of the bundled protein example, as a store."""
    store, _ = protein_example
    path = tmp_path_factory.mktemp("small") / "small.fasta"
    path.write_text("".join(f">{store.ids[i]}\n{store.sequence(i)}\n" for i in range(60)))
    return ingest_fasta([path]).store


def biopython_score(scheme: ScoringScheme, query: np.ndarray, target: np.ndarray) -> float:
    """Biopython's local alignment score of two code arrays under ``scheme``."""
    alphabet = get_alphabet(scheme.alphabet)
    letters = alphabet.letters
    matrix = substitution_matrices.Array(letters, dims=2, data=scheme.matrix.astype(float))
    aligner = PairwiseAligner(
        mode="local",
        substitution_matrix=matrix,
        open_gap_score=scheme.open_gap_score,
        extend_gap_score=scheme.extend_gap_score,
    )
    a = "".join(letters[c] for c in query)
    b = "".join(letters[c] for c in target)
    return aligner.score(a, b) if a and b else 0.0
