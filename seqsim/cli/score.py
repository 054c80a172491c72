"""``seqsim score``: calibrated homology probabilities of a set's candidate pairs."""

from __future__ import annotations

import argparse

from seqsim.cli.sequences_argument import add_sequence_arguments, sequences_of
from seqsim.settings import add_setting

HELP = "calibrated homology probabilities of a set's candidate pairs (or of listed pairs)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_sequence_arguments(parser)
    add_setting(
        parser,
        "scorer.model",
        help="checkpoint from `seqsim train` (default: the model seqsim ships for the "
        "sequences' alphabet: proteins trained on SCOPe40, DNA/RNA on Rfam families)",
    )
    parser.add_argument("-o", "--output", required=True, help="scored pairs (.parquet or .tsv)")
    parser.add_argument(
        "--pairs",
        help="score only these pairs: a table with id1 and id2 columns (others are kept); "
        "default: every candidate pair (a hit or a path through intermediates)",
    )
    add_setting(parser, "scorer.min_probability")
    add_setting(parser, "scorer.top_k")
    parser.add_argument(
        "--features", action="store_true", help="also write every pair feature and the logit"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads for the search and torch")


def run(args: argparse.Namespace) -> int:
    from seqsim.scorer.api import write_score

    write_score(
        args.model, sequences_of(args), args.output, hits=args.hits, pairs=args.pairs,
        min_probability=args.min_probability, top_k=args.top_k, features=args.features,
        threads=args.threads,
    )  # fmt: skip
    return 0
