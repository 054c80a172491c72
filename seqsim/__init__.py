"""seqsim: all-vs-all sequence similarity, clusters and distance matrices.

The public API, imported lazily so that ``import seqsim`` stays fast::

    >>> import seqsim
    >>> seqsim.scoring_scheme("protein").label
    'BLOSUM62 gap -12/-1'
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS = {
    "ingest_fasta": "seqsim.ingest",
    "SequenceStore": "seqsim.store",
    "read_store": "seqsim.store",
    "write_store": "seqsim.store",
    "simulate_families": "seqsim.simulate",
    "SimulationParams": "seqsim.simulate",
    "ScoringScheme": "seqsim.scoring",
    "scoring_scheme": "seqsim.scoring",
    "align": "seqsim.align",
    "local_score": "seqsim.align",
    "global_score": "seqsim.align",
    "Alignment": "seqsim.align",
    "BatchAligner": "seqsim.batch",
    "HitFilter": "seqsim.hits",
    "search_hits": "seqsim.hits",
    "KmerIndex": "seqsim.prefilter",
    "KmerPrefilterSettings": "seqsim.prefilter",
    "karlin_altschul": "seqsim.statistics",
    "evalue": "seqsim.statistics",
    "bit_score": "seqsim.statistics",
    "count_kmers": "seqsim.features",
    "score_pairs": "seqsim.features",
    "sketch_store": "seqsim.sketch",
    "pairwise_mash": "seqsim.sketch",
    "mash_distance": "seqsim.sketch",
    "similarity_matrix": "seqsim.similarity",
    "assign_clusters": "seqsim.cluster",
    "sensitivity_to_first_fp": "seqsim.evaluate",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'seqsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
