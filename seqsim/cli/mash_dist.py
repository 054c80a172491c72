"""``seqsim mash-dist``: all-vs-all Mash distances from MinHash sketches
(hash-identical to ``mash sketch`` / ``mash dist``, see :mod:`seqsim.kmers.sketch`)."""

from __future__ import annotations

import argparse

from seqsim.settings import add_setting

HELP = "all-vs-all Mash distances of a FASTA file's sequences (MinHash sketches, as mash dist)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fasta", help="sequences (FASTA)")
    parser.add_argument("-o", "--output", required=True, help="distances (.tsv)")
    add_setting(parser, "alphabet")
    parser.add_argument("-k", type=int, help="k-mer size (default: 21 for DNA, 9 for protein)")
    parser.add_argument("-s", "--sketch-size", type=int, default=1000, help="hashes per sketch")
    parser.add_argument(
        "--max-distance", type=float, default=1.0, help="write pairs with distance <= this"
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.kmers.sketch import write_mash_dist

    write_mash_dist(
        args.fasta, args.output, alphabet=args.alphabet, k=args.k, size=args.sketch_size,
        max_distance=args.max_distance,
    )  # fmt: skip
    return 0
