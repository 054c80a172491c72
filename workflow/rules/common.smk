import os
import shlex
import sys
from pathlib import Path

from snakemake.settings.types import DeploymentMethod

REPO = Path(workflow.basedir)
sys.path.insert(0, str(REPO))
from seqsim.config import validate_config  # noqa: E402
from seqsim.errors import ConfigError  # noqa: E402
from seqsim.feature_names import ALIGNMENT_FEATURES  # noqa: E402

# Stops the run before any job starts, naming the offending key.
try:
    validate_config(config, REPO / "workflow/schemas/config.schema.yaml")
except ConfigError as error:
    sys.exit(f"seqsim: {error}")
if config["scorer"]["enabled"] and not (config["scorer"]["labels"] or config["scorer"]["pairs"]):
    sys.exit("seqsim: config scorer: give labels or pairs (or set enabled: false)")
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
        ]
    return " ".join(option for option in options if option)


def similarity_pairs():
    """The pair tables holding the configured similarity feature: the search's
    for alignment features, the k-mer pair tables for the others."""
    if config["similarity"]["feature"] in ALIGNMENT_FEATURES:
        return SEARCH_PAIRS
    return KMER_PAIRS


def scorer_labels():
    """The scorer's training labels: the pairs table when one is given, else the labels table."""
    scorer = config["scorer"]
    return scorer["pairs"] if scorer["pairs"] else scorer["labels"]


def scorer_outputs():
    if not config["scorer"]["enabled"]:
        return []
    outputs = [f"{RESULTS}/scorer/scored_pairs.tsv", f"{RESULTS}/scorer/reliability.png"]
    if config["scorer"]["kind"] == "siamese":
        outputs += [f"{RESULTS}/scorer/embeddings.parquet", f"{RESULTS}/scorer/neighbours.tsv"]
    return outputs


def final_outputs():
    return scorer_outputs() + [
        f"{RESULTS}/search/hits.tsv",
        f"{RESULTS}/matrix/similarity.npy",
        f"{RESULTS}/matrix/similarity.tsv",
        f"{RESULTS}/matrix/distance.phy",
        f"{RESULTS}/matrix/similarity.png",
        f"{RESULTS}/matrix/upgma.nwk",
        f"{RESULTS}/clusters/clusters.tsv",
        f"{RESULTS}/rejected.tsv",
    ]
