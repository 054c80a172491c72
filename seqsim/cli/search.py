"""``seqsim search``: prefilter -> Smith-Waterman -> hits of queries against
targets, BLAST tabular; all-vs-all when the target set is the query set.

``seqsim align`` (:mod:`seqsim.cli.align`) is the same command without a prefilter.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from seqsim.settings import add_setting

if TYPE_CHECKING:
    from seqsim.search_engine.api import SearchOptions

HELP = "search queries against targets: prefilter, Smith-Waterman, E-values, BLAST tabular"

# The registry's settings this command takes (seqsim/settings.py), besides
# --alphabet, --n-blocks and --prefilter, whose default differs for `align`.
SEARCH_SETTINGS = (
    "search.matrix", "search.match_score", "search.mismatch_score", "search.open_gap_score",
    "search.extend_gap_score", "search.max_evalue", "search.exhaustive", "search.min_ungapped",
    "search.kmer.k", "search.kmer.threshold", "search.kmer.min_diagonal_score",
    "search.kmer.diagonal_band", "search.extra_columns", "search.max_memory_mb", "search.mask",
)  # fmt: skip


def add_arguments(parser: argparse.ArgumentParser, *, prefilter: str = "ungapped") -> None:
    parser.add_argument("query", nargs="?", help="query FASTA (or use --store)")
    parser.add_argument("target", nargs="?", help="target FASTA (default: the queries)")
    parser.add_argument("--store", help="sequence store folder: align it all-vs-all")
    parser.add_argument(
        "--db",
        help="a finished run's results folder: the query FASTA's sequences against it "
        "(its store, hits and scorer reused; give the run's search options); -o gets "
        "each new sequence's --top-k partners by the learned probability",
    )
    parser.add_argument(
        "--top-k", type=int, default=20, help="with --db: partners per new sequence"
    )
    parser.add_argument(
        "--model", help="with --db: scorer checkpoint (default: the run's, else the shipped one)"
    )
    parser.add_argument(
        "--update-dir",
        help="with --db: write the extended run here (store/, search/, scorer/) for "
        "`seqsim cluster --update`",
    )
    parser.add_argument("-o", "--output", help="hits, BLAST tabular (.tsv)")
    parser.add_argument("--hits-out", help="hits with numeric fields and store indices (.parquet)")
    parser.add_argument(
        "--pairs-out",
        help="with --store: pair table of the unordered pairs (query < target) with "
        "alignment features, for similarity-matrix and cluster (.parquet)",
    )
    parser.add_argument("--block", type=int, default=0, help="with --store: block of queries")
    add_setting(parser, "pairs.n_blocks")
    parser.add_argument(
        "--target-block",
        type=int,
        help="with --store: the tile of --block's queries against this block (>= --block): "
        "each pair aligned once, both directions; the upper triangle's tiles are the "
        "all-vs-all",
    )
    add_setting(parser, "alphabet")
    for key in SEARCH_SETTINGS:
        add_setting(parser, key)
    add_setting(parser, "search.prefilter", default=prefilter)
    parser.add_argument(
        "--max-target-seqs",
        type=int,
        help="report each query's best N hits (BLAST's -max_target_seqs; default: all)",
    )
    parser.add_argument("--min-score", type=int, default=1, help="minimum raw score of a hit")
    parser.add_argument(
        "--format-output",
        help="comma-separated output columns in their order, instead of BLAST's 12 and "
        "--extra-columns (BLAST's -outfmt '6 ...', MMseqs2's --format-output): any of "
        "qseqid,sseqid,pident,length,mismatch,gapopen,qstart,qend,sstart,send,evalue,"
        "bitscore and the extra columns",
    )
    parser.add_argument("--threads", type=int, default=1, help="queries aligned at once")
    parser.add_argument(
        "--spill-dir", help="with --max-memory: folder for the hits on disk (default: $TMPDIR)"
    )
    parser.add_argument(
        "--header", action="store_true", help="write a header row with the column names"
    )


def run(args: argparse.Namespace) -> int:
    from seqsim.search_engine.api import SearchOptions, write_search
    from seqsim.search_engine.prefilter import KmerPrefilterSettings

    options = SearchOptions(
        matrix=args.matrix, match_score=args.match_score, mismatch_score=args.mismatch_score,
        open_gap_score=args.open_gap_score, extend_gap_score=args.extend_gap_score,
        max_evalue=args.evalue, min_score=args.min_score, exhaustive=args.exhaustive,
        prefilter=args.prefilter, min_ungapped=args.min_ungapped, mask=args.mask,
        kmer=KmerPrefilterSettings(
            args.kmer_k,
            args.kmer_threshold,
            args.min_diagonal_score,
            diagonal_band=args.diagonal_band,
        ),
    )  # fmt: skip
    if args.db:
        return _against_run(args, options)
    write_search(
        query_fasta=args.query, target_fasta=args.target, store=args.store,
        alphabet=args.alphabet, options=options, block=args.block, n_blocks=args.n_blocks,
        target_block=args.target_block,
        threads=args.threads, output=args.output,
        extra_columns=[c for c in args.extra_columns.split(",") if c], header=args.header,
        hits_out=args.hits_out, pairs_out=args.pairs_out,
        columns=args.format_output.split(",") if args.format_output else None,
        max_target_seqs=args.max_target_seqs, max_memory=args.max_memory,
        spill_dir=args.spill_dir,
    )  # fmt: skip
    return 0


def _against_run(args: argparse.Namespace, options: SearchOptions) -> int:
    from seqsim.errors import ConfigError
    from seqsim.io import write_table
    from seqsim.runs import add_to_run

    if not args.query or args.target or args.store or not args.output:
        raise ConfigError("--db takes one query FASTA and -o (the neighbours table)")
    neighbours = add_to_run(
        args.db, args.query, options=options, model=args.model, top_k=args.top_k,
        threads=args.threads, update_dir=args.update_dir,
    )  # fmt: skip
    write_table(neighbours, args.output)
    return 0
