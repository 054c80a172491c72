"""Alignment hits: exact batch scores -> E-values -> traceback -> BLAST tabular.

For each query, :class:`~seqsim.batch.BatchAligner` scores every target
exactly; pairs passing the E-value and score thresholds (or every pair with
``exhaustive``) are traced back for coordinates and identity counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqsim.align import local_score
from seqsim.batch import BatchAligner
from seqsim.errors import ConfigError
from seqsim.kernels.alignment import STAT_FIELDS, _local_traceback_many
from seqsim.parallel import threaded_map
from seqsim.prefilter import KmerIndex, KmerPrefilterSettings
from seqsim.progress import progress
from seqsim.scoring import ScoringScheme
from seqsim.statistics import bit_score, evalue, karlin_altschul
from seqsim.store import SequenceStore

log = logging.getLogger("seqsim")

_OP_LETTERS = "MID"  # seqsim.kernels.alignment OP_MATCH, OP_INSERT, OP_DELETE

# BLAST's 12 standard tabular columns (-outfmt 6), in order.
STANDARD_COLUMNS = [
    "qseqid", "sseqid", "pident", "length", "mismatch", "gapopen",
    "qstart", "qend", "sstart", "send", "evalue", "bitscore",
]  # fmt: skip
# Optional extra columns: name -> meaning (the names of BLAST or MMseqs2 where they exist).
EXTRA_COLUMNS = {
    "qlen": "query length",
    "tlen": "target length",
    "raw": "raw alignment score",
    "nident": "identical columns",
    "positive": "columns with a positive substitution score",
    "gaps": "gap columns",
    "fident": "identities / alignment columns (MMseqs2)",
    "shorter_ident": "identities / length of the shorter sequence (CD-HIT)",
    "qcov": "fraction of the query in the alignment",
    "tcov": "fraction of the target in the alignment",
    "cigar": "CIGAR (M/I/D; I = query residue against a gap)",
}


@dataclass(frozen=True)
class HitFilter:
    """Which pairs become hits: E-value <= ``max_evalue`` and raw score >=
    ``min_score`` (and > 0), or every pair when ``exhaustive``.

    Two prefilters (ignored when ``exhaustive``) decide which pairs are aligned
    with gaps at all:

    - ``kmer``: only pairs the k-mer index proposes (:mod:`seqsim.prefilter`);
      only pairs sharing similar k-mers are touched, for large sets; less sensitive;
    - ``min_ungapped``: only pairs whose best ungapped segment (any diagonal)
      scores at least this much. On SCOPe40, 30 keeps > 99.8% of the
      exhaustive search's true positives while aligning about a fifth of the
      pairs, but every pair is still scanned.

    With both, the k-mer candidates then pass the ungapped filter.
    """

    max_evalue: float = 10.0
    min_score: int = 1
    exhaustive: bool = False
    min_ungapped: int | None = None
    kmer: KmerPrefilterSettings | None = None

    def __post_init__(self) -> None:
        if self.max_evalue <= 0:
            raise ConfigError("the E-value threshold must be > 0")
        if self.min_ungapped is not None and not 1 <= self.min_ungapped <= 127:
            raise ConfigError("the ungapped prefilter score must be in 1..127")

    @property
    def prefiltered(self) -> bool:
        return not self.exhaustive and (self.kmer is not None or self.min_ungapped is not None)


# Queries per unit of work: one k-mer index lookup call, one thread task.
_QUERY_BLOCK = 64
# Fewest sequences per chunk of targets when each unordered pair is scored
# once; sets have about a dozen chunks, few enough calls per query, and a query
# wastes about half a chunk on pairs already scored.
_SYMMETRIC_CHUNK = 256


def search_hits(
    queries: SequenceStore,
    targets: SequenceStore,
    scheme: ScoringScheme,
    hit_filter: HitFilter = HitFilter(),
    *,
    query_indices: np.ndarray | None = None,
    threads: int = 1,
) -> pd.DataFrame:
    """Hits of every query against every target, best first within each query.

    Returns one row per hit with ``query``, ``target`` (store indices) and
    numeric fields: ``raw``, ``bitscore``, ``evalue``, ``length``, ``nident``,
    ``mismatch``, ``positive``, ``gapopen``, ``gaps``, ``qstart``, ``qend``,
    ``sstart``, ``send`` (1-based, inclusive, as BLAST), ``qlen``, ``tlen``,
    ``cigar``, and ``evalue_pair``: the larger of the pair's E-values in the
    two directions (query and target swapped), a symmetric significance.
    The E-value takes the whole target set as the database. ``threads``
    work on that many blocks of queries at once.

    An all-vs-all (``queries is targets``, no ``query_indices``) aligns each
    unordered pair once.
    """
    if queries.alphabet != targets.alphabet and {queries.alphabet, targets.alphabet} != {
        "dna",
        "rna",
    }:
        raise ConfigError(
            f"queries are {queries.alphabet} but targets are {targets.alphabet}: "
            "translated searches are not supported"
        )
    params = karlin_altschul(scheme)
    aligner = BatchAligner(targets.codes, targets.offsets, scheme)
    index = (
        KmerIndex(targets, scheme, hit_filter.kmer)
        if hit_filter.kmer is not None and not hit_filter.exhaustive
        else None
    )
    if index is not None:
        log.info("k-mer index: %.0f MB", index.nbytes / 1e6)
    n_targets = targets.n_sequences
    rows = np.arange(queries.n_sequences) if query_indices is None else query_indices
    # All-vs-all without the k-mer index: targets packed once in chunks of
    # consecutive indices, so query q aligns only against chunks holding j >= q.
    chunk_size = max(_SYMMETRIC_CHUNK, -(-n_targets // 12))
    chunks = (
        [aligner.subset(np.arange(a, min(a + chunk_size, n_targets)))
         for a in range(0, n_targets, chunk_size)]
        if queries is targets and query_indices is None and index is None
        else []
    )  # fmt: skip
    blocks = [rows[a : a + _QUERY_BLOCK] for a in range(0, len(rows), _QUERY_BLOCK)]

    def block_rows(block: np.ndarray, all_vs_all: bool) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per query of ``block``: (targets, raw scores) of the pairs worth
        reporting (every target when exhaustive)."""
        if hit_filter.exhaustive:
            everything = np.arange(n_targets)
            return [
                (everything, aligner.scores(queries.sequence_codes(int(q)), parallel=False))
                for q in block
            ]
        if index is not None:
            offsets, candidates = index.candidates(queries, block, all_vs_all=all_vs_all)
        result = []
        for k, q in enumerate(block):
            query_codes = queries.sequence_codes(int(q))
            if index is not None:
                picked = candidates[offsets[k] : offsets[k + 1]]
                if queries is targets:  # the self pair, which seeds may miss
                    picked = np.union1d(picked, [q])
                scorer = aligner.subset(picked)
                raw = _prefiltered_scores(scorer, query_codes, hit_filter)
            elif all_vs_all:
                # Targets >= q: the packed chunks from q's own onwards.
                first = int(q) // chunk_size
                picked = np.arange(first * chunk_size, n_targets)
                raw = np.concatenate(
                    [_prefiltered_scores(c, query_codes, hit_filter) for c in chunks[first:]]
                )
                raw[picked < q] = 0
            else:
                picked = aligner.targets
                raw = _prefiltered_scores(aligner, query_codes, hit_filter)
            keep = raw >= max(hit_filter.min_score, 1)
            result.append((picked[keep], raw[keep]))
        return result

    if queries is targets and query_indices is None and not hit_filter.exhaustive:
        # All-vs-all: score and trace back each unordered pair (i <= j) once;
        # the hit of j against i is its mirror image.
        def block_hits(block: np.ndarray) -> list[dict[str, np.ndarray]]:
            out = []
            for q, (picked, raw) in zip(block, block_rows(block, True), strict=True):
                forward = _query_hits(
                    int(q), picked, raw, queries, targets, aligner, scheme, hit_filter, params,
                    both_directions=True,
                )  # fmt: skip
                out.extend(_split_directions(forward, hit_filter.max_evalue))
            return out
    else:

        def block_hits(block: np.ndarray) -> list[dict[str, np.ndarray]]:
            return [
                _query_hits(
                    int(q), picked, raw, queries, targets, aligner, scheme, hit_filter, params
                )
                for q, (picked, raw) in zip(block, block_rows(block, False), strict=True)
            ]

    parts = [
        part
        for block_parts in progress(
            threaded_map(block_hits, blocks, threads),
            total=len(blocks), desc="align", unit="blocks",
        )
        for part in block_parts
    ]  # fmt: skip
    hits = _hit_table(parts, params, queries, targets)
    # Each query's hits together, best first: E-value, then score, then target.
    order = np.lexsort(
        (hits["target"].to_numpy(), -hits["raw"].to_numpy(), hits["evalue"].to_numpy(),
         hits["query"].to_numpy())
    )  # fmt: skip
    return hits.iloc[order].reset_index(drop=True)


