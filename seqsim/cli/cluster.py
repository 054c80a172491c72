"""``seqsim cluster``: pair tables -> cluster assignments (representative, member)."""

from __future__ import annotations

import argparse
import logging

METHODS = ("set-cover", "connected", "greedy-incremental")  # seqsim.cluster.CLUSTER_METHODS
HELP = "cluster sequences from pair tables (MMseqs2-style representative/member TSV)"

log = logging.getLogger("seqsim")


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
    import numpy as np

    from seqsim.cluster import assign_clusters, cluster_table
    from seqsim.features import read_pairs
    from seqsim.io import write_table
    from seqsim.store import read_store

    store = read_store(args.store)
    representative = assign_clusters(
        store.lengths,
        read_pairs(args.pairs),
        feature=args.feature,
        min_similarity=args.min_similarity,
        method=args.method,
    )
    n_clusters = np.unique(representative).size
    log.info(
        "%d sequences in %d clusters (%s, %s >= %g); %d singletons",
        store.n_sequences,
        n_clusters,
        args.method,
        args.feature,
        args.min_similarity,
        int((np.bincount(representative, minlength=store.n_sequences) == 1).sum()),
    )
    write_table(cluster_table(representative, store.ids), args.output)
    return 0
