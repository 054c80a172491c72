"""Training the homology scorer, and scoring with it.

Training pairs are the candidate pairs of the training set's own all-vs-all
(:func:`seqsim.scorer.candidates.candidate_pairs`): pairs with a hit or a path
through intermediates, so the non-homologs among them are hard ones. Labels
come from :class:`seqsim.scorer.labels.PairLabels`.

The training set is split by group (superfamily, or connected homolog
component), never by pair:

- a held-out part (``validation_fraction`` of the groups) for early stopping,
  calibration and the reported metrics;
- for the siamese kind, the rest splits again: the encoder learns on one part
  (``encoder_fraction``), the pair head on the other, so that the head sees
  embeddings of sequences the encoder never saw, as it will at scoring time.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import torch

from seqsim.errors import ConfigError, SeqsimError
from seqsim.feature_names import SCORER_FEATURES
from seqsim.scorer.calibration import expected_calibration_error, fit_platt, platt_probability
from seqsim.scorer.candidates import REGION_OVERLAP, WIDEST_COVERAGE, candidate_pairs
from seqsim.scorer.checkpoint import CheckpointMetadata, FeatureScaling, PlattCalibration
from seqsim.scorer.embedding import embed_sequences
from seqsim.scorer.labels import PairLabels, held_out_groups
from seqsim.scorer.loss import finite_loss, pair_loss
from seqsim.scorer.model import HomologyScorer
from seqsim.scorer.profiles import PROFILE_EVALUE, default_profiles
from seqsim.scorer.scoring import chunked, logits_function, standardise
from seqsim.scorer.seeding import seeded_torch
from seqsim.scorer.siamese import EncoderSettings, balanced_loss, batch_pairs, train_encoder
from seqsim.sequences.alphabet import get_alphabet
from seqsim.sequences.store import SequenceStore

log = logging.getLogger("seqsim")


@dataclass(frozen=True)
class TrainSettings:
    """What to learn and how; ``level`` is recorded (the labels apply it)."""

    kind: str = "features"
    level: str = "superfamily"
    hidden: int = 64
    epochs: int = 30
    batch_size: int = 1024
    batches_per_epoch: int = 200
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 5
    validation_fraction: float = 0.2
    encoder_fraction: float = 0.3
    hard_negative_fraction: float = 0.0
    head_terms: str = "summary"  # summary: cosine (+ same class); full: also |a-b|, a*b
    seed: int = 1
    edge_evalue: float = 1.0
    top_k: int = 100
    profile_evalue: float = PROFILE_EVALUE
    # Region-consistent transitive features (issue 29); 0 and 0 count every
    # path, as models trained before them did: see all_paths().
    region_overlap: float = REGION_OVERLAP
    widest_coverage: float = WIDEST_COVERAGE
    feature_quantile: float = 0.999  # features clipped to this quantile and 1 - it
    encoder: EncoderSettings = field(default_factory=EncoderSettings)

    @classmethod
    def all_paths(cls, **changes: Any) -> TrainSettings:
        """Settings whose transitive features count every path, consistent
        on the intermediates or not (:func:`seqsim.scorer.candidates.candidate_pairs`),
        as the models before issue 29 did: they chain whole multi-domain
        proteins (benchmarks/bench_full_length.py)."""
        return cls(region_overlap=0.0, widest_coverage=0.0, **changes)


def training_data_sha256(store: SequenceStore, hits: pd.DataFrame, labels: PairLabels) -> str:
    digest = hashlib.sha256(store.codes_sha256().encode())
    hashed = pd.util.hash_pandas_object(hits[["query", "target", "raw"]], index=False)
    digest.update(hashed.to_numpy().tobytes())
    for array in (labels.group, labels.same, labels.fold, labels.keys, labels.values):
        if array is not None:
            digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def _both_classes(target: np.ndarray, rows: np.ndarray) -> bool:
    """Whether the selected rows hold homolog and non-homolog pairs."""
    return bool(np.any(target[rows] == 1) and np.any(target[rows] == 0))


def _extra_pairs(labels: PairLabels) -> tuple[np.ndarray, np.ndarray] | None:
    """A pairs table's labelled pairs, so that each is a training pair."""
    if labels.keys is None:
        return None
    return labels.keys // labels.n, labels.keys % labels.n


