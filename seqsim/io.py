"""File I/O: every file seqsim writes goes through the atomic writers here.

Writers create a temporary file beside the target and rename it into place,
so a crash never leaves a half-written output that a rerun would trust.
Outputs are deterministic: no timestamps, sorted JSON keys, fixed formats.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import ArrayLike

from seqsim.errors import InputError

# A file name as every seqsim function takes it.
FilePath: TypeAlias = str | os.PathLike[str]

__all__ = [
    "FilePath",
    "atomic_path",
    "read_table",
    "write_fasta",
    "write_json",
    "write_npy",
    "write_npz",
    "write_table",
    "write_text",
]


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The parent folder is created if needed. On an exception the temporary file
    is removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(obj: Any, path: str | os.PathLike[str]) -> None:
    write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n", path)


def write_npy(array: np.ndarray, path: str | os.PathLike[str]) -> None:
    with atomic_path(path) as tmp, open(tmp, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


def write_npz(arrays: Mapping[str, ArrayLike], path: str | os.PathLike[str]) -> None:
    """Like ``numpy.savez``, but with fixed zip timestamps so the bytes are reproducible."""
    with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            with archive.open(info, "w", force_zip64=True) as handle:
                np.lib.format.write_array(handle, np.asanyarray(array), allow_pickle=False)


def read_npy(path: str | os.PathLike[str], *, mmap: bool = False) -> np.ndarray:
    """Load a ``.npy`` file; never unpickles objects."""
    return np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)


def write_table(table: pd.DataFrame, path: str | os.PathLike[str]) -> None:
    """Write a table as TSV (``.tsv``) or Parquet (``.parquet``), chosen by suffix.

    TSV: tab-separated, header row, no index, ``\\n`` line ends, floats as
    written by pandas (shortest round-trip repr).
    """
    suffix = Path(path).suffix
    with atomic_path(path) as tmp:
        if suffix == ".tsv":
            table.to_csv(tmp, sep="\t", index=False, lineterminator="\n")
        elif suffix == ".parquet":
            arrow = pa.Table.from_pandas(table, preserve_index=False)
            pq.write_table(arrow, tmp, compression="zstd")
        else:
            raise InputError(path, "unsupported table format: use a .tsv or .parquet file")


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a table written by :func:`write_table`."""
    suffix = Path(path).suffix
    if suffix == ".tsv":
        return pd.read_csv(path, sep="\t", keep_default_na=False, na_values=[""])
    if suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    raise InputError(path, "unsupported table format: use a .tsv or .parquet file")


def write_fasta(
    records: Iterable[tuple[str, str]], path: str | os.PathLike[str], *, width: int = 60
) -> None:
    """Write ``(title, sequence)`` pairs as FASTA with ``width`` residues per line."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for title, sequence in records:
            handle.write(f">{title}\n")
            for start in range(0, len(sequence), width):
                handle.write(sequence[start : start + width] + "\n")
