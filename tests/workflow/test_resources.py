"""Every rule asks for memory and run time; the heavy ones time themselves."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.workflow

HEAVY = {"ingest", "count_kmers", "score_pairs", "search", "similarity_edges",
         "similarity_matrix", "cluster", "train", "score", "embed"}  # fmt: skip


def rule_blocks() -> dict[str, str]:
    blocks = {}
    for path in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        text = path.read_text()
        starts = list(re.finditer(r"^(?:rule|checkpoint) (\w+):\n", text, re.M))
        for k, start in enumerate(starts):
            end = starts[k + 1].start() if k + 1 < len(starts) else len(text)
            blocks[start.group(1)] = text[start.end() : end]
    return blocks


def test_every_rule_sets_memory_and_runtime_and_heavy_rules_a_benchmark():
    blocks = rule_blocks()
    assert HEAVY <= set(blocks)
    for rule, body in blocks.items():
        assert re.search(r"resources:\n\s+mem_mb=job_memory\(", body), rule
        assert re.search(r"\n\s+runtime=job_runtime\(", body), rule
        if rule in HEAVY:
            assert "benchmark:\n        layout.benchmark(" in body, rule


def test_the_dry_run_gives_each_job_its_own_resources(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "-n", "--cores", "2",
         "--config", f"inputs=[{REPO / 'resources' / 'example' / 'protein.fasta'}]"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    jobs = re.findall(
        r"(?:localcheckpoint|localrule|checkpoint|rule) (\w+):\n(?:.*\n)*?\s+resources: (.*)",
        done.stdout,
    )
    assert {rule for rule, _ in jobs} >= {"ingest"}
    for rule, resources in jobs:
        if rule != "all":
            assert "mem_mb=" in resources and "runtime=" in resources, (rule, resources)
