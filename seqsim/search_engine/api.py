"""The search as one call: sequences in any usual form, options by name.

:func:`search` is what ``seqsim.search`` exports; :func:`write_search` is
``seqsim search`` (and the pipeline's ``search`` rule): the same search,
written as BLAST tabular text, a numeric hit table and a pair table. Both
run :func:`~seqsim.search_engine.engine.search_pieces`, the one search.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np
import pandas as pd

from seqsim.alignment.scoring import ScoringScheme, scoring_scheme
from seqsim.errors import ConfigError
from seqsim.io import TableStream, atomic_path
from seqsim.pair_tables import alignment_pairs, self_scores
from seqsim.parallel import block_rows
from seqsim.search_engine.engine import (
    DEFAULT_MIN_UNGAPPED,
    HitFilter,
    search_hits,
    search_pieces,
)
from seqsim.search_engine.prefilter import KmerPrefilterSettings
from seqsim.search_engine.tabular import hit_fractions, store_blast_text
from seqsim.sequences.alphabet import AlphabetName
from seqsim.sequences.ingest import AlphabetChoice, ingest_fasta
from seqsim.sequences.load import Sequences, read_sequences
from seqsim.sequences.store import SequenceStore

Prefilter = Literal["ungapped", "kmer", "none"]


@dataclass(frozen=True)
class SearchOptions:
    """Scoring scheme, thresholds and prefilter of a search; ``None`` takes
    the alphabet's default (see :func:`~seqsim.alignment.scoring.scoring_scheme`).

    ``min_ungapped`` is the ungapped prefilter's score (default 30 with
    ``prefilter="ungapped"``); given with ``prefilter="kmer"``, the k-mer
    candidates must pass it too. ``max_target_seqs`` keeps each query's best
    hits only, before they are traced back and stored (see :class:`HitFilter`).
    ``mask`` ``"seg"`` masks protein low-complexity segments first
    (:mod:`seqsim.sequences.masking`); ``"none"`` does not.
    """

    matrix: str | None = None
    match_score: int | None = None
    mismatch_score: int | None = None
    open_gap_score: int | None = None
    extend_gap_score: int | None = None
    max_evalue: float = 10.0
    min_score: int = 1
    exhaustive: bool = False
    prefilter: Prefilter = "ungapped"
    min_ungapped: int | None = None
    kmer: KmerPrefilterSettings = field(default_factory=KmerPrefilterSettings)
    max_target_seqs: int | None = None
    mask: str = "none"

    def scheme(self, alphabet: AlphabetName) -> ScoringScheme:
        return scoring_scheme(
            alphabet,
            matrix=self.matrix,
            match_score=self.match_score,
            mismatch_score=self.mismatch_score,
            open_gap_score=self.open_gap_score,
            extend_gap_score=self.extend_gap_score,
        )

    def hit_filter(self) -> HitFilter:
        if self.prefilter not in ("ungapped", "kmer", "none"):
            raise ConfigError(f"prefilter must be ungapped, kmer or none, not {self.prefilter!r}")
        if self.mask not in ("seg", "none"):
            raise ConfigError(f"mask must be seg or none, not {self.mask!r}")
        min_ungapped = {
            "ungapped": self.min_ungapped or DEFAULT_MIN_UNGAPPED,
            "kmer": self.min_ungapped,
        }.get(self.prefilter)
        return HitFilter(
            max_evalue=self.max_evalue,
            min_score=self.min_score,
            exhaustive=self.exhaustive,
            min_ungapped=min_ungapped,
            kmer=self.kmer if self.prefilter == "kmer" else None,
            max_target_seqs=self.max_target_seqs,
            mask=self.mask == "seg",
        )


def search(
    queries: Sequences,
    targets: Sequences | None = None,
    *,
    alphabet: AlphabetChoice = "auto",
    matrix: str | None = None,
    open_gap_score: int | None = None,
    extend_gap_score: int | None = None,
    match_score: int | None = None,
    mismatch_score: int | None = None,
    max_evalue: float = 10.0,
    min_score: int = 1,
    exhaustive: bool = False,
    prefilter: Prefilter = "ungapped",
    min_ungapped: int | None = None,
    kmer: KmerPrefilterSettings | None = None,
    mask: str = "none",
    threads: int = 1,
) -> pd.DataFrame:
    """Search ``queries`` against ``targets`` (all-vs-all when ``targets`` is
    None): prefilter, exact Smith-Waterman/Gotoh, Karlin-Altschul E-values.

    Parameters
    ----------
    queries, targets
        A FASTA file, a store folder, a
        :class:`~seqsim.sequences.store.SequenceStore`, or a mapping
        ``{id: sequence}`` (see :func:`~seqsim.sequences.load.read_sequences`).
    alphabet
        ``"auto"`` (detect), ``"protein"``, ``"dna"`` or ``"rna"``; targets
        take the queries' alphabet.
    matrix, open_gap_score, extend_gap_score, match_score, mismatch_score
        Scoring (Biopython's names and gap convention); ``None`` = BLAST's
        defaults: BLOSUM62 with -12/-1 (BLAST 11/1) for proteins, 2/-3 with
        -7/-2 for DNA/RNA.
    max_evalue, min_score, exhaustive
        Report hits with E-value <= ``max_evalue`` and raw score >=
        ``min_score``, or every pair with ``exhaustive``.
    prefilter, min_ungapped, kmer
        Which pairs are aligned with gaps: ``"ungapped"`` (best ungapped
        segment >= ``min_ungapped``, default 30), ``"kmer"`` (a k-mer index
        with :class:`~seqsim.search_engine.prefilter.KmerPrefilterSettings`)
        or ``"none"`` (every pair).
    mask
        ``"seg"`` masks low-complexity segments of protein sequences
        before the search (:mod:`seqsim.sequences.masking`); ``"none"``
        aligns them as they are.
    threads
        Blocks of queries aligned at once.

    Returns
    -------
    pandas.DataFrame
        One row per hit, each query's hits best first (E-value, then score):
        ``query`` and ``target`` (ids), ``raw``, ``bitscore``, ``evalue``,
        ``length``, ``nident``, ``mismatch``, ``positive``, ``gapopen``,
        ``gaps``, ``qstart``, ``qend``, ``sstart``, ``send`` (1-based,
        inclusive, as BLAST), ``qlen``, ``tlen``, ``cigar``, ``evalue_pair``
        (the larger E-value of the two directions), ``fident``, ``qcov``,
        ``tcov``.

    Examples
    --------
    >>> import seqsim
    >>> hits = seqsim.search({"a": "MKVLAAGIWHEQRSTY", "b": "MKVLAAGIWHEQRSTF"})
    >>> print(hits[["query", "target", "raw", "length", "nident"]].to_string(index=False))
    query target  raw  length  nident
        a      a   86      16      16
        a      b   82      16      15
        b      b   85      16      16
        b      a   82      16      15
    """
    query_store = read_sequences(queries, alphabet=alphabet)
    target_store = (
        query_store if targets is None else read_sequences(targets, alphabet=query_store.alphabet)
    )
    options = SearchOptions(
        matrix=matrix, match_score=match_score, mismatch_score=mismatch_score,
        open_gap_score=open_gap_score, extend_gap_score=extend_gap_score,
        max_evalue=max_evalue, min_score=min_score, exhaustive=exhaustive,
        prefilter=prefilter, min_ungapped=min_ungapped, mask=mask,
        kmer=kmer if kmer is not None else KmerPrefilterSettings(),
    )  # fmt: skip
    hits = search_hits(
        query_store, target_store, options.scheme(query_store.alphabet), options.hit_filter(),
        threads=threads,
    )  # fmt: skip
    return with_ids(hits, query_store.ids, target_store.ids)


def with_ids(
    hits: pd.DataFrame, query_ids: Sequence[str], target_ids: Sequence[str]
) -> pd.DataFrame:
    """A numeric hit table with ids for ``query``/``target`` and the derived
    ``fident``, ``qcov`` and ``tcov`` (:func:`~seqsim.search_engine.tabular.hit_fractions`)."""
    fractions = hit_fractions(hits)
    return hits.assign(
        query=np.asarray(query_ids, dtype=object)[hits["query"].to_numpy()],
        target=np.asarray(target_ids, dtype=object)[hits["target"].to_numpy()],
        **{name: fractions[name] for name in ("fident", "qcov", "tcov")},
    )


def write_search(
    *,
    query_fasta: str | os.PathLike[str] | None = None,
    target_fasta: str | os.PathLike[str] | None = None,
    store: str | os.PathLike[str] | None = None,
    alphabet: AlphabetChoice = "auto",
    options: SearchOptions = SearchOptions(),
    block: int = 0,
    n_blocks: int = 1,
    target_block: int | None = None,
    threads: int = 1,
    output: str | os.PathLike[str] | None = None,
    extra_columns: Sequence[str] = (),
    header: bool = False,
    hits_out: str | os.PathLike[str] | None = None,
    pairs_out: str | os.PathLike[str] | None = None,
    columns: Sequence[str] | None = None,
    max_target_seqs: int | None = None,
    max_memory: int | None = None,
    spill_dir: str | os.PathLike[str] | None = None,
) -> None:
    """``seqsim search``: a query FASTA against a target FASTA (or itself),
    or a store all-vs-all (optionally one block of it); writes BLAST tabular
    text (``output``; ``columns``: :func:`~seqsim.search_engine.tabular.blast_table`'s),
    the numeric hit table (``hits_out``, store indices) and, for an
    all-vs-all, the pair table (``pairs_out``). ``max_target_seqs`` keeps
    each query's best hits only (so the pair table has the pairs among
    either one's best). ``max_memory`` (bytes) bounds the hits held in
    memory: beyond it they wait on disk (in ``spill_dir``) and are written
    out a bucket of queries at a time, with the same bytes as without it."""
    from seqsim.sequences.store import read_store

    if not (output or hits_out or pairs_out):
        raise ConfigError("nothing to write: give -o, --hits-out or --pairs-out")
    if store:
        queries = targets = read_store(store)
    elif query_fasta:
        queries = ingest_fasta([query_fasta], alphabet=alphabet).store
        targets = (
            ingest_fasta([target_fasta], alphabet=queries.alphabet).store
            if target_fasta
            else queries
        )
    else:
        raise ConfigError("give a query FASTA (and a target FASTA) or --store")
    if pairs_out and queries is not targets:
        raise ConfigError("--pairs-out needs an all-vs-all (--store, or a query FASTA alone)")
    if max_target_seqs is not None:
        options = replace(options, max_target_seqs=max_target_seqs)
    query_indices, tile = _share(queries, targets, block, n_blocks, target_block)
    scheme, hit_filter = options.scheme(queries.alphabet), options.hit_filter()
    pieces = search_pieces(
        queries, targets, scheme, hit_filter, query_indices=query_indices, tile=tile,
        threads=threads, max_memory=max_memory, spill_dir=spill_dir,
    )  # fmt: skip
    self_score = self_scores(queries, scheme) if pairs_out else None
    with ExitStack() as outputs:
        text = None
        if output:
            text = outputs.enter_context(open(outputs.enter_context(atomic_path(output)), "w"))
        hit_stream = outputs.enter_context(TableStream(hits_out)) if hits_out else None
        pair_stream = outputs.enter_context(TableStream(pairs_out)) if pairs_out else None
        # Each piece is a bucket of consecutive queries: written in turn, the
        # outputs are those of the whole table.
        for k, hits in enumerate(pieces):
            if text is not None:
                text.write(
                    store_blast_text(
                        hits, queries, targets, extra_columns, header=header and k == 0,
                        columns=columns,
                    )
                )  # fmt: skip
            if hit_stream is not None:
                hit_stream.write(hits)
            if pair_stream is not None and self_score is not None:
                pair_stream.write(alignment_pairs(hits, self_score, scheme, hit_filter))


def _share(
    queries: SequenceStore,
    targets: SequenceStore,
    block: int,
    n_blocks: int,
    target_block: int | None,
) -> tuple[np.ndarray | None, tuple[np.ndarray, np.ndarray] | None]:
    """One job's share of a search as :func:`~seqsim.search_engine.engine.search_pieces`'
    ``query_indices`` and ``tile``: every ``n_blocks``-th query from ``block``
    (None: all of them), or with ``target_block`` (>= ``block``) the tile of
    those queries against that block's targets, each pair aligned once, both
    directions reported (the upper triangle's tiles together are the
    all-vs-all)."""
    n = queries.n_sequences
    if target_block is None:
        # One block is the whole set: no rows given lets an all-vs-all score each pair once.
        return (block_rows(n, block, n_blocks) if n_blocks > 1 else None), None
    if targets is not queries:
        raise ConfigError("a target block is a tile of an all-vs-all: give one set")
    if not block <= target_block < n_blocks:
        raise ConfigError(f"target block {target_block}: tiles need block <= it < n_blocks")
    return None, (block_rows(n, block, n_blocks), block_rows(n, target_block, n_blocks))
