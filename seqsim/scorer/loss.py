"""Losses of the pair scorer."""

from __future__ import annotations

import torch
from torch.nn import functional as F


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
