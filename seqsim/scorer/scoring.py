"""Scoring pairs with a trained homology scorer: loading a checkpoint for a
set of sequences, the logits and calibrated probabilities of its candidate
pairs, and the two table shapes ``seqsim score`` writes."""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np
import pandas as pd
import torch

from seqsim.errors import ConfigError, SeqsimError
from seqsim.feature_names import SCORER_FEATURES
from seqsim.scorer.calibration import platt_probability
from seqsim.scorer.candidates import candidate_pairs
from seqsim.scorer.checkpoint import CheckpointMetadata, FeatureScaling, load_checkpoint
from seqsim.scorer.embedding import embed_sequences
from seqsim.scorer.labels import pair_indices
from seqsim.scorer.model import HomologyScorer, scorer_from_checkpoint
from seqsim.scorer.profiles import default_profiles
from seqsim.sequences.alphabet import get_alphabet
from seqsim.sequences.store import SequenceStore, copy_pairs, output_rows, with_copies


def standardise(features: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> torch.Tensor:
    return torch.as_tensor((features - mean) / scale, dtype=torch.float32)


def model_inputs(features: np.ndarray, scaling: FeatureScaling) -> torch.Tensor:
    """The pair features as the model reads them: clipped to the bounds its
    training pairs had (when the checkpoint records them), then standardised."""
    if scaling.low is not None and scaling.high is not None:
        features = np.clip(features, np.array(scaling.low), np.array(scaling.high))
    return standardise(features, np.array(scaling.mean), np.array(scaling.scale))


def logits_function(
    model: HomologyScorer,
    embeddings: torch.Tensor | None,
    x: torch.Tensor,
    q: np.ndarray,
    t: np.ndarray,
) -> Callable[[np.ndarray], torch.Tensor]:
    """rows -> the pair logits of those rows of the pair table. The encoder is
    fixed by now, so a few embedding terms per pair are computed once; the
    full terms (2 x dimensions per pair) are computed per call instead."""
    if embeddings is None:
        return lambda rows: model.head(None, x[rows])
    if model.full_terms:
        return lambda rows: model.pair_logits(embeddings[q[rows]], embeddings[t[rows]], x[rows])
    with torch.no_grad():
        terms = chunked(
            lambda rows: model.pair_terms(embeddings[q[rows]], embeddings[t[rows]]),
            np.arange(q.size),
        )  # fmt: skip
    return lambda rows: model.head(terms[rows], x[rows])


def chunked(
    function: Callable[[np.ndarray], torch.Tensor], rows: np.ndarray, size: int = 65_536
) -> torch.Tensor:
    """``function`` of many rows, a chunk at a time (bounded memory), concatenated."""
    parts = [function(rows[start : start + size]) for start in range(0, rows.size, size)]
    return torch.cat(parts) if parts else torch.zeros(0)


def compatible_alphabets(trained: str, sequences: str) -> bool:
    """Whether a model trained on one alphabet scores another: the same, or
    DNA and RNA (RNA is stored in DNA codes)."""
    return trained == sequences or {trained, sequences} == {"dna", "rna"}


def load_scorer(
    checkpoint: str | os.PathLike[str], alphabet: str | None = None
) -> tuple[HomologyScorer, CheckpointMetadata]:
    """The checkpoint's model and metadata, checked against this seqsim's
    features and the sequences' ``alphabet`` (None: the checkpoint's own)."""
    state, metadata = load_checkpoint(checkpoint)
    alphabet = metadata.alphabet if alphabet is None else alphabet
    if metadata.features != tuple(SCORER_FEATURES):
        raise ConfigError(f"{checkpoint}: a model of another feature set")
    if not compatible_alphabets(metadata.alphabet, alphabet):
        raise ConfigError(f"{checkpoint}: trained on {metadata.alphabet}, not {alphabet} sequences")
    model = scorer_from_checkpoint(state, metadata, get_alphabet(alphabet).size, str(checkpoint))
    return model, metadata


def encoder_profile(
    model: HomologyScorer, metadata: CheckpointMetadata, store: SequenceStore, hits: pd.DataFrame
) -> np.ndarray | None:
    """The profiles a siamese model's encoder reads (None when it reads residues)."""
    if model.kind != "siamese" or not model.encoder.profile_columns:
        return None
    return default_profiles(store, hits, metadata.candidates.profile_evalue)


def score_candidates(
    model: HomologyScorer,
    metadata: CheckpointMetadata,
    store: SequenceStore,
    hits: pd.DataFrame,
    extra_pairs: tuple[np.ndarray, np.ndarray] | None = None,
    threads: int = 1,
) -> pd.DataFrame:
    """Candidate pairs of ``store``'s all-vs-all ``hits`` (plus ``extra_pairs``)
    with the model's ``logit`` and calibrated ``probability`` (a model and
    metadata from :func:`load_scorer`)."""
    settings = metadata.candidates
    pairs = candidate_pairs(
        hits, store,
        edge_evalue=settings.edge_evalue, top_k=settings.top_k,
        profile_evalue=settings.profile_evalue, region_overlap=settings.region_overlap,
        widest_coverage=settings.widest_coverage,
        extra_pairs=extra_pairs, threads=threads,
    )  # fmt: skip
    features = pairs[list(SCORER_FEATURES)].to_numpy(np.float64)
    x = model_inputs(features, metadata.scaling)
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    embeddings = None
    if model.kind == "siamese":
        embeddings = torch.from_numpy(embed_sequences(
            model.encoder, store, encoder_profile(model, metadata, store, hits)
        ))  # fmt: skip
    logits_of = logits_function(model, embeddings, x, q, t)

    with torch.no_grad():
        logits = chunked(logits_of, np.arange(len(pairs))).numpy().astype(np.float64)
    n_broken = int(np.isnan(logits).sum())
    if n_broken:  # finite weights can still overflow into inf - inf
        raise SeqsimError(
            f"the scorer gives NaN for {n_broken:,} of {logits.size:,} pairs: its weights "
            "are out of range (a broken checkpoint); nothing was written"
        )
    calibration = metadata.calibration
    return pairs.assign(
        logit=logits,
        probability=platt_probability(logits, calibration.a, calibration.b),
    )


def score_listed_pairs(
    model: HomologyScorer,
    metadata: CheckpointMetadata,
    store: SequenceStore,
    hits: pd.DataFrame,
    listed: pd.DataFrame,
    source: str = "pairs",
    threads: int = 1,
) -> pd.DataFrame:
    """``listed`` (a table with ``id1``, ``id2`` and any other columns) with
    each pair's calibrated ``probability``: the pairs are scored as
    candidates whether or not they have a hit or a path; a sequence with
    itself is certain (1)."""
    a, b = pair_indices(listed, store.ids, source)
    pairs = score_candidates(model, metadata, store, hits, extra_pairs=(a, b), threads=threads)
    found = pairs.set_index(["query", "target"])["probability"]
    key = pd.MultiIndex.from_arrays([np.minimum(a, b), np.maximum(a, b)])
    probability = found.reindex(key).to_numpy()
    return listed.assign(probability=np.where(a == b, 1.0, probability))


# Columns of the compact scored-pair table (`seqsim score`, the pipeline).
SCORED_COLUMNS = ["query", "target", "probability", "bits"]


def kept_pairs(
    scored: pd.DataFrame, n_sequences: int, *, min_probability: float, top_k: int
) -> np.ndarray:
    """Which unordered scored pairs to keep (bool per row): probability >=
    ``min_probability``, or among the ``top_k`` best partners of either of
    its sequences (by probability, then bit score, then partner index), so
    that every sequence with a candidate keeps its best ones."""
    q, t = scored["query"].to_numpy(), scored["target"].to_numpy()
    probability, bits = scored["probability"].to_numpy(), scored["bits"].to_numpy()
    keep = probability >= min_probability
    if top_k > 0 and len(scored):
        # Both directions; rank each sequence's partners.
        owner, partner = np.concatenate([q, t]), np.concatenate([t, q])
        order = np.lexsort((partner, -np.tile(bits, 2), -np.tile(probability, 2), owner))
        starts = np.searchsorted(owner[order], np.arange(n_sequences))
        rank = np.arange(order.size) - starts[owner[order]]
        top = np.zeros(order.size, dtype=bool)
        top[order[rank < top_k]] = True
        keep |= top[: len(scored)] | top[len(scored) :]
    return keep


def compact_table(
    scored: pd.DataFrame,
    store: SequenceStore,
    *,
    min_probability: float = 0.01,
    top_k: int = 20,
    features: bool = False,
    self_bits: np.ndarray | None = None,
) -> pd.DataFrame:
    """The kept pairs (:func:`kept_pairs`) of :func:`score_candidates`'
    output, each unordered pair once (``query`` before ``target`` in store
    order), with ids: :data:`SCORED_COLUMNS` (probability float64, bits
    float32), plus every feature and the logit with ``features``. A store's
    copies (``ingest --dedupe``) get their representative's pairs, and each
    pair of identical sequences is listed with probability 1 and the
    sequence's self-hit bit score (``self_bits``, by store row)."""
    keep = kept_pairs(scored, store.n_sequences, min_probability=min_probability, top_k=top_k)
    kept = with_copies(with_copies(scored[keep], "query", store), "target", store)
    rows, ids = output_rows(store)
    names = np.asarray(ids, dtype=object)
    table = pd.DataFrame(
        {
            "query": names[kept["query"].to_numpy()],
            "target": names[kept["target"].to_numpy()],
            # float64: in float32 the likeliest pairs all round to 1.0 and lose their order.
            "probability": kept["probability"].to_numpy(np.float64),
            "bits": kept["bits"].to_numpy(np.float32),
        }
    )
    if features:
        extra = [c for c in kept.columns if c not in ("query", "target", "probability", "bits")]
        table = pd.concat([table, kept[extra].reset_index(drop=True)], axis=1)
    first, second = copy_pairs(store)
    if first.size:
        bits = np.zeros(store.n_sequences) if self_bits is None else self_bits
        identical = pd.DataFrame(
            {
                "query": names[first],
                "target": names[second],
                "probability": np.ones(first.size),
                "bits": bits[rows[first]].astype(np.float32),
            }
        )
        table = pd.concat([table, identical], ignore_index=True)
    return table
