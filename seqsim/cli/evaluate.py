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
    parser.add_argument(
        "--store",
        help="sequence store of the evaluated set (instead of --set): its ids, copies included",
    )
    parser.add_argument(
        "--scored-pairs",
        help="also rank each query's partners by the probability of `seqsim score` output",
    )
    parser.add_argument("-o", "--output", help="per-query sensitivities of --hits (TSV)")
    parser.add_argument(
        "--summary", help="TSV: one row per ranking (queries, FAM, SFAM, FOLD means)"
    )
    parser.add_argument(
        "--plot", help="PNG: cumulative sensitivity per level and the ROC of the pooled hits"
    )
    parser.add_argument(
        "--reliability",
        help="TSV: with --scored-pairs, the share of homologs per tenth of probability "
        "(pairs with p >= 0.05; same fold, other superfamily left out)",
    )
    parser.add_argument(
        "--reliability-plot", help="PNG: with --scored-pairs, that table as a reliability diagram"
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.validation.evaluate import evaluate_hits

    set_ids = None
    if args.store:
        from seqsim.sequences.store import output_rows, read_store

        set_ids = output_rows(read_store(args.store))[1]
    results = evaluate_hits(
        args.hits, args.labels, set_fasta=args.set_fasta, set_ids=set_ids, sort_by=args.sort_by,
        score_column=args.score_column, scored_pairs=args.scored_pairs, output=args.output,
        summary=args.summary, plot=args.plot, reliability=args.reliability,
        reliability_plot=args.reliability_plot,
    )  # fmt: skip
    print("ranking\tqueries\tFAM\tSFAM\tFOLD")
    for name, result in results.items():
        print(
            f"{name}\t{result.n_queries}\t{result.family:.4f}\t{result.superfamily:.4f}"
            f"\t{result.fold:.4f}"
        )
    return 0
