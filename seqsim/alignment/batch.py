"""Exact local alignment scores of one query against many targets, fast.

:class:`BatchAligner` packs a target set once (sorted by length into batches
of SIMD lanes) and scores any number of queries against it with the SWIPE-style
kernel in :mod:`seqsim.kernels.batch_sw`: first with int8 lanes (32, or 64 on
the AVX-512 path), then the lanes that saturated again with int16 lanes (16
or 32), then any still saturated with
the scalar int64 kernel. Every score is exact: identical to the plain Gotoh
Smith-Waterman score of the pair.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numba
import numpy as np

from seqsim.alignment.scoring import ScoringScheme
from seqsim.errors import ConfigError
from seqsim.kernels.alignment import _local_score
from seqsim.kernels.batch_sw import (
    PAD_SCORE,
    _align_batches,
    _align_batches_ends,
    _align_batches_serial,
    _ungapped_batches_serial,
)
from seqsim.kernels.pack import _pack
from seqsim.kernels.profile import _profile_local_score
from seqsim.kernels.simd import VECTOR_BYTES
from seqsim.parallel import threaded_map

# lane dtype -> largest value: a lane that reaches it may have saturated.
_SATURATION = {np.dtype(np.int8): 127, np.dtype(np.int16): 32767}


@dataclass(frozen=True)
class TargetBatches:
    """Targets packed for the batch kernel: ``columns`` holds, batch after
    batch, one ``VECTOR_BYTES``-byte column per target position (lane l =
    the l-th target of the batch, padded with the pad code)."""

    lanes: int
    slots: np.ndarray  # int64 (n_batches * lanes,): position in the packed list, -1 if empty
    columns: np.ndarray  # uint8 (n_columns * VECTOR_BYTES,)
    batch_offsets: np.ndarray  # int64 (n_batches + 1,): first column of each batch


def pack_targets(
    codes: np.ndarray, offsets: np.ndarray, indices: np.ndarray, *, lanes: int, pad_code: int
) -> TargetBatches:
    """Pack the sequences ``indices`` (of a store's ``codes``/``offsets``) into
    batches of ``lanes``, sorted by length so that padding stays small. Slots
    hold positions in ``indices``."""
    indices = np.asarray(indices, dtype=np.int64)
    lengths = offsets[indices + 1] - offsets[indices]
    order = np.argsort(lengths, kind="stable")
    slots, columns, batch_offsets = _pack(codes, offsets, indices, order, lanes, pad_code)
    return TargetBatches(lanes, slots, columns, batch_offsets)


def score_tables(scheme: ScoringScheme) -> np.ndarray:
    """Per query residue code, its scores against target codes 0-31 in the
    byte-shuffle layout :func:`seqsim.kernels.simd.vscores` reads."""
    return score_rows(scheme.matrix)


def score_rows(rows: np.ndarray) -> np.ndarray:
    """Score rows (one per query residue code, or per profile position)
    against target codes 0-31, in the byte-shuffle layout
    :func:`seqsim.kernels.simd.vscores` reads; missing codes score PAD_SCORE."""
    table = np.full((rows.shape[0], 32), PAD_SCORE, dtype=np.int8)
    table[:, : rows.shape[1]] = rows
    return np.concatenate([table[:, :16], table[:, :16], table[:, 16:], table[:, 16:]], axis=1)


class BatchAligner:
    """Exact Smith-Waterman scores of queries against a fixed target set.

    Parameters
    ----------
    codes, offsets
        A sequence store's concatenated codes and offsets (see :mod:`seqsim.sequences.store`).
    scheme
        Substitution matrix and gap scores.
    targets
        Indices of the target sequences (default: all).
    """

    def __init__(
        self,
        codes: np.ndarray,
        offsets: np.ndarray,
        scheme: ScoringScheme,
        targets: np.ndarray | None = None,
    ) -> None:
        size = scheme.matrix.shape[0]
        if size >= 32:
            raise ConfigError("the batch aligner supports alphabets of at most 31 letters")
        self.codes = np.ascontiguousarray(codes, dtype=np.uint8)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.scheme = scheme
        self.targets = (
            np.arange(self.offsets.size - 1, dtype=np.int64)
            if targets is None
            else np.asarray(targets, dtype=np.int64)
        )
        self.pad_code = size
        self.tables = score_tables(scheme)
        values = [int(scheme.matrix.min()), int(scheme.matrix.max()), scheme.open_gap_score]
        self.first_type = np.dtype(np.int8 if min(values) >= -127 else np.int16)
        self._first = self._pack(self.targets, self.first_type)

    def _pack(self, targets: np.ndarray, lane_type: np.dtype) -> TargetBatches:
        lanes = VECTOR_BYTES // lane_type.itemsize
        return pack_targets(self.codes, self.offsets, targets, lanes=lanes, pad_code=self.pad_code)

    def _run(
        self,
        query: np.ndarray,
        tables: np.ndarray,
        batches: TargetBatches,
        lane_type: np.dtype,
        parallel: bool,
    ) -> np.ndarray:
        out = np.zeros(batches.slots.size, dtype=np.int32)
        args = (
            query, tables, batches.columns, batches.batch_offsets,
            self.scheme.open_gap_score, self.scheme.extend_gap_score,
            np.zeros(1, dtype=lane_type), out,
        )  # fmt: skip
        if not parallel:
            _align_batches_serial(*args)
            return out
        previous = numba.set_parallel_chunksize(1)
        try:
            _align_batches(*args)
        finally:
            numba.set_parallel_chunksize(previous)
        return out

    def ungapped_scores(self, query: np.ndarray) -> np.ndarray:
        """Best ungapped segment score of ``query`` against every target (in the
        order of ``targets``), capped at 127: a cheap prefilter for :meth:`scores`."""
        query = self._check_query(query)
        if self.first_type != np.int8:
            raise ConfigError("the ungapped prefilter needs scores that fit in int8")
        out = np.zeros(self._first.slots.size, dtype=np.int32)
        _ungapped_batches_serial(
            query, self.tables, self._first.columns, self._first.batch_offsets, out
        )
        result = np.zeros(self.targets.size, dtype=np.int64)
        filled = self._first.slots >= 0
        result[self._first.slots[filled]] = out[filled]
        return result

    def score_ends(self, query: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """For each of ``targets`` (store indices): the query and target
        positions of the first cell (target position first, then query
        position) where the local alignment score reaches its maximum, as an
        int64 array (n, 2); -1 where unknown (score 0, or too large or too
        long for int16 lanes: trace those back in full)."""
        query = self._check_query(query)
        targets = np.asarray(targets, dtype=np.int64)
        ends = np.full((targets.size, 2), -1, dtype=np.int64)
        if targets.size == 0 or query.size >= 32767:
            return ends
        batches = self._pack(targets, np.dtype(np.int16))
        lane_scores = np.zeros(batches.slots.size, dtype=np.int32)
        lane_ends = np.full((batches.slots.size, 2), -1, dtype=np.int64)
        _align_batches_ends(
            query, self.tables, batches.columns, batches.batch_offsets,
            self.scheme.open_gap_score, self.scheme.extend_gap_score, lane_scores, lane_ends,
        )  # fmt: skip
        lengths = self.offsets[targets + 1] - self.offsets[targets]
        filled = batches.slots >= 0
        usable = filled & (lane_scores < _SATURATION[np.dtype(np.int16)])
        positions = batches.slots[usable]
        ends[positions] = lane_ends[usable]
        ends[lengths >= 32767] = -1
        return ends

    def subset(self, targets: np.ndarray) -> BatchAligner:
        """An aligner over some of the store's sequences (packed anew)."""
        return BatchAligner(self.codes, self.offsets, self.scheme, targets)

    def _check_query(self, query: np.ndarray) -> np.ndarray:
        query = np.ascontiguousarray(query, dtype=np.uint8)
        if query.size and int(query.max()) >= self.pad_code:
            raise ConfigError("query codes are outside the scoring scheme's alphabet")
        return query

    def scores(self, query: np.ndarray, *, parallel: bool = True) -> np.ndarray:
        """Exact local scores of ``query`` (uint8 codes) against every target,
        in the order of ``targets`` (int64). ``parallel`` spreads the target
        batches over numba's threads (``numba.set_num_threads``)."""
        query = self._check_query(query)
        scheme = self.scheme

        def exact(target: int) -> int:
            target_codes = self.codes[self.offsets[target] : self.offsets[target + 1]]
            return int(_local_score(query, target_codes, scheme.matrix,
                                    scheme.open_gap_score, scheme.extend_gap_score))  # fmt: skip

        return self._cascade(query, self.tables, self._first, self.first_type, exact, parallel)

    def profile_scores(self, profile: np.ndarray, *, parallel: bool = False) -> np.ndarray:
        """Exact local scores of a position-specific profile (integer scores,
        one row per position, one column per code; see
        :mod:`seqsim.scorer.profiles`) against every target, as :meth:`scores`
        gives for a query (a query's profile is its matrix rows)."""
        profile = np.asarray(profile)
        tables = score_rows(profile)
        positions = np.arange(profile.shape[0], dtype=np.int64)
        scheme = self.scheme
        wide = min(int(profile.min(initial=0)), scheme.open_gap_score) < -127
        first_type = np.dtype(np.int16 if wide else np.int8)
        first = self._first
        if first_type != self.first_type:
            first = self._pack(self.targets, first_type)
        rows = profile.astype(np.float32)

        def exact(target: int) -> int:
            target_codes = self.codes[self.offsets[target] : self.offsets[target + 1]]
            gaps = (scheme.open_gap_score, scheme.extend_gap_score)
            return int(_profile_local_score(rows, 0, rows.shape[0], target_codes, *gaps))

        return self._cascade(positions, tables, first, first_type, exact, parallel)

    def _cascade(
        self,
        query: np.ndarray,
        tables: np.ndarray,
        first: TargetBatches,
        first_type: np.dtype,
        exact: Callable[[int], int],
        parallel: bool,
    ) -> np.ndarray:
        """Exact scores of ``query`` (rows of ``tables``) against the targets
        packed as ``first``: ``first_type`` lanes, then the saturated ones in
        int16 lanes, then ``exact(target)`` for any still saturated."""
        result = np.zeros(self.targets.size, dtype=np.int64)
        batches, lane_type = first, first_type
        positions = np.arange(self.targets.size)  # packed list -> position in `targets`
        while True:
            lane_scores = self._run(query, tables, batches, lane_type, parallel)
            filled = batches.slots >= 0
            result[positions[batches.slots[filled]]] = lane_scores[filled]
            saturated = positions[batches.slots[filled & (lane_scores >= _SATURATION[lane_type])]]
            if saturated.size == 0:
                return result
            if lane_type == np.int8:
                lane_type = np.dtype(np.int16)
                batches = self._pack(self.targets[saturated], lane_type)
                positions = saturated
                continue
            for position in saturated:
                result[position] = exact(int(self.targets[position]))
            return result

    def scores_many(
        self, queries: Sequence[np.ndarray], *, threads: int = 1
    ) -> Iterator[np.ndarray]:
        """:meth:`scores` of each query, in order, with one query per thread.

        Query-level threads keep both cores busy without a synchronisation per
        query, which scales better than splitting each query's targets.
        """
        return threaded_map(lambda query: self.scores(query, parallel=False), queries, threads)
