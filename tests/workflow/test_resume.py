"""A run killed (SIGKILL) during the search resumes with the commands of docs/usage.md:
only unfinished jobs run again, stale temporaries go, and the results are the
bytes of an uninterrupted run."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import REPO

pytestmark = pytest.mark.workflow

CONFIG = "scorer: {enabled: false}\npairs: {n_blocks: 3}\n"  # 6 search tiles


def snakemake(workdir, *args, **kwargs):
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), *args]
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, **kwargs)


def digests(results):
    return {
        str(p.relative_to(results)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(results.rglob("*")) if p.is_file()
    }  # fmt: skip


def prepare(folder):
    folder.mkdir()
    shutil.copytree(REPO / "resources", folder / "resources")
    (folder / "my.yaml").write_text(CONFIG)


def test_a_killed_run_resumes_with_only_its_unfinished_jobs(tmp_path):
    killed, clean = tmp_path / "killed", tmp_path / "clean"
    prepare(killed)
    prepare(clean)
    # One core: jobs run one after another, so once a second search tile has
    # written its hits, every tile but the newest with both outputs is done.
    run = subprocess.Popen(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--cores", "1",
         "--configfile", "my.yaml"],
        cwd=killed, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    search = killed / "results" / "search"
    deadline = time.monotonic() + 300
    while len(list(search.glob("hits_tile_*.parquet"))) < 2 and run.poll() is None:
        assert time.monotonic() < deadline, "the search never got going"
        time.sleep(0.05)
    # A job killed mid-write leaves its temporary file: make one as it would.
    (killed / "results" / "search" / ".hits_tile_2_2.parquet.abc123.tmp").write_bytes(b"partial")
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)
    written = sorted(search.glob("hits_tile_*.parquet"), key=lambda p: p.stat().st_mtime_ns)
    done = [p for p in written[:-1] if p.with_name(p.name.replace("hits", "pairs")).exists()]
    assert done and len(written) < 6, "kill the run while some tiles are done and some not"
    done_before = {p.name: p.stat().st_mtime_ns for p in done}
    store_before = (killed / "results" / "store" / "codes.npy").stat().st_mtime_ns

    # docs/usage.md, "When a run is interrupted": unlock, then rerun with --rerun-incomplete.
    assert snakemake(killed, "--unlock", timeout=120).returncode == 0
    resumed = snakemake(killed, "--cores", "2", "--configfile", "my.yaml", "--rerun-incomplete",
                        timeout=600)  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "rule ingest" not in resumed.stderr and "checkpoint ingest" not in resumed.stderr
    assert (killed / "results" / "store" / "codes.npy").stat().st_mtime_ns == store_before
    assert {p.name: p.stat().st_mtime_ns for p in done} == done_before  # not run again
    # ours, and the running job's own when the kill caught it mid-write
    assert re.search(r"removed [12] temporary files of interrupted jobs", resumed.stderr)
    assert not list((killed / "results").rglob(".*.tmp"))

    uninterrupted = snakemake(clean, "--cores", "2", "--configfile", "my.yaml", timeout=600)
    assert uninterrupted.returncode == 0, uninterrupted.stderr[-3000:]
    assert digests(killed / "results") == digests(clean / "results")
