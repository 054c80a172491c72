"""The numeric hit table of a search: its columns (:data:`HIT_FIELDS`), its
order (:func:`in_search_order`), built from the engine's per-query
:class:`HitPart` s, and held under a memory budget by :class:`HitSpool`.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from seqsim.alignment.statistics import KarlinAltschul, bit_score
from seqsim.kernels.alignment import STAT_FIELDS
from seqsim.sequences.store import SequenceStore

log = logging.getLogger("seqsim")

# Columns of the hit table (:func:`~seqsim.search_engine.engine.search_hits`).
HIT_FIELDS = [
    "query", "target", "raw", "bitscore", "evalue", "length", "nident", "mismatch",
    "positive", "gapopen", "gaps", "qstart", "qend", "sstart", "send", "qlen", "tlen", "cigar",
    "evalue_pair",
]  # fmt: skip


@dataclass(frozen=True)
class HitPart:
    """Hits found together (one query's, or their mirror images), not yet a
    table: store rows ``query`` and ``target``, ``stats`` (one row of
    ``STAT_FIELDS`` per hit), the E-values of both directions and the CIGARs."""

    query: np.ndarray
    target: np.ndarray
    stats: np.ndarray
    evalue: np.ndarray
    evalue_reverse: np.ndarray
    cigar: list[str]

    def where(self, keep: np.ndarray) -> HitPart:
        """The hits where the boolean mask ``keep`` is true."""
        return HitPart(
            self.query[keep], self.target[keep], self.stats[keep], self.evalue[keep],
            self.evalue_reverse[keep], [c for c, k in zip(self.cigar, keep, strict=True) if k],
        )  # fmt: skip


def hit_table(
    parts: list[HitPart], params: KarlinAltschul, queries: SequenceStore, targets: SequenceStore
) -> pd.DataFrame:
    """The parts as one table of :data:`HIT_FIELDS`, in the parts' order."""

    def joined(name: str) -> np.ndarray:
        return np.concatenate([getattr(p, name) for p in parts]) if parts else np.zeros(0, np.int64)

    stats = (
        np.concatenate([p.stats for p in parts])
        if parts
        else np.zeros((0, len(STAT_FIELDS)), np.int64)
    )
    stat = {name: stats[:, k] for k, name in enumerate(STAT_FIELDS)}
    query, target = joined("query"), joined("target")
    aligned = stat["length"] > 0
    expect = joined("evalue").astype(np.float64)
    return pd.DataFrame(
        {
            "query": query,
            "target": target,
            "raw": stat["score"],
            "bitscore": np.asarray(bit_score(stat["score"], params), dtype=np.float64),
            "evalue": expect,
            "length": stat["length"],
            "nident": stat["identities"],
            "mismatch": stat["mismatches"],
            "positive": stat["positives"],
            "gapopen": stat["gap_opens"],
            "gaps": stat["gaps"],
            # BLAST: 1-based inclusive; an empty local alignment reports 0 0.
            "qstart": np.where(aligned, stat["query_start"] + 1, 0),
            "qend": stat["query_end"],
            "sstart": np.where(aligned, stat["target_start"] + 1, 0),
            "send": stat["target_end"],
            "qlen": queries.lengths[query] if query.size else np.zeros(0, np.int64),
            "tlen": targets.lengths[target] if target.size else np.zeros(0, np.int64),
            "cigar": [c for p in parts for c in p.cigar],
            "evalue_pair": np.maximum(expect, joined("evalue_reverse").astype(np.float64)),
        },
        columns=HIT_FIELDS,
    )


def in_search_order(hits: pd.DataFrame) -> pd.DataFrame:
    """Each query's hits together, best first: E-value, then score, then
    target (the order of :func:`~seqsim.search_engine.engine.search_hits`,
    whatever blocks or tiles the hits came from)."""
    order = np.lexsort(
        (hits["target"].to_numpy(), -hits["raw"].to_numpy(), hits["evalue"].to_numpy(),
         hits["query"].to_numpy())
    )  # fmt: skip
    return hits.iloc[order].reset_index(drop=True)


# Bytes a hit part holds per hit besides its CIGAR text: the stats row,
# query, target and two E-values, and the CIGAR's str object and pointer.
_PART_BYTES_PER_HIT = 8 * (len(STAT_FIELDS) + 4) + 57
# A bucket read back becomes a table, sorted (a copy): about this many times
# the bytes of its parts.
_TABLE_OVERHEAD = 4


class HitSpool:
    """Hit parts held in memory up to a budget; past it, written to disk as
    Parquet files per bucket of consecutive query rows, and read back a
    bucket at a time, in query order (:meth:`tables`).

    Buckets are sized at the first spill from the hits seen so far, so that
    one bucket's table fits the budget if the rest of the search finds hits
    at the same rate; a bucket that grows larger is still read whole (and
    logged). ``table_of`` turns parts into a table (:func:`hit_table`).
    """

    def __init__(
        self,
        table_of: Callable[[list[HitPart]], pd.DataFrame],
        n_rows: int,
        budget: int | None,
        spill_dir: str | os.PathLike[str] | None,
    ) -> None:
        self.table_of, self.n_rows, self.budget, self.spill_dir = (
            table_of, n_rows, budget, spill_dir
        )  # fmt: skip
        self.parts: list[HitPart] = []
        self.held = 0
        self.folder: Path | None = None
        self.bucket_rows = 0
        self.n_spills = 0

    def __enter__(self) -> HitSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def add(self, parts: list[HitPart], fraction_done: float) -> None:
        self.parts.extend(parts)
        self.held += sum(
            _PART_BYTES_PER_HIT * p.target.size + sum(map(len, p.cigar)) for p in parts
        )
        if self.budget is not None and self.held * _TABLE_OVERHEAD > self.budget:
            if self.folder is None:
                self._plan_buckets(fraction_done, self.budget)
            self._spill()

    def _plan_buckets(self, fraction_done: float, budget: int) -> None:
        expected = self.held * _TABLE_OVERHEAD / max(fraction_done, 1e-9)
        n_buckets = max(1, min(self.n_rows, int(np.ceil(2 * expected / budget))))
        self.bucket_rows = -(-self.n_rows // n_buckets)
        self.folder = Path(tempfile.mkdtemp(prefix="seqsim-hits.", dir=self.spill_dir))
        log.info("hits over the memory budget: spilling to %s in %d buckets of %d query rows",
                 self.folder, n_buckets, self.bucket_rows)  # fmt: skip

    def _spill(self) -> None:
        assert self.folder is not None
        table = self.table_of(self.parts)
        bucket = table["query"].to_numpy() // self.bucket_rows
        for b in np.unique(bucket):
            piece = table[bucket == b]
            pq.write_table(
                pa.Table.from_pandas(piece, preserve_index=False),
                self.folder / f"bucket_{b:06d}_{self.n_spills:06d}.parquet",
            )
        self.n_spills += 1
        self.parts, self.held = [], 0

    def tables(self) -> Iterator[pd.DataFrame]:
        """The hits added, in search order: one table, or one per bucket
        when they were spilled."""
        if self.folder is None:
            yield in_search_order(self.table_of(self.parts))
            self.parts = []
            return
        self._spill()
        for b in range(-(-self.n_rows // self.bucket_rows)):
            files = sorted(self.folder.glob(f"bucket_{b:06d}_*.parquet"))
            if not files:
                continue
            table = pd.concat([pq.read_table(f).to_pandas() for f in files], ignore_index=True)
            for f in files:
                f.unlink()
            if self.budget is not None and len(table) * _PART_BYTES_PER_HIT * 2 > self.budget:
                log.warning("hit bucket %d holds %d hits, more than the memory budget planned",
                            b, len(table))  # fmt: skip
            yield in_search_order(table[HIT_FIELDS])
