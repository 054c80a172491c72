"""Training the Siamese encoder: one shared encoder embeds every sequence of a
batch, and every labelled pair within the batch is a training pair for the
cosine head (so a batch of B sequences trains on up to B^2/2 pairs).

A batch holds sampled homolog pairs (anchor and partner) plus random
sequences, which supply the non-homologs. When the labels have a class
level (SCOP class), a linear layer also learns each sequence's class from
its embedding: superfamilies do not carry over to unseen folds, but the
traits of a class (secondary-structure content) partly do.

The encoder reads each position's profile column (``inputs="profile"``,
the default: the set's own hits say which residues its homologs put there)
or a learned embedding of the residue (``inputs="residues"``, the only kind
before 2026-12-04, whose embeddings rank at chance on unseen folds).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from seqsim.errors import ConfigError, SeqsimError
from seqsim.scorer.embedding import encode
from seqsim.scorer.encoder import ENCODER_INPUTS, SequenceEncoder
from seqsim.scorer.head import CosineHead
from seqsim.scorer.labels import PairLabels
from seqsim.scorer.loss import finite_loss, pair_loss
from seqsim.scorer.seeding import seeded_torch, torch_threads
from seqsim.sequences.store import SequenceStore

log = logging.getLogger("seqsim")


@dataclass(frozen=True)
class EncoderSettings:
    inputs: str = "profile"
    embed_dim: int = 32
    channels: int = 64
    kernel_size: int = 5
    dilations: tuple[int, ...] = (1, 2, 4, 8)
    output_dim: int = 64
    steps: int = 600
    homolog_pairs_per_batch: int = 32
    random_per_batch: int = 64
    crop: int = 256
    learning_rate: float = 2e-3
    weight_decay: float = 1e-4
    check_every: int = 50

    def encoder(self, n_codes: int) -> SequenceEncoder:
        """The encoder these settings describe (profile columns: one per store code)."""
        if self.inputs not in ENCODER_INPUTS:
            raise ConfigError(
                f"encoder inputs must be one of {ENCODER_INPUTS}, not {self.inputs!r}"
            )
        return SequenceEncoder(
            n_codes, embed_dim=self.embed_dim, channels=self.channels,
            kernel_size=self.kernel_size, dilations=tuple(self.dilations),
            output_dim=self.output_dim,
            profile_columns=n_codes if self.inputs == "profile" else 0,
        )  # fmt: skip


def batch_pairs(
    labels: PairLabels, members: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row, column and label of every labelled pair (row < column) among a
    batch's ``members`` (store indices; repeats are skipped)."""
    i, j = np.triu_indices(members.size, k=1)
    y = labels(members[i], members[j])
    keep = ~np.isnan(y) & (members[i] != members[j])
    return i[keep], j[keep], y[keep]


def batch_loss(
    modules: tuple[SequenceEncoder, CosineHead, nn.Linear | None],
    store: SequenceStore, profile: np.ndarray | None, labels: PairLabels, members: np.ndarray,
    crop: int, rng: np.random.Generator | None, *, balanced: bool = False,
) -> torch.Tensor:  # fmt: skip
    """Pair loss of every labelled pair among ``members`` (positives weighted
    to balance, or the balanced mean), plus the class loss when classes are learnt."""
    encoder, cosine, classes = modules
    rows, cols, y = batch_pairs(labels, members)
    embedded = encode(encoder, store, members, profile, crop=crop, rng=rng)
    logits = cosine(embedded[rows], embedded[cols], None)
    target = torch.as_tensor(y, dtype=torch.float32)
    if balanced:
        loss = torch.tensor(balanced_loss(logits, target))
    else:
        n_pos = max(float(y.sum()), 1.0)
        loss = pair_loss(logits, target, positive_weight=(y.size - n_pos) / n_pos)
    if classes is not None and labels.top is not None:
        known = labels.top[members] >= 0
        if known.any():
            class_target = torch.from_numpy(labels.top[members][known])
            loss = loss + F.cross_entropy(classes(embedded[torch.from_numpy(known)]), class_target)
    return loss


