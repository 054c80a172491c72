"""Extend a finished all-vs-all with new sequences, as if the whole set had
been searched: only the pairs touching a new sequence are aligned, and the
old hits get the E-values of the larger database."""

from __future__ import annotations

import numpy as np
import pandas as pd

from seqsim.alignment.scoring import ScoringScheme
from seqsim.alignment.statistics import evalue, karlin_altschul
from seqsim.errors import ConfigError
from seqsim.search_engine.engine import HitFilter, search_hits
from seqsim.search_engine.hit_table import in_search_order
from seqsim.sequences.store import SequenceStore


def combined_store(old: SequenceStore, new: SequenceStore) -> SequenceStore:
    """``old`` with ``new``'s sequences appended (rows ``old.n_sequences`` on)."""
    if not old.copies.empty or not new.copies.empty:
        raise ConfigError("adding to a run stored with --dedupe is not supported")
    if old.alphabet != new.alphabet:
        raise ConfigError(
            f"the run holds {old.alphabet} sequences, the new ones are {new.alphabet}"
        )
    clash = sorted(set(old.ids) & set(new.ids))
    if clash:
        raise ConfigError(
            f"{len(clash)} new IDs are already in the run (first: {clash[0]!r}): rename them"
        )
    records = pd.concat(
        [old.records, new.records.assign(index=new.records["index"] + old.n_sequences)],
        ignore_index=True,
    )
    offsets = np.concatenate([old.offsets[:-1], new.offsets + old.offsets[-1]])
    return SequenceStore(
        old.alphabet, np.concatenate([old.codes, new.codes]), offsets.astype(np.int64), records
    )


def rescaled_hits(
    hits: pd.DataFrame, store: SequenceStore, scheme: ScoringScheme, hit_filter: HitFilter
) -> pd.DataFrame:
    """``hits`` (of a smaller set) with the E-values they have against all of
    ``store``, and those no longer significant dropped (E-values only grow)."""
    params = karlin_altschul(scheme)
    db_length, n_targets = int(store.lengths.sum()), store.n_sequences
    raw = hits["raw"].to_numpy()
    forward = np.asarray(evalue(raw, hits["qlen"].to_numpy(), db_length, n_targets, params))
    reverse = np.asarray(evalue(raw, hits["tlen"].to_numpy(), db_length, n_targets, params))
    rescaled = hits.assign(
        evalue=forward.astype(np.float64), evalue_pair=np.maximum(forward, reverse)
    )
    if hit_filter.exhaustive:
        return rescaled
    return rescaled[forward <= hit_filter.max_evalue].reset_index(drop=True)


def extended_hits(
    old_hits: pd.DataFrame,
    store: SequenceStore,
    n_old: int,
    scheme: ScoringScheme,
    hit_filter: HitFilter,
    *,
    threads: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The all-vs-all hits of ``store`` (its first ``n_old`` rows searched
    before, as ``old_hits``), in :func:`~seqsim.search_engine.engine.search_hits`'
    order, and the new hits alone (pairs touching a row >= ``n_old``)."""
    if store.n_sequences == n_old:
        raise ConfigError("no new sequences to add")
    tile = (np.arange(n_old, store.n_sequences), np.arange(store.n_sequences))
    new = search_hits(store, store, scheme, hit_filter, tile=tile, threads=threads)
    hits = pd.concat([rescaled_hits(old_hits, store, scheme, hit_filter), new], ignore_index=True)
    return in_search_order(hits), new
