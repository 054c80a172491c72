"""FASTA ingest: validate records, settle the alphabet, encode into a store.

Every input record ends up either in the store or in the rejection table,
with a reason; :func:`ingest_fasta` checks ``n_input == n_kept + n_rejected``.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError, InputError
from seqsim.io import write_json, write_table
from seqsim.sequences.alphabet import (
    INVALID_CODE,
    AlphabetName,
    classify_sequence,
    get_alphabet,
    only_nucleotide_core,
    strip_terminal_stop,
)
from seqsim.sequences.fasta import FastaRecord, iter_fasta, locate_residues
from seqsim.sequences.store import (
    COPY_COLUMNS,
    RECORD_COLUMNS,
    SequenceStore,
    no_copies,
    write_store,
)

log = logging.getLogger("seqsim")

OnInvalid = Literal["error", "skip"]
AlphabetChoice = Literal["auto", "protein", "dna", "rna"]
REJECTED_COLUMNS = ["file", "record", "line", "id", "reason_code", "reason"]


@dataclass
class _Record:
    path: str
    number: int
    line: int
    id: str
    description: str
    sequence: str  # upper case, whitespace removed
    reason_code: str = ""
    reason: str = ""
    problem_line: int = 0  # line of the problem when it is not the header

    def reject(self, code: str, reason: str) -> None:
        if not self.reason_code:  # the first problem found is the one reported
            self.reason_code, self.reason = code, reason


@dataclass(frozen=True)
class IngestResult:
    store: SequenceStore
    rejected: pd.DataFrame  # REJECTED_COLUMNS
    summary: dict[str, Any] = field(default_factory=dict)


# Longer IDs are far beyond any database's (UniProt, RefSeq, ENA: < 100); a
# megabyte header is a broken file, not an ID.
MAX_ID_LENGTH = 1000


def check_id(record_id: str) -> str | None:
    """Return why ``record_id`` cannot be used in tabular outputs, or None if it can.

    >>> check_id("sp|P69905|HBA_HUMAN") is None, check_id("a\\tb")
    (True, 'ID contains a tab or newline')
    """
    if not record_id:
        return "empty ID"
    if len(record_id) > MAX_ID_LENGTH:
        return f"ID is {len(record_id):,} characters long (at most {MAX_ID_LENGTH:,})"
    if any(char in record_id for char in "\t\n\r"):
        return "ID contains a tab or newline"
    if any(ord(char) < 32 or ord(char) == 127 for char in record_id):
        return "ID contains a control character"
    return None


def _fasta_records(paths: list[str]) -> Iterator[FastaRecord]:
    for path in paths:
        yield from iter_fasta(path)


def _read_records(raw_records: Iterable[FastaRecord]) -> list[_Record]:
    records: list[_Record] = []
    first_seen: dict[str, _Record] = {}
    for raw in raw_records:
        # ID = first word of the header (Biopython and BLAST); a header that
        # starts with whitespace has an empty ID.
        words = raw.title.split(maxsplit=1) if raw.title[:1].strip() else ["", raw.title]
        record_id = words[0]
        description = words[1].strip() if len(words) > 1 else ""
        sequence = "".join(raw.sequence.split()).upper()
        record = _Record(raw.path, raw.number, raw.line, record_id, description, sequence)
        problem = check_id(record_id)
        if problem == "empty ID":
            record.reject("empty_id", "empty ID (the header has no text right after '>')")
        elif problem:
            record.reject("bad_id", problem)
            if len(record_id) > MAX_ID_LENGTH:  # the rejected table shows its start
                record.id = record_id[:40] + "..."

        elif record_id in first_seen:
            first = first_seen[record_id]
            record.reject(
                "duplicate_id",
                f"duplicate ID {record_id!r}: first seen in {first.path} "
                f"record {first.number} (line {first.line})",
            )
        else:
            first_seen[record_id] = record
        records.append(record)
    return records


@dataclass
class _AlphabetDecision:
    """The set's alphabet, how it was settled, and the per-record votes."""

    alphabet: AlphabetName
    source: str  # "configured", "detected" (by the records' votes) or "default"
    votes: dict[str, int]
    kept_outliers: list[str]  # IDs of records kept although they looked like nucleotide


