"""The sequences argument that ``train``, ``score`` and ``embed`` share: a
FASTA file (with ``--alphabet``) or a store folder (``--store``), and
optionally the set's hits."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from seqsim.errors import ConfigError
from seqsim.settings import add_setting

if TYPE_CHECKING:
    from seqsim.sequences.load import Sequences


def add_sequence_arguments(parser: argparse.ArgumentParser, *, hits: bool = True) -> None:
    """The sequences (FASTA or store) and, optionally, their all-vs-all hits."""
    parser.add_argument("fasta", nargs="?", help="sequences (FASTA), or use --store")
    parser.add_argument("--store", help="sequence store folder (`seqsim ingest`)")
    add_setting(parser, "alphabet")
    if hits:
        parser.add_argument(
            "--hits",
            nargs="+",
            help="the set's all-vs-all hits (`seqsim search --hits-out`, .parquet; one file "
            "per block is fine); default: search here",
        )


def sequences_of(args: argparse.Namespace) -> Sequences:
    """The store folder given, or the FASTA file given read with ``--alphabet``
    (exactly one of them)."""
    if bool(args.fasta) == bool(args.store):
        raise ConfigError("give the sequences as a FASTA file or --store (one of them)")
    if args.store:
        if args.alphabet != "auto":
            raise ConfigError("--alphabet applies to FASTA input; a store keeps its alphabet")
        return str(args.store)
    from seqsim.sequences.load import read_sequences

    return read_sequences(args.fasta, alphabet=args.alphabet)
