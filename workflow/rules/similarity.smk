# Decided once ingest (a checkpoint) has run: whether a learned scorer scores
# the inputs (is one shipped for their alphabet?), which similarity feature
# the matrix and the clusters read and which pair tables hold it, and whether
# the dense matrix fits. Functions only (Snakemake's linter keeps functions
# out of the files with rules); included after the scorer's rules, whose
# outputs they name, and before the matrix, cluster and evaluate rules that
# use them.
from seqsim.feature_names import ALIGNMENT_FEATURES, ALIGNMENT_SIMILARITY, PROBABILITY
from seqsim.scorer.pretrained import shipped_model


def input_alphabet():
    """The inputs' alphabet: configured, or detected by ingest (a checkpoint)."""
    if config["alphabet"] != "auto":
        return config["alphabet"]
    with open(checkpoints.ingest.get().output.summary) as handle:
        return json.load(handle)["alphabet"]


def scorer_in_use():
    """Whether a learned scorer scores the inputs' pairs."""
    if not SCORER["enabled"]:
        return False
    if SCORER_MODEL is not None:
        return True
    alphabet = input_alphabet()
    if shipped_model(alphabet) is None:
        say_once(
            f"seqsim: no homology scorer ships for {alphabet} sequences (give scorer.labels "
            f"to train one): the matrix, tree and clusters use {ALIGNMENT_SIMILARITY}"
        )
        return False
    return True


def similarity_feature():
    """similarity.feature, with null resolved: the learned probability when
    a scorer is in use, else the alignment similarity (score_ratio)."""
    feature = config["similarity"]["feature"]
    in_use = scorer_in_use()
    if feature == PROBABILITY and not in_use:
        sys.exit(
            "seqsim: similarity.feature is probability, but no scorer is in use "
            "(scorer.enabled, scorer.model or scorer.labels)"
        )
    return feature or (PROBABILITY if in_use else ALIGNMENT_SIMILARITY)


def similarity_pairs(wildcards):
    """The pair tables holding the similarity feature: the scored pairs for
    the probability, the search's for alignment features, else the k-mers'."""
    feature = similarity_feature()
    if feature == PROBABILITY:
        return [rules.score.output.pairs]
    return SEARCH_PAIRS if feature in ALIGNMENT_FEATURES else KMER_PAIRS


def feature_of(wildcards, input):
    """The feature the similarity_matrix and cluster jobs read (as chosen by their inputs)."""
    return PROBABILITY if list(input.pairs) == [rules.score.output.pairs] else similarity_feature()


# Distances computed from the search's alignments (docs/outputs.md, "Distances and trees").
ALIGNMENT_DISTANCES = ("scoredist", "kimura", "jukes-cantor")


def distance_pairs(wildcards):
    """The search's pair tables when the distance comes from alignments but the
    similarity does not (else none)."""
    distance = config["similarity"].get("distance")
    if distance in ALIGNMENT_DISTANCES and similarity_pairs(wildcards) != SEARCH_PAIRS:
        return SEARCH_PAIRS
    return []


def cluster_alignment_pairs(wildcards):
    """The search's pair tables, for the identities and coverages of the
    clusters, when the similarity's pair tables are not those."""
    return [] if similarity_pairs(wildcards) == SEARCH_PAIRS else SEARCH_PAIRS


def dense_outputs_fit():
    """Whether the kept records fit under similarity.max_sequences (ingest is a checkpoint)."""
    with open(checkpoints.ingest.get().output.summary) as handle:
        n_records = json.load(handle)["n_kept"]
    if n_records > config["similarity"]["max_sequences"]:
        say_once(
            f"seqsim: {n_records} sequences > similarity.max_sequences: no dense matrix, "
            f"PHYLIP or trees; {result(layout.EDGES)} lists the pairs"
        )
        return False
    return True
