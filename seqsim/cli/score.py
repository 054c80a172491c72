"""``seqsim score``: calibrated homology probabilities of a set's candidate pairs."""

from __future__ import annotations

import argparse

from seqsim.cli.sequences_argument import add_sequence_arguments, sequences_of

HELP = "score a set's candidate pairs (or listed pairs) with a trained scorer (calibrated)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_sequence_arguments(parser)
    parser.add_argument("--model", required=True, help="checkpoint from `seqsim train`")
    parser.add_argument("-o", "--output", required=True, help="scored pairs (.tsv or .parquet)")
    parser.add_argument(
        "--pairs",
        help="score only these pairs: a table with id1 and id2 columns (others are kept); "
        "default: every candidate pair (a hit or a path through intermediates)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads for the search and torch")


def run(args: argparse.Namespace) -> int:
    from seqsim.scorer.api import write_score

    write_score(
        args.model, sequences_of(args), args.output, hits=args.hits, pairs=args.pairs,
        threads=args.threads,
    )  # fmt: skip
    return 0
