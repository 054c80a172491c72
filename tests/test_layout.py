"""The results/ layout module: cheap to import, and the patterns the
workflow's rules and seqsim.runs share."""

from __future__ import annotations

import ast
import subprocess
import sys

from seqsim import layout


def test_layout_imports_nothing():
    tree = ast.parse(open(layout.__file__).read())
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [n.module for n in imports if isinstance(n, ast.ImportFrom)] == ["__future__"]
    done = subprocess.run(
        [sys.executable, "-c", "import sys, seqsim.layout; print('numpy' in sys.modules)"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert done.stdout.strip() == "False"


def test_paths_logs_and_benchmarks():
    assert layout.result(layout.SEARCH_HITS.format(block=0, target=2)) == (
        "results/search/hits_tile_0_2.parquet"
    )
    assert layout.log("search", layout.TILE) == "logs/search/tile_{block}_{target}.log"
    assert layout.log("ingest") == "logs/ingest/ingest.log"
    assert layout.benchmark("score_pairs", layout.BLOCK) == (
        "logs/benchmarks/score_pairs/block_{block}.tsv"
    )
    assert layout.benchmark("cluster") == "logs/benchmarks/cluster.tsv"
