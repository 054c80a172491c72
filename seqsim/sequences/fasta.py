"""Reading FASTA files (plain, gzip, bzip2 or xz) with Biopython, with the
file checks that turn common mistakes into one-line errors.

Biopython's ``SimpleFastaParser`` does the parsing; this module feeds it
decoded lines while counting them, so every record carries the line of its
header and problems can name the exact line.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path
from typing import IO, Any

from Bio.SeqIO.FastaIO import SimpleFastaParser

from seqsim.errors import InputError

__all__ = ["FastaRecord", "iter_fasta", "locate_residues"]

_COMPRESSED: dict[bytes, Callable[..., Any]] = {
    b"\x1f\x8b": gzip.open,
    b"BZh": bz2.open,
    b"\xfd7zXZ\x00": lzma.open,
}
_READABLE = "gzip, bzip2 and xz are read directly"
# An input path that means standard input.
STDIN = "-"
_UNSUPPORTED = {
    b"PK\x03\x04": f"a zip archive (unzip it first; {_READABLE})",
    b"\x28\xb5\x2f\xfd": f"zstd-compressed (decompress it first; {_READABLE})",
}
# First lines that show which other format a file is in.
_OTHER_FORMATS = [
    ("@", "looks like FASTQ (first line starts with '@'); convert it to FASTA first"),
    ("LOCUS", "looks like GenBank (first line starts with 'LOCUS'); convert it to FASTA first"),
    ("ID   ", "looks like EMBL (first line starts with 'ID'); convert it to FASTA first"),
    ("# STOCKHOLM", "looks like a Stockholm alignment; give unaligned FASTA"),
    ("CLUSTAL", "looks like a Clustal alignment; give unaligned FASTA"),
    ("#NEXUS", "looks like a NEXUS file; give unaligned FASTA"),
]
_DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError)
_BYTE_ORDER_MARK = "\ufeff"


@dataclass(frozen=True)
class FastaRecord:
    """One FASTA record as read: header text without ``>``, raw sequence."""

    path: str
    number: int  # 1-based position of the record in its file
    line: int  # 1-based line of the header
    title: str
    sequence: str


def _open_binary(path: Path) -> IO[bytes]:
    if str(path) == STDIN:
        # Standard input: its first bytes peeked at, not consumed.
        stream = sys.stdin.buffer
        magic = stream.peek(6)[:6] if hasattr(stream, "peek") else b""
        return _opened(magic, STDIN, "standard input", stream) or stream
    try:
        if path.is_dir():
            raise InputError(path, "is a directory, not a FASTA file")
        with open(path, "rb") as probe:
            magic = probe.read(6)
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except PermissionError:
        raise InputError(path, "permission denied") from None
    except OSError as error:  # a symlink loop, an I/O error, a name too long...
        raise InputError(path, f"cannot be read ({error.strerror or error})") from None
    return _opened(magic, path, "file", path) or open(path, "rb")


def _opened(magic: bytes, where: Path | str, what: str, source: Any) -> IO[bytes] | None:
    """A decompressing reader of ``source`` when its first bytes ``magic`` say
    it is compressed, None when it is plain; InputError when empty or another format."""
    if not magic:
        raise InputError(where, f"{what} is empty")
    for prefix, kind in _UNSUPPORTED.items():
        if magic.startswith(prefix):
            raise InputError(where, f"{what} is {kind}")
    for prefix, opener in _COMPRESSED.items():
        if magic.startswith(prefix):
            return opener(source, "rb")
    return None


def _is_compressed(handle: IO[bytes]) -> bool:
    return isinstance(handle, (gzip.GzipFile, bz2.BZ2File, lzma.LZMAFile))


class _Lines:
    """Decoded text lines of a file, counted, with the lines of ``>`` headers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.line_number = 0
        self.header_lines: list[int] = []

    def __iter__(self) -> Iterator[str]:
        with _open_binary(self.path) as handle:
            try:
                for raw in handle:
                    self.line_number += 1
                    yield self._decode(raw)
            except _DECOMPRESSION_ERRORS as error:
                if not _is_compressed(handle):
                    raise InputError(
                        self.path, f"read error ({error})", line=self.line_number + 1
                    ) from None
                raise InputError(
                    self.path,
                    f"compressed data is corrupt or truncated ({error})",
                    line=self.line_number + 1,
                ) from None

    def _decode(self, raw: bytes) -> str:
        if b"\x00" in raw:
            raise InputError(
                self.path, "binary content (NUL byte): not a FASTA text file", line=self.line_number
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = raw[error.start]
            raise InputError(
                self.path,
                f"not UTF-8 text (byte 0x{byte:02x} at column {error.start + 1}): "
                "binary or wrongly encoded file",
                line=self.line_number,
            ) from None
        if self.line_number == 1 and text.startswith(_BYTE_ORDER_MARK):
            text = text[1:]  # Windows editors start UTF-8 files with a BOM
        if text.startswith(">"):
            self.header_lines.append(self.line_number)
        return text


def _check_first_line(path: Path, line: str, line_number: int) -> None:
    if line.startswith(">"):
        return
    for prefix, problem in _OTHER_FORMATS:
        if line.startswith(prefix):
            raise InputError(path, f"not FASTA: {problem}", line=line_number)
    shown = line.strip()
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise InputError(
        path, f"not FASTA: expected a '>' header line, found {shown!r}", line=line_number
    )


def iter_fasta(path: str | os.PathLike[str]) -> Iterator[FastaRecord]:
    """Yield the records of a FASTA file, raising :class:`InputError` for files
    that are missing, empty, binary, not UTF-8, in another format, or hold no record.

    Blank lines before the first header are allowed; any other text is not.
    """
    path = Path(path)
    lines = _Lines(path)
    line_iter = iter(lines)
    first = next((line for line in line_iter if line.strip()), None)
    if first is None:
        raise InputError(path, "contains no FASTA records (only blank lines)")
    _check_first_line(path, first, lines.line_number)
    for number, (title, sequence) in enumerate(
        SimpleFastaParser(chain([first], line_iter)), start=1
    ):
        yield FastaRecord(str(path), number, lines.header_lines[number - 1], title, sequence)


def locate_residues(path: str | os.PathLike[str], queries: list[tuple[int, int]]) -> list[int]:
    """Map ``(header_line, position)`` pairs to the line holding that residue.

    ``position`` is 0-based in the sequence with whitespace removed, as read
    by :func:`iter_fasta`. One pass over the file answers all queries.
    """
    wanted: dict[int, list[tuple[int, int]]] = {}
    for index, (header_line, position) in enumerate(queries):
        wanted.setdefault(header_line, []).append((position, index))
    answers = [0] * len(queries)
    pending: list[tuple[int, int]] = []
    seen = 0
    for line_number, line in enumerate(_Lines(Path(path)), start=1):
        if line_number in wanted:
            pending = sorted(wanted[line_number])
            seen = 0
            continue
        if not pending or line.startswith(">"):
            pending = []
            continue
        seen += len("".join(line.split()))
        while pending and pending[0][0] < seen:
            answers[pending.pop(0)[1]] = line_number
    return answers