# STAT_FIELDS columns read in this order give the mirrored alignment's fields.
_MIRRORED_FIELDS = [
    STAT_FIELDS.index(name)
    for name in ("score", "target_start", "target_end", "query_start", "query_end", "length",
                 "identities", "mismatches", "positives", "gap_opens", "gaps")
]  # fmt: skip
_MIRRORED_CIGAR = str.maketrans("ID", "DI")


def _split_directions(part: dict, max_evalue: float) -> list[dict]:
    """Hits of query i against targets j >= i, each kept when significant in
    either direction, as the hits of i (E-value <= ``max_evalue``) and their
    mirror images, the hits of j against i (reverse E-value <= ``max_evalue``)."""
    forward = part["evalue"] <= max_evalue
    backward = (part["evalue_reverse"] <= max_evalue) & (part["target"] != part["query"])
    mirrored = {
        "query": part["target"][backward],
        "target": part["query"][backward],
        "stats": part["stats"][backward][:, _MIRRORED_FIELDS],
        "evalue": part["evalue_reverse"][backward],
        "evalue_reverse": part["evalue"][backward],
        "cigar": [
            c.translate(_MIRRORED_CIGAR) for c, b in zip(part["cigar"], backward, strict=True) if b
        ],
    }
    kept = {key: value[forward] for key, value in part.items() if key != "cigar"}
    kept["cigar"] = [c for c, f in zip(part["cigar"], forward, strict=True) if f]
    return [kept, mirrored]


