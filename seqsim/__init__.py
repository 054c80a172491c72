"""seqsim: all-vs-all sequence similarity, clusters and distance matrices.

The public API, imported lazily so that ``import seqsim`` stays fast (the
``TYPE_CHECKING`` imports give type checkers the real types)::

    >>> import seqsim
    >>> seqsim.scoring_scheme("protein").label
    'BLOSUM62 gap -12/-1'

The stages, one subpackage each: :mod:`seqsim.sequences` (FASTA in, the
store), :mod:`seqsim.alignment` (scoring, pairwise and batch alignment,
statistics), :mod:`seqsim.search_engine` (prefilters, hits, BLAST tabular),
:mod:`seqsim.kmers` (profiles, pair features, sketches), :mod:`seqsim.matrix`
(similarity, distances, trees), :mod:`seqsim.clusters` (clustering methods,
per-member table), :mod:`seqsim.scorer` (the learned
homology scorer), :mod:`seqsim.validation` (simulator, evaluation, data sets);
numba kernels live in :mod:`seqsim.kernels`, the command line in :mod:`seqsim.cli`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seqsim import scorer as scorer
    from seqsim.alignment.batch import BatchAligner as BatchAligner
    from seqsim.alignment.pairwise import (
        Alignment as Alignment,
        align as align,
        global_score as global_score,
        local_score as local_score,
    )
    from seqsim.alignment.scoring import (
        ScoringScheme as ScoringScheme,
        scoring_scheme as scoring_scheme,
    )
    from seqsim.alignment.statistics import (
        KarlinAltschul as KarlinAltschul,
        bit_score as bit_score,
        evalue as evalue,
        karlin_altschul as karlin_altschul,
    )
    from seqsim.clusters.methods import (
        assign_clusters as assign_clusters,
        cluster_table as cluster_table,
    )
    from seqsim.kmers.pairs import score_pairs as score_pairs
    from seqsim.kmers.profiles import KmerProfiles as KmerProfiles, count_kmers as count_kmers
    from seqsim.kmers.sketch import (
        Sketches as Sketches,
        mash_distance as mash_distance,
        pairwise_mash as pairwise_mash,
        sketch_store as sketch_store,
    )
    from seqsim.matrix.distances import pair_distances as pair_distances
    from seqsim.matrix.names import safe_names as safe_names
    from seqsim.matrix.similarity import similarity_matrix as similarity_matrix
    from seqsim.matrix.trees import nj_newick as nj_newick, upgma_newick as upgma_newick
    from seqsim.search_engine.api import SearchOptions as SearchOptions, search as search
    from seqsim.search_engine.engine import HitFilter as HitFilter, search_hits as search_hits
    from seqsim.search_engine.prefilter import (
        KmerIndex as KmerIndex,
        KmerPrefilterSettings as KmerPrefilterSettings,
    )
    from seqsim.search_engine.tabular import blast_table as blast_table
    from seqsim.sequences.alphabet import Alphabet as Alphabet, get_alphabet as get_alphabet
    from seqsim.sequences.ingest import (
        IngestResult as IngestResult,
        ingest_fasta as ingest_fasta,
        ingest_records as ingest_records,
    )
    from seqsim.sequences.load import read_sequences as read_sequences
    from seqsim.sequences.store import (
        SequenceStore as SequenceStore,
        read_store as read_store,
        write_store as write_store,
    )
    from seqsim.validation.evaluate import sensitivity_to_first_fp as sensitivity_to_first_fp
    from seqsim.validation.simulate import (
        SimulationParams as SimulationParams,
        simulate_families as simulate_families,
    )

__version__ = "0.1.0"

# Public name -> module that defines it.
_EXPORTS = {
    # sequences
    "ingest_fasta": "seqsim.sequences.ingest",
    "ingest_records": "seqsim.sequences.ingest",
    "IngestResult": "seqsim.sequences.ingest",
    "read_sequences": "seqsim.sequences.load",
    "SequenceStore": "seqsim.sequences.store",
    "read_store": "seqsim.sequences.store",
    "write_store": "seqsim.sequences.store",
    "Alphabet": "seqsim.sequences.alphabet",
    "get_alphabet": "seqsim.sequences.alphabet",
    # alignment
    "ScoringScheme": "seqsim.alignment.scoring",
    "scoring_scheme": "seqsim.alignment.scoring",
    "align": "seqsim.alignment.pairwise",
    "local_score": "seqsim.alignment.pairwise",
    "global_score": "seqsim.alignment.pairwise",
    "Alignment": "seqsim.alignment.pairwise",
    "BatchAligner": "seqsim.alignment.batch",
    "KarlinAltschul": "seqsim.alignment.statistics",
    "karlin_altschul": "seqsim.alignment.statistics",
    "evalue": "seqsim.alignment.statistics",
    "bit_score": "seqsim.alignment.statistics",
    # search
    "search": "seqsim.search_engine.api",
    "SearchOptions": "seqsim.search_engine.api",
    "HitFilter": "seqsim.search_engine.engine",
    "search_hits": "seqsim.search_engine.engine",
    "blast_table": "seqsim.search_engine.tabular",
    "KmerIndex": "seqsim.search_engine.prefilter",
    "KmerPrefilterSettings": "seqsim.search_engine.prefilter",
    # k-mers
    "KmerProfiles": "seqsim.kmers.profiles",
    "count_kmers": "seqsim.kmers.profiles",
    "score_pairs": "seqsim.kmers.pairs",
    "Sketches": "seqsim.kmers.sketch",
    "sketch_store": "seqsim.kmers.sketch",
    "pairwise_mash": "seqsim.kmers.sketch",
    "mash_distance": "seqsim.kmers.sketch",
    # matrix
    "similarity_matrix": "seqsim.matrix.similarity",
    "upgma_newick": "seqsim.matrix.trees",
    "nj_newick": "seqsim.matrix.trees",
    "safe_names": "seqsim.matrix.names",
    "pair_distances": "seqsim.matrix.distances",
    # clusters
    "assign_clusters": "seqsim.clusters.methods",
    "cluster_table": "seqsim.clusters.methods",
    # validation
    "simulate_families": "seqsim.validation.simulate",
    "SimulationParams": "seqsim.validation.simulate",
    "sensitivity_to_first_fp": "seqsim.validation.evaluate",
}

# Subpackages reachable as attributes without importing them first
# (``seqsim.scorer.train(...)``).
_SUBPACKAGES = ("scorer",)

__all__ = ["__version__", *_EXPORTS, *_SUBPACKAGES]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    if name in _SUBPACKAGES:
        return importlib.import_module(f"seqsim.{name}")
    raise AttributeError(f"module 'seqsim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