def train_scorer(
    store: SequenceStore,
    hits: pd.DataFrame,
    labels: PairLabels,
    settings: TrainSettings = TrainSettings(),
    threads: int = 1,
) -> tuple[dict[str, torch.Tensor], CheckpointMetadata]:
    """Train on ``store``'s all-vs-all ``hits`` (from
    :func:`seqsim.search_engine.engine.search_hits`) and pair ``labels``;
    return (state dict, checkpoint metadata).

    Deterministic: ``settings.seed`` draws the splits, the initial weights
    (leaving the caller's torch random state as it was) and the batches;
    ``threads`` (for the hit-graph features) changes no result."""
    if settings.kind not in ("siamese", "features"):
        raise ConfigError(f"model kind must be siamese or features, not {settings.kind!r}")
    held_out = held_out_groups(labels.group, settings.validation_fraction, settings.seed)
    pairs, q, t, target = _labelled_candidates(store, hits, labels, held_out, settings, threads)
    head_part, encoder_part, description = _model_parts(labels, held_out, settings)
    known = ~np.isnan(target)
    train_rows = np.flatnonzero(known & head_part[q] & head_part[t])
    valid_rows = np.flatnonzero(known & held_out[q] & held_out[t])
    # Calibration reads every pair with a held-out end: pairs inside the
    # held-out groups alone keep a fifth of the non-homologs and so a base
    # rate of homologs ~5x what a whole set's candidates have (issue 28).
    calibration_rows = np.flatnonzero(known & (held_out[q] | held_out[t]))
    for name, rows in (("training", train_rows), ("held-out", valid_rows)):
        if not _both_classes(target[rows], np.ones(rows.size, dtype=bool)):
            raise ConfigError(
                f"the {name} pairs need both homologs and non-homologs: give more "
                "labelled sequences (or groups)"
            )
    with seeded_torch(settings.seed):
        n_codes = get_alphabet(store.alphabet).size
        model = HomologyScorer(description, n_codes, len(SCORER_FEATURES))
    model_metrics: dict[str, Any] = {}
    embeddings = None
    if encoder_part is not None:
        embeddings, model_metrics["encoder_held_out_loss"] = _train_embeddings(
            model, store, hits, labels, encoder_part, held_out, settings
        )
    features = pairs[list(SCORER_FEATURES)].to_numpy(np.float64)
    # The MLP extrapolates badly where training pairs are few: past these
    # bounds a feature counts as at the bound (Pfam's close homologs, far
    # above SCOPe40's 40%-identity pairs, ranked below weak cross-clan hits).
    low, high = np.quantile(
        features[train_rows], [1.0 - settings.feature_quantile, settings.feature_quantile], axis=0
    )
    features = np.clip(features, low, high)
    mean = features[train_rows].mean(0)
    scale = np.maximum(features[train_rows].std(0), 1e-6)
    logits_of = logits_function(model, embeddings, standardise(features, mean, scale), q, t)
    y = torch.as_tensor(np.nan_to_num(target), dtype=torch.float32)
    best_loss = _fit_head(model, logits_of, y, target, train_rows, valid_rows, settings)
    with torch.no_grad():
        logits = chunked(logits_of, calibration_rows).numpy()
    held_end = np.where(held_out[q], q, t)[calibration_rows]
    calibration, ece, reliability = _calibrate(
        logits, target[calibration_rows], held_end, settings.seed
    )
    model_metrics |= {
        "held_out_balanced_loss": best_loss,
        "held_out_ece": ece,
        "held_out_reliability": reliability.tolist(),
        "n_train_pairs": int(train_rows.size),
        "n_held_out_pairs": int(valid_rows.size),
        "n_calibration_pairs": int(calibration_rows.size),
    }
    cosine_calibration = None
    if embeddings is not None:
        cosine_calibration, model_metrics["held_out_cosine_ece"], _ = _cosine_calibration(
            model, embeddings, labels, held_out, settings.seed
        )
    metadata = CheckpointMetadata(
        model=description,
        alphabet=store.alphabet,
        features=tuple(SCORER_FEATURES),
        scaling=FeatureScaling(
            mean=tuple(mean.tolist()),
            scale=tuple(scale.tolist()),
            low=tuple(low.tolist()),
            high=tuple(high.tolist()),
        ),
        calibration=calibration,
        training_data_sha256=training_data_sha256(store, hits, labels),
        metrics=model_metrics,
        cosine_calibration=cosine_calibration,
        settings=_recorded_settings(settings),
    )
    return model.state_dict(), metadata


