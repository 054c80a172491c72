"""The homology scorer as one module, rebuilt from checkpoint metadata.

Two kinds:

- ``siamese``: a shared :class:`SequenceEncoder`; a :class:`PairHead` over
  terms of the two embeddings (cosine, the probability that both are in one
  class when the labels had classes, and with ``head_terms: full`` also
  |a - b| and a * b) plus the pair's alignment and graph features; a
  :class:`CosineHead` for the embedding-only mode;
- ``features``: an MLP over the pair features alone.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from seqsim.errors import InputError
from seqsim.scorer.encoder import SequenceEncoder
from seqsim.scorer.head import CosineHead, PairHead, embedding_terms, same_class_probability
from seqsim.scorer.seeding import seeded_torch

KINDS = ("siamese", "features")


class FeatureScorer(nn.Module):
    """An MLP over the standardised pair features -> logit of P(homolog)."""

    def __init__(self, n_features: int, hidden: int) -> None:
        super().__init__()
        self.mlp = nn.Sequential(
            nn.Linear(n_features, hidden), nn.GELU(),
            nn.Linear(hidden, hidden), nn.GELU(),
            nn.Linear(hidden, 1),
        )  # fmt: skip

    def forward(self, terms: torch.Tensor | None, features: torch.Tensor) -> torch.Tensor:
        return self.mlp(features).squeeze(-1)


class HomologyScorer(nn.Module):
    """``encoder``, ``cosine`` and ``classes`` (None without class labels)
    exist for the siamese kind only; ``head`` always."""

    def __init__(self, description: dict, n_codes: int, n_features: int) -> None:
        super().__init__()
        self.kind = description["kind"]
        hidden = int(description["hidden"])
        if self.kind == "siamese":
            encoder = description["encoder"]
            dim = int(encoder["output_dim"])
            self.encoder = SequenceEncoder(
                n_codes,
                embed_dim=int(encoder["embed_dim"]),
                channels=int(encoder["channels"]),
                kernel_size=int(encoder["kernel_size"]),
                dilations=tuple(int(d) for d in encoder["dilations"]),
                output_dim=dim,
            )
            self.cosine = CosineHead()
            n_classes = int(description["n_classes"])
            self.classes = nn.Linear(dim, n_classes) if n_classes else None
            self.full_terms = description["head_terms"] == "full"
            n_terms = 1 + (n_classes > 0) + (2 * dim if self.full_terms else 0)
            self.head: PairHead | FeatureScorer = PairHead(n_terms, n_features, hidden)
        elif self.kind == "features":
            self.head = FeatureScorer(n_features, hidden)
        else:
            raise ValueError(f"model kind must be one of {KINDS}, not {self.kind!r}")

    def pair_terms(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """The head's embedding terms of pairs of unit embeddings (symmetric)."""
        terms = [(a * b).sum(-1, keepdim=True)]
        if self.classes is not None:
            terms.append(same_class_probability(self.classes(a), self.classes(b)))
        if self.full_terms:
            terms.append(embedding_terms(a, b)[:, 1:])
        return torch.cat(terms, dim=-1)

    def pair_logits(
        self, a: torch.Tensor | None, b: torch.Tensor | None, features: torch.Tensor
    ) -> torch.Tensor:
        """Logits of P(homolog) from the pairs' embeddings (None for the
        features kind) and standardised features."""
        if self.kind == "features" or a is None or b is None:
            return self.head(None, features)
        terms = self.pair_terms(a, b)
        return self.head(terms, features)


def scorer_from_checkpoint(
    state: dict[str, torch.Tensor], metadata: dict[str, Any], n_codes: int, source: str
) -> HomologyScorer:
    """The model a checkpoint describes, with its weights; InputError naming
    ``source`` when the weights do not fit that model."""
    try:
        # The initial weights are overwritten: draw them without touching
        # the caller's random state.
        with seeded_torch(None):
            model = HomologyScorer(metadata["model"], n_codes, len(metadata["features"]))
        model.load_state_dict(state, strict=True)
    except (KeyError, TypeError, ValueError, RuntimeError) as error:
        raise InputError(source, f"weights do not fit the model they describe ({error})") from None
    model.eval()
    return model
