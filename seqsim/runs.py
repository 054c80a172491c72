"""New sequences against a finished run (the pipeline's ``results/`` folder):
its store, its all-vs-all hits and its scorer are reused; only the pairs
touching a new sequence are aligned (:mod:`seqsim.search_engine.update`)."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from seqsim import layout
from seqsim.errors import InputError
from seqsim.io import FilePath, read_table, write_table
from seqsim.pair_tables import alignment_pairs, self_scores
from seqsim.search_engine.api import SearchOptions
from seqsim.search_engine.update import combined_store, extended_hits
from seqsim.sequences.ingest import ingest_fasta
from seqsim.sequences.store import read_store, write_store

log = logging.getLogger("seqsim")

NEIGHBOUR_COLUMNS = ["query", "target", "rank", "probability", "bits", "evalue"]


def _run_hits(results: Path) -> pd.DataFrame:
    tiles = Path(layout.SEARCH_HITS.format(block="*", target="*"))
    blocks = sorted((results / tiles.parent).glob(tiles.name))
    if not blocks:
        raise InputError(results / tiles.parent, f"no {tiles.name}: not a finished run")
    return pd.concat([read_table(path) for path in blocks], ignore_index=True)


def _run_model(results: Path, model: FilePath | None) -> FilePath | None:
    """The run's trained scorer when it has one, else ``model`` (None: the shipped one)."""
    if model is not None:
        return model
    trained = results / layout.MODEL
    return trained if trained.is_file() else None


def add_to_run(
    results: FilePath,
    fasta: FilePath,
    *,
    options: SearchOptions | None = None,
    model: FilePath | None = None,
    top_k: int = 20,
    threads: int = 1,
    update_dir: FilePath | None = None,
) -> pd.DataFrame:
    """Each new sequence's ``top_k`` best partners (new or old) by the learned
    probability: :data:`NEIGHBOUR_COLUMNS` (``evalue``: the new sequence's
    hit, empty for a pair linked only through intermediates).

    ``options`` must be the run's search settings (``config.yaml`` ``search``;
    None: the defaults).
    With ``update_dir``, also writes the extended run there for ``seqsim
    cluster --update``: ``store/``, ``search/hits.parquet``,
    ``search/pairs.parquet`` and ``scorer/scored_pairs.parquet``."""
    from seqsim.scorer.api import score

    results = Path(results)
    old = read_store(results / layout.STORE)
    new = ingest_fasta([fasta], alphabet=old.alphabet).store
    store = combined_store(old, new)
    options = options or SearchOptions()
    scheme, hit_filter = options.scheme(store.alphabet), options.hit_filter()
    hits, new_hits = extended_hits(
        _run_hits(results), store, old.n_sequences, scheme, hit_filter, threads=threads
    )
    log.info(
        "%d new sequences against %d: %d new hits (%d hits in all)",
        new.n_sequences, old.n_sequences, len(new_hits), len(hits),
    )  # fmt: skip
    scored = score(_run_model(results, model), store, hits=hits, threads=threads)
    neighbours = _neighbours(scored, hits, store.ids, old.n_sequences, top_k)
    if update_dir is not None:
        folder = Path(update_dir)
        write_store(store, folder / layout.STORE)
        write_table(hits, folder / layout.ALL_HITS)
        pairs = alignment_pairs(hits, self_scores(store, scheme), scheme, hit_filter)
        write_table(pairs, folder / layout.ALL_PAIRS)
        write_table(scored, folder / layout.SCORED_PAIRS)
    return neighbours


def _neighbours(
    scored: pd.DataFrame, hits: pd.DataFrame, ids: list[str], n_old: int, top_k: int
) -> pd.DataFrame:
    row = {name: k for k, name in enumerate(ids)}
    query = scored["query"].map(row).to_numpy()
    target = scored["target"].map(row).to_numpy()
    # Each pair with a new sequence, from that sequence's side (both sides when both are new).
    sides = []
    for mine, other in ((query, target), (target, query)):
        chosen = mine >= n_old
        sides.append(
            pd.DataFrame(
                {
                    "q": mine[chosen],
                    "t": other[chosen],
                    "probability": scored["probability"].to_numpy()[chosen],
                    "bits": scored["bits"].to_numpy()[chosen],
                }
            )
        )
    pairs = pd.concat(sides, ignore_index=True)
    # Best first: probability, then bit score (many close homologs tie at 1).
    pairs = pairs.sort_values(["q", "probability", "bits", "t"],
                              ascending=[True, False, False, True], kind="stable")  # fmt: skip
    pairs = pairs.groupby("q", sort=False).head(top_k).reset_index(drop=True)
    expect = hits[["query", "target", "evalue"]].rename(columns={"query": "q", "target": "t"})
    pairs = pairs.merge(expect, on=["q", "t"], how="left")
    names = np.asarray(ids, dtype=object)
    return pd.DataFrame(
        {
            "query": names[pairs["q"].to_numpy(np.int64)],
            "target": names[pairs["t"].to_numpy(np.int64)],
            "rank": pairs.groupby("q").cumcount().to_numpy() + 1,
            "probability": pairs["probability"].to_numpy(),
            "bits": pairs["bits"].to_numpy(),
            "evalue": pairs["evalue"].to_numpy(),
        }
    )
