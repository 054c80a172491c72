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
    import pandas as pd

    from seqsim.errors import ConfigError
    from seqsim.evaluate import rank_blast_hits, sensitivity_to_first_fp
    from seqsim.fasta import iter_fasta
    from seqsim.io import read_table, write_table

    labels = read_table(args.labels)
    if args.set_fasta:
        members = {record.title.split()[0] for record in iter_fasta(args.set_fasta)}
        labels = labels[labels["id"].isin(members)]
    if args.score_column:
        table = read_table(args.hits)
        if args.score_column not in table.columns:
            raise ConfigError(f"{args.hits}: no column {args.score_column!r}")
        hits = table.sort_values(
            ["query", args.score_column], ascending=[True, False], kind="stable"
        )[["query", "target", args.score_column]].rename(columns={args.score_column: "score"})
    else:
        table = pd.read_csv(args.hits, sep="\t", header=None, comment="#")
        hits = rank_blast_hits(table, args.sort_by)
    result = sensitivity_to_first_fp(hits, labels)
    print("queries\tFAM\tSFAM\tFOLD")
    print(f"{result.n_queries}\t{result.family:.4f}\t{result.superfamily:.4f}\t{result.fold:.4f}")
    if args.output:
        write_table(result.per_query, args.output)
    if args.plot:
        from pathlib import Path

        from seqsim.evaluate import roc_curve
        from seqsim.plots import plot_sensitivity_curves

        name = Path(args.hits).name
        plot_sensitivity_curves(
            {name: (result.per_query, roc_curve(hits, labels))}, args.plot, title=name
        )
    return 0
