"""``seqsim cluster``: pair tables -> clusters (MMseqs2 TSV, CD-HIT .clstr,
representatives FASTA, a per-member table)."""

from __future__ import annotations

import argparse

# The choices of seqsim.matrix.cluster, repeated so that --help imports nothing heavy.
METHODS = ("set-cover", "connected", "greedy-incremental", "average-linkage", "leiden")
REPRESENTATIVES = ("most-connected", "longest", "medoid")
IDENTITY_DEFINITIONS = ("alignment", "shorter", "longer")
COVERAGE_MODES = ("both", "target", "query", "shorter", "longer")
COVERAGE_MODE_NUMBERS = {"0": "both", "1": "target", "2": "query"}
HELP = "cluster sequences from pair tables (MMseqs2 TSV, CD-HIT .clstr, representatives)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store folder (from ingest)")
    parser.add_argument("--pairs", nargs="+", required=True, help="pair tables (search, score)")
    parser.add_argument(
        "--alignment-pairs",
        nargs="+",
        default=(),
        help="the search's pair tables, for identities and coverages that --pairs lack "
        "(e.g. beside the learned probability)",
    )
    parser.add_argument("--feature", default="jaccard", help="pair feature to threshold")
    parser.add_argument(
        "--min-similarity", type=float, default=0.1, help="link pairs at or above this value"
    )
    parser.add_argument(
        "--min-identity",
        "--min-seq-id",
        type=float,
        help="also require this identity (a fraction; MMseqs2 --min-seq-id, CD-HIT -c)",
    )
    parser.add_argument(
        "--identity",
        choices=IDENTITY_DEFINITIONS,
        default="alignment",
        help="identities divided by the alignment's columns (BLAST, MMseqs2 --seq-id-mode "
        "0), the shorter sequence (CD-HIT, MMseqs2 1) or the longer (MMseqs2 2)",
    )
    parser.add_argument(
        "-c",
        "--coverage",
        type=float,
        help="also require this aligned fraction (MMseqs2 -c, CD-HIT -aS/-aL)",
    )
    parser.add_argument(
        "--cov-mode",
        choices=[*COVERAGE_MODES, *COVERAGE_MODE_NUMBERS],
        default="both",
        help="whose coverage: both sequences (MMseqs2 0), the member (target, 1), the "
        "representative (query, 2), the shorter (CD-HIT -aS) or the longer (-aL)",
    )
    parser.add_argument("--method", choices=METHODS, default="set-cover")
    parser.add_argument(
        "--representative",
        choices=REPRESENTATIVES,
        help="how representatives are chosen (default: most-connected for set-cover, "
        "longest for connected and greedy-incremental, medoid otherwise)",
    )
    parser.add_argument(
        "--resolution", type=float, default=1.0, help="leiden: modularity resolution"
    )
    parser.add_argument("--seed", type=int, default=0, help="leiden: random seed")
    parser.add_argument(
        "-o", "--output", required=True, help="clusters: representative, member (no header)"
    )
    parser.add_argument("--clstr", help="output: the clusters in CD-HIT's .clstr layout")
    parser.add_argument("--representatives", help="output: representatives (FASTA)")
    parser.add_argument("--sizes-plot", help="output: cluster sizes (.png)")
    parser.add_argument(
        "--update",
        help="earlier clusters (MMseqs2 TSV) of some of the store's sequences: kept as "
        "they are; the others join them or form new clusters",
    )
    parser.add_argument(
        "--members",
        help="output: per-member table (similarity, identity and coverage to the "
        "representative; outlier flags)",
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.clusters.api import write_clusters
    from seqsim.clusters.methods import ClusterSettings, LinkRule

    rule = LinkRule(
        args.feature, args.min_similarity, args.min_identity, args.identity, args.coverage,
        COVERAGE_MODE_NUMBERS.get(args.cov_mode, args.cov_mode),
    )  # fmt: skip
    settings = ClusterSettings(rule, args.method, args.representative, args.resolution, args.seed)
    write_clusters(
        args.store, args.pairs, args.output, settings=settings,
        alignment_pairs=args.alignment_pairs, clstr=args.clstr,
        representatives=args.representatives, members=args.members, update=args.update,
        sizes_plot=args.sizes_plot,
    )  # fmt: skip
    return 0
