"""The sequences argument that ``train``, ``score`` and ``embed`` share: a
FASTA file or a store folder (``--store``), and optionally the set's hits."""

from __future__ import annotations

import argparse

from seqsim.errors import ConfigError


def add_sequence_arguments(parser: argparse.ArgumentParser, *, hits: bool = True) -> None:
    """The sequences (FASTA or store) and, optionally, their all-vs-all hits."""
    parser.add_argument("fasta", nargs="?", help="sequences (FASTA), or use --store")
    parser.add_argument("--store", help="sequence store folder (`seqsim ingest`)")
    if hits:
        parser.add_argument(
            "--hits",
            nargs="+",
            help="the set's all-vs-all hits (`seqsim search --hits-out`, .parquet; one file "
            "per block is fine); default: search here",
        )


def sequences_of(args: argparse.Namespace) -> str:
    """The FASTA file or store folder given (exactly one of them)."""
    if bool(args.fasta) == bool(args.store):
        raise ConfigError("give the sequences as a FASTA file or --store (one of them)")
    return str(args.store or args.fasta)