def _settle_alphabet(records: list[_Record], choice: AlphabetChoice) -> _AlphabetDecision:
    """Pick the set's alphabet. In auto mode the majority of the records that
    can be told apart decides (ties: protein); records that fit either
    alphabet follow it. A nucleotide-looking record in a protein set is valid
    protein and is kept (and counted); a protein record in a nucleotide set is
    rejected as a mixed alphabet. A set where no record can be told apart is
    nucleotide only when every record is made of A/C/G/T/U/N (primers), else
    protein (short peptides)."""
    sequences = {id(r): r.sequence.rstrip("*") for r in records if r.sequence}
    kinds = {key: classify_sequence(sequence) for key, sequence in sequences.items()}
    votes = Counter("nucleotide" if kind in ("dna", "rna") else kind for kind in kinds.values())
    tally = {name: votes[name] for name in ("protein", "nucleotide", "either")}
    if choice != "auto":
        return _AlphabetDecision(choice, "configured", tally, [])
    source = "detected"
    if votes["nucleotide"] > votes["protein"]:
        majority = "nucleotide"
    elif votes["protein"]:
        majority = "protein"
    else:
        source = "default"
        fits_nucleotide = bool(sequences) and all(map(only_nucleotide_core, sequences.values()))
        majority = "nucleotide" if fits_nucleotide else "protein"
    if majority == "protein":
        outliers = [r.id for r in records if kinds.get(id(r)) in ("dna", "rna")]
        return _AlphabetDecision("protein", source, tally, outliers)
    letters = set().union(
        *(set(sequences[id(r)]) for r in records if kinds.get(id(r), "protein") != "protein")
    )
    alphabet: AlphabetName = "rna" if "U" in letters and "T" not in letters else "dna"
    for record in records:
        if kinds.get(id(record)) == "protein":
            record.reject(
                "mixed_alphabet",
                f"mixed alphabets: this record looks like protein but most records are "
                f"{alphabet} ({votes['protein']} protein, {votes['nucleotide']} nucleotide); "
                "set `alphabet` to choose",
            )
    return _AlphabetDecision(alphabet, source, tally, [])


def _describe_invalid(char: str, alphabet: AlphabetName) -> str:
    hint = ""
    if char in "-.":
        hint = " (a gap: give unaligned sequences)"
    elif alphabet != "protein" and char.isalpha():
        hint = f" (not a {alphabet.upper()} letter)"
    return f"invalid character {char!r}{hint}"


def _encode(
    records: list[_Record], alphabet_name: AlphabetName, *, from_files: bool = True
) -> dict[int, np.ndarray]:
    """Encode records not yet rejected; reject empty ones and those with invalid letters."""
    alphabet = get_alphabet(alphabet_name)
    encoded: dict[int, np.ndarray] = {}
    to_locate: dict[str, list[tuple[_Record, int]]] = {}
    for index, record in enumerate(records):
        if record.reason_code:
            continue
        sequence = strip_terminal_stop(record.sequence, alphabet_name)
        if not sequence:
            record.reject("empty_sequence", "empty sequence")
            continue
        if not sequence.isascii():
            position = next(i for i, char in enumerate(sequence) if not char.isascii())
        else:
            codes = alphabet.encode(sequence)
            bad = np.flatnonzero(codes == INVALID_CODE)
            if bad.size == 0:
                encoded[index] = codes
                continue
            position = int(bad[0])
        record.reject(
            "invalid_character",
            f"{_describe_invalid(sequence[position], alphabet_name)} at position {position + 1}",
        )
        if from_files:
            to_locate.setdefault(record.path, []).append((record, position))
    for path, items in to_locate.items():
        lines = locate_residues(path, [(record.line, position) for record, position in items])
        for (record, _), line in zip(items, lines, strict=True):
            record.problem_line = line
    return encoded


def _rejection_error(rejected: list[_Record]) -> InputError:
    first = rejected[0]
    problem = first.reason
    if len(rejected) > 1:
        problem += (
            f" (and {len(rejected) - 1} more rejected records; with on_invalid: skip "
            "they are listed in rejected.tsv)"
        )
    return InputError(
        first.path,
        problem,
        record_number=first.number,
        record_id=first.id or None,
        line=first.problem_line or first.line,
    )


