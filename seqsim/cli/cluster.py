"""``seqsim cluster``: pair tables -> clusters (MMseqs2 TSV, CD-HIT .clstr,
representatives FASTA, a per-member table)."""

from __future__ import annotations

import argparse

from seqsim.settings import add_setting, setting

# MMseqs2's --cov-mode numbers, which --cov-mode also takes.
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
    for key in (
        "similarity.feature", "cluster.min_similarity", "cluster.min_identity",
        "cluster.identity", "cluster.coverage", "cluster.method", "cluster.representative",
        "cluster.resolution",
    ):  # fmt: skip
        add_setting(parser, key)
    modes = [*(setting("cluster.cov_mode").choices or ()), *COVERAGE_MODE_NUMBERS]
    add_setting(parser, "cluster.cov_mode", choices=modes)
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
    from seqsim.clusters.api import ClusterOutputs, write_clusters
    from seqsim.clusters.methods import ClusterSettings, LinkRule
    from seqsim.feature_names import default_min_similarity
    from seqsim.pair_tables import similarity_feature

    feature = similarity_feature(args.pairs, args.feature)
    min_similarity = args.min_similarity
    if min_similarity is None:
        min_similarity = default_min_similarity(feature)
    rule = LinkRule(
        feature, min_similarity, args.min_identity, args.identity, args.coverage,
        COVERAGE_MODE_NUMBERS.get(args.cov_mode, args.cov_mode),
    )  # fmt: skip
    settings = ClusterSettings(rule, args.method, args.representative, args.resolution, args.seed)
    outputs = ClusterOutputs(
        tsv=args.output, members=args.members, clstr=args.clstr, sizes_plot=args.sizes_plot,
        representatives=args.representatives,
    )  # fmt: skip
    write_clusters(
        args.store, args.pairs, outputs, settings=settings,
        alignment_pairs=args.alignment_pairs, update=args.update,
    )  # fmt: skip
    return 0
