"""``seqsim ingest``: FASTA files -> validated, encoded sequence store."""

from __future__ import annotations

import argparse
import logging

from seqsim.settings import add_setting

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
    add_setting(parser, "alphabet")
    add_setting(parser, "on_invalid")
    add_setting(parser, "dedupe")


def run(args: argparse.Namespace) -> int:
    from seqsim.sequences.ingest import ingest_fasta, write_ingest

    result = ingest_fasta(
        args.fasta, alphabet=args.alphabet, on_invalid=args.on_invalid, dedupe=args.dedupe
    )
    write_ingest(result, args.out_dir, rejected=args.rejected, summary=args.summary)
    return 0
