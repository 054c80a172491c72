"""``seqsim cluster``: pair tables -> cluster assignments (representative, member)."""

from __future__ import annotations

import argparse

METHODS = ("set-cover", "connected", "greedy-incremental")  # seqsim.matrix.cluster.CLUSTER_METHODS
HELP = "cluster sequences from pair tables (MMseqs2-style representative/member TSV)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store folder (from ingest)")
    parser.add_argument("--pairs", nargs="+", required=True, help="pair tables (from score-pairs)")
    parser.add_argument("--feature", default="jaccard", help="pair feature to threshold")
    parser.add_argument(
        "--min-similarity", type=float, default=0.1, help="link pairs at or above this value"
    )
    parser.add_argument("--method", choices=METHODS, default="set-cover")
    parser.add_argument("-o", "--output", required=True, help="clusters TSV")


def run(args: argparse.Namespace) -> int:
    from seqsim.matrix.api import write_clusters

    write_clusters(
        args.store, args.pairs, args.output, feature=args.feature,
        min_similarity=args.min_similarity, method=args.method,
    )  # fmt: skip
    return 0
