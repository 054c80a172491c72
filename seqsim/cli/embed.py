"""``seqsim embed``: per-sequence embeddings from a siamese checkpoint, and
each sequence's nearest neighbours by calibrated embedding similarity."""

from __future__ import annotations

import argparse

from seqsim.cli.sequences_argument import add_sequence_arguments, sequences_of
from seqsim.settings import add_setting

HELP = "embed sequences with a trained siamese scorer; optionally each one's nearest neighbours"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_sequence_arguments(parser)
    parser.add_argument("--model", required=True, help="siamese checkpoint from `seqsim train`")
    parser.add_argument(
        "-o", "--output", required=True, help="embeddings: id, e0, e1, ... (.tsv or .parquet)"
    )
    parser.add_argument(
        "--neighbours-out",
        help="also write each sequence's nearest neighbours (query, target, cosine, "
        "probability), best first; no alignment needed",
    )
    add_setting(parser, "scorer.neighbours")
    parser.add_argument("--threads", type=int, default=1, help="threads for torch and numpy")


def run(args: argparse.Namespace) -> int:
    from seqsim.scorer.api import write_embed

    write_embed(
        args.model, sequences_of(args), args.output, neighbours_out=args.neighbours_out,
        top_k=args.top_k, hits=args.hits, threads=args.threads,
    )  # fmt: skip
    return 0
