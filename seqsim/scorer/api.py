"""The learned scorer as a few calls: :func:`train`, :func:`load`,
:func:`score`, :func:`embed` and :func:`embedding_neighbours` (exported by
:mod:`seqsim.scorer`), and the ``seqsim train`` / ``score`` / ``embed``
subcommands as one call each (``write_*``)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TypeAlias

import numpy as np
import pandas as pd
import torch

from seqsim.errors import ConfigError
from seqsim.io import FilePath, read_table, write_table
from seqsim.pair_tables import self_scores_from_hits
from seqsim.scorer.calibration import platt_probability
from seqsim.scorer.checkpoint import CheckpointMetadata, save_checkpoint
from seqsim.scorer.embedding import cosine_neighbours, embed_sequences
from seqsim.scorer.labels import PairLabels
from seqsim.scorer.model import HomologyScorer
from seqsim.scorer.pretrained import shipped_model
from seqsim.scorer.scoring import (
    compact_table,
    compatible_alphabets,
    encoder_profile,
    load_scorer,
    score_candidates,
    score_listed_pairs,
)
from seqsim.scorer.seeding import torch_threads
from seqsim.scorer.training import TrainSettings, train_scorer
from seqsim.sequences.load import Sequences, read_sequences
from seqsim.sequences.store import SequenceStore, output_rows

log = logging.getLogger("seqsim")

# A hit table (`search_hits`), the `--hits-out` files of an all-vs-all's
# blocks, or None: search here with the pipeline's default search.
Hits: TypeAlias = pd.DataFrame | Sequence[FilePath] | None
# A labels or pairs table, in memory or as a file.
Table: TypeAlias = pd.DataFrame | FilePath


@dataclass(frozen=True)
class Scorer:
    """A trained homology scorer: its model, weights and checkpoint metadata
    (alphabet, features and their standardisation, calibration, metrics,
    settings)."""

    model: HomologyScorer
    metadata: CheckpointMetadata
    source: str = "the scorer"  # named in errors: the checkpoint file, when loaded

    @property
    def kind(self) -> str:
        return str(self.model.kind)

    @property
    def alphabet(self) -> str:
        return self.metadata.alphabet

    def save(self, path: FilePath) -> None:
        """Write the checkpoint (safetensors; the same data and seed give the same bytes)."""
        save_checkpoint(path, self.model.state_dict(), self.metadata)


def load(checkpoint: FilePath, alphabet: str | None = None) -> Scorer:
    """A checkpoint from :func:`train` or ``seqsim train``, checked (never
    unpickled); ``alphabet`` refuses a model of another alphabet."""
    model, metadata = load_scorer(checkpoint, alphabet)
    return Scorer(model, metadata, str(checkpoint))


def train(
    sequences: Sequences,
    *,
    labels: Table | None = None,
    pairs: Table | None = None,
    level: str = "superfamily",
    settings: TrainSettings | None = None,
    hits: Hits = None,
    threads: int = 1,
) -> Scorer:
    """Train a scorer on labelled sequences.

    Give ``labels`` (id plus SCOP ``sccs``, or family/superfamily(/fold)(/class)
    columns: homologs share ``level``, pairs in different folds are not, the
    rest are left out) or ``pairs`` (``id1``, ``id2``, ``label`` 1 or 0).
    ``hits`` are the set's all-vs-all hits; by default they are searched here.
    ``settings`` (:class:`~seqsim.scorer.training.TrainSettings`) picks the
    kind (``features`` or ``siamese``), seed and training lengths.
    """
    if (labels is None) == (pairs is None):
        raise ConfigError("give labels or pairs to train on (one of them)")
    # The settings record what the labels applied.
    settings = replace(settings or TrainSettings(), level=level if labels is not None else "pairs")
    store = read_sequences(sequences)
    _refuse_copies(store, "training")
    with torch_threads(threads):
        hit_table = _hits_of(store, hits, threads)
        if labels is not None:
            pair_labels = PairLabels.from_table(_table(labels), store.ids, level)
        else:
            assert pairs is not None
            pair_labels = PairLabels.from_pairs(_table(pairs), store.ids, _source(pairs))
        state, metadata = train_scorer(store, hit_table, pair_labels, settings, threads)
    return load_state(state, metadata)


def load_state(state: dict[str, torch.Tensor], metadata: CheckpointMetadata) -> Scorer:
    """A :class:`Scorer` of a state dict and metadata from
    :func:`~seqsim.scorer.training.train_scorer`."""
    from seqsim.scorer.model import scorer_from_checkpoint
    from seqsim.sequences.alphabet import get_alphabet

    n_codes = get_alphabet(metadata.alphabet).size
    model = scorer_from_checkpoint(state, metadata, n_codes, "the trained model")
    return Scorer(model, metadata)


def score(
    scorer: Scorer | FilePath | None,
    sequences: Sequences,
    *,
    hits: Hits = None,
    pairs: Table | None = None,
    min_probability: float = 0.01,
    top_k: int = 20,
    features: bool = False,
    threads: int = 1,
) -> pd.DataFrame:
    """Calibrated homology probabilities of a set's pairs.

    ``scorer`` is a :class:`Scorer`, a checkpoint, or None for the model that
    ships with seqsim for the sequences' alphabet (:mod:`seqsim.scorer.pretrained`).

    Without ``pairs``: the set's candidate pairs (a hit, or partners linked
    through intermediate sequences), each unordered pair once, ``query``
    before ``target`` in input order: ``query``, ``target`` (ids),
    ``probability``, ``bits`` (the pair's Smith-Waterman bit score, 0 without
    a hit); kept when the probability is at least ``min_probability`` or the
    pair is among the ``top_k`` best of either sequence; with ``features``
    also every feature and the logit. With ``pairs`` (a table with ``id1``,
    ``id2``): that table with a ``probability`` column.
    """
    store = read_sequences(sequences)
    model = _scorer_of(scorer, store)
    with torch_threads(threads):
        hit_table = _hits_of(store, hits, threads)
        if pairs is not None:
            _refuse_copies(store, "scoring listed pairs")
            return score_listed_pairs(
                model.model,
                model.metadata,
                store,
                hit_table,
                _table(pairs),
                _source(pairs),
                threads,
            )
        scored = score_candidates(model.model, model.metadata, store, hit_table, threads=threads)
    table = compact_table(
        scored, store, min_probability=min_probability, top_k=top_k, features=features,
        self_bits=self_scores_from_hits(hit_table, store.n_sequences, "bitscore"),
    )  # fmt: skip
    log.info(
        "%d candidate pairs scored, %d kept (probability >= %g or a top-%d partner)",
        len(scored), len(table), min_probability, top_k,
    )  # fmt: skip
    return table


def embed(
    scorer: Scorer | FilePath, sequences: Sequences, *, hits: Hits = None, threads: int = 1
) -> pd.DataFrame:
    """One unit embedding per sequence from a siamese scorer: ``id``, ``e0``,
    ``e1``, ... An encoder over profile columns reads each sequence's profile
    from the set's all-vs-all ``hits`` (searched here when not given)."""
    store = read_sequences(sequences)
    model = _siamese(_scorer_of(scorer, store))
    profile = None
    if model.model.encoder.profile_columns:
        profile = encoder_profile(
            model.model, model.metadata, store, _hits_of(store, hits, threads)
        )
    with torch_threads(threads):
        embeddings = embed_sequences(model.model.encoder, store, profile)
    table = pd.DataFrame(embeddings, columns=[f"e{i}" for i in range(embeddings.shape[1])])
    log.info("%d sequences embedded (%d dimensions)", store.n_sequences, embeddings.shape[1])
    # A store's copies (ingest --dedupe) get their representative's embedding.
    rows, ids = output_rows(store)
    table = table.iloc[rows].reset_index(drop=True)
    return table.assign(id=np.asarray(ids, dtype=object))[["id", *table.columns]]