def ingest_fasta(
    paths: Sequence[str | os.PathLike[str]],
    *,
    alphabet: AlphabetChoice = "auto",
    on_invalid: OnInvalid = "error",
    dedupe: bool = False,
) -> IngestResult:
    """Read FASTA files into a :class:`SequenceStore`.

    Parameters
    ----------
    paths
        FASTA files, plain or gzip/bzip2/xz-compressed, read in the order given.
    alphabet
        ``"auto"`` detects it from the records (majority of records that can
        be told apart); otherwise every record must fit the named alphabet.
    on_invalid
        ``"error"`` raises :class:`InputError` for the first bad record;
        ``"skip"`` leaves bad records out and lists them in ``rejected``.
        Problems with a whole file (missing, empty, binary, not FASTA) always raise.
    dedupe
        store each distinct sequence once; later records with the same
        sequence (after the residue policy) become the store's ``copies``,
        which every output lists again beside their representative.
    """
    _check_choices(alphabet, on_invalid)
    if not paths:
        raise ConfigError("no input FASTA files given")
    path_names = [str(path) for path in paths]
    records = _read_records(_fasta_records(path_names))
    return _ingest(records, path_names, alphabet, on_invalid, dedupe, from_files=True)


def ingest_records(
    records: Sequence[tuple[str, str]],
    *,
    alphabet: AlphabetChoice = "auto",
    on_invalid: OnInvalid = "error",
    source: str = "<sequences>",
) -> IngestResult:
    """:func:`ingest_fasta` for in-memory ``(header, sequence)`` pairs, with
    the same checks; errors name ``source`` and the record number.

    >>> ingest_records([("a", "MKVLAAGIW"), ("b", "MKVLSAGIW")]).store.ids
    ['a', 'b']
    """
    _check_choices(alphabet, on_invalid)
    raw = (
        FastaRecord(source, number, 0, title, sequence)
        for number, (title, sequence) in enumerate(records, start=1)
    )
    return _ingest(_read_records(raw), [source], alphabet, on_invalid, False, from_files=False)


def _check_choices(alphabet: str, on_invalid: str) -> None:
    if on_invalid not in ("error", "skip"):
        raise ConfigError(f"on_invalid must be 'error' or 'skip', not {on_invalid!r}")
    if alphabet not in ("auto", "protein", "dna", "rna"):
        raise ConfigError(f"alphabet must be auto, protein, dna or rna, not {alphabet!r}")


def _ingest(
    records: list[_Record],
    sources: list[str],
    alphabet: AlphabetChoice,
    on_invalid: OnInvalid,
    dedupe: bool,
    *,
    from_files: bool,
) -> IngestResult:
    decision = _settle_alphabet(records, alphabet)
    alphabet_name = decision.alphabet
    encoded = _encode(records, alphabet_name, from_files=from_files)
    rejected = [record for record in records if record.reason_code]
    if rejected and on_invalid == "error":
        raise _rejection_error(rejected)
    kept = [(records[index], codes) for index, codes in sorted(encoded.items())]
    if len(kept) + len(rejected) != len(records):
        raise AssertionError("ingest lost records: kept + rejected != input")
    copies = _exact_copies(kept)
    store = _build_store(kept, alphabet_name, copies if dedupe else {})
    per_file = Counter(r.path for r in records)
    kept_per_file = Counter(r.path for r, _ in kept)
    summary = {
        "alphabet": alphabet_name,
        "alphabet_source": decision.source,
        "alphabet_votes": decision.votes,
        "n_kept_nucleotide_like": len(decision.kept_outliers),
        "on_invalid": on_invalid,
        "n_input": len(records),
        "n_kept": len(kept),
        "n_rejected": len(rejected),
        "n_residues": int(store.codes.size),
        "n_exact_duplicates": len(copies),
        "n_distinct_sequences": len(kept) - len(copies),
        "dedupe": dedupe,
        "n_stored": store.n_sequences,
        "rejected_by_reason": dict(sorted(Counter(r.reason_code for r in rejected).items())),
        "files": [{"path": p, "n_input": per_file[p], "n_kept": kept_per_file[p]} for p in sources],
    }
    if copies:
        first_copy, original = next(iter(copies.items()))
        log.warning(
            "%d kept records repeat an earlier record's sequence exactly (e.g. %r = %r); "
            "%d distinct sequences. %s",
            len(copies),
            first_copy,
            original,
            len(kept) - len(copies),
            "Stored once each (--dedupe); the outputs list the copies again"
            if dedupe
            else "Each copy is searched and scored again (--dedupe stores each once)",
        )
    if decision.kept_outliers:
        log.warning(
            "%d records look like nucleotides but most are protein; kept as protein: %s%s",
            len(decision.kept_outliers),
            ", ".join(decision.kept_outliers[:5]),
            " ..." if len(decision.kept_outliers) > 5 else "",
        )
    for record in rejected:
        log.warning(
            "rejected %s record %d %r: %s", record.path, record.number, record.id, record.reason
        )
    log.info(
        "ingested %d records from %d files: %d kept, %d rejected; alphabet %s (%s)",
        len(records),
        len(sources),
        len(kept),
        len(rejected),
        alphabet_name,
        summary["alphabet_source"],
    )
    return IngestResult(store=store, rejected=_rejected_table(rejected), summary=summary)


