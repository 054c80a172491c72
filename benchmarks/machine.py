"""The machine a benchmark ran on, for its first line: every table is read
beside the CPU model and vector extensions it was measured on; and
:func:`append_results`, which records a run's values in
``benchmarks/results/<script>.tsv`` (format: ``benchmarks/results/README.md``)."""

from __future__ import annotations

import datetime
import platform
from collections.abc import Iterable
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
COLUMNS = ("date", "cpu", "run", "table", "row", "column", "value")


def cpu_model() -> str:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                  if line.startswith("model name")), platform.machine())  # fmt: skip
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines()
                  if line.startswith("flags")), [])  # fmt: skip
    simd = sorted(f for f in flags if f.startswith(("avx2", "avx512f", "avx512bw")))
    return f"{model} ({' '.join(simd) or 'no AVX2'})"


def append_results(
    script: str,
    run: str,
    table: str,
    values: Iterable[tuple[str, str, str]],
    results: Path = RESULTS,
) -> Path:
    """Append one row per ``(row, column, value)`` to ``results/<script>.tsv``,
    with today's date (UTC) and :func:`cpu_model`; the header is written when
    the file is new. Older rows are never changed: a rerun adds rows."""
    date = datetime.datetime.now(datetime.UTC).date().isoformat()
    path = results / f"{script}.tsv"
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with open(path, "a", encoding="utf-8") as handle:
        if new:
            handle.write("\t".join(COLUMNS) + "\n")
        for row, column, value in values:
            fields = (date, cpu_model(), run, table, row, column, value)
            handle.write("\t".join(" ".join(str(f).split()) for f in fields) + "\n")
    return path
