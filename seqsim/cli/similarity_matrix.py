"""``seqsim similarity-matrix``: pair tables -> square similarity and distance matrices."""

from __future__ import annotations

import argparse

HELP = "build the all-vs-all similarity matrix (and distance matrix) from pair tables"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store folder (from ingest)")
    parser.add_argument("--pairs", nargs="+", required=True, help="pair tables (from score-pairs)")
    parser.add_argument("--feature", default="jaccard", help="pair feature to use as similarity")
    parser.add_argument("--npy", required=True, help="output: float32 N x N matrix (.npy)")
    parser.add_argument("--tsv", help="output: the matrix as TSV labelled with sequence ids")
    parser.add_argument("--ids", help="output: sequence ids in matrix order, one per line")
    parser.add_argument(
        "--phylip", help="output: distance matrix (1 - similarity) in relaxed PHYLIP format"
    )
    parser.add_argument("--tree", help="output: UPGMA tree of the distances (Newick)")
    parser.add_argument("--plot", help="output: heatmap of the matrix (.png)")
    parser.add_argument(
        "--max-sequences",
        type=int,
        default=20000,
        help="refuse to build a dense matrix for more sequences than this",
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.matrix.api import write_similarity_matrix

    write_similarity_matrix(
        args.store, args.pairs, args.npy, feature=args.feature,
        max_sequences=args.max_sequences, tsv=args.tsv, ids=args.ids, phylip=args.phylip,
        tree=args.tree, plot=args.plot,
    )  # fmt: skip
    return 0
