"""Losses of the pair scorer."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from seqsim.errors import SeqsimError


def pair_loss(
    logits: torch.Tensor, labels: torch.Tensor, positive_weight: float = 1.0
) -> torch.Tensor:
    """Mean binary cross-entropy of pair logits against 0/1 labels, positives
    weighted by ``positive_weight`` (to balance rare homolog pairs).

    >>> round(float(pair_loss(torch.tensor([0.0]), torch.tensor([1.0]))), 4)  # ln 2
    0.6931
    """
    weight = torch.where(labels > 0.5, positive_weight, 1.0)
    return F.binary_cross_entropy_with_logits(logits, labels, weight=weight)


def finite_loss(loss: torch.Tensor, stage: str) -> torch.Tensor:
    """``loss``, or SeqsimError when it is not finite: training has diverged,
    and stopping here means no checkpoint is written."""
    if not bool(torch.isfinite(loss)):
        raise SeqsimError(
            f"{stage} training diverged: its loss became {loss.item()} "
            "(try a lower learning rate); no model was written"
        )
    return loss
