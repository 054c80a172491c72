import json
import os
import shlex
import sys
import time
from pathlib import Path

from snakemake.settings.types import DeploymentMethod

# seqsim itself must be installed where Snakemake runs (pip install -e .).
try:
    from seqsim.config import coerce_strings, load_yaml, validate_config, with_defaults
    from seqsim.errors import ConfigError
    from seqsim.feature_names import ALIGNMENT_FEATURES, ALIGNMENT_SIMILARITY, PROBABILITY
    from seqsim.scorer.pretrained import shipped_model
except ModuleNotFoundError as error:
    sys.exit(f"seqsim: {error}: install seqsim where Snakemake runs (pip install -e .)")

# This checkout (workflow/rules/..): the workflow's own folder also when it is
# used as a module from another workflow, whose folder workflow.basedir is.
REPO = Path(workflow.current_basedir).parents[1]
# Defaults for keys a config leaves out (a module's config may give only a few),
# and --config's text turned into the numbers and booleans the schema wants.
SCHEMA = load_yaml(workflow.source_path("../schemas/config.schema.yaml"))
_merged = with_defaults(
    coerce_strings(dict(config), SCHEMA), load_yaml(workflow.source_path("../../config.yaml"))
)
config.clear()
config.update(_merged)
# Stops the run before any job starts, naming the offending key.
try:
    validate_config(config, workflow.source_path("../schemas/config.schema.yaml"))
except ConfigError as error:
    sys.exit(f"seqsim: {error}")
SCORER = config["scorer"]
# A model is trained here when labels are given (it replaces the shipped one).
TRAINED = SCORER["enabled"] and bool(SCORER["labels"] or SCORER["pairs"])
if SCORER["labels"] and SCORER["pairs"]:
    sys.exit("seqsim: config scorer: give labels or pairs, not both")
if TRAINED and SCORER["model"]:
    sys.exit("seqsim: config scorer: give a model or labels to train one, not both")
DEDUPE = config.get("dedupe", False)
if TRAINED and DEDUPE:
    sys.exit("seqsim: config: dedupe leaves records out of the store that training labels name")
RESULTS = "results"
LOGS = "logs"
BLOCKS = list(range(config["pairs"]["n_blocks"]))

# Every job runs one `seqsim` subcommand from this checkout, with the
# interpreter running Snakemake, or the rule's conda env under --sdm conda.
_python = (
    "python"
    if DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
    else shlex.quote(sys.executable)
)
SEQSIM = f"PYTHONPATH={shlex.quote(str(REPO))}${{PYTHONPATH:+:$PYTHONPATH}} {_python} -m seqsim"
CONDA_ENV = "../../envs/seqsim.yaml"


# Per-job timings (Snakemake `benchmark:`): under logs/, not results/, whose
# bytes are reproducible and these are not.
BENCHMARKS = f"{LOGS}/benchmarks"


def n_kept():
    """Sequences kept by ingest (0 before it has run)."""
    summary = Path(f"{RESULTS}/store/ingest.json")
    return json.loads(summary.read_text())["n_kept"] if summary.exists() else 0


def job_memory(base_mb, per_input_mb=0.0, per_pair_bytes=0.0):
    """A rule's mem_mb: base_mb, plus per_input_mb per MB of its inputs, plus
    per_pair_bytes per pair of sequences (dense N x N outputs); doubled at
    each retry (`--retries`), so a job killed for memory asks for more."""

    def mem_mb(wildcards, input, attempt):
        dense = per_pair_bytes * n_kept() ** 2 / 1e6
        return int((base_mb + per_input_mb * input.size_mb + dense) * 2 ** (attempt - 1))

    return mem_mb


def job_runtime(base_min, per_input_min=0.0):
    """A rule's runtime in minutes: base_min plus per_input_min per MB of its
    inputs, times the attempt number."""

    def runtime(wildcards, input, attempt):
        return int((base_min + per_input_min * input.size_mb) * attempt)

    return runtime


_STARTED = time.time()


