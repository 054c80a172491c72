"""Sequences in whatever form a caller has them, as a store."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypeAlias

from seqsim.sequences.ingest import AlphabetChoice, ingest_fasta, ingest_records
from seqsim.sequences.store import SequenceStore, read_store

# A FASTA file, a store folder (``seqsim ingest``), a store, or {id: sequence}.
Sequences: TypeAlias = str | os.PathLike[str] | SequenceStore | Mapping[str, str]


def read_sequences(sequences: Sequences, *, alphabet: AlphabetChoice = "auto") -> SequenceStore:
    """A store of ``sequences``: a FASTA file (ingested with the default input
    policy), a store folder or store (as it is), or a mapping of ids to
    sequence strings (checked like FASTA records).

    >>> read_sequences({"a": "ACGTACGTAC", "b": "ACGTTCGTAC"}).alphabet
    'dna'
    """
    if isinstance(sequences, SequenceStore):
        return sequences
    if isinstance(sequences, Mapping):
        return ingest_records(list(sequences.items()), alphabet=alphabet).store
    if isinstance(sequences, (str, os.PathLike)):
        if Path(sequences).is_dir():
            return read_store(sequences)
        return ingest_fasta([sequences], alphabet=alphabet).store
    raise TypeError(
        "sequences must be a FASTA path, a store folder, a SequenceStore or a mapping of "
        f"ids to sequences, not {type(sequences).__name__}"
    )
