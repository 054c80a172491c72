"""File I/O: every file seqsim writes goes through the atomic writers here.

Writers create a temporary file beside the target and rename it into place,
so a crash never leaves a half-written output that a rerun would trust.
Outputs are deterministic: no timestamps, sorted JSON keys, fixed formats.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import ArrayLike

from seqsim.errors import InputError

# A file name as every seqsim function takes it.
FilePath: TypeAlias = str | os.PathLike[str]
# What a writer of :func:`write_outputs` writes from.
_Source = TypeVar("_Source")

__all__ = [
    "FilePath",
    "atomic_path",
    "read_table",
    "requested_outputs",
    "write_fasta",
    "write_json",
    "write_npy",
    "write_npz",
    "write_outputs",
    "write_table",
    "write_text",
]


# An output path that means standard output.
STDOUT = "-"


@contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The parent folder is created if needed. On an exception the temporary file
    is removed and ``path`` is left untouched. ``-`` is standard output, and a
    path that is a symlink (``/dev/stdout``), a device, FIFO or socket is
    written in place: a rename would replace it with a regular file.
    """
    target = Path(path)
    if str(path) == STDOUT:
        # Through a file, then copied: opening /dev/stdout would truncate a redirected file.
        fd, tmp_name = tempfile.mkstemp(prefix=".seqsim-stdout.", suffix=".tmp")
        os.close(fd)
        try:
            yield Path(tmp_name)
            sys.stdout.flush()
            with open(tmp_name, "rb") as handle:
                shutil.copyfileobj(handle, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        finally:
            Path(tmp_name).unlink(missing_ok=True)
        return
    if target.is_symlink() or (target.exists() and not target.is_file()):
        yield target
        return
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


# csv's writer escapes its quote character even unquoted: one no text cell holds.
_NO_QUOTE = "\x1f"
_NOT_IN_TSV = re.compile(r"[\t\r\n\x1f]")


def _tsv_cells(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with tabs, line breaks and :data:`_NO_QUOTE` in its text cells
    replaced by spaces (a TSV cell cannot hold them; Parquet and FASTA keep the text)."""
    replaced = {}
    for name in table.columns:
        column = table[name]
        if pd.api.types.is_string_dtype(column.dtype) and column.dtype != object:
            replaced[name] = column.str.replace(_NOT_IN_TSV.pattern, " ", regex=True)
        elif column.dtype == object:
            replaced[name] = column.map(
                lambda v: _NOT_IN_TSV.sub(" ", v) if isinstance(v, str) else v
            )
    return table.assign(**replaced) if replaced else table


def _to_tsv(table: pd.DataFrame, path: Path | None, header: bool) -> str | None:
    return _tsv_cells(table).to_csv(
        path, sep="\t", index=False, header=header, lineterminator="\n",
        quoting=csv.QUOTE_NONE, quotechar=_NO_QUOTE,
    )  # fmt: skip


def tsv_text(table: pd.DataFrame, *, header: bool = True) -> str:
    """``table`` as the TSV text :func:`write_table` writes (cells never quoted)."""
    return _to_tsv(table, None, header) or ""


def write_table(table: pd.DataFrame, path: str | os.PathLike[str], *, header: bool = True) -> None:
    """Write a table as TSV (``.tsv``) or Parquet (``.parquet``), chosen by suffix.

    TSV: tab-separated, a header row unless ``header`` is false, no index,
    ``\n`` line ends, floats as written by pandas (shortest round-trip repr),
    cells never quoted (an ID such as ``a"b`` is written as it is), tabs and
    line breaks inside text cells written as spaces.
    """
    suffix = ".tsv" if str(path) == STDOUT else Path(path).suffix
    with atomic_path(path) as tmp:
        if suffix == ".tsv":
            _to_tsv(table, tmp, header)
        elif suffix == ".parquet":
            arrow = pa.Table.from_pandas(table, preserve_index=False)
            pq.write_table(arrow, tmp, compression="zstd")
        else:
            raise InputError(path, "unsupported table format: use a .tsv or .parquet file")


# Rows per Parquet row group of a table written in pieces (TableStream): a
# fixed number, so the file's bytes do not depend on where the pieces were cut.
STREAM_ROW_GROUP = 65536


class TableStream:
    """A table written piece by piece, in order, to TSV or Parquet (by suffix),
    atomically: nothing appears at ``path`` until :meth:`close`. TSV gives the
    bytes :func:`write_table` gives for the whole table; Parquet row groups
    hold :data:`STREAM_ROW_GROUP` rows whatever the pieces. Use as a context
    manager; an exception leaves ``path`` untouched.
    """

    def __init__(self, path: FilePath, *, header: bool = True) -> None:
        self.suffix = ".tsv" if str(path) == STDOUT else Path(path).suffix
        if self.suffix not in (".tsv", ".parquet"):
            raise InputError(path, "unsupported table format: use a .tsv or .parquet file")
        self._atomic = atomic_path(path)
        self._tmp = self._atomic.__enter__()
        self._header = header
        self._text = open(self._tmp, "w", encoding="utf-8") if self.suffix == ".tsv" else None
        self._pending: list[pd.DataFrame] = []
        self._pending_rows = 0
        self._writer: pq.ParquetWriter | None = None

    def write(self, piece: pd.DataFrame) -> None:
        if self._text is not None:
            self._text.write(tsv_text(piece, header=self._header))
            self._header = False
            return
        self._pending.append(piece)
        self._pending_rows += len(piece)
        if self._pending_rows >= STREAM_ROW_GROUP:
            self._flush(final=False)

    def _flush(self, *, final: bool) -> None:
        buffered = pd.concat(self._pending, ignore_index=True) if self._pending else None
        if buffered is None:
            return
        if self._writer is None:
            if final and buffered.empty:  # an empty table: its own (inferred) schema
                pq.write_table(pa.Table.from_pandas(buffered, preserve_index=False), self._tmp,
                               compression="zstd")  # fmt: skip
                self._pending = []
                return
            arrow = pa.Table.from_pandas(buffered, preserve_index=False)
            self._writer = pq.ParquetWriter(self._tmp, arrow.schema, compression="zstd")
        else:
            arrow = pa.Table.from_pandas(buffered, schema=self._writer.schema, preserve_index=False)
        whole = arrow.num_rows if final else arrow.num_rows // STREAM_ROW_GROUP * STREAM_ROW_GROUP
        if whole:
            self._writer.write_table(arrow.slice(0, whole), row_group_size=STREAM_ROW_GROUP)
        self._pending = [buffered.iloc[whole:]] if whole < len(buffered) else []
        self._pending_rows = len(buffered) - whole

    def close(self) -> None:
        """Finish the file and move it into place."""
        if self._text is not None:
            self._text.close()
        else:
            self._flush(final=True)
            if self._writer is not None:
                self._writer.close()
        self._atomic.__exit__(None, None, None)

    def __enter__(self) -> TableStream:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: Any
    ) -> None:
        if kind is None:
            self.close()
            return
        if self._text is not None:
            self._text.close()
        if self._writer is not None:
            self._writer.close()
        self._atomic.__exit__(kind, error, tb)


def read_table(path: str | os.PathLike[str], *, text: Iterable[str] = ()) -> pd.DataFrame:
    """Read a table written by :func:`write_table` (with its header); TSV
    columns named in ``text`` are read as text (IDs such as ``007``)."""
    suffix = Path(path).suffix
    if suffix == ".tsv":
        return pd.read_csv(
            path, sep="\t", keep_default_na=False, na_values=[""], quoting=csv.QUOTE_NONE,
            dtype=dict.fromkeys(text, str),
        )  # fmt: skip
    if suffix == ".parquet":
        return pq.read_table(path).to_pandas()
    raise InputError(path, "unsupported table format: use a .tsv or .parquet file")


def table_columns(path: str | os.PathLike[str]) -> list[str]:
    """The column names of a table written by :func:`write_table`, without
    reading its rows."""
    suffix = Path(path).suffix
    if suffix == ".tsv":
        with open(path, encoding="utf-8") as handle:
            return handle.readline().rstrip("\n").split("\t")
    if suffix == ".parquet":
        return list(pq.read_schema(path).names)
    raise InputError(path, "unsupported table format: use a .tsv or .parquet file")


def read_clusters_tsv(path: str | os.PathLike[str]) -> pd.DataFrame:
    """An MMseqs2-layout clusters TSV (``representative``, ``member``; no
    header), every cell as text."""
    try:
        return pd.read_csv(
            path, sep="\t", header=None, names=["representative", "member"], dtype=str,
            keep_default_na=False, quoting=csv.QUOTE_NONE,
        )  # fmt: skip
    except FileNotFoundError:
        raise InputError(path, "no such file") from None


def write_fasta(
    records: Iterable[tuple[str, str]], path: str | os.PathLike[str], *, width: int = 60
) -> None:
    """Write ``(title, sequence)`` pairs as FASTA with ``width`` residues per line."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        for title, sequence in records:
            handle.write(f">{title}\n")
            for start in range(0, len(sequence), width):
                handle.write(sequence[start : start + width] + "\n")


def requested_outputs(outputs: Any) -> list[str]:
    """The names of the outputs that ``outputs``, a dataclass of optional
    output paths (e.g. :class:`~seqsim.matrix.api.MatrixOutputs`), asks for."""
    return [field.name for field in dataclasses.fields(outputs) if getattr(outputs, field.name)]


def write_outputs(
    outputs: Any, writers: Mapping[str, Callable[[_Source, FilePath], None]], source: _Source
) -> None:
    """Each output that ``outputs`` asks for, written from ``source`` by its
    writer in ``writers`` (output name -> function), in the writers' order."""
    for name, write in writers.items():
        path = getattr(outputs, name)
        if path:
            write(source, path)
