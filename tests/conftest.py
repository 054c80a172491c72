from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"


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
