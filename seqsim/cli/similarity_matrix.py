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
    from seqsim.errors import ConfigError
    from seqsim.features import read_pairs
    from seqsim.io import write_npy, write_text
    from seqsim.similarity import similarity_matrix, write_labelled_matrix, write_phylip_distances
    from seqsim.store import read_store

    store = read_store(args.store)
    if store.n_sequences > args.max_sequences:
        raise ConfigError(
            f"{store.n_sequences} sequences would make a {store.n_sequences}^2 dense matrix; "
            f"raise --max-sequences (matrix.max_sequences) above {args.max_sequences} to build it"
        )
    matrix = similarity_matrix(store.n_sequences, read_pairs(args.pairs), args.feature)
    ids = store.ids
    write_npy(matrix, args.npy)
    if args.ids:
        write_text("".join(f"{i}\n" for i in ids), args.ids)
    if args.tsv:
        write_labelled_matrix(matrix, ids, args.tsv)
    if args.phylip:
        write_phylip_distances(1.0 - matrix, ids, args.phylip)
    if args.tree:
        from seqsim.trees import upgma_newick

        write_text(upgma_newick(1.0 - matrix, ids), args.tree)
    if args.plot:
        from seqsim.plots import plot_similarity_heatmap

        title = f"{args.feature} similarity, {store.n_sequences} {store.alphabet} sequences"
        plot_similarity_heatmap(matrix, args.plot, title=title)
    return 0
