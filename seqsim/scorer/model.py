"""The homology scorer as one module, rebuilt from checkpoint metadata.

Two kinds:

- ``siamese``: a shared :class:`SequenceEncoder` (over profile columns or
  residues); a :class:`PairHead` over terms of the two embeddings (cosine,
  the probability that both are in one class when the labels had classes,
  and with ``head_terms: full`` also |a - b| and a * b) plus the pair's
  alignment and graph features; a :class:`CosineHead` for the
  embedding-only mode;
- ``features``: an MLP over the pair features alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
from torch import nn

from seqsim.errors import InputError
from seqsim.scorer.checkpoint import CheckpointMetadata
from seqsim.scorer.encoder import ENCODER_INPUTS, SequenceEncoder
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

    def __init__(self, description: Mapping[str, Any], n_codes: int, n_features: int) -> None:
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
                profile_columns=n_codes if encoder.get("inputs") == "profile" else 0,
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


# Bounds on a checkpoint's hyperparameters, far above any model seqsim trains.
MAX_WIDTH = 65_536
MAX_LAYERS = 64
MAX_CLASSES = 1_000_000


def description_problem(description: Mapping[str, Any]) -> str | None:
    """What is wrong with a checkpoint's model description (None: nothing)."""

    def width(value: Any, low: int = 1, high: int = MAX_WIDTH) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high

    if description.get("kind") not in KINDS:
        return f"'model.kind' must be one of {KINDS}"
    if not width(description.get("hidden")):
        return f"'model.hidden' must be an integer from 1 to {MAX_WIDTH:,}"
    if description["kind"] == "features":
        return None
    encoder = description.get("encoder")
    if not isinstance(encoder, dict):
        return "'model.encoder' is missing"
    for key in ("embed_dim", "channels", "kernel_size", "output_dim"):
        if not width(encoder.get(key)):
            return f"'model.encoder.{key}' must be an integer from 1 to {MAX_WIDTH:,}"
    if encoder.get("inputs", "residues") not in ENCODER_INPUTS:
        return f"'model.encoder.inputs' must be one of {ENCODER_INPUTS}"
    dilations = encoder.get("dilations")
    if not (isinstance(dilations, (list, tuple)) and 0 < len(dilations) <= MAX_LAYERS):
        return f"'model.encoder.dilations' must list 1 to {MAX_LAYERS} dilations"
    if not all(width(d) for d in dilations):
        return f"'model.encoder.dilations' must be integers from 1 to {MAX_WIDTH:,}"
    if not width(description.get("n_classes"), 0, MAX_CLASSES):
        return f"'model.n_classes' must be an integer from 0 to {MAX_CLASSES:,}"
    if description.get("head_terms") not in ("summary", "full"):
        return "'model.head_terms' must be summary or full"
    return None


def scorer_from_checkpoint(
    state: dict[str, torch.Tensor], metadata: CheckpointMetadata, n_codes: int, source: str
) -> HomologyScorer:
    """The model a checkpoint describes, with its weights; InputError naming
    ``source`` when the description is out of bounds or the weights do not
    fit it. The shapes are compared on a model without storage ("meta"
    device), so a description of a huge model allocates nothing."""
    description = metadata.model
    problem = description_problem(description)
    if problem:
        raise InputError(source, f"checkpoint metadata field {problem}")
    n_features = len(metadata.features)
    with torch.device("meta"):
        expected = HomologyScorer(description, n_codes, n_features).state_dict()
    for name in sorted(set(expected) | set(state)):
        if name not in state:
            raise InputError(source, f"checkpoint tensor {name!r} is missing")
        if name not in expected:
            raise InputError(source, f"checkpoint tensor {name!r} is not part of the model")
        if expected[name].shape != state[name].shape:
            raise InputError(
                source,
                f"checkpoint tensor {name!r} has shape {tuple(state[name].shape)}; "
                f"the model it describes needs {tuple(expected[name].shape)}",
            )
    # The initial weights are overwritten: draw them without touching the
    # caller's random state.
    with seeded_torch(None):
        model = HomologyScorer(description, n_codes, n_features)
    model.load_state_dict(state, strict=True)
    model.eval()
    return model