def embedding_neighbours(
    scorer: Scorer | FilePath, embeddings: pd.DataFrame, *, top_k: int = 100
) -> pd.DataFrame:
    """Each sequence's ``top_k`` nearest neighbours by embedding cosine
    (``embeddings`` from :func:`embed`), best first, with the calibrated
    embedding-only probability: ``query``, ``target``, ``cosine``,
    ``probability``. No alignment needed: a blocked matrix product."""
    model = _siamese(scorer if isinstance(scorer, Scorer) else load(scorer))
    calibration = model.metadata.cosine_calibration
    if calibration is None:
        raise ConfigError(f"{model.source}: no calibration of the embedding cosine")
    ids = embeddings["id"].to_numpy()
    vectors = embeddings.drop(columns="id").to_numpy(np.float32)
    query, target, cosine = cosine_neighbours(vectors, top_k)
    with torch.no_grad():
        logits = model.model.cosine.of_cosine(torch.from_numpy(cosine)).numpy()
    probability = platt_probability(logits.astype(np.float64), calibration.a, calibration.b)
    return pd.DataFrame(
        {"query": ids[query], "target": ids[target], "cosine": cosine, "probability": probability}
    )


def write_train(
    sequences: Sequences,
    output: FilePath,
    *,
    labels: FilePath | None = None,
    pairs: FilePath | None = None,
    level: str = "superfamily",
    settings: TrainSettings | None = None,
    hits: Hits = None,
    threads: int = 1,
    reliability_plot: FilePath | None = None,
) -> Scorer:
    """``seqsim train``: :func:`train`, the checkpoint written to ``output``
    and, optionally, the held-out reliability diagram."""
    scorer = train(
        sequences, labels=labels, pairs=pairs, level=level, settings=settings, hits=hits,
        threads=threads,
    )  # fmt: skip
    scorer.save(output)
    metrics = scorer.metadata.metrics
    if reliability_plot:
        from seqsim.plots import plot_reliability

        plot_reliability(
            np.array(metrics["held_out_reliability"]), reliability_plot,
            title=f"held-out calibration (ECE {metrics['held_out_ece']:.3f})",
        )  # fmt: skip
    scalars = {k: v for k, v in metrics.items() if not isinstance(v, list)}
    log.info("wrote %s: %s", output, scalars)
    return scorer


