"""``seqsim evaluate``: ranked hits + SCOP-style labels -> sensitivity to the first FP."""

from __future__ import annotations

import argparse

HELP = "sensitivity up to the first false positive (Foldseek SCOPe40 semantics) of ranked hits"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hits", required=True, help="hits in BLAST tabular format (no header)")
    parser.add_argument(
        "--labels",
        required=True,
        help="labels TSV: id plus sccs, or family/superfamily/fold columns",
    )
    parser.add_argument(
        "--set",
        dest="set_fasta",
        help="FASTA of the evaluated set (default: every labelled id); hits to other ids "
        "count as false positives",
    )
    parser.add_argument(
        "--sort-by",
        choices=["evalue", "bitscore", "file"],
        default="evalue",
        help="rank each query's hits by E-value (ties: higher bit score), bit score, or "
        "keep the file's order",
    )
    parser.add_argument(
        "--score-column",
        help="the hits file has a header row: rank each query's rows by this column, "
        "highest first (e.g. probability from `seqsim score`)",
    )
    parser.add_argument("-o", "--output", help="per-query sensitivities (TSV)")
    parser.add_argument(
        "--plot", help="PNG: cumulative sensitivity per level and the ROC of the pooled hits"
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.validation.evaluate import evaluate_hits

    result = evaluate_hits(
        args.hits, args.labels, set_fasta=args.set_fasta, sort_by=args.sort_by,
        score_column=args.score_column, output=args.output, plot=args.plot,
    )  # fmt: skip
    print("queries\tFAM\tSFAM\tFOLD")
    print(f"{result.n_queries}\t{result.family:.4f}\t{result.superfamily:.4f}\t{result.fold:.4f}")
    return 0
