"""The one list of every feature and column name seqsim writes or reads.

The search, the k-mer pair tables, the scorer, the Snakemake rules
(``workflow/rules/similarity.smk``) and the config schema's enums all take their
names from here; ``tests/test_feature_names.py`` checks that the schema
agrees. This module imports nothing, so the workflow can read it before any
job starts.
"""

from __future__ import annotations

# Similarity features of an alignment pair table (``seqsim search --pairs-out``).
ALIGNMENT_FEATURES: dict[str, str] = {
    "score_ratio": "SW score / the smaller of the two self-scores, in [0, 1]",
    "fident": "identities / alignment columns",
    "shorter_ident": "identities / length of the shorter sequence",
}

# Similarity features of a k-mer pair table (``seqsim score-pairs``).
KMER_FEATURES: dict[str, str] = {
    "jaccard": "distinct shared k-mers / distinct k-mers in either sequence",
    "containment": "distinct shared k-mers / distinct k-mers of the sequence with fewer",
    "containment_query": "distinct shared k-mers / distinct k-mers of the query",
    "containment_target": "distinct shared k-mers / distinct k-mers of the target",
    "cosine": "cosine of the two k-mer count vectors",
}

# The learned scorer's calibrated probability of homology (`seqsim score`),
# and the similarity used where no scorer is in use.
PROBABILITY = "probability"
ALIGNMENT_SIMILARITY = "score_ratio"


def default_similarity_feature(columns: list[str]) -> str:
    """``similarity.feature``'s null: the first the pair tables have of the
    probability (a scorer's), the alignment similarity (the search's) and
    the k-mer Jaccard index (``score-pairs``'); the alignment similarity
    when they have none (the error then names the columns)."""
    for feature in (PROBABILITY, ALIGNMENT_SIMILARITY, "jaccard"):
        if feature in columns:
            return feature
    return ALIGNMENT_SIMILARITY


def default_min_similarity(feature: str) -> float:
    """``cluster.min_similarity``'s null: 0.5 for the probability (more
    likely homologous than not), 0.15 for the other features."""
    return 0.5 if feature == PROBABILITY else 0.15


# What `similarity.feature` may name: the matrix and the clusters read it.
SIMILARITY_FEATURES: tuple[str, ...] = (PROBABILITY, *ALIGNMENT_FEATURES, *KMER_FEATURES)

# Features of a candidate pair, in the order the learned scorer reads them
# (all symmetric in the pair). A checkpoint records this list and is refused
# by a seqsim whose list differs.
SCORER_FEATURES: dict[str, str] = {
    "bits": "bit score of the direct alignment (0: no hit)",
    "neg_log10_evalue": "-log10 of the pair's (larger, two-way) E-value, clipped to [-1, 50]",
    "has_hit": "1 when the pair has a direct hit",
    "score_ratio": ALIGNMENT_FEATURES["score_ratio"],
    "fident": ALIGNMENT_FEATURES["fident"],
    "coverage": "the smaller of the two aligned fractions",
    "length_ratio": "shorter / longer sequence length",
    "path1": "strongest path through one intermediate (weakest edge, bits); with "
    "region_overlap, only paths whose two alignments overlap on it",
    "path2": "strongest path through two intermediates (region_overlap: consistent ones)",
    "widest": "widest path through any number of intermediates (maximum spanning tree; "
    "with widest_coverage, over edges covering that much of both sequences)",
    "shared_fraction": "neighbours in common / the smaller neighbour count (region_overlap: "
    "through overlapping regions)",
    "profile_bits": "bit score of the better profile alignment: one sequence's profile "
    "(from its hits in the set) against the other sequence",
    "profile_neg_log10_evalue": "-log10 of that alignment's E-value for the pair alone "
    "(search space: the two lengths), clipped to [-1, 50]",
    "diffusion2": "two-step diffusion over the profile graph (RankProp-like: edges "
    "are pairs with profile E-value <= 1e-3, degree-normalised); with region_overlap, 0 "
    "without a path1, path2 or widest path",
    "diffusion3": "three-step diffusion over the profile graph; 0 as diffusion2",
}

# BLAST's 12 standard tabular columns (-outfmt 6), in order.
BLAST_COLUMNS: tuple[str, ...] = (
    "qseqid", "sseqid", "pident", "length", "mismatch", "gapopen",
    "qstart", "qend", "sstart", "send", "evalue", "bitscore",
)  # fmt: skip

# Optional columns after BLAST's 12 (`search.extra_columns`, `--extra-columns`):
# the names of BLAST or MMseqs2 where they exist.
HIT_EXTRA_COLUMNS: dict[str, str] = {
    "qlen": "query length",
    "tlen": "target length",
    "raw": "raw alignment score",
    "nident": "identical columns",
    "positive": "columns with a positive substitution score",
    "gaps": "gap columns",
    "fident": "identities / alignment columns (MMseqs2)",
    "shorter_ident": "identities / length of the shorter sequence (CD-HIT)",
    "qcov": "fraction of the query in the alignment",
    "tcov": "fraction of the target in the alignment",
    "cigar": "CIGAR (M/I/D; I = query residue against a gap)",
}