def _recorded_settings(settings: TrainSettings) -> dict[str, Any]:
    """The settings a checkpoint records; the region-consistency ones only
    when on, so that a model trained without them has the bytes it had
    before they existed (a checkpoint without them reads as 0)."""
    recorded = asdict(settings)
    for name in ("region_overlap", "widest_coverage"):
        if not recorded[name]:
            del recorded[name]
    return recorded


def _model_parts(
    labels: PairLabels, held_out: np.ndarray, settings: TrainSettings
) -> tuple[np.ndarray, np.ndarray | None, dict[str, Any]]:
    """Which sequences the pair head and (siamese kind) the encoder learn on,
    and the model description recorded in the checkpoint. The encoder's part
    is drawn from the groups outside the held-out part, the head gets the
    rest, so that it sees embeddings of sequences the encoder never saw."""
    description: dict[str, Any] = {"kind": settings.kind, "hidden": settings.hidden}
    if settings.kind != "siamese":
        return ~held_out, None, description
    rest = np.where(held_out, -1, labels.group)
    encoder_part = held_out_groups(rest, settings.encoder_fraction, settings.seed + 1)
    description |= {
        "encoder": asdict(settings.encoder),
        "n_classes": labels.n_top,
        "head_terms": settings.head_terms,
    }
    return ~held_out & ~encoder_part, encoder_part, description