def write_score(
    model: FilePath | None,
    sequences: Sequences,
    output: FilePath,
    *,
    hits: Hits = None,
    pairs: FilePath | None = None,
    min_probability: float = 0.01,
    top_k: int = 20,
    features: bool = False,
    threads: int = 1,
) -> None:
    """``seqsim score``: :func:`score` written to ``output`` (.parquet or .tsv)."""
    table = score(
        model, sequences, hits=hits, pairs=pairs, min_probability=min_probability,
        top_k=top_k, features=features, threads=threads,
    )  # fmt: skip
    write_table(table, output)


def write_embed(
    model: FilePath,
    sequences: Sequences,
    output: FilePath,
    *,
    neighbours_out: FilePath | None = None,
    top_k: int = 100,
    hits: Hits = None,
    threads: int = 1,
) -> None:
    """``seqsim embed``: :func:`embed` written to ``output`` and, with
    ``neighbours_out``, :func:`embedding_neighbours`."""
    scorer = load(model)
    embeddings = embed(scorer, sequences, hits=hits, threads=threads)
    write_table(embeddings, output)
    if neighbours_out:
        neighbours = embedding_neighbours(scorer, embeddings, top_k=top_k)
        write_table(neighbours, neighbours_out)
        log.info("%d neighbour pairs written", len(neighbours))


def _scorer_of(scorer: Scorer | FilePath | None, store: SequenceStore) -> Scorer:
    if scorer is None:
        shipped = shipped_model(store.alphabet)
        if shipped is None:
            raise ConfigError(
                f"seqsim ships no homology scorer for {store.alphabet} sequences: train one "
                "with labels (`seqsim train`, scorer.labels) or rank by an alignment score"
            )
        return load(shipped, store.alphabet)
    if isinstance(scorer, Scorer):
        if not compatible_alphabets(scorer.alphabet, store.alphabet):
            raise ConfigError(
                f"the scorer was trained on {scorer.alphabet}, not {store.alphabet} sequences"
            )
        return scorer
    return load(scorer, store.alphabet)


def _siamese(scorer: Scorer) -> Scorer:
    if scorer.kind != "siamese":
        raise ConfigError(f"{scorer.source}: a {scorer.kind} model has no sequence encoder")
    return scorer


def _refuse_copies(store: SequenceStore, what: str) -> None:
    if not store.copies.empty:
        raise ConfigError(
            f"{what} needs a store with every record (this one left out {len(store.copies)} "
            "exact copies: ingest without --dedupe)"
        )


def _table(table: Table) -> pd.DataFrame:
    return table if isinstance(table, pd.DataFrame) else read_table(table)


def _source(table: Table) -> str:
    """How errors name a table: its file, or "pairs" for one in memory."""
    return "pairs" if isinstance(table, pd.DataFrame) else str(table)


def _hits_of(store: SequenceStore, hits: Hits, threads: int) -> pd.DataFrame:
    """The set's all-vs-all hits: given, read from the blocks' files, or
    searched here with the default search (ungapped prefilter at 30)."""
    if isinstance(hits, pd.DataFrame):
        return hits
    if hits:
        from seqsim.search_engine.hit_table import in_search_order

        # Blocks and tiles split the hits: one order, whatever the split.
        return in_search_order(pd.concat([pd.read_parquet(p) for p in hits], ignore_index=True))
    from seqsim.alignment.scoring import scoring_scheme
    from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits

    scheme = scoring_scheme(store.alphabet)
    return search_hits(store, store, scheme, DEFAULT_HIT_FILTER, threads=threads)
