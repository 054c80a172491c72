"""Training the pair scorer on labelled sequences, and scoring with it.

Training pairs are the candidate pairs of the training set's own all-vs-all
(:func:`seqsim.scorer.features.candidate_pairs`), labelled from the SCOP-style
hierarchy: same ``level`` group = homolog, different fold = not, the pairs in
between left out. A part of the training set, disjoint from the rest at the
superfamily level, is held out for early stopping and calibration.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch
from torch import nn

from seqsim.errors import ConfigError
from seqsim.evaluate import scop_levels
from seqsim.scorer.calibration import expected_calibration_error, fit_platt, platt_probability
from seqsim.scorer.checkpoint import load_checkpoint
from seqsim.scorer.features import PAIR_FEATURES, candidate_pairs, pair_labels
from seqsim.scorer.loss import pair_loss
from seqsim.store import SequenceStore

log = logging.getLogger("seqsim")


@dataclass(frozen=True)
class TrainSettings:
    """What to learn (``level``) and how."""

    level: str = "superfamily"
    hidden: int = 64
    epochs: int = 30
    batch_size: int = 1024
    batches_per_epoch: int = 200
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    patience: int = 5
    validation_fraction: float = 0.2
    seed: int = 1
    edge_evalue: float = 1.0
    top_k: int = 100


class FeatureScorer(nn.Module):
    """An MLP over the standardised pair features -> logit of P(homolog)."""

    def __init__(self, n_features: int, hidden: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(n_features, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )  # fmt: skip

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.mlp(features).squeeze(-1)


def held_out_superfamilies(
    ids: list[str], levels: pd.DataFrame, fraction: float, seed: int
) -> np.ndarray:
    """Boolean mask of the sequences whose superfamily is held out (about
    ``fraction`` of the superfamilies, drawn with ``seed``); unlabelled
    sequences stay in training."""
    superfamily = levels.reindex(ids)["superfamily"]
    names = np.array(sorted(superfamily.dropna().unique()))
    rng = np.random.default_rng(seed)
    chosen = set(rng.choice(names, size=int(round(fraction * names.size)), replace=False))
    return superfamily.isin(chosen).to_numpy()


def _standardise(features: np.ndarray, mean: np.ndarray, scale: np.ndarray) -> torch.Tensor:
    return torch.as_tensor((features - mean) / scale, dtype=torch.float32)


def training_data_sha256(store: SequenceStore, hits: pd.DataFrame, labels: pd.DataFrame) -> str:
    digest = hashlib.sha256(store.codes_sha256().encode())
    digest.update(pd.util.hash_pandas_object(hits[["query", "target", "raw"]], index=False).values)
    digest.update(pd.util.hash_pandas_object(labels.astype(str), index=False).values)
    return digest.hexdigest()


def train_scorer(
    store: SequenceStore,
    hits: pd.DataFrame,
    labels: pd.DataFrame,
    settings: TrainSettings = TrainSettings(),
) -> tuple[dict[str, torch.Tensor], dict]:
    """Train on ``store``'s all-vs-all ``hits`` (from :func:`seqsim.hits.search_hits`)
    and SCOP-style ``labels``; return (state dict, checkpoint metadata)."""
    torch.manual_seed(settings.seed)
    torch.use_deterministic_algorithms(True)
    levels = scop_levels(labels)
    pairs = candidate_pairs(
        hits, store.lengths, edge_evalue=settings.edge_evalue, top_k=settings.top_k
    )
    target = pair_labels(pairs, levels, store.ids, settings.level)
    held_out = held_out_superfamilies(
        store.ids, levels, settings.validation_fraction, settings.seed
    )
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    known = ~np.isnan(target)
    train_rows = np.flatnonzero(known & ~held_out[q] & ~held_out[t])
    valid_rows = np.flatnonzero(known & held_out[q] & held_out[t])
    if min(np.sum(target[train_rows] == 1), np.sum(target[train_rows] == 0)) == 0:
        raise ConfigError("the training pairs need both homologs and non-homologs")
    features = pairs[list(PAIR_FEATURES)].to_numpy(np.float64)
    mean = features[train_rows].mean(0)
    scale = np.maximum(features[train_rows].std(0), 1e-6)
    x = _standardise(features, mean, scale)
    y = torch.as_tensor(np.nan_to_num(target), dtype=torch.float32)
    model = FeatureScorer(len(PAIR_FEATURES), settings.hidden)
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    positives = train_rows[target[train_rows] == 1]
    negatives = train_rows[target[train_rows] == 0]
    generator = torch.Generator().manual_seed(settings.seed)
    half = settings.batch_size // 2
    best_loss, best_state, stale = np.inf, None, 0
    for epoch in range(settings.epochs):
        model.train()
        for _ in range(settings.batches_per_epoch):
            # Balanced batches: as many homolog pairs as non-homolog pairs.
            pick_pos = positives[torch.randint(positives.size, (half,), generator=generator)]
            pick_neg = negatives[torch.randint(negatives.size, (half,), generator=generator)]
            rows = np.concatenate([pick_pos, pick_neg])
            loss = pair_loss(model(x[rows]), y[rows])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        model.eval()
        with torch.no_grad():
            valid_loss = _balanced_loss(model(x[valid_rows]), y[valid_rows])
        log.info("epoch %d: held-out balanced loss %.4f", epoch + 1, valid_loss)
        if valid_loss < best_loss - 1e-4:
            best_loss, stale = valid_loss, 0
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
        else:
            stale += 1
            if stale >= settings.patience:
                break
    model.load_state_dict(best_state)
    with torch.no_grad():
        logits = model(x[valid_rows]).numpy()
    valid_labels = target[valid_rows]
    # Calibrate on half the held-out superfamilies, measure on the other half.
    halves = _query_halves(q[valid_rows], settings.seed)
    a, b = fit_platt(logits[halves], valid_labels[halves])
    ece, _ = expected_calibration_error(
        platt_probability(logits[~halves], a, b), valid_labels[~halves]
    )
    metadata = {
        "model": {"kind": "features", "hidden": settings.hidden},
        "alphabet": store.alphabet,
        "features": list(PAIR_FEATURES),
        "feature_mean": mean.tolist(),
        "feature_scale": scale.tolist(),
        "calibration": {"method": "platt", "a": a, "b": b},
        "training_data_sha256": training_data_sha256(store, hits, labels),
        "metrics": {
            "held_out_balanced_loss": float(best_loss),
            "held_out_ece": float(ece),
            "n_train_pairs": int(train_rows.size),
            "n_held_out_pairs": int(valid_rows.size),
        },
        "settings": asdict(settings),
    }
    return model.state_dict(), metadata


def _balanced_loss(logits: torch.Tensor, labels: torch.Tensor) -> float:
    positive = labels > 0.5
    if positive.all() or not positive.any():
        return float(pair_loss(logits, labels))
    return 0.5 * float(pair_loss(logits[positive], labels[positive])) + 0.5 * float(
        pair_loss(logits[~positive], labels[~positive])
    )


def _query_halves(queries: np.ndarray, seed: int) -> np.ndarray:
    """A stable random half of the queries (True) for calibration."""
    unique = np.unique(queries)
    chosen = np.random.default_rng(seed + 1).permutation(unique)[: unique.size // 2]
    return np.isin(queries, chosen)


def score_candidates(
    checkpoint: str | os.PathLike[str], store: SequenceStore, hits: pd.DataFrame
) -> pd.DataFrame:
    """Candidate pairs of ``store``'s all-vs-all with the model's ``logit`` and
    calibrated ``probability``."""
    state, metadata = load_checkpoint(checkpoint)
    if metadata["model"].get("kind") != "features" or metadata["features"] != list(PAIR_FEATURES):
        raise ConfigError(f"{checkpoint}: a model of another kind or feature set")
    if metadata["alphabet"] != store.alphabet:
        raise ConfigError(
            f"{checkpoint}: trained on {metadata['alphabet']}, not {store.alphabet} sequences"
        )
    model = FeatureScorer(len(PAIR_FEATURES), int(metadata["model"]["hidden"]))
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as error:
        raise ConfigError(f"{checkpoint}: weights do not fit the model ({error})") from None
    model.eval()
    settings = metadata.get("settings", {})
    pairs = candidate_pairs(
        hits, store.lengths,
        edge_evalue=settings.get("edge_evalue", 1.0), top_k=settings.get("top_k", 100),
    )  # fmt: skip
    features = pairs[list(PAIR_FEATURES)].to_numpy(np.float64)
    x = _standardise(
        features, np.array(metadata["feature_mean"]), np.array(metadata["feature_scale"])
    )
    with torch.no_grad():
        logits = model(x).numpy().astype(np.float64)
    calibration = metadata["calibration"]
    return pairs.assign(
        logit=logits,
        probability=platt_probability(logits, calibration["a"], calibration["b"]),
    )