def _query_hits(
    query, picked, raw, queries, targets, aligner, scheme, hit_filter, params,
    both_directions=False,
):  # fmt: skip
    """Hits of one query among the scored targets ``picked`` (raw scores ``raw``):
    filtered (by the E-value in either direction with ``both_directions``),
    ordered best first and traced back."""
    target_lengths = targets.lengths
    db_length, n_targets = int(target_lengths.sum()), targets.n_sequences
    query_codes = queries.sequence_codes(query)
    expect = evalue(raw, query_codes.size, db_length, n_targets, params)
    reverse = evalue(raw, target_lengths[picked], db_length, n_targets, params)
    if hit_filter.exhaustive:
        keep = np.arange(picked.size)
    else:
        best = np.minimum(expect, reverse) if both_directions else expect
        keep = np.flatnonzero(best <= hit_filter.max_evalue)
    keep = keep[np.lexsort((picked[keep], -raw[keep], expect[keep]))]
    chosen, raw, expect, reverse = picked[keep], raw[keep], expect[keep], reverse[keep]
    stats = np.zeros((chosen.size, len(STAT_FIELDS)), dtype=np.int64)
    cigars = [""] * chosen.size
    # In an all-vs-all, the pair {i, j} is always traced with the smaller index
    # as the query (and mirrored for the other), so that ties between equally
    # good alignments resolve the same way whichever blocks the run is cut into.
    lower = chosen < query if queries is targets else np.zeros(chosen.size, bool)
    upper = np.flatnonzero(~lower)
    stats[upper], upper_cigars = _traceback(query_codes, chosen[upper], targets, aligner, scheme)
    for k, c in zip(upper, upper_cigars, strict=True):
        cigars[k] = c
    for k in np.flatnonzero(lower):
        pair_stats, pair_cigar = _traceback(
            targets.sequence_codes(int(chosen[k])), np.array([query]), targets, aligner, scheme
        )
        stats[k] = pair_stats[0, _MIRRORED_FIELDS]
        cigars[k] = pair_cigar[0].translate(_MIRRORED_CIGAR)
    if not np.array_equal(stats[:, 0], raw):
        raise AssertionError("traceback and batch scores disagree")
    return {
        "query": np.full(chosen.size, query, dtype=np.int64),
        "target": chosen,
        "stats": stats,
        "evalue": expect,
        "evalue_reverse": reverse,
        "cigar": cigars,
    }