def show_job_errors():
    """On failure, the one-line reasons the failed jobs logged (seqsim writes
    'seqsim <command>: error: ...'), so the console says what went wrong."""
    for log in sorted(Path(LOGS).rglob("*.log")):
        if log.stat().st_mtime < _STARTED:
            continue  # from an earlier run
        for line in log.read_text(errors="replace").splitlines():
            if ": error: " in line:
                print(f"seqsim: {log}: {line}", file=sys.stderr)


def remove_stale_temporaries():
    """Delete the temporary files (.NAME.XXXX.tmp) of jobs killed mid-write: a
    rerun writes its own; no job is running when the workflow starts."""
    stale = [p for p in Path(RESULTS).rglob(".*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        print(f"seqsim: removed {len(stale)} temporary files of interrupted jobs", file=sys.stderr)


def folder_of(name, kind="input"):
    """Params function giving the folder of a named input (or output) of the job."""
    return lambda wildcards, input, output: os.path.dirname(
        (input if kind == "input" else output)[name][0]
    )


def input_fastas():
    if config["scope"]["enabled"]:
        return [f"{RESULTS}/scope/scope.fasta"]
    return config["inputs"]


def optional(flag, value):
    """`--flag value` when value is set, else nothing."""
    return "" if value is None else f"{flag} {shlex.quote(str(value))}"


def prefilter_options(search):
    """`seqsim search` options for the config's `search` prefilter settings."""
    options = [f"--prefilter {search['prefilter']}"]
    if search["prefilter"] == "ungapped":
        options.append(optional("--min-ungapped", search["min_ungapped"]))
    if search["prefilter"] == "kmer":
        kmer = search["kmer"]
        options += [
            optional("--kmer-k", kmer["k"]),
            optional("--kmer-threshold", kmer["threshold"]),
            optional("--min-diagonal-score", kmer["min_diagonal_score"]),
            optional("--diagonal-band", kmer["diagonal_band"]),
        ]
    return " ".join(option for option in options if option)


SCORED_PAIRS = f"{RESULTS}/scorer/scored_pairs.parquet"
_said = set()


def say_once(message):
    """One line on stderr, however often Snakemake evaluates the DAG."""
    if message not in _said:
        _said.add(message)
        print(message, file=sys.stderr)


def input_alphabet():
    """The inputs' alphabet: configured, or detected by ingest (a checkpoint)."""
    if config["alphabet"] != "auto":
        return config["alphabet"]
    with open(checkpoints.ingest.get().output.summary) as handle:
        return json.load(handle)["alphabet"]


def scorer_model():
    """The checkpoint the score rule reads; None for the one seqsim ships."""
    if SCORER["model"]:
        return SCORER["model"]
    return f"{RESULTS}/scorer/model.safetensors" if TRAINED else None


def scorer_in_use():
    """Whether a learned scorer scores the inputs' pairs."""
    if not SCORER["enabled"]:
        return False
    if scorer_model() is not None:
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
        return [SCORED_PAIRS]
    return SEARCH_PAIRS if feature in ALIGNMENT_FEATURES else KMER_PAIRS


def feature_of(wildcards, input):
    """The feature the similarity_matrix and cluster jobs read (as chosen by their inputs)."""
    return PROBABILITY if list(input.pairs) == [SCORED_PAIRS] else similarity_feature()


# Distances computed from the search's alignments (README, "Distances").
ALIGNMENT_DISTANCES = ("scoredist", "kimura", "jukes-cantor")


def distance_pairs(wildcards):
    """The search's pair tables when the distance comes from alignments but the
    similarity does not (else none)."""
    distance = config["similarity"].get("distance")
    if distance in ALIGNMENT_DISTANCES and similarity_pairs(wildcards) != SEARCH_PAIRS:
        return SEARCH_PAIRS
    return []


def distance_options(wildcards, input):
    """--distance, --max-distance and --distance-pairs of the matrix jobs."""
    settings = config["similarity"]
    options = []
    if settings.get("distance"):
        options += ["--distance", settings["distance"]]
    if settings.get("max_distance") is not None:
        options += ["--max-distance", str(settings["max_distance"])]
    if input.distance_pairs:
        options += ["--distance-pairs", *input.distance_pairs]
    return shlex.join(options)


def dense_outputs_fit():
    """Whether the kept records fit under similarity.max_sequences (ingest is a checkpoint)."""
    with open(checkpoints.ingest.get().output.summary) as handle:
        n_records = json.load(handle)["n_kept"]
    if n_records > config["similarity"]["max_sequences"]:
        say_once(
            f"seqsim: {n_records} sequences > similarity.max_sequences: no dense matrix, "
            "PHYLIP or trees; results/matrix/edges.parquet lists the pairs"
        )
        return False
    return True


def cluster_threshold(wildcards, input):
    """cluster.min_similarity, null resolved: 0.5 for the probability (more
    likely homologous than not), 0.15 for the other features."""
    if config["cluster"]["min_similarity"] is not None:
        return config["cluster"]["min_similarity"]
    return 0.5 if feature_of(wildcards, input) == PROBABILITY else 0.15


def cluster_alignment_pairs(wildcards):
    """The search's pair tables, for the identities and coverages of the
    clusters, when the similarity's pair tables are not those."""
    return [] if similarity_pairs(wildcards) == SEARCH_PAIRS else SEARCH_PAIRS


def cluster_options(wildcards, input):
    """The cluster job's optional settings (config `cluster`), as options."""
    settings = config["cluster"]
    options = []
    for key in ("representative", "min_identity", "identity", "coverage", "cov_mode"):
        if settings.get(key) is not None:
            options += [f"--{key.replace('_', '-')}", str(settings[key])]
    if config["cluster"]["method"] == "leiden":
        # leiden is seeded (--seed 0 by default)
        options += ["--resolution", str(settings.get("resolution", 1.0))]
    if input.alignment_pairs:
        options += ["--alignment-pairs", *input.alignment_pairs]
    return shlex.join(options)


def train_inputs(wildcards):
    """What `train` learns from: scorer.sequences, or the ingested inputs; and the labels."""
    labels = SCORER["pairs"] or SCORER["labels"]
    if SCORER["sequences"]:
        return {"sequences": SCORER["sequences"], "labels": labels}
    return {"store": STORE_FILES, "labels": labels}


def score_inputs(wildcards):
    """The score rule's inputs: the store, the search blocks' hits, the model if not shipped."""
    inputs = {
        "store": STORE_FILES,
        "hits": SEARCH_HITS,
    }
    if scorer_model() is not None:
        inputs["model"] = scorer_model()
    return inputs


def scorer_outputs():
    outputs = [SCORED_PAIRS] if scorer_in_use() else []
    if TRAINED:
        outputs.append(f"{RESULTS}/scorer/reliability.png")
        if SCORER["kind"] == "siamese":
            outputs += [f"{RESULTS}/scorer/embeddings.parquet", f"{RESULTS}/scorer/neighbours.tsv"]
    return outputs


def evaluation_labels():
    """Labels of the inputs for the sensitivity curves, or None: evaluation.labels,
    else scorer.labels when they label the inputs (the scorer's training set)."""
    if config["evaluation"]["labels"]:
        return config["evaluation"]["labels"]
    if SCORER["labels"] and SCORER["sequences"] in (None, *input_fastas()):
        return SCORER["labels"]
    return None


EVALUATION = [f"{RESULTS}/evaluation/sensitivity.png", f"{RESULTS}/evaluation/sensitivity.tsv"]


def final_outputs(wildcards):
    dense = (
        [
            f"{RESULTS}/matrix/{name}"
            for name in ("similarity.npy", "similarity.tsv", "distance.phy",
                         "distance.strict.phy", "similarity.png", "upgma.nwk", "nj.nwk")
        ]
        if dense_outputs_fit()
        else []
    )  # fmt: skip
    return (
        scorer_outputs()
        + dense
        + (EVALUATION if evaluation_labels() else [])
        + [
            f"{RESULTS}/search/hits.tsv",
            f"{RESULTS}/matrix/edges.parquet",
            f"{RESULTS}/matrix/ids.tsv",
            f"{RESULTS}/clusters/clusters.tsv",
            f"{RESULTS}/clusters/clusters.clstr",
            f"{RESULTS}/clusters/representatives.fasta",
            f"{RESULTS}/clusters/members.tsv",
            f"{RESULTS}/clusters/sizes.png",
            f"{RESULTS}/matrix/similarity_distribution.png",
            f"{RESULTS}/rejected.tsv",
        ]
    )
