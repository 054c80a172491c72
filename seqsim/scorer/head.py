"""Pair heads: two embeddings (+ the pair's alignment and k-mer features) ->
one logit of P(homolog)."""

from __future__ import annotations

import torch
from torch import nn


def embedding_terms(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """[cos(a, b), |a - b|, a * b] for unit vectors a, b: symmetric in a and b."""
    return torch.cat([(a * b).sum(-1, keepdim=True), (a - b).abs(), a * b], dim=-1)


def same_class_probability(
    class_logits_a: torch.Tensor, class_logits_b: torch.Tensor
) -> torch.Tensor:
    """P(two sequences share a class) from their class logits: sum_c p_a(c) p_b(c)."""
    return (class_logits_a.softmax(-1) * class_logits_b.softmax(-1)).sum(-1, keepdim=True)


class PairHead(nn.Module):
    """MLP over ``n_terms`` embedding terms of a pair (e.g. those of
    :func:`embedding_terms`) and ``n_features`` standardised pair features."""

    def __init__(self, n_terms: int, n_features: int, hidden: int = 64) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(n_terms + n_features, hidden),
            nn.GELU(),
            nn.Linear(hidden, hidden),
            nn.GELU(),
            nn.Linear(hidden, 1),
        )

    def forward(self, terms: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return self.mlp(torch.cat([terms, features], dim=-1)).squeeze(-1)


class CosineHead(nn.Module):
    """Embedding-only scoring: logit = scale * cos(a, b) + bias. Pairs of many
    sequences then score as one matrix product of their embeddings."""

    def __init__(self) -> None:
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(10.0))
        self.bias = nn.Parameter(torch.tensor(-5.0))

    def forward(self, a: torch.Tensor, b: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return self.of_cosine((a * b).sum(-1))

    def of_cosine(self, cosine: torch.Tensor) -> torch.Tensor:
        """The logit of precomputed cosines (a blocked matrix product's)."""
        return self.scale * cosine + self.bias