def _traceback(query_codes, chosen, targets, aligner, scheme) -> tuple[np.ndarray, list[str]]:
    """Stats (STAT_FIELDS) and CIGARs of the best local alignments of a query
    against the targets ``chosen``."""
    ends = aligner.score_ends(query_codes, chosen)
    stats, run_offsets, run_ops, run_lengths = _local_traceback_many(
        query_codes, targets.codes, targets.offsets, chosen, ends, scheme.matrix,
        scheme.open_gap_score, scheme.extend_gap_score,
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


def _hit_table(parts, params, queries: SequenceStore, targets: SequenceStore) -> pd.DataFrame:
    def joined(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts]) if parts else np.zeros(0, np.int64)

    stats = (
        np.concatenate([p["stats"] for p in parts])
        if parts
        else np.zeros((0, len(STAT_FIELDS)), np.int64)
    )
    field = {name: stats[:, k] for k, name in enumerate(STAT_FIELDS)}
    query, target = joined("query"), joined("target")
    aligned = field["length"] > 0
    expect = joined("evalue").astype(np.float64)
    return pd.DataFrame(
        {
            "query": query,
            "target": target,
            "raw": field["score"],
            "bitscore": np.asarray(bit_score(field["score"], params), dtype=np.float64),
            "evalue": expect,
            "length": field["length"],
            "nident": field["identities"],
            "mismatch": field["mismatches"],
            "positive": field["positives"],
            "gapopen": field["gap_opens"],
            "gaps": field["gaps"],
            # BLAST: 1-based inclusive; an empty local alignment reports 0 0.
            "qstart": np.where(aligned, field["query_start"] + 1, 0),
            "qend": field["query_end"],
            "sstart": np.where(aligned, field["target_start"] + 1, 0),
            "send": field["target_end"],
            "qlen": queries.lengths[query] if query.size else np.zeros(0, np.int64),
            "tlen": targets.lengths[target] if target.size else np.zeros(0, np.int64),
            "cigar": [c for p in parts for c in p["cigar"]],
            "evalue_pair": np.maximum(expect, joined("evalue_reverse").astype(np.float64)),
        },
        columns=_HIT_FIELDS,
    )


def self_scores(store: SequenceStore, scheme: ScoringScheme) -> np.ndarray:
    """Local alignment score of every sequence with itself (int64)."""
    return np.array(
        [local_score(store.sequence_codes(i), store.sequence_codes(i), scheme)
         for i in range(store.n_sequences)],
        dtype=np.int64,
    )  # fmt: skip


# Alignment features of a pair table (see :func:`alignment_pairs`).
ALIGNMENT_FEATURES: dict[str, str] = {
    "score_ratio": "SW score / the smaller of the two self-scores, in [0, 1]",
    "fident": "identities / alignment columns",
    "shorter_ident": "identities / length of the shorter sequence",
}


def alignment_pairs(
    hits: pd.DataFrame, self_score: np.ndarray, hit_filter: HitFilter = HitFilter()
) -> pd.DataFrame:
    """Unordered pairs (query < target) of an all-vs-all, with alignment features.

    A pair is kept when its symmetric E-value ``evalue_pair`` passes the
    filter (every pair when exhaustive); each unordered pair appears once.
    """
    keep = hits["query"].to_numpy() < hits["target"].to_numpy()
    if not hit_filter.exhaustive:
        keep &= hits["evalue_pair"].to_numpy() <= hit_filter.max_evalue
    pairs = hits[keep]
    query, target = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    smaller_self = np.minimum(self_score[query], self_score[target])
    length = np.maximum(pairs["length"].to_numpy(), 1)
    shorter = np.maximum(np.minimum(pairs["qlen"], pairs["tlen"]).to_numpy(), 1)
    table = pd.DataFrame(
        {
            "query": query.astype(np.int32),
            "target": target.astype(np.int32),
            "raw": pairs["raw"].to_numpy(np.int32),
            "bitscore": pairs["bitscore"].to_numpy(np.float32),
            "evalue": pairs["evalue_pair"].to_numpy(np.float64),
            "score_ratio": np.clip(
                pairs["raw"].to_numpy() / np.maximum(smaller_self, 1), 0.0, 1.0
            ).astype(np.float32),
            "fident": (pairs["nident"].to_numpy() / length).astype(np.float32),
            "shorter_ident": (pairs["nident"].to_numpy() / shorter).astype(np.float32),
        }
    )
    return table.sort_values(["query", "target"], kind="stable", ignore_index=True)


