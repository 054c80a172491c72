"""The learned homology scorer: a shared-weight sequence encoder, a pair head
that combines embedding similarity with alignment and hit-graph features, its
loss, safe checkpoints and probability calibration, each in its own module.

The calls a user needs (imported lazily: ``import seqsim.scorer`` does not
load torch until one is used)::

    scorer = seqsim.scorer.train("train.fasta", labels="labels.tsv")
    scorer.save("model.safetensors")
    scorer = seqsim.scorer.load("model.safetensors")
    pairs = seqsim.scorer.score(scorer, "set.fasta")
    vectors = seqsim.scorer.embed(scorer, "set.fasta")  # siamese kind
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seqsim.scorer.api import (
        Scorer as Scorer,
        embed as embed,
        embedding_neighbours as embedding_neighbours,
        load as load,
        score as score,
        train as train,
    )
    from seqsim.scorer.training import TrainSettings as TrainSettings

_EXPORTS = {
    "Scorer": "seqsim.scorer.api",
    "train": "seqsim.scorer.api",
    "load": "seqsim.scorer.api",
    "score": "seqsim.scorer.api",
    "embed": "seqsim.scorer.api",
    "embedding_neighbours": "seqsim.scorer.api",
    "TrainSettings": "seqsim.scorer.training",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'seqsim.scorer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
