"""``seqsim train``: learn the homology scorer from labelled sequences or pairs."""

from __future__ import annotations

import argparse

from seqsim.cli.sequences_argument import add_sequence_arguments, sequences_of
from seqsim.settings import add_setting

HELP = "train the homology scorer on labelled sequences or pairs (safetensors checkpoint)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_sequence_arguments(parser)
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument(
        "--labels", help="labels TSV: id plus sccs, or family/superfamily(/fold) columns"
    )
    given.add_argument(
        "--pairs", help="pairs TSV: id1, id2, label (1 homologs, 0 not); other pairs are unknown"
    )
    parser.add_argument("-o", "--output", required=True, help="checkpoint (.safetensors)")
    add_setting(parser, "scorer.level")
    add_setting(parser, "scorer.kind")
    parser.add_argument(
        "--reliability-plot", help="PNG: reliability diagram of the held-out probabilities"
    )
    add_setting(parser, "scorer.seed")
    parser.add_argument(
        "--epochs", type=int, default=30, help="most pair-head epochs (early stopping)"
    )
    add_setting(parser, "scorer.encoder_steps")
    parser.add_argument(
        "--hard-negative-fraction",
        type=float,
        default=0.0,
        help="share of each batch's non-homologs drawn from those the model scores highest",
    )
    parser.add_argument(
        "--all-paths",
        action="store_true",
        help="count every path through intermediates, also where its alignments do not "
        "overlap there, as models trained before issue 29 did (they chain multi-domain "
        "proteins; docs/scorer.md)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads for the search and torch")


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from seqsim.scorer.api import write_train
    from seqsim.scorer.training import TrainSettings

    make = TrainSettings.all_paths if args.all_paths else TrainSettings
    settings = make(
        kind=args.kind, seed=args.seed, epochs=args.epochs,
        hard_negative_fraction=args.hard_negative_fraction,
    )  # fmt: skip
    settings = replace(settings, encoder=replace(settings.encoder, steps=args.encoder_steps))
    write_train(
        sequences_of(args), args.output, labels=args.labels, pairs=args.pairs, level=args.level,
        settings=settings, hits=args.hits, threads=args.threads,
        reliability_plot=args.reliability_plot,
    )  # fmt: skip
    return 0
