"""The machine a benchmark ran on, for its first line: every table is read
beside the CPU model and vector extensions it was measured on."""

from __future__ import annotations

import platform
from pathlib import Path


def cpu_model() -> str:
    info = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                  if line.startswith("model name")), platform.machine())  # fmt: skip
    flags = next((line.split(":", 1)[1].split() for line in info.splitlines()
                  if line.startswith("flags")), [])  # fmt: skip
    simd = sorted(f for f in flags if f.startswith(("avx2", "avx512f", "avx512bw")))
    return f"{model} ({' '.join(simd) or 'no AVX2'})"
