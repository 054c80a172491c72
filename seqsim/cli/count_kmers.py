"""``seqsim count-kmers``: sequence store -> k-mer profiles."""

from __future__ import annotations

import argparse

from seqsim.settings import add_setting

HELP = "count the distinct k-mers of every sequence in a store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store folder (from ingest)")
    parser.add_argument("-o", "--output", required=True, help="k-mer profiles (.npz)")
    for key in ("kmers.k", "kmers.canonical", "kmers.reduced_alphabet"):
        add_setting(parser, key)


def run(args: argparse.Namespace) -> int:
    from seqsim.kmers.profiles import write_kmer_profiles

    write_kmer_profiles(
        args.store, args.output, k=args.k, canonical=args.canonical,
        reduced_alphabet=args.reduced_alphabet,
    )  # fmt: skip
    return 0
