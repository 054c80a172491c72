"""``seqsim score-pairs``: k-mer profiles -> pair features for one block of queries."""

from __future__ import annotations

import argparse

from seqsim.settings import add_setting

HELP = "compute k-mer pair features for one block of an all-vs-all comparison"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--kmers", required=True, help="k-mer profiles (from count-kmers)")
    parser.add_argument("-o", "--output", required=True, help="pair table (.parquet or .tsv)")
    parser.add_argument("--block", type=int, default=0, help="block number, 0-based")
    add_setting(parser, "pairs.n_blocks")
    add_setting(parser, "pairs.min_shared_kmers")


def run(args: argparse.Namespace) -> int:
    from seqsim.kmers.pairs import write_kmer_pairs

    write_kmer_pairs(
        args.kmers, args.output, block=args.block, n_blocks=args.n_blocks,
        min_shared=args.min_shared,
    )  # fmt: skip
    return 0
