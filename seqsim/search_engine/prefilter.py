"""Candidate pairs for the search from a k-mer index (see
:mod:`seqsim.kernels.kmer_index`): only pairs sharing similar k-mers are
touched, unlike scanning every pair (all-vs-all wall time grew as N^1.56
from 10,000 to 100,000 proteins in benchmarks/bench_scaling.py).

The target set's k-mers are indexed once. Each query k-mer is expanded to its
neighbourhood (every k-mer scoring >= ``threshold`` against it), whose hits
are looked up; a target with two hits on one diagonal, or on diagonals at most
``diagonal_band`` apart, has those diagonals' best ungapped segment scored,
and becomes a candidate when it reaches ``min_diagonal_score``. Lower
thresholds find more remote homologs and cost more time (see
:class:`KmerPrefilterSettings`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from seqsim.alignment.scoring import ScoringScheme
from seqsim.errors import ConfigError
from seqsim.kernels.kmer_index import _build_index, _candidates
from seqsim.sequences.alphabet import get_alphabet
from seqsim.sequences.store import SequenceStore


@dataclass(frozen=True)
class KmerPrefilterSettings:
    """k-mer length, neighbourhood score threshold, and the ungapped diagonal
    score a candidate must reach; ``None`` takes the alphabet's default
    (:data:`DEFAULTS`).

    The protein defaults (k 5, threshold 22, diagonal 35, band 16) are for
    large sets: on 100,000 proteins they take 8-11 ms per query on this
    project's 2-core benchmark machines and keep 0.4% of the pairs. Lower
    thresholds find more remote homologs for more time: k 4, threshold 15
    keeps 83% of the superfamily-level true positives of an exhaustive search
    on SCOPe40 (val split), against 36% with the defaults (33% with band 0),
    but meets about 30x more seed hits per query (61,000 against 2,000 on
    all of SCOPe40, where it is about as slow as scanning every pair; see
    benchmarks/README.md). For DNA the default seeds are exact 11-mers
    (threshold 11 x match score), two on one diagonal.

    Sequences shorter than ``short_length`` are aligned against every
    sequence: seeds can miss them entirely (a sequence shorter than k has none).
    """

    k: int | None = None
    threshold: int | None = None
    min_diagonal_score: int | None = None
    short_length: int = 30
    diagonal_band: int | None = None

    def resolved(self, alphabet: str, scheme: ScoringScheme) -> KmerPrefilterSettings:
        """These settings with every ``None`` replaced by ``alphabet``'s default."""
        nucleotide = get_alphabet(alphabet).name != "protein"
        k, threshold, diagonal, band = DEFAULTS["dna" if nucleotide else "protein"]
        k = self.k or k
        if threshold is None:  # DNA: exact k-mers
            threshold = k * int(scheme.matrix[0, 0])
        letters = _standard_letters(alphabet)
        if k < 2 or letters**k > 2**28:
            raise ConfigError(
                f"prefilter k = {k} is out of range for {alphabet}: "
                f"use 2..{int(28 / np.log2(letters))}"
            )
        if self.diagonal_band is not None and self.diagonal_band < 0:
            raise ConfigError(f"prefilter diagonal band = {self.diagonal_band} must be >= 0")
        return KmerPrefilterSettings(
            k,
            self.threshold if self.threshold is not None else threshold,
            self.min_diagonal_score if self.min_diagonal_score is not None else diagonal,
            self.short_length,
            self.diagonal_band if self.diagonal_band is not None else band,
        )


# Alphabet -> (k, neighbourhood threshold, diagonal score, diagonal band);
# None: exact k-mers. The protein band (16) was chosen on SCOPe40's val split
# (benchmarks/prefilter_recall.py); DNA keeps two hits on one diagonal.
DEFAULTS = {"protein": (5, 22, 35, 16), "dna": (11, None, 30, 0)}


