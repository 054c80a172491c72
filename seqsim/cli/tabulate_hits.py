"""``seqsim tabulate-hits``: hit tables of several blocks -> one BLAST tabular file."""

from __future__ import annotations

import argparse

from seqsim.settings import add_setting

HELP = "merge hit tables (from align --hits-out) into one BLAST tabular file, by query"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store the hits refer to")
    parser.add_argument("--hits", nargs="+", required=True, help="hit tables (.parquet)")
    parser.add_argument("-o", "--output", required=True, help="BLAST tabular output (.tsv)")
    add_setting(parser, "search.extra_columns")
    parser.add_argument("--header", action="store_true", help="write a header row")
    add_setting(
        parser,
        "search.max_memory_mb",
        help="read the hits a bucket of queries at a time, each within about this much "
        "memory (e.g. 2G; a bare number is MB); same output bytes (default: all at once)",
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.search_engine.tabular import tabulate_hits

    extra = [c for c in args.extra_columns.split(",") if c]
    tabulate_hits(
        args.store, args.hits, args.output, extra_columns=extra, header=args.header,
        max_memory=args.max_memory,
    )  # fmt: skip
    return 0
