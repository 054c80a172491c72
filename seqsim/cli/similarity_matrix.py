"""``seqsim similarity-matrix``: pair tables -> similarities, distances and trees."""

from __future__ import annotations

import argparse

from seqsim.settings import add_setting

HELP = "similarity and distance matrices, edge list and trees from pair tables"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", required=True, help="sequence store folder (from ingest)")
    parser.add_argument("--pairs", nargs="+", required=True, help="pair tables (search, score)")
    for key in ("similarity.feature", "similarity.distance", "similarity.max_distance"):
        add_setting(parser, key)
    parser.add_argument(
        "--distance-pairs",
        nargs="+",
        help="pair tables the distance is computed from (default: --pairs), e.g. the "
        "search's for scoredist beside the learned probability",
    )
    parser.add_argument("--edges", help="output: each listed pair once (.parquet or .tsv)")
    parser.add_argument("--id-table", help="output: ids.tsv, each ID with its PHYLIP-safe names")
    parser.add_argument("--npy", help="output: float32 N x N similarity matrix (.npy)")
    parser.add_argument("--tsv", help="output: the matrix as TSV labelled with sequence ids")
    parser.add_argument("--ids", help="output: sequence ids in matrix order, one per line")
    parser.add_argument("--phylip", help="output: distance matrix, relaxed PHYLIP")
    parser.add_argument(
        "--phylip-strict", help="output: distance matrix, strict PHYLIP (10-character names)"
    )
    add_setting(parser, "similarity.phylip_layout")
    parser.add_argument("--tree", help="output: UPGMA tree of the distances (Newick)")
    parser.add_argument("--nj-tree", help="output: neighbour-joining tree (Newick)")
    parser.add_argument("--plot", help="output: heatmap of the matrix (.png)")
    parser.add_argument(
        "--distribution-plot", help="output: histogram of the listed pairs' similarity (.png)"
    )
    add_setting(parser, "similarity.max_sequences")


def run(args: argparse.Namespace) -> int:
    from seqsim.errors import ConfigError
    from seqsim.io import requested_outputs
    from seqsim.matrix.api import MatrixOutputs, write_similarity_matrix
    from seqsim.pair_tables import similarity_feature

    outputs = MatrixOutputs(
        edges=args.edges, id_table=args.id_table, distribution_plot=args.distribution_plot,
        npy=args.npy, ids=args.ids, tsv=args.tsv, phylip=args.phylip,
        phylip_strict=args.phylip_strict, tree=args.tree, nj_tree=args.nj_tree, plot=args.plot,
    )  # fmt: skip
    if not requested_outputs(outputs):
        raise ConfigError("nothing to write: give --edges, --npy, --phylip, --tree, ...")
    write_similarity_matrix(
        args.store, args.pairs, outputs, feature=similarity_feature(args.pairs, args.feature),
        distance=args.distance,
        max_distance=args.max_distance, distance_pairs=args.distance_pairs,
        max_sequences=args.max_sequences, phylip_layout=args.phylip_layout,
    )  # fmt: skip
    return 0
