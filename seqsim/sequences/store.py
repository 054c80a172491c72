"""The encoded sequence store that every stage after ingest reads.

A store is a folder of five files:

- ``codes.npy``: uint8, all sequences' residue codes concatenated
  (codes from :mod:`seqsim.sequences.alphabet`);
- ``offsets.npy``: int64, length n+1; sequence i is ``codes[offsets[i]:offsets[i+1]]``;
- ``records.parquet``: one row per sequence in store order: ``index``, ``id``,
  ``description``, ``length``, ``file``, ``record`` (1-based record number in its file);
- ``copies.parquet``: records left out as exact copies (``seqsim ingest
  --dedupe``): ``id``, ``representative`` (store index of the kept record
  with the same sequence), ``description``, ``file``, ``record``; empty
  without ``--dedupe`` (a store written before it existed has no file);
- ``store.json``: format version, alphabet, counts and a SHA-256 of the codes.

The outputs list every input record: the rows of a store with copies are
:func:`output_rows` (each kept record followed by its copies).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError, InputError
from seqsim.io import read_npy, read_table, write_json, write_npy, write_table
from seqsim.sequences.alphabet import AlphabetName, get_alphabet

STORE_FORMAT_VERSION = 1
STORE_FILES = ("codes.npy", "offsets.npy", "records.parquet", "copies.parquet", "store.json")
RECORD_COLUMNS = ["index", "id", "description", "length", "file", "record"]
COPY_COLUMNS = ["id", "representative", "description", "file", "record"]


def no_copies() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": pd.Series(dtype=object),
            "representative": pd.Series(dtype=np.int64),
            "description": pd.Series(dtype=object),
            "file": pd.Series(dtype=object),
            "record": pd.Series(dtype=np.int64),
        }
    )


@dataclass(frozen=True)
class SequenceStore:
    """Encoded sequences with their ids, in a fixed order."""

    alphabet: AlphabetName
    codes: np.ndarray  # uint8 (n_residues,)
    offsets: np.ndarray  # int64 (n_sequences + 1,)
    records: pd.DataFrame  # RECORD_COLUMNS
    copies: pd.DataFrame = field(default_factory=no_copies)  # COPY_COLUMNS

    @property
    def n_sequences(self) -> int:
        return len(self.offsets) - 1

    @property
    def ids(self) -> list[str]:
        return self.records["id"].tolist()

    @property
    def lengths(self) -> np.ndarray:
        return np.diff(self.offsets)

    def sequence_codes(self, index: int) -> np.ndarray:
        return self.codes[self.offsets[index] : self.offsets[index + 1]]

    def sequence(self, index: int) -> str:
        return get_alphabet(self.alphabet).decode(self.sequence_codes(index))

    def codes_sha256(self) -> str:
        digest = hashlib.sha256(self.codes.tobytes())
        digest.update(self.offsets.astype("<i8").tobytes())
        return digest.hexdigest()


def write_store(store: SequenceStore, folder: str | os.PathLike[str]) -> None:
    folder = Path(folder)
    write_npy(store.codes, folder / "codes.npy")
    write_npy(store.offsets, folder / "offsets.npy")
    write_table(store.records[RECORD_COLUMNS], folder / "records.parquet")
    write_table(store.copies[COPY_COLUMNS], folder / "copies.parquet")
    # store.json last: its presence marks a complete store.
    write_json(
        {
            "format_version": STORE_FORMAT_VERSION,
            "alphabet": store.alphabet,
            "letters": get_alphabet(store.alphabet).letters,
            "n_sequences": store.n_sequences,
            "n_residues": int(store.codes.size),
            "codes_sha256": store.codes_sha256(),
        },
        folder / "store.json",
    )


def read_store(folder: str | os.PathLike[str], *, mmap: bool = False) -> SequenceStore:
    """Read a store written by :func:`write_store`, checking that its parts agree."""
    folder = Path(folder)
    meta_path = folder / "store.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(meta_path, "no sequence store here (run `seqsim ingest` first)") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(meta_path, f"corrupt store metadata ({error})") from None
    if meta.get("format_version") != STORE_FORMAT_VERSION:
        raise InputError(
            meta_path,
            f"store format version {meta.get('format_version')!r} is not the supported "
            f"version {STORE_FORMAT_VERSION}; rerun `seqsim ingest`",
        )
    copies_path = folder / "copies.parquet"
    store = SequenceStore(
        alphabet=meta["alphabet"],
        codes=read_npy(folder / "codes.npy", mmap=mmap),
        offsets=read_npy(folder / "offsets.npy"),
        records=read_table(folder / "records.parquet"),
        copies=read_table(copies_path) if copies_path.exists() else no_copies(),
    )
    if (
        store.n_sequences != meta["n_sequences"]
        or len(store.records) != store.n_sequences
        or store.codes.size != meta["n_residues"]
        or store.offsets[-1] != store.codes.size
        or not store.copies["representative"].between(0, store.n_sequences - 1).all()
    ):
        raise InputError(folder, "sequence store files disagree with each other; rerun ingest")
    return store


def store_indices(names: pd.Series, ids: Sequence[str], source: str) -> np.ndarray:
    """Store indices (int64) of the sequence ids in ``names``; ConfigError
    naming ``source`` when one is not among ``ids``."""
    index = pd.Series(np.arange(len(ids), dtype=np.int64), index=pd.Index(ids))
    names = names.astype(str)
    unknown = ~names.isin(index.index)
    if unknown.any():
        raise ConfigError(
            f"{source}: {int(unknown.sum())} rows name ids that are not among the "
            f"sequences (first: {names[unknown].iloc[0]!r})"
        )
    return index[names].to_numpy()


def output_rows(store: SequenceStore) -> tuple[np.ndarray, list[str]]:
    """The store row and the ID of every kept input record, in the order the
    outputs list them: store order, each record followed by its copies (the
    identity without copies).

    >>> rows, ids = output_rows(SequenceStore("dna", np.zeros(2, np.uint8), np.array([0, 1, 2]),
    ...     pd.DataFrame({"id": ["a", "b"]}), pd.DataFrame({"id": ["a2"], "representative": [0]})))
    >>> rows.tolist(), ids
    ([0, 0, 1], ['a', 'a2', 'b'])
    """
    if store.copies.empty:
        return np.arange(store.n_sequences), store.ids
    rows = np.concatenate(
        [np.arange(store.n_sequences), store.copies["representative"].to_numpy(np.int64)]
    )
    names = store.ids + store.copies["id"].tolist()
    order = np.argsort(rows, kind="stable")
    return rows[order], [names[i] for i in order]


def with_copies(table: pd.DataFrame, column: str, store: SequenceStore) -> pd.DataFrame:
    """``table`` whose ``column`` holds store rows, with each table row
    repeated for every output row of its sequence (its copies too) and
    ``column`` holding output positions (:func:`output_rows`) instead;
    table order is kept, copies after their representative."""
    if store.copies.empty:
        return table
    rows, _ = output_rows(store)
    positions = pd.DataFrame({"_row": rows, "_position": np.arange(rows.size)})
    expanded = table.merge(positions, left_on=column, right_on="_row", how="inner", sort=False)
    return expanded.drop(columns=[column, "_row"]).rename(columns={"_position": column})[
        list(table.columns)
    ]


def copy_pairs(store: SequenceStore) -> tuple[np.ndarray, np.ndarray]:
    """Output positions (first < second) of every pair of identical output
    rows: a representative with each of its copies, and copies with each other."""
    rows, _ = output_rows(store)
    first: list[np.ndarray] = []
    second: list[np.ndarray] = []
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], rows.size]
    for start, end in zip(starts, ends, strict=True):
        if end - start > 1:
            i, j = np.triu_indices(end - start, k=1)
            first.append(start + i)
            second.append(start + j)
    if not first:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(first), np.concatenate(second)
