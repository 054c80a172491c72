"""The search engine: prefilter -> exact batch scores -> E-values -> traceback.

For each query, :class:`~seqsim.alignment.batch.BatchAligner` scores the
targets the prefilter lets through exactly; pairs passing the E-value and
score thresholds (or every pair with ``exhaustive``) are traced back for
coordinates and identity counts. :func:`search_pieces` streams the numeric
hit table (:mod:`seqsim.search_engine.hit_table`), :func:`search_hits`
returns it whole; :mod:`seqsim.search_engine.tabular` turns it into BLAST text.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from seqsim.alignment.batch import BatchAligner
from seqsim.alignment.scoring import ScoringScheme
from seqsim.alignment.statistics import KarlinAltschul, evalue, karlin_altschul
from seqsim.errors import ConfigError
from seqsim.kernels.alignment import START_BOUND_FROM, STAT_FIELDS, _local_traceback_many
from seqsim.parallel import threaded_map
from seqsim.progress import progress
from seqsim.search_engine.hit_table import HitPart, HitSpool, hit_table
from seqsim.search_engine.prefilter import KmerIndex, KmerPrefilterSettings
from seqsim.sequences.masking import mask_low_complexity
from seqsim.sequences.store import SequenceStore

log = logging.getLogger("seqsim")

_OP_LETTERS = "MID"  # seqsim.kernels.alignment OP_MATCH, OP_INSERT, OP_DELETE


@dataclass(frozen=True)
class HitFilter:
    """Which pairs become hits: E-value <= ``max_evalue`` and raw score >=
    ``min_score`` (and > 0), or every pair when ``exhaustive``.

    Two prefilters (ignored when ``exhaustive``) decide which pairs are aligned
    with gaps at all:

    - ``kmer``: only pairs the k-mer index proposes (:mod:`seqsim.search_engine.prefilter`);
      only pairs sharing similar k-mers are touched, for large sets; less sensitive;
    - ``min_ungapped``: only pairs whose best ungapped segment (any diagonal)
      scores at least this much. On SCOPe40, 30 keeps > 99.8% of the
      exhaustive search's true positives while aligning about a fifth of the
      pairs, but every pair is still scanned.

    With both, the k-mer candidates then pass the ungapped filter.

    ``max_target_seqs`` keeps each query's best hits only (E-value, then
    score, then target: BLAST's ``-max_target_seqs``), chosen before the
    traceback, so that memory follows queries x N, not the number of hits.
    Each query then aligns its own targets (an all-vs-all no longer aligns
    each pair once: about twice the work).

    ``mask`` masks low-complexity segments of protein sequences
    (:mod:`seqsim.sequences.masking`) before the search: they neither seed
    nor extend hits; coordinates stay the original ones. Nucleotide sets
    are not masked.
    """

    max_evalue: float = 10.0
    min_score: int = 1
    exhaustive: bool = False
    min_ungapped: int | None = None
    kmer: KmerPrefilterSettings | None = None
    max_target_seqs: int | None = None
    mask: bool = False

    def __post_init__(self) -> None:
        if self.max_evalue <= 0:
            raise ConfigError("the E-value threshold must be > 0")
        if self.max_target_seqs is not None and self.max_target_seqs < 1:
            raise ConfigError("--max-target-seqs must be at least 1")
        if self.min_ungapped is not None and not 1 <= self.min_ungapped <= 127:
            raise ConfigError("the ungapped prefilter score must be in 1..127")

    @property
    def prefiltered(self) -> bool:
        return not self.exhaustive and (self.kmer is not None or self.min_ungapped is not None)


# The ungapped prefilter's default score: on the SCOPe40 val split it keeps
# > 99.8% of the exhaustive search's true positives (benchmarks/README.md).
DEFAULT_MIN_UNGAPPED = 30

# The default search of the pipeline and of `seqsim score`/`train` when they
# search for themselves (``SearchOptions()``'s): the ungapped prefilter at 30,
# no mask (masking costs the shipped scorer ranking: benchmarks/bench_masking.py).
DEFAULT_HIT_FILTER = HitFilter(min_ungapped=DEFAULT_MIN_UNGAPPED)

# Queries per unit of work: one k-mer index lookup call, one thread task.
_QUERY_BLOCK = 64
# Fewest sequences per chunk of targets when each unordered pair is scored
# once; sets have about a dozen chunks, few enough calls per query, and a query
# wastes about half a chunk on pairs already scored.
_SYMMETRIC_CHUNK = 256


@dataclass(frozen=True)
class _Search:
    """Everything one search's blocks share (read-only across threads)."""

    queries: SequenceStore
    targets: SequenceStore
    scheme: ScoringScheme
    hit_filter: HitFilter
    params: KarlinAltschul
    aligner: BatchAligner
    index: KmerIndex | None
    # Each unordered pair scored and traced once (from its smaller index),
    # the other direction mirrored: an all-vs-all over the whole set.
    pair_once: bool
    # A tile of an all-vs-all (pair_once): which rows are its targets (the
    # aligner holds those unless the k-mer index picks) and its queries; a
    # pair of two query rows is aligned from the smaller one only.
    tile_target_mask: np.ndarray | None
    # Without the k-mer index, the pair-once targets are packed once in
    # chunks of consecutive indices: query q aligns only against chunks
    # holding targets j >= q.
    chunk_size: int = 0
    chunks: list[BatchAligner] = field(default_factory=list)
    tile_query_mask: np.ndarray | None = None

    @classmethod
    def prepare(
        cls,
        queries: SequenceStore,
        targets: SequenceStore,
        scheme: ScoringScheme,
        hit_filter: HitFilter,
        whole_set: bool,
        tile: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> _Search:
        aligner = BatchAligner(targets.codes, targets.offsets, scheme)
        index = None
        if hit_filter.kmer is not None and not hit_filter.exhaustive:
            index = KmerIndex(targets, scheme, hit_filter.kmer)
            log.info("k-mer index: %.0f MB", index.nbytes / 1e6)
        pair_once = queries is targets and (whole_set or tile is not None)
        pair_once = pair_once and not hit_filter.exhaustive and hit_filter.max_target_seqs is None
        n_targets = targets.n_sequences
        chunk_size = max(_SYMMETRIC_CHUNK, -(-n_targets // 12))
        chunks = []
        tile_target_mask, tile_query_mask = None, None
        if tile is not None:
            tile_targets = np.asarray(tile[1], dtype=np.int64)
            tile_target_mask = np.zeros(n_targets, dtype=bool)
            tile_target_mask[tile_targets] = True
            tile_query_mask = np.zeros(n_targets, dtype=bool)
            tile_query_mask[np.asarray(tile[0], dtype=np.int64)] = True
            if index is None:
                aligner = aligner.subset(tile_targets)
        elif queries is targets and whole_set and index is None:
            chunks = [
                aligner.subset(np.arange(a, min(a + chunk_size, n_targets)))
                for a in range(0, n_targets, chunk_size)
            ]
        return cls(
            queries, targets, scheme, hit_filter, karlin_altschul(scheme), aligner, index,
            pair_once, tile_target_mask, chunk_size, chunks, tile_query_mask,
        )  # fmt: skip


def search_pieces(
    queries: SequenceStore,
    targets: SequenceStore,
    scheme: ScoringScheme,
    hit_filter: HitFilter = HitFilter(),
    *,
    query_indices: np.ndarray | None = None,
    tile: tuple[np.ndarray, np.ndarray] | None = None,
    threads: int = 1,
    max_memory: int | None = None,
    spill_dir: str | os.PathLike[str] | None = None,
) -> Iterator[pd.DataFrame]:
    """The search: hits of every query against every target, as consecutive
    pieces of the hit table (buckets of query rows, in order; concatenated,
    they are :func:`search_hits`' table). Every search of seqsim runs here.

    Each piece has one row per hit with ``query``, ``target`` (store indices)
    and numeric fields (:data:`~seqsim.search_engine.hit_table.HIT_FIELDS`):
    ``raw``, ``bitscore``, ``evalue``, ``length``, ``nident``, ``mismatch``,
    ``positive``, ``gapopen``, ``gaps``, ``qstart``, ``qend``, ``sstart``,
    ``send`` (1-based, inclusive, as BLAST), ``qlen``, ``tlen``, ``cigar``, and
    ``evalue_pair``: the larger of the pair's E-values in the two directions
    (query and target swapped), a symmetric significance; each query's hits
    best first. The E-value takes the whole target set as the database.
    ``threads`` work on that many blocks of queries at once.

    An all-vs-all (``queries is targets``, no ``query_indices``) aligns each
    unordered pair once. ``tile`` (query rows, target rows) of an
    all-vs-all: the pairs of a query row with a target row, each aligned once
    (two query rows from the smaller), in both directions: the rows the
    whole set's all-vs-all has for those pairs. The tiles of the upper
    triangle of a partition into blocks (:func:`tile_rows`) together give the
    all-vs-all, and so does (new rows, all rows) beside the old rows' own
    hits (for the ungapped and no prefilter; the k-mer index may propose
    other pairs).

    Without ``max_memory`` (bytes), the whole table is one piece. With it,
    hits held in memory beyond about that much are written to Parquet files
    in a temporary folder (in ``spill_dir``, default the system's) and read
    back one bucket at a time, each bucket sized to fit the budget: memory
    follows the budget, not the number of hits
    (:class:`~seqsim.search_engine.hit_table.HitSpool`).
    """
    _check_search(queries, targets, hit_filter, query_indices, tile, threads, max_memory)
    if hit_filter.mask and queries.alphabet == "protein":
        masked = mask_low_complexity(queries)
        targets = masked if targets is queries else mask_low_complexity(targets)
        queries = masked
    whole_set = query_indices is None and tile is None
    if tile is not None:
        query_indices = np.asarray(tile[0], dtype=np.int64)
    rows = np.arange(queries.n_sequences) if query_indices is None else query_indices
    what = f"{rows.size} queries" if tile is None else f"a tile of {rows.size} x {len(tile[1])}"
    prepare = partial(_Search.prepare, queries, targets, scheme, hit_filter, whole_set, tile)
    return _searched_pieces(prepare, rows, what, threads, max_memory, spill_dir)


def search_hits(
    queries: SequenceStore,
    targets: SequenceStore,
    scheme: ScoringScheme,
    hit_filter: HitFilter = HitFilter(),
    *,
    query_indices: np.ndarray | None = None,
    tile: tuple[np.ndarray, np.ndarray] | None = None,
    threads: int = 1,
) -> pd.DataFrame:
    """The hit table of :func:`search_pieces` (same arguments), in one piece:
    ``query`` and ``target`` (store indices), ``raw``, ``bitscore``,
    ``evalue``, ``length``, ``nident``, ``mismatch``, ``positive``,
    ``gapopen``, ``gaps``, ``qstart``, ``qend``, ``sstart``, ``send``,
    ``qlen``, ``tlen``, ``cigar`` and ``evalue_pair``, each query's hits best
    first."""
    (table,) = search_pieces(
        queries, targets, scheme, hit_filter, query_indices=query_indices, tile=tile,
        threads=threads,
    )  # fmt: skip
    return table


def _check_search(
    queries: SequenceStore,
    targets: SequenceStore,
    hit_filter: HitFilter,
    query_indices: np.ndarray | None,
    tile: tuple[np.ndarray, np.ndarray] | None,
    threads: int,
    max_memory: int | None,
) -> None:
    """Refuse what :func:`search_pieces` cannot search, before any work."""
    if queries.alphabet != targets.alphabet and {queries.alphabet, targets.alphabet} != {
        "dna",
        "rna",
    }:
        raise ConfigError(
            f"queries are {queries.alphabet} but targets are {targets.alphabet}: "
            "translated searches are not supported"
        )
    if tile is not None and (
        queries is not targets or query_indices is not None or hit_filter.exhaustive
    ):
        raise ConfigError("a tile is part of an all-vs-all, not of an exhaustive or blocked search")
    if tile is not None and hit_filter.max_target_seqs is not None:
        raise ConfigError("--max-target-seqs needs whole query rows, not a tile: use --block")
    if threads < 1:
        raise ConfigError("threads must be at least 1")
    if max_memory is not None and max_memory <= 0:
        raise ConfigError("--max-memory must be positive")


def _searched_pieces(
    prepare: Callable[[], _Search],
    rows: np.ndarray,
    what: str,
    threads: int,
    max_memory: int | None,
    spill_dir: str | os.PathLike[str] | None,
) -> Iterator[pd.DataFrame]:
    """The hit table of the queries ``rows`` in pieces, its size logged as
    the hits for ``what``; the search (its aligners, its k-mer index) is
    prepared when the first piece is asked for."""
    search = prepare()
    queries, targets = search.queries, search.targets
    blocks = [rows[a : a + _QUERY_BLOCK] for a in range(0, len(rows), _QUERY_BLOCK)]
    table_of = partial(hit_table, params=search.params, queries=queries, targets=targets)
    n_hits = 0
    with HitSpool(table_of, queries.n_sequences, max_memory, spill_dir) as spool:
        for done, block_parts in enumerate(
            progress(
                threaded_map(partial(_block_hits, search), blocks, threads),
                total=len(blocks), desc="align", unit="blocks",
            ),
            start=1,
        ):  # fmt: skip
            spool.add(block_parts, done / len(blocks))
        for table in spool.tables():
            n_hits += len(table)
            yield table
    log.info("%d hits for %s (%s)", n_hits, what, search.scheme.label)


def tile_rows(n_blocks: int) -> list[tuple[int, int]]:
    """The tiles (query block, target block) of an all-vs-all cut into
    ``n_blocks`` blocks (:func:`~seqsim.parallel.block_rows`): the upper
    triangle, each unordered pair of sequences in exactly one tile."""
    return [(a, b) for a in range(n_blocks) for b in range(a, n_blocks)]


def _block_hits(search: _Search, block: np.ndarray) -> list[HitPart]:
    """The hits of one block of queries, as parts of the hit table."""
    out = []
    for q, (picked, raw) in zip(block, _scored_targets(search, block), strict=True):
        part = _query_hits(search, int(q), picked, raw)
        if search.pair_once:
            # Hits of q against j >= q: q's own and, mirrored, those of j against q.
            out.extend(_split_directions(part, search.hit_filter.max_evalue))
        else:
            out.append(part)
    return out


def _scored_targets(search: _Search, block: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per query of ``block``: (targets, raw scores) of the pairs worth
    reporting (every target when exhaustive)."""
    queries, aligner, hit_filter = search.queries, search.aligner, search.hit_filter
    if hit_filter.exhaustive:
        everything = np.arange(search.targets.n_sequences)
        return [
            (everything, aligner.scores(queries.sequence_codes(int(q)), parallel=False))
            for q in block
        ]
    if search.index is not None:
        offsets, candidates = search.index.candidates(
            queries, block, all_vs_all=search.pair_once and search.tile_target_mask is None
        )
    result = []
    for k, q in enumerate(block):
        query_codes = queries.sequence_codes(int(q))
        if search.index is not None:
            picked = candidates[offsets[k] : offsets[k + 1]]
            if queries is search.targets:  # the self pair, which seeds may miss
                picked = np.union1d(picked, [q])
            raw = _prefiltered_scores(aligner.subset(picked), query_codes, hit_filter)
        elif search.pair_once and search.tile_target_mask is None:
            # Targets >= q: the packed chunks from q's own onwards.
            first = int(q) // search.chunk_size
            picked = np.arange(first * search.chunk_size, search.targets.n_sequences)
            raw = np.concatenate(
                [_prefiltered_scores(c, query_codes, hit_filter) for c in search.chunks[first:]]
            )
            raw[picked < q] = 0
        else:
            picked = aligner.targets
            raw = _prefiltered_scores(aligner, query_codes, hit_filter)
        if search.tile_query_mask is not None and search.tile_target_mask is not None:
            if search.index is not None:
                raw[~search.tile_target_mask[picked]] = 0  # the tile's targets only
            # a query row before q scored this pair already
            raw[search.tile_query_mask[picked] & (picked < q)] = 0
        keep = raw >= max(hit_filter.min_score, 1)
        result.append((picked[keep], raw[keep]))
    return result


# STAT_FIELDS columns read in this order give the mirrored alignment's fields.
_MIRRORED_FIELDS = [
    STAT_FIELDS.index(name)
    for name in ("score", "target_start", "target_end", "query_start", "query_end", "length",
                 "identities", "mismatches", "positives", "gap_opens", "gaps")
]  # fmt: skip
_MIRRORED_CIGAR = str.maketrans("ID", "DI")


def _split_directions(part: HitPart, max_evalue: float) -> list[HitPart]:
    """Hits of query i against targets j >= i, each kept when significant in
    either direction, as the hits of i (E-value <= ``max_evalue``) and their
    mirror images, the hits of j against i (reverse E-value <= ``max_evalue``)."""
    forward = part.evalue <= max_evalue
    backward = part.where((part.evalue_reverse <= max_evalue) & (part.target != part.query))
    mirrored = HitPart(
        query=backward.target,
        target=backward.query,
        stats=backward.stats[:, _MIRRORED_FIELDS],
        evalue=backward.evalue_reverse,
        evalue_reverse=backward.evalue,
        cigar=[c.translate(_MIRRORED_CIGAR) for c in backward.cigar],
    )
    return [part.where(forward), mirrored]


def _query_hits(search: _Search, query: int, picked: np.ndarray, raw: np.ndarray) -> HitPart:
    """Hits of one query among the scored targets ``picked`` (raw scores ``raw``):
    filtered (by the E-value in either direction when each pair is scored
    once), ordered best first and traced back."""
    targets, hit_filter = search.targets, search.hit_filter
    target_lengths = targets.lengths
    db_length, n_targets = int(target_lengths.sum()), targets.n_sequences
    query_codes = search.queries.sequence_codes(query)
    expect = np.asarray(evalue(raw, query_codes.size, db_length, n_targets, search.params))
    reverse = np.asarray(evalue(raw, target_lengths[picked], db_length, n_targets, search.params))
    if hit_filter.exhaustive:
        keep = np.arange(picked.size)
    else:
        best = np.minimum(expect, reverse) if search.pair_once else expect
        keep = np.flatnonzero(best <= hit_filter.max_evalue)
    keep = keep[np.lexsort((picked[keep], -raw[keep], expect[keep]))]
    if hit_filter.max_target_seqs is not None:
        keep = keep[: hit_filter.max_target_seqs]
    chosen, raw, expect, reverse = picked[keep], raw[keep], expect[keep], reverse[keep]
    stats = np.zeros((chosen.size, len(STAT_FIELDS)), dtype=np.int64)
    cigars = [""] * chosen.size
    # When queries and targets are one set, the pair {i, j} is always traced
    # with the smaller index as the query (and mirrored for the other), so that
    # ties between equally good alignments resolve the same way whichever
    # blocks the run is cut into.
    lower = chosen < query if search.queries is targets else np.zeros(chosen.size, bool)
    upper = np.flatnonzero(~lower)
    stats[upper], upper_cigars = _traceback(search, query_codes, chosen[upper], raw[upper])
    for k, c in zip(upper, upper_cigars, strict=True):
        cigars[k] = c
    for k in np.flatnonzero(lower):
        pair_stats, pair_cigar = _traceback(
            search, targets.sequence_codes(int(chosen[k])), np.array([query]), raw[k : k + 1]
        )
        stats[k] = pair_stats[0, _MIRRORED_FIELDS]
        cigars[k] = pair_cigar[0].translate(_MIRRORED_CIGAR)
    if not np.array_equal(stats[:, 0], raw):
        raise AssertionError("traceback and batch scores disagree")
    return HitPart(
        query=np.full(chosen.size, query, dtype=np.int64),
        target=chosen,
        stats=stats,
        evalue=expect,
        evalue_reverse=reverse,
        cigar=cigars,
    )


def _traceback(
    search: _Search, query_codes: np.ndarray, chosen: np.ndarray, scores: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """Stats (STAT_FIELDS) and CIGARs of the best local alignments of a query
    against the targets ``chosen``, whose best scores are ``scores``."""
    scheme, targets = search.scheme, search.targets
    ends = search.aligner.score_ends(query_codes, chosen)
    stats, run_offsets, run_ops, run_lengths = _local_traceback_many(
        query_codes, targets.codes, targets.offsets, chosen, ends,
        np.asarray(scores, dtype=np.int64), scheme.matrix,
        scheme.open_gap_score, scheme.extend_gap_score, START_BOUND_FROM,
    )  # fmt: skip
    return stats, _cigars(run_offsets, run_ops, run_lengths)


def _prefiltered_scores(
    aligner: BatchAligner, query_codes: np.ndarray, hit_filter: HitFilter
) -> np.ndarray:
    """Scores against ``aligner``'s targets; with the ungapped prefilter, pairs
    below it score 0 (not aligned)."""
    if hit_filter.min_ungapped is None or hit_filter.exhaustive:
        return aligner.scores(query_codes, parallel=False)
    ungapped = aligner.ungapped_scores(query_codes)
    candidates = np.flatnonzero(ungapped >= hit_filter.min_ungapped)
    raw = np.zeros(aligner.targets.size, dtype=np.int64)
    if candidates.size:
        subset = aligner.subset(aligner.targets[candidates])
        raw[candidates] = subset.scores(query_codes, parallel=False)
    return raw


def _cigars(run_offsets: np.ndarray, run_ops: np.ndarray, run_lengths: np.ndarray) -> list[str]:
    pieces = [f"{length}{_OP_LETTERS[op]}" for op, length in zip(run_ops, run_lengths, strict=True)]
    return ["".join(pieces[a:b]) for a, b in zip(run_offsets[:-1], run_offsets[1:], strict=True)]
