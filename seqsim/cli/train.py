"""``seqsim train``: learn the homology scorer from labelled sequences."""

from __future__ import annotations

import argparse
import logging

HELP = "train the homology scorer on labelled sequences (safetensors checkpoint)"

log = logging.getLogger("seqsim")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fasta", help="training sequences (FASTA)")
    parser.add_argument(
        "--labels",
        required=True,
        help="labels TSV: id plus sccs, or family/superfamily(/fold) columns",
    )
    parser.add_argument("-o", "--output", required=True, help="checkpoint (.safetensors)")
    parser.add_argument(
        "--hits",
        help="the training set's all-vs-all hits (`seqsim search --hits-out`, .parquet); "
        "default: search here",
    )
    parser.add_argument(
        "--level",
        choices=["family", "superfamily", "fold"],
        default="superfamily",
        help="homologs share this level; pairs in different folds are the non-homologs",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed: training is deterministic")
    parser.add_argument("--epochs", type=int, default=30, help="most epochs (early stopping)")
    parser.add_argument("--threads", type=int, default=1, help="threads for the search and torch")


def run(args: argparse.Namespace) -> int:
    import torch

    from seqsim.cli.score import store_and_hits
    from seqsim.io import read_table
    from seqsim.scorer.checkpoint import save_checkpoint
    from seqsim.scorer.train import TrainSettings, train_scorer

    torch.set_num_threads(args.threads)
    labels = read_table(args.labels)
    store, hits = store_and_hits(args.fasta, args.hits, args.threads)
    settings = TrainSettings(level=args.level, seed=args.seed, epochs=args.epochs)
    state, metadata = train_scorer(store, hits, labels, settings)
    save_checkpoint(args.output, state, metadata)
    log.info("wrote %s: %s", args.output, metadata["metrics"])
    return 0
