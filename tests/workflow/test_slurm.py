"""The example pipeline through Snakemake's SLURM executor (workflow/profiles/slurm).

Needs a SLURM cluster that this machine can submit to, and
snakemake-executor-plugin-slurm in the environment running the tests; it skips
otherwise (fails instead when SEQSIM_REQUIRE_SLURM is set, as CI does). For a
one-node cluster on localhost (as root):

    .ci/slurm/start_local_slurm.sh
    pytest tests/workflow/test_slurm.py -q -p no:cacheprovider -rs
    .ci/slurm/stop_local_slurm.sh

The run's outputs must be byte-identical to a local `snakemake --cores 2` run,
although the test cancels one of the search's group jobs (as a preemption or a
node failure would) and the profile's `retries` must resubmit it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from conftest import REPO

pytestmark = [pytest.mark.slurm, pytest.mark.workflow]

PROFILE = "workflow/profiles/slurm"
TIMEOUT_S = 900  # the whole SLURM run; the example takes about 2 minutes on one node
# Snakefile: rule all
FINAL_OUTPUTS = [
    "results/scorer/scored_pairs.parquet",
    "results/search/hits.tsv",
    "results/matrix/similarity.npy",
    "results/matrix/similarity.tsv",
    "results/matrix/distance.phy",
    "results/matrix/similarity.png",
    "results/matrix/upgma.nwk",
    "results/matrix/nj.nwk",
    "results/matrix/distance.strict.phy",
    "results/matrix/edges.parquet",
    "results/matrix/ids.tsv",
    "results/clusters/clusters.tsv",
    "results/rejected.tsv",
]
# Rules of the default config's DAG that must run as SLURM jobs (`all` runs locally).
SLURM_RULES = {
    "ingest", "search", "tabulate_hits", "similarity_matrix", "similarity_edges", "cluster",
    "score",
}  # fmt: skip
# The SLURM comment of the search tiles' group jobs (the plugin: rule_<group>_<rule>).
SEARCH_GROUP_COMMENT = "rule_search_tiles_search"
SUBMITTED = re.compile(r"Job \S+ has been submitted with SLURM jobid (\d+) \(log: (.+?)\)\.")


def slurm_unavailable() -> str | None:
    """Why the test cannot run here, or None when it can."""
    for tool in ("sbatch", "sinfo", "squeue", "scancel"):
        if shutil.which(tool) is None:
            return f"no SLURM here: `{tool}` is not on PATH (see .ci/slurm/README.md)"
    try:
        states = subprocess.run(
            ["sinfo", "-h", "-N", "-o", "%T"], capture_output=True, text=True, timeout=30
        )
    except subprocess.TimeoutExpired:
        return "sinfo did not answer within 30 s"
    if states.returncode != 0:
        return f"sinfo failed: {states.stderr.strip()[:200]}"
    if not {"idle", "mixed"} & set(states.stdout.split()):
        return f"no idle SLURM node (sinfo node states: {sorted(set(states.stdout.split()))})"
    if importlib.util.find_spec("snakemake_executor_plugin_slurm") is None:
        return "snakemake-executor-plugin-slurm is not installed"
    if shutil.which("git") is None or not (REPO / ".git").exists():
        return "not a git checkout: cannot list the project's files"
    return None


def copy_checkout(dest: Path) -> Path:
    """The project's files (tracked, plus new ones not ignored) copied to dest."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a tracked file may be deleted in the working tree
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def snakemake(workdir: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run snakemake (this interpreter's) in workdir; return the process and its wall time."""
    env = dict(os.environ)
    # SLURM jobs inherit this environment (sbatch --export=ALL): same Python on the node.
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    command = [sys.executable, "-m", "snakemake", *args]
    if shutil.which("timeout"):
        command = ["timeout", "-k", "30", str(TIMEOUT_S), *command]
    start = time.monotonic()
    done = subprocess.run(
        command,
        cwd=workdir,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=TIMEOUT_S + 60,
    )
    return done, time.monotonic() - start


def slurm_jobs() -> dict[str, tuple[str, str, str]]:
    """Job ID -> (state, comment, requested memory) of every job squeue lists."""
    listed = subprocess.run(
        ["squeue", "-h", "-t", "all", "-o", "%i|%T|%k|%m"],
        capture_output=True, text=True, timeout=30, check=True,
    ).stdout  # fmt: skip
    rows = (line.split("|") for line in listed.splitlines() if line.strip())
    return {job_id: (state, comment, memory) for job_id, state, comment, memory in rows}


class CancelOneJob(threading.Thread):
    """Cancels the first new job whose SLURM comment is `comment` as soon as
    squeue lists it (pending or running), as a preemption would."""

    def __init__(self, comment: str) -> None:
        super().__init__(daemon=True)
        self.comment, self.known = comment, set(slurm_jobs())
        self.cancelled: str | None = None
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set() and self.cancelled is None:
            for job_id, (_, comment, _) in slurm_jobs().items():
                if job_id not in self.known and comment == self.comment:
                    subprocess.run(["scancel", job_id], timeout=30, check=True)
                    self.cancelled = job_id
                    break
            time.sleep(0.2)


def digests(workdir: Path) -> dict[str, str]:
    return {
        str(path.relative_to(workdir)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted((workdir / "results").rglob("*"))
        if path.is_file()
    }


def failure_report(workdir: Path, output: str) -> str:
    """The end of snakemake's output and of every SLURM and rule log, for a failed run."""
    parts = [output[-4000:]]
    for pattern in (".snakemake/slurm_logs/**/*.log", "logs/**/*.log"):
        for log in sorted(workdir.glob(pattern)):
            text = log.read_text(errors="replace")[-1500:]
            parts.append(f"--- {log.relative_to(workdir)}\n{text}")
    return "\n".join(parts)


def test_example_pipeline_through_slurm_gives_the_local_bytes(tmp_path):
    reason = slurm_unavailable()
    if reason and os.environ.get("SEQSIM_REQUIRE_SLURM"):
        pytest.fail(f"SEQSIM_REQUIRE_SLURM is set but {reason}")
    if reason:
        pytest.skip(reason)

    on_slurm = copy_checkout(tmp_path / "slurm")
    profile = yaml.safe_load((on_slurm / PROFILE / "config.yaml").read_text())
    canceller = CancelOneJob(SEARCH_GROUP_COMMENT)
    canceller.start()
    try:
        done, slurm_s = snakemake(on_slurm, "--profile", PROFILE, "--jobs", "4")
    finally:
        canceller.done.set()
        canceller.join(timeout=30)
    output = done.stdout
    if done.returncode != 0:
        # Snakemake cancels its jobs on SIGTERM, but not when killed: cancel them by
        # name (the plugin names every job of a run after its run ID).
        run_id = re.search(r"SLURM run ID: (\S+)", output)
        if run_id:
            subprocess.run(["scancel", "--name", run_id.group(1)], timeout=30, check=False)
    assert done.returncode == 0, (
        f"SLURM run failed (exit {done.returncode}, {slurm_s:.0f} s)\n"
        + failure_report(on_slurm, output)
    )

    for name in FINAL_OUTPUTS:
        assert (on_slurm / name).is_file(), f"{name} missing after the SLURM run"

    # Every job but `all` went through sbatch, the search's tiles in groups of
    # the profile's group-components, and the cancelled group once more; each
    # SLURM log is kept (slurm-keep-successful-logs) under .snakemake/slurm_logs/.
    submitted = SUBMITTED.findall(output)
    n_blocks = yaml.safe_load((on_slurm / "config.yaml").read_text())["pairs"]["n_blocks"]
    n_tiles = n_blocks * (n_blocks + 1) // 2  # the search's upper-triangle tiles
    (per_group,) = [int(g.split("=")[1]) for g in profile["group-components"]]
    n_groups = -(-n_tiles // per_group)
    assert canceller.cancelled is not None, "no search group job was seen to cancel"
    assert len(submitted) == len(SLURM_RULES) - 1 + n_groups + 1, output[-4000:]
    assert len({job_id for job_id, _ in submitted}) == len(submitted)
    slurm_logs = on_slurm / ".snakemake" / "slurm_logs"
    for job_id, log in submitted:
        assert Path(log).is_relative_to(slurm_logs), log
        # (the cancelled job may have been cancelled before it started: no log)
        assert Path(log).is_file() or job_id == canceller.cancelled, log
    expected_logs = (SLURM_RULES - {"search"}) | {"group_search_tiles_search"}
    assert {p.name.removeprefix("rule_") for p in slurm_logs.iterdir()} == expected_logs
    for rule in SLURM_RULES:
        assert f"localrule {rule}:" not in output, f"{rule} ran locally, not through SLURM"
    # Jobs that squeue still lists (for MinJobAge seconds after they end)
    # completed, but the cancelled one, whose retry asked for twice its memory.
    jobs = slurm_jobs()
    ours = {job_id: jobs[job_id] for job_id, _ in submitted if job_id in jobs}
    assert ours.pop(canceller.cancelled)[0] == "CANCELLED"
    unfinished = {job_id: row for job_id, row in ours.items() if row[0] != "COMPLETED"}
    assert not unfinished, unfinished
    cancelled_mb = int(jobs[canceller.cancelled][2].rstrip("M"))
    group_mb = sorted(
        int(row[2].rstrip("M")) for row in ours.values() if row[1] == SEARCH_GROUP_COMMENT
    )
    assert group_mb[-1] == 2 * cancelled_mb, (cancelled_mb, group_mb)

    local = copy_checkout(tmp_path / "local")
    done, local_s = snakemake(local, "--cores", "2")
    assert done.returncode == 0, failure_report(local, done.stdout)
    print(
        f"example pipeline: SLURM {slurm_s:.0f} s ({len(submitted)} jobs, job "
        f"{canceller.cancelled} cancelled and retried), local --cores 2 {local_s:.0f} s"
    )

    on_slurm_digests, local_digests = digests(on_slurm), digests(local)
    assert set(FINAL_OUTPUTS) <= set(local_digests)
    differ = sorted(
        name
        for name in on_slurm_digests.keys() | local_digests.keys()
        if on_slurm_digests.get(name) != local_digests.get(name)
    )
    assert not differ, f"SLURM and local runs differ in {differ}"