def _exact_copies(kept: list[tuple[_Record, np.ndarray]]) -> dict[str, str]:
    """ID of each kept record whose encoded sequence equals an earlier one's ->
    the ID of the first record with that sequence."""
    first_with: dict[bytes, str] = {}
    copies: dict[str, str] = {}
    for record, codes in kept:
        original = first_with.setdefault(codes.tobytes(), record.id)
        if original != record.id:
            copies[record.id] = original
    return copies


def _build_store(
    kept: list[tuple[_Record, np.ndarray]], alphabet: AlphabetName, copies: dict[str, str]
) -> SequenceStore:
    """The store of the kept records but the ``copies`` (copy ID -> the ID
    of the record it repeats), which go to the store's copies table."""
    left_out = [record for record, _ in kept if record.id in copies]
    kept = [(record, codes) for record, codes in kept if record.id not in copies]
    lengths = np.array([codes.size for _, codes in kept], dtype=np.int64)
    offsets = np.zeros(len(kept) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    codes = np.concatenate([c for _, c in kept]) if kept else np.zeros(0, dtype=np.uint8)
    table = pd.DataFrame(
        {
            "index": np.arange(len(kept), dtype=np.int64),
            "id": [r.id for r, _ in kept],
            "description": [r.description for r, _ in kept],
            "length": lengths,
            "file": [r.path for r, _ in kept],
            "record": np.array([r.number for r, _ in kept], dtype=np.int64),
        },
        columns=RECORD_COLUMNS,
    )
    row = {record.id: index for index, (record, _) in enumerate(kept)}
    copy_table = no_copies()
    if left_out:
        copy_table = pd.DataFrame(
            {
                "id": [r.id for r in left_out],
                "representative": np.array([row[copies[r.id]] for r in left_out], np.int64),
                "description": [r.description for r in left_out],
                "file": [r.path for r in left_out],
                "record": np.array([r.number for r in left_out], dtype=np.int64),
            },
            columns=COPY_COLUMNS,
        )
    return SequenceStore(alphabet, codes.astype(np.uint8), offsets, table, copy_table)


def _rejected_table(rejected: list[_Record]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "file": [r.path for r in rejected],
            "record": [r.number for r in rejected],
            "line": [r.problem_line or r.line for r in rejected],
            "id": [r.id for r in rejected],
            "reason_code": [r.reason_code for r in rejected],
            "reason": [r.reason for r in rejected],
        },
        columns=REJECTED_COLUMNS,
    )


def write_ingest(
    result: IngestResult,
    out_dir: str | os.PathLike[str],
    *,
    rejected: str | os.PathLike[str] | None = None,
    summary: str | os.PathLike[str] | None = None,
) -> None:
    """``seqsim ingest``'s outputs: the store in ``out_dir``, the rejected
    records (default ``out_dir/rejected.tsv``) and the counts (default
    ``out_dir/ingest.json``); InputError when every record was rejected."""
    out_dir = Path(out_dir)
    write_table(result.rejected, Path(rejected or out_dir / "rejected.tsv"))
    write_json(result.summary, Path(summary or out_dir / "ingest.json"))
    # No empty store: a later step would search nothing instead of stopping.
    if result.summary["n_kept"] > 0:
        write_store(result.store, out_dir)
    else:
        sources = ", ".join(f["path"] for f in result.summary["files"])
        raise InputError(
            sources,
            f"all {result.summary['n_input']} records were rejected (see the rejected table)",
        )
