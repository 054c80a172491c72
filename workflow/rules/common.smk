# What several rules files share: the config (merged with the defaults and
# validated), how jobs run seqsim and what they ask for, the run's start and
# failure hooks, and the config's settings turned into command-line options.
# Each stage's rules and constants sit in its own file (ingest.smk, ...);
# similarity.smk holds the choices made once ingest has run.
import json
import os
import shlex
import sys
import time
from pathlib import Path

from snakemake.settings.types import DeploymentMethod

# seqsim itself must be installed where Snakemake runs (pip install -e .).
try:
    from seqsim import layout
    from seqsim.config import coerce_strings, load_yaml, validate_config, with_defaults
    from seqsim.errors import ConfigError
    from seqsim.layout import result
    from seqsim.settings import cli_options
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
if TRAINED and config["dedupe"]:
    sys.exit("seqsim: config: dedupe leaves records out of the store that training labels name")
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


def n_kept():
    """Sequences kept by ingest (0 before it has run)."""
    summary = Path(result(layout.INGEST_SUMMARY))
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
    for log in sorted(Path(layout.LOGS).rglob("*.log")):
        if log.stat().st_mtime < _STARTED:
            continue  # from an earlier run
        for line in log.read_text(errors="replace").splitlines():
            if ": error: " in line:
                print(f"seqsim: {log}: {line}", file=sys.stderr)


def remove_stale_temporaries():
    """Delete the temporary files (.NAME.XXXX.tmp) of jobs killed mid-write: a
    rerun writes its own; no job is running when the workflow starts."""
    stale = [p for p in Path(layout.RESULTS).rglob(".*.tmp") if p.is_file()]
    for path in stale:
        path.unlink(missing_ok=True)
    if stale:
        print(f"seqsim: removed {len(stale)} temporary files of interrupted jobs", file=sys.stderr)


def folder_of(name, kind="input"):
    """Params function giving the folder of a named input (or output) of the job."""
    return lambda wildcards, input, output: os.path.dirname(
        (input if kind == "input" else output)[name][0]
    )


_said = set()


def say_once(message):
    """One line on stderr, however often Snakemake evaluates the DAG."""
    if message not in _said:
        _said.add(message)
        print(message, file=sys.stderr)


# The config's settings as the subcommands' options come from the registry
# (seqsim.settings.cli_options); the input files a job names here.


def listed(flag, name):
    """Params function: `flag FILE...` for the job's input `name` when it lists
    any files, else nothing."""
    return lambda wildcards, input: shlex.join([flag, *input[name]]) if input[name] else ""