def train_encoder(
    store: SequenceStore,
    labels: PairLabels,
    fit: np.ndarray,
    check: np.ndarray,
    settings: EncoderSettings,
    seed: int,
    profile: np.ndarray | None = None,
) -> tuple[SequenceEncoder, CosineHead, nn.Linear | None, float]:
    """Train on pairs among the ``fit`` sequences (bool mask); keep the weights
    with the lowest loss on the ``check`` sequences (balanced pair loss, plus
    the class loss). Returns (encoder, cosine head, class layer or None, that loss).
    ``profile`` (:func:`seqsim.scorer.profiles.build_profiles` of ``store``)
    is needed for profile inputs.

    ``seed`` draws the initial weights (leaving the caller's torch random
    state as it was) and the batches."""
    rng = np.random.default_rng(seed)
    with seeded_torch(seed):
        encoder = settings.encoder(_n_codes(store))
        head = CosineHead()
        classes = nn.Linear(settings.output_dim, labels.n_top) if labels.n_top else None
    modules = (encoder, head, classes)
    parameters = [p for m in modules if m is not None for p in m.parameters()]
    optimiser = torch.optim.AdamW(
        parameters, lr=settings.learning_rate, weight_decay=settings.weight_decay
    )
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=settings.learning_rate, total_steps=settings.steps
    )
    first, second = labels.positive_pairs(fit)
    if first.size == 0:
        raise ConfigError("the encoder's part of the training set has no homolog pairs")
    fit_members = np.flatnonzero(fit & (labels.group >= 0))
    check_members = _check_sample(labels, check, rng)
    best: tuple[float, list[dict[str, torch.Tensor]] | None] = (np.inf, None)
    # One torch thread: with two, the backward passes' sums came out in a
    # varying order and two runs gave different weights (the last bits;
    # not faster either on the example: 16.7 s against 19.4 s).
    with torch_threads(1):
        for step in range(settings.steps):
            _set_mode(modules, train=True)
            pick = rng.integers(0, first.size, settings.homolog_pairs_per_batch)
            n_random = min(settings.random_per_batch, fit_members.size)
            members = np.unique(np.concatenate([
                first[pick], second[pick], rng.choice(fit_members, n_random, replace=False),
            ]))  # fmt: skip
            loss = batch_loss(modules, store, profile, labels, members, settings.crop, rng)
            finite_loss(loss, f"encoder (step {step + 1})")
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            scheduler.step()
            if (step + 1) % settings.check_every == 0 or step + 1 == settings.steps:
                _set_mode(modules, train=False)
                with torch.no_grad():
                    value = float(batch_loss(
                        modules, store, profile, labels, check_members, settings.crop, None,
                        balanced=True,
                    ))  # fmt: skip
                log.info("encoder step %d/%d: held-out loss %.4f", step + 1, settings.steps, value)
                if value < best[0]:
                    best = (value, _copy(*(m for m in modules if m is not None)))
    if best[1] is None:
        raise SeqsimError("encoder training diverged: its held-out loss was never finite")
    for module, state in zip((m for m in modules if m is not None), best[1], strict=True):
        module.load_state_dict(state)
    _set_mode(modules, train=False)
    return encoder, head, classes, float(best[0])


def _set_mode(modules: Iterable[nn.Module | None], *, train: bool) -> None:
    for module in modules:
        if module is not None:
            module.train(train)


def _n_codes(store: SequenceStore) -> int:
    from seqsim.sequences.alphabet import get_alphabet

    return get_alphabet(store.alphabet).size


def _check_sample(labels: PairLabels, check: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Up to 400 held-out sequences, half of them from homolog pairs, so that
    the check has homologs as well as non-homologs."""
    first, second = labels.positive_pairs(check)
    members = np.flatnonzero(check & (labels.group >= 0))
    chosen = [members[rng.permutation(members.size)[:200]]]
    if first.size:
        pick = rng.permutation(first.size)[:100]
        chosen += [first[pick], second[pick]]
    return np.unique(np.concatenate(chosen))


def _copy(*modules: torch.nn.Module) -> list[dict[str, torch.Tensor]]:
    return [{k: v.detach().clone() for k, v in m.state_dict().items()} for m in modules]


def balanced_loss(logits: torch.Tensor, labels: torch.Tensor) -> float:
    """Mean of the homolog pairs' and the non-homolog pairs' cross-entropies."""
    positive = labels > 0.5
    if positive.all() or not positive.any():
        return float(pair_loss(logits, labels))
    return 0.5 * float(pair_loss(logits[positive], labels[positive])) + 0.5 * float(
        pair_loss(logits[~positive], labels[~positive])
    )