_HIT_FIELDS = [
    "query", "target", "raw", "bitscore", "evalue", "length", "nident", "mismatch",
    "positive", "gapopen", "gaps", "qstart", "qend", "sstart", "send", "qlen", "tlen", "cigar",
    "evalue_pair",
]  # fmt: skip


def format_evalue(value: float) -> str:
    """E-value text as BLAST+'s tabular output writes it (checked against blastp 2.12).

    >>> [format_evalue(v) for v in (0.0, 3.2e-120, 2.4e-45, 0.0123, 0.5, 3.21, 123.4)]
    ['0.0', '3.20e-120', '2.40e-45', '0.012', '0.50', '3.2', '123']
    """
    if value < 1.0e-180:
        return "0.0"
    if value < 0.0009:
        return f"{value:.2e}"
    if value < 0.1:
        return f"{value:.3f}"
    if value < 1.0:
        return f"{value:.2f}"
    if value < 10.0:
        return f"{value:.1f}"
    return f"{value:.0f}"


def format_bitscore(value: float) -> str:
    """Bit score text as BLAST+'s tabular output writes it: one decimal up to
    99.9, then the integer part (BLAST truncates there), scientific above 9999.

    >>> [format_bitscore(v) for v in (45.44, 20.786, 239.97, 12345.0)]
    ['45.4', '20.8', '239', '1.234e+04']
    """
    if value > 9999:
        return f"{value:.3e}"
    if value > 99.9:
        return str(int(value))
    return f"{value:.1f}"


def blast_table(
    hits: pd.DataFrame,
    query_ids: list[str],
    target_ids: list[str],
    extra_columns: list[str] = (),
) -> pd.DataFrame:
    """Hits as BLAST tabular (``-outfmt 6``) text columns plus ``extra_columns``."""
    unknown = [c for c in extra_columns if c not in EXTRA_COLUMNS]
    if unknown:
        raise ConfigError(f"unknown extra columns {unknown}; available: {list(EXTRA_COLUMNS)}")
    length = hits["length"].to_numpy()
    with np.errstate(invalid="ignore", divide="ignore"):
        fident = np.where(length > 0, hits["nident"] / np.maximum(length, 1), 0.0)
        shorter = np.minimum(hits["qlen"], hits["tlen"]).to_numpy()
        derived = {
            "fident": fident,
            "shorter_ident": np.where(shorter > 0, hits["nident"] / np.maximum(shorter, 1), 0.0),
            "qcov": (hits["qend"] - hits["qstart"] + (hits["qstart"] > 0)) / hits["qlen"],
            "tcov": (hits["send"] - hits["sstart"] + (hits["sstart"] > 0)) / hits["tlen"],
        }
    table = pd.DataFrame(
        {
            "qseqid": np.asarray(query_ids, dtype=object)[hits["query"].to_numpy()],
            "sseqid": np.asarray(target_ids, dtype=object)[hits["target"].to_numpy()],
            "pident": [f"{100 * v:.3f}" for v in fident],
            "length": hits["length"],
            "mismatch": hits["mismatch"],
            "gapopen": hits["gapopen"],
            "qstart": hits["qstart"],
            "qend": hits["qend"],
            "sstart": hits["sstart"],
            "send": hits["send"],
            "evalue": [format_evalue(v) for v in hits["evalue"]],
            "bitscore": [format_bitscore(v) for v in hits["bitscore"]],
        }
    )
    for name in extra_columns:
        if name in derived:
            table[name] = [f"{v:.3f}" for v in np.nan_to_num(derived[name])]
        else:
            table[name] = hits[name].to_numpy()
    return table