def _standard_letters(alphabet: str) -> int:
    """Codes below this are unambiguous residues (20 amino acids, 4 bases)."""
    return 20 if get_alphabet(alphabet).name == "protein" else 4


class KmerIndex:
    """A k-mer index of ``targets`` (store indices of ``store``; default all)."""

    def __init__(
        self,
        store: SequenceStore,
        scheme: ScoringScheme,
        settings: KmerPrefilterSettings = KmerPrefilterSettings(),
        targets: np.ndarray | None = None,
    ) -> None:
        self.store = store
        self.scheme = scheme
        self.settings = settings = settings.resolved(store.alphabet, scheme)
        self.base = _standard_letters(store.alphabet)
        scores = scheme.matrix[: self.base, : self.base].astype(np.int64)
        self.sorted_letters = np.argsort(-scores, axis=1, kind="stable").astype(np.int64)
        self.sorted_scores = np.take_along_axis(scores, self.sorted_letters, axis=1)
        # Ascending, so that an all-vs-all query can stop at its own index.
        self.targets = (
            np.arange(store.n_sequences, dtype=np.int64)
            if targets is None
            else np.unique(np.asarray(targets, dtype=np.int64))
        )
        self.word_offsets, self.entry_sequence, self.entry_position = _build_index(
            store.codes, store.offsets, self.targets, settings.k, self.base
        )
        # The index's own copy of the targets, contiguous, for the diagonal scores.
        lengths = store.lengths[self.targets]
        self.target_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        self.target_codes = (
            np.concatenate([store.sequence_codes(int(t)) for t in self.targets])
            if self.targets.size
            else np.zeros(0, np.uint8)
        )
        self.short_targets = self.targets[lengths < settings.short_length]

    @property
    def nbytes(self) -> int:
        arrays = (self.word_offsets, self.entry_sequence, self.entry_position, self.target_codes)
        return sum(a.nbytes for a in arrays)

    def candidates(
        self, queries: SequenceStore, query_indices: np.ndarray, *, all_vs_all: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Candidate targets of each query in ``query_indices``, as CSR arrays
        ``(offsets, targets)`` with store indices of targets, ascending within
        each query. Short queries get every target, every query gets the
        short targets.

        ``all_vs_all`` (queries and targets are the same store) keeps only
        targets with a larger index than the query: each unordered pair once,
        and no self pairs.
        """
        query_indices = np.asarray(query_indices, dtype=np.int64)
        lengths = queries.lengths[query_indices]
        query_offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
        query_codes = (
            np.concatenate([queries.sequence_codes(int(q)) for q in query_indices])
            if query_indices.size
            else np.zeros(0, np.uint8)
        )
        query_self = query_indices if all_vs_all else np.full(query_indices.size, -1, np.int64)
        s = self.settings
        if s.threshold is None or s.min_diagonal_score is None or s.diagonal_band is None:
            raise AssertionError("the index's prefilter settings are resolved")
        offsets, slots, _ = _candidates(
            (query_codes, query_offsets, query_self),
            (self.target_codes, self.target_offsets, self.targets),
            (self.word_offsets, self.entry_sequence, self.entry_position),
            (self.sorted_letters, self.sorted_scores, np.int64(s.threshold)),
            s.k, self.base, self.scheme.matrix.astype(np.int64),
            (np.int64(s.min_diagonal_score), np.int64(s.diagonal_band)),
        )  # fmt: skip
        found = self.targets[slots]
        rows = []
        for k, (query, length) in enumerate(zip(query_indices, lengths, strict=True)):
            picked = (
                self.targets
                if length < s.short_length
                else np.union1d(found[offsets[k] : offsets[k + 1]], self.short_targets)
            )
            rows.append(picked[picked > query] if all_vs_all else picked)
        counts = np.array([r.size for r in rows], dtype=np.int64)
        return (
            np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            np.concatenate(rows) if rows else np.zeros(0, np.int64),
        )
