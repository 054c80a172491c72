"""``seqsim ingest``: FASTA files -> validated, encoded sequence store."""

from __future__ import annotations

import argparse
import logging

from seqsim.cli.sequences_argument import add_alphabet_argument

HELP = "validate FASTA files and encode them into a sequence store"

log = logging.getLogger("seqsim")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fasta", nargs="+", help="FASTA files (plain, .gz, .bz2 or .xz)")
    parser.add_argument("-o", "--out-dir", required=True, help="folder for the sequence store")
    parser.add_argument(
        "--rejected",
        help="TSV of rejected records with reasons (default: OUT_DIR/rejected.tsv)",
    )
    parser.add_argument(
        "--summary", help="JSON summary of the counts (default: OUT_DIR/ingest.json)"
    )
    add_alphabet_argument(parser)
    parser.add_argument(
        "--on-invalid",
        choices=["error", "skip"],
        default="error",
        help="stop at the first bad record, or skip bad records and list them",
    )
    parser.add_argument(
        "--dedupe",
        action="store_true",
        help="store each distinct sequence once (later exact copies are listed in the "
        "store's copies.parquet and every output lists them again)",
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.sequences.ingest import ingest_fasta, write_ingest

    result = ingest_fasta(
        args.fasta, alphabet=args.alphabet, on_invalid=args.on_invalid, dedupe=args.dedupe
    )
    write_ingest(result, args.out_dir, rejected=args.rejected, summary=args.summary)
    return 0
