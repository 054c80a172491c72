"""``seqsim count-kmers``: sequence store -> k-mer profiles."""

from __future__ import annotations

import argparse

HELP = "count the distinct k-mers of every sequence in a store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store folder (from ingest)")
    parser.add_argument("-o", "--output", required=True, help="k-mer profiles (.npz)")
    parser.add_argument(
        "-k", type=int, default=None, help="k-mer size (default: 3 for protein, 11 for DNA/RNA)"
    )
    parser.add_argument(
        "--canonical",
        action="store_true",
        help="DNA/RNA: merge each k-mer with its reverse complement",
    )
    parser.add_argument(
        "--reduced-alphabet",
        choices=["murphy10", "dayhoff6"],
        help="protein: count k-mers over amino-acid groups (Murphy 10 or Dayhoff 6 letters)",
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.kmers.profiles import write_kmer_profiles

    write_kmer_profiles(
        args.store, args.output, k=args.k, canonical=args.canonical,
        reduced_alphabet=args.reduced_alphabet,
    )  # fmt: skip
    return 0