def _labelled_candidates(
    store: SequenceStore,
    hits: pd.DataFrame,
    labels: PairLabels,
    held_out: np.ndarray,
    settings: TrainSettings,
    threads: int,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """The training set's candidate pairs (plus a pairs table's listed pairs),
    their indices and labels. Small sets: the held-out candidates may hold no
    non-homolog pair (unrelated sequences rarely have hits); random pairs,
    with no hit and no path, then supply some."""
    listed = _extra_pairs(labels)

    def labelled(
        extra: tuple[np.ndarray, np.ndarray] | None,
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
        pairs = candidate_pairs(
            hits, store, edge_evalue=settings.edge_evalue, top_k=settings.top_k,
            profile_evalue=settings.profile_evalue, region_overlap=settings.region_overlap,
            widest_coverage=settings.widest_coverage,
            extra_pairs=extra, threads=threads,
        )  # fmt: skip
        q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
        return pairs, q, t, labels(q, t)

    pairs, q, t, target = labelled(listed)
    if _both_classes(target, held_out[q] & held_out[t]):
        return pairs, q, t, target
    rng = np.random.default_rng(settings.seed)
    extra = rng.integers(0, store.n_sequences, size=(2, 20 * store.n_sequences))
    if listed is not None:
        extra = np.concatenate([extra, np.stack(listed)], axis=1)
    return labelled((extra[0], extra[1]))


def _train_embeddings(
    model: HomologyScorer,
    store: SequenceStore,
    hits: pd.DataFrame,
    labels: PairLabels,
    encoder_part: np.ndarray,
    held_out: np.ndarray,
    settings: TrainSettings,
) -> tuple[torch.Tensor, float]:
    """Train the siamese encoder into ``model``; the embeddings of every
    sequence and the encoder's held-out loss."""
    profile = None
    if settings.encoder.inputs == "profile":
        profile = default_profiles(store, hits, settings.profile_evalue)
    encoder, cosine, classes, encoder_loss = train_encoder(
        store, labels, encoder_part, held_out, settings.encoder, settings.seed, profile
    )
    model.encoder.load_state_dict(encoder.state_dict())
    model.cosine.load_state_dict(cosine.state_dict())
    if classes is not None and model.classes is not None:
        model.classes.load_state_dict(classes.state_dict())
    return torch.from_numpy(embed_sequences(model.encoder, store, profile)), encoder_loss


def _fit_head(
    model: HomologyScorer,
    logits_of: Callable[[np.ndarray], torch.Tensor],
    y: torch.Tensor,
    target: np.ndarray,
    train_rows: np.ndarray,
    valid_rows: np.ndarray,
    settings: TrainSettings,
) -> float:
    """Balanced batches, half the non-homologs drawn from those the model
    currently scores highest (hard-negative mining); early stopping on the
    held-out balanced loss. Leaves the best weights in ``model``."""
    head = model.head
    # Only the head learns here; the encoder's embeddings are fixed inputs.
    for parameter in model.parameters():
        parameter.requires_grad_(False)
    for parameter in head.parameters():
        parameter.requires_grad_(True)
    optimiser = torch.optim.AdamW(
        head.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    positives = train_rows[target[train_rows] == 1]
    negatives = train_rows[target[train_rows] == 0]
    hard = negatives
    generator = torch.Generator().manual_seed(settings.seed)
    half = settings.batch_size // 2
    n_hard = int(round(half * settings.hard_negative_fraction))
    best_loss, best_state, stale = np.inf, None, 0
    for epoch in range(settings.epochs):
        head.train()
        for _ in range(settings.batches_per_epoch):
            rows = np.concatenate([
                positives[torch.randint(positives.size, (half,), generator=generator)],
                negatives[torch.randint(negatives.size, (half - n_hard,), generator=generator)],
                hard[torch.randint(hard.size, (n_hard,), generator=generator)],
            ])  # fmt: skip
            loss = finite_loss(
                pair_loss(logits_of(rows), y[rows]), f"pair head (epoch {epoch + 1})"
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        head.eval()
        with torch.no_grad():
            valid_loss = balanced_loss(chunked(logits_of, valid_rows), y[valid_rows])
            if n_hard:
                # The hardest tenth of the non-homologs for the next epoch.
                scores = chunked(logits_of, negatives).numpy()
                cut = max(1, negatives.size // 10)
                hard = negatives[np.sort(np.argpartition(-scores, cut - 1)[:cut])]
        log.info("epoch %d: held-out balanced loss %.4f", epoch + 1, valid_loss)
        if valid_loss < best_loss - 1e-4:
            best_loss, stale = valid_loss, 0
            best_state = {k: v.detach().clone() for k, v in head.state_dict().items()}
        else:
            stale += 1
            if stale >= settings.patience:
                break
    if best_state is None:
        raise SeqsimError("pair head training diverged: its held-out loss was never finite")
    head.load_state_dict(best_state)
    head.eval()
    return float(best_loss)


def _calibrate(
    logits: np.ndarray, labels: np.ndarray, queries: np.ndarray, seed: int
) -> tuple[PlattCalibration, float, np.ndarray]:
    """Platt scaling fitted on the pairs of half the held-out ``queries`` (a
    sequence per pair); the expected calibration error and reliability bins
    measured on the other half."""
    halves = _query_halves(queries, seed)
    a, b = fit_platt(logits[halves], labels[halves])
    ece, table = expected_calibration_error(
        platt_probability(logits[~halves], a, b), labels[~halves]
    )
    return PlattCalibration(a=a, b=b), float(ece), table


def _cosine_calibration(
    model: HomologyScorer, embeddings: torch.Tensor, labels: PairLabels,
    held_out: np.ndarray, seed: int,
) -> tuple[PlattCalibration, float, np.ndarray]:  # fmt: skip
    """Calibration of the embedding-only (cosine) logits on held-out pairs:
    every labelled pair with a held-out end among up to 2,000 sequences
    drawn from the whole set (so at a whole set's base rate of homologs)."""
    members = np.random.default_rng(seed + 2).permutation(labels.n)[:2000]
    members = np.sort(members)
    rows, cols, y = batch_pairs(labels, members)
    held_row, held_col = held_out[members[rows]], held_out[members[cols]]
    keep = held_row | held_col
    rows, cols, y = rows[keep], cols[keep], y[keep]
    with torch.no_grad():
        logits = model.cosine(embeddings[members[rows]], embeddings[members[cols]], None).numpy()
    held_end = np.where(held_row[keep], members[rows], members[cols])
    return _calibrate(logits, y, held_end, seed)


def _query_halves(queries: np.ndarray, seed: int) -> np.ndarray:
    """A stable random half of the queries (True) for calibration."""
    unique = np.unique(queries)
    chosen = np.random.default_rng(seed + 1).permutation(unique)[: unique.size // 2]
    return np.isin(queries, chosen)
