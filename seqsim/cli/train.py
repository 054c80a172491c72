"""``seqsim train``: learn the homology scorer from labelled sequences or pairs."""

from __future__ import annotations

import argparse
import logging

from seqsim.cli.score import add_input_arguments

HELP = "train the homology scorer on labelled sequences or pairs (safetensors checkpoint)"

log = logging.getLogger("seqsim")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    given = parser.add_mutually_exclusive_group(required=True)
    given.add_argument(
        "--labels", help="labels TSV: id plus sccs, or family/superfamily(/fold) columns"
    )
    given.add_argument(
        "--pairs", help="pairs TSV: id1, id2, label (1 homologs, 0 not); other pairs are unknown"
    )
    parser.add_argument("-o", "--output", required=True, help="checkpoint (.safetensors)")
    parser.add_argument(
        "--level",
        choices=["family", "superfamily", "fold"],
        default="superfamily",
        help="with --labels: homologs share this level; pairs in different folds are the "
        "non-homologs, pairs in between are left out",
    )
    parser.add_argument(
        "--kind",
        choices=["siamese", "features"],
        default="features",
        help="features: pair head over the alignment and hit-graph features (scores higher "
        "on SCOPe40); siamese: adds a sequence encoder whose embeddings also feed "
        "`seqsim embed`",
    )
    parser.add_argument(
        "--reliability-plot", help="PNG: reliability diagram of the held-out probabilities"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed: training is deterministic")
    parser.add_argument(
        "--epochs", type=int, default=30, help="most pair-head epochs (early stopping)"
    )
    parser.add_argument(
        "--encoder-steps", type=int, default=600, help="siamese: encoder training steps"
    )
    parser.add_argument(
        "--hard-negative-fraction",
        type=float,
        default=0.0,
        help="share of each batch's non-homologs drawn from those the model scores highest",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads for the search and torch")


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    import torch

    from seqsim.cli.score import store_and_hits
    from seqsim.io import read_table
    from seqsim.scorer.checkpoint import save_checkpoint
    from seqsim.scorer.labels import PairLabels
    from seqsim.scorer.train import TrainSettings, train_scorer

    torch.set_num_threads(args.threads)
    store, hits = store_and_hits(args)
    if args.labels:
        labels = PairLabels.from_table(read_table(args.labels), store.ids, args.level)
    else:
        labels = PairLabels.from_pairs(read_table(args.pairs), store.ids, args.pairs)
    settings = TrainSettings(
        kind=args.kind, level=args.level if args.labels else "pairs",
        seed=args.seed, epochs=args.epochs, hard_negative_fraction=args.hard_negative_fraction,
    )  # fmt: skip
    settings = replace(settings, encoder=replace(settings.encoder, steps=args.encoder_steps))
    state, metadata = train_scorer(store, hits, labels, settings)
    save_checkpoint(args.output, state, metadata)
    if args.reliability_plot:
        import numpy as np

        from seqsim.plots import plot_reliability

        metrics = metadata["metrics"]
        plot_reliability(
            np.array(metrics["held_out_reliability"]), args.reliability_plot,
            title=f"held-out calibration (ECE {metrics['held_out_ece']:.3f})",
        )  # fmt: skip
    scalars = {k: v for k, v in metadata["metrics"].items() if not isinstance(v, list)}
    log.info("wrote %s: %s", args.output, scalars)
    return 0
