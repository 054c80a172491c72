"""The pipeline's file layout: where each stage writes under ``results/`` and
logs under ``logs/``.

The Snakemake rules (``workflow/rules/*.smk``) name their outputs from here,
and :mod:`seqsim.runs` finds a finished run's store, hits and scorer with the
same names. Paths are relative to the results folder (a finished run may sit
anywhere); :func:`result` puts one under the workflow's ``results/``. Patterns
keep Snakemake's wildcards (``{block}``, ``{target}``): the search's tiles are
query block x target block of the all-vs-all's upper triangle, the k-mer
pairs' blocks are blocks of query rows. This module imports nothing, so the
workflow reads it before any job starts.

>>> result(SEARCH_HITS.format(block=0, target=1))
'results/search/hits_tile_0_1.parquet'
"""

from __future__ import annotations

RESULTS = "results"
LOGS = "logs"
# Per-job timings (Snakemake `benchmark:`): under logs/, not results/, whose
# bytes are reproducible and these are not.
BENCHMARKS = f"{LOGS}/benchmarks"

# One search job's and one k-mer pairs job's part of the all-vs-all.
TILE = "tile_{block}_{target}"
BLOCK = "block_{block}"

# ingest: the sequence store (seqsim.sequences.store), its summary, the rejected records.
STORE = "store"
STORE_FILES = ("codes.npy", "offsets.npy", "records.parquet", "copies.parquet", "store.json")
INGEST_SUMMARY = f"{STORE}/ingest.json"
REJECTED = "rejected.tsv"
# fetch_scope: SCOPe's sequences and their labels, when they are the inputs.
SCOPE_FASTA = "scope/scope.fasta"
SCOPE_LABELS = "scope/labels.tsv"

# k-mers: the profiles and each block's pair table.
KMER_PROFILES = "kmers/profiles.npz"
KMER_PAIRS = f"kmers/pairs_{BLOCK}.parquet"

# search: each tile's hits and alignment pair table, and all hits as BLAST tabular.
SEARCH_HITS = f"search/hits_{TILE}.parquet"
SEARCH_PAIRS = f"search/pairs_{TILE}.parquet"
HITS_TABLE = "search/hits.tsv"
# `seqsim search --db --update-dir`: an extended run's hits and pairs in one file each.
ALL_HITS = "search/hits.parquet"
ALL_PAIRS = "search/pairs.parquet"

# scorer: a model trained on the run's labels, its scored pairs, the embeddings.
MODEL = "scorer/model.safetensors"
RELIABILITY_PLOT = "scorer/reliability.png"
SCORED_PAIRS = "scorer/scored_pairs.parquet"
EMBEDDINGS = "scorer/embeddings.parquet"
NEIGHBOURS = "scorer/neighbours.tsv"

# matrix: the pairs above the threshold always; the dense matrix, PHYLIP and
# trees when the inputs fit under similarity.max_sequences.
EDGES = "matrix/edges.parquet"
EDGE_IDS = "matrix/ids.tsv"
DISTRIBUTION_PLOT = "matrix/similarity_distribution.png"
SIMILARITY_NPY = "matrix/similarity.npy"
SIMILARITY_TSV = "matrix/similarity.tsv"
MATRIX_IDS = "matrix/ids.txt"
PHYLIP = "matrix/distance.phy"
PHYLIP_STRICT = "matrix/distance.strict.phy"
UPGMA_TREE = "matrix/upgma.nwk"
NJ_TREE = "matrix/nj.nwk"
SIMILARITY_PLOT = "matrix/similarity.png"

# cluster
CLUSTERS = "clusters/clusters.tsv"
CLSTR = "clusters/clusters.clstr"
REPRESENTATIVES = "clusters/representatives.fasta"
MEMBERS = "clusters/members.tsv"
SIZES_PLOT = "clusters/sizes.png"

# evaluate: sensitivity curves against labels of the inputs
SENSITIVITY_PLOT = "evaluation/sensitivity.png"
SENSITIVITY_TSV = "evaluation/sensitivity.tsv"
# ... and the run's own reliability diagram, when a scorer scored its pairs.
RUN_RELIABILITY_PLOT = "evaluation/reliability.png"
RUN_RELIABILITY_TSV = "evaluation/reliability.tsv"


def result(path: str) -> str:
    """``path`` (one of the names above) under the workflow's ``results/``."""
    return f"{RESULTS}/{path}"


def log(rule: str, job: str | None = None) -> str:
    """A job's log: ``logs/<rule>/<rule>.log``, or ``logs/<rule>/<job>.log`` for
    one of a rule's many jobs (``job``: e.g. :data:`TILE`)."""
    return f"{LOGS}/{rule}/{job or rule}.log"


def benchmark(rule: str, job: str | None = None) -> str:
    """A job's timings: ``logs/benchmarks/<rule>.tsv``, or
    ``logs/benchmarks/<rule>/<job>.tsv`` for one of a rule's many jobs."""
    return f"{BENCHMARKS}/{rule}/{job}.tsv" if job else f"{BENCHMARKS}/{rule}.tsv"
