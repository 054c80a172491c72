"""``seqsim score-pairs``: k-mer profiles -> pair features for one block of queries."""

from __future__ import annotations

import argparse

HELP = "compute k-mer pair features for one block of an all-vs-all comparison"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kmers", required=True, help="k-mer profiles (from count-kmers)")
    parser.add_argument("-o", "--output", required=True, help="pair table (.parquet or .tsv)")
    parser.add_argument("--block", type=int, default=0, help="block number, 0-based")
    parser.add_argument(
        "--n-blocks", type=int, default=1, help="number of blocks the queries are split into"
    )
    parser.add_argument(
        "--min-shared",
        type=int,
        default=1,
        help="leave out pairs sharing fewer distinct k-mers (their features are ~0)",
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.features import read_profiles, score_pairs
    from seqsim.io import write_table

    profiles = read_profiles(args.kmers)
    pairs = score_pairs(
        profiles, block=args.block, n_blocks=args.n_blocks, min_shared=args.min_shared
    )
    write_table(pairs, args.output)
    return 0
