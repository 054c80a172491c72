"""``seqsim tabulate-hits``: hit tables of several blocks -> one BLAST tabular file."""

from __future__ import annotations

import argparse

HELP = "merge hit tables (from align --hits-out) into one BLAST tabular file, by query"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store the hits refer to")
    parser.add_argument("--hits", nargs="+", required=True, help="hit tables (.parquet)")
    parser.add_argument("-o", "--output", required=True, help="BLAST tabular output (.tsv)")
    parser.add_argument(
        "--extra-columns", default="", help="comma-separated extra columns (see seqsim align)"
    )
    parser.add_argument("--header", action="store_true", help="write a header row")


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from seqsim.hits import blast_table
    from seqsim.io import read_table, write_text
    from seqsim.store import read_store

    store = read_store(args.store)
    hits = pd.concat([read_table(path) for path in args.hits], ignore_index=True)
    # Blocks interleave queries; a stable sort by query keeps each query's best-first order.
    hits = hits.sort_values("query", kind="stable", ignore_index=True)
    extra = [c for c in args.extra_columns.split(",") if c]
    table = blast_table(hits, store.ids, store.ids, extra)
    write_text(
        table.to_csv(sep="\t", index=False, header=args.header, lineterminator="\n"), args.output
    )
    return 0
