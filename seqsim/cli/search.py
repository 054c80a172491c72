"""``seqsim search``: prefilter -> Smith-Waterman -> hits of queries against
targets, BLAST tabular; all-vs-all when the target set is the query set.

``seqsim align`` (:mod:`seqsim.cli.align`) is the same command without a prefilter.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from seqsim.cli.sequences_argument import add_alphabet_argument

if TYPE_CHECKING:
    from seqsim.search_engine.api import SearchOptions

HELP = "search queries against targets: prefilter, Smith-Waterman, E-values, BLAST tabular"

# --prefilter choices: what decides which pairs are aligned with gaps.
PREFILTERS = {
    "ungapped": "every pair's best ungapped segment (any diagonal) >= --min-ungapped: "
    "nearly exhaustive sensitivity, quadratic time",
    "kmer": "pairs proposed by a k-mer index (similar k-mers, two hits within "
    "--diagonal-band diagonals, ungapped diagonal score >= --min-diagonal-score): for large "
    "sets (100k in 13-18 min on 2 cores), less sensitive",
    "none": "every pair (exact Smith-Waterman of all pairs)",
}


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
    parser.add_argument("--n-blocks", type=int, default=1, help="with --store: number of blocks")
    parser.add_argument(
        "--target-block",
        type=int,
        help="with --store: the tile of --block's queries against this block (>= --block): "
        "each pair aligned once, both directions; the upper triangle's tiles are the "
        "all-vs-all",
    )
    add_alphabet_argument(parser)
    parser.add_argument(
        "--matrix", help="substitution matrix (default: BLOSUM62 for protein, 2/-3 for DNA)"
    )
    parser.add_argument("--match-score", type=int, help="DNA/RNA match score (default 2)")
    parser.add_argument("--mismatch-score", type=int, help="DNA/RNA mismatch score (default -3)")
    parser.add_argument(
        "--open-gap-score",
        type=int,
        help="score of a gap's first position, Biopython convention (default: -12 protein, "
        "-7 DNA; BLAST's 'gap open 11, extend 1' is -12/-1)",
    )
    parser.add_argument(
        "--extend-gap-score", type=int, help="score of each further gap position (default -1/-2)"
    )
    parser.add_argument(
        "-e", "--evalue", type=float, default=10.0, help="report hits with E-value at most this"
    )
    parser.add_argument(
        "--max-target-seqs",
        type=int,
        help="report each query's best N hits (BLAST's -max_target_seqs; default: all)",
    )
    parser.add_argument("--min-score", type=int, default=1, help="minimum raw score of a hit")
    parser.add_argument("--exhaustive", action="store_true", help="report every query-target pair")
    parser.add_argument(
        "--prefilter",
        choices=list(PREFILTERS),
        default=prefilter,
        help="which pairs are aligned with gaps: "
        + "; ".join(f"{name}: {text}" for name, text in PREFILTERS.items()),
    )
    parser.add_argument(
        "--min-ungapped",
        type=int,
        help="ungapped prefilter score (1-127; default 30, which keeps > 99.8%% of SCOPe40's "
        "remote homologs); given with --prefilter kmer, also applied to its candidates",
    )
    parser.add_argument("--kmer-k", type=int, default=None, help="k-mer prefilter: k-mer length")
    parser.add_argument(
        "--kmer-threshold",
        type=int,
        default=None,
        help="k-mer prefilter: look up every k-mer scoring at least this against a query "
        "k-mer (lower: more sensitive and slower)",
    )
    parser.add_argument(
        "--min-diagonal-score",
        type=int,
        default=None,
        help="k-mer prefilter: best ungapped segment a candidate's hit diagonal must reach",
    )
    parser.add_argument(
        "--diagonal-band",
        type=int,
        default=None,
        help="k-mer prefilter: a diagonal is scored when a second hit lies within this many "
        "diagonals of it (default 16 for protein, 0 = same diagonal for DNA/RNA)",
    )
    parser.add_argument(
        "--extra-columns",
        default="",
        help="comma-separated extra columns after BLAST's 12: qlen,tlen,raw,nident,positive,"
        "gaps,fident,shorter_ident,qcov,tcov,cigar",
    )
    parser.add_argument(
        "--format-output",
        help="comma-separated output columns in their order, instead of BLAST's 12 and "
        "--extra-columns (BLAST's -outfmt '6 ...', MMseqs2's --format-output): any of "
        "qseqid,sseqid,pident,length,mismatch,gapopen,qstart,qend,sstart,send,evalue,"
        "bitscore and the extra columns",
    )
    parser.add_argument("--threads", type=int, default=1, help="queries aligned at once")
    parser.add_argument(
        "--max-memory",
        type=memory_size,
        help="memory for the hits held before they are written (e.g. 2G, 500M; a bare number "
        "is MB): past it, hits wait on disk in --spill-dir and are written a bucket of "
        "queries at a time, with the same output bytes (default: no limit). The sequences "
        "and the search's own tables come on top",
    )
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
        prefilter=args.prefilter, min_ungapped=args.min_ungapped,
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


_UNITS = {"": 2**20, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def memory_size(text: str) -> int:
    """Bytes of a size such as ``2G``, ``500M``, ``1.5g`` or ``800`` (MB).

    >>> memory_size("2G"), memory_size("500m"), memory_size("64")
    (2147483648, 524288000, 67108864)
    """
    number, unit = text.strip().upper().rstrip("B"), ""
    if number and number[-1] in _UNITS:
        number, unit = number[:-1], number[-1]
    try:
        size = float(number) * _UNITS[unit]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a memory size: {text!r} (e.g. 2G, 500M)") from None
    if not size > 0:
        raise argparse.ArgumentTypeError(f"the memory size must be positive, not {text!r}")
    return int(size)


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
