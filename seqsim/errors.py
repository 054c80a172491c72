"""Errors that seqsim reports to the user as one line, without a traceback."""

from __future__ import annotations

from os import PathLike


class SeqsimError(Exception):
    """An error caused by the user's input or configuration, not by a bug."""


class InputError(SeqsimError):
    """A problem with an input file, optionally located at a record and line.

    ``str(error)`` is one line naming the file, the record and line where they
    apply, and the problem, e.g.
    ``in.fa: record 3 'seq3' (line 17): invalid character '1' at position 42``.
    """

    def __init__(
        self,
        path: str | PathLike[str],
        problem: str,
        *,
        record_number: int | None = None,
        record_id: str | None = None,
        line: int | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        self.record_number = record_number
        self.record_id = record_id
        self.line = line
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.record_number is not None:
            record = f"record {self.record_number}"
            if self.record_id:
                record += f" {self.record_id!r}"
            where.append(record)
        if self.line is not None:
            where.append(f"(line {self.line})" if where else f"line {self.line}")
        location = " ".join(where)
        return (
            f"{self.path}: {location}: {self.problem}"
            if location
            else f"{self.path}: {self.problem}"
        )


class ConfigError(SeqsimError):
    """A configuration or command-line value that seqsim cannot use."""
