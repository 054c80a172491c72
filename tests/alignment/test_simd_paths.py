"""Every SIMD path this CPU can run (AVX-512, AVX2, generic) gives the same
scores, score ends and ungapped scores: each runs in its own process, forced
with SEQSIM_SIMD."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from seqsim.kernels.simd import AVAILABLE_PATHS

# Random proteins of many lengths, with families (so that scores reach the int8
# saturation and the int16 pass), against every one of them.
SCRIPT = """
import sys
import numpy as np
from seqsim.alignment.batch import BatchAligner
from seqsim.alignment.scoring import scoring_scheme
from seqsim.kernels.simd import SIMD_PATH, VECTOR_BYTES

rng = np.random.default_rng(7)
ancestor = rng.integers(0, 20, 400)
sequences = [rng.integers(0, 20, int(n)) for n in rng.integers(1, 300, 150)]
for _ in range(30):
    sequences.append(np.where(rng.random(400) < 0.2, rng.integers(0, 20, 400), ancestor))
offsets = np.zeros(len(sequences) + 1, dtype=np.int64)
np.cumsum([s.size for s in sequences], out=offsets[1:])
codes = np.concatenate(sequences).astype(np.uint8)
aligner = BatchAligner(codes, offsets, scoring_scheme("protein"))
everyone = np.arange(len(sequences))
rows = []
for q in range(0, len(sequences), 7):
    query = sequences[q].astype(np.uint8)
    rows.append(aligner.scores(query, parallel=False))
    rows.append(aligner.ungapped_scores(query))
    rows.append(aligner.score_ends(query, everyone).ravel())
np.save(sys.argv[1], np.concatenate(rows).astype(np.int64))
print(SIMD_PATH, VECTOR_BYTES)
"""


def scores_on(path: str, out: str, cache: str) -> np.ndarray:
    # A fresh numba cache: compiled from the current sources, whatever is cached.
    env = dict(os.environ, SEQSIM_SIMD=path, NUMBA_CACHE_DIR=cache)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, out], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[0] == path
    return np.load(out)


@pytest.mark.slow  # a subprocess per SIMD path: ~30 s on 2 cores
def test_every_simd_path_gives_the_same_scores(tmp_path):
    if len(AVAILABLE_PATHS) < 2:
        pytest.skip("this CPU has one SIMD path")
    results = {
        path: scores_on(path, str(tmp_path / f"{path}.npy"), str(tmp_path / "cache"))
        for path in AVAILABLE_PATHS
    }
    reference = results[AVAILABLE_PATHS[-1]]  # generic: LLVM's own lowering
    assert reference.size > 1000 and reference.max() > 127  # int16 lanes were needed
    for path, scores in results.items():
        assert np.array_equal(scores, reference), path


def test_a_path_the_cpu_lacks_is_refused_by_name():
    env = dict(os.environ, SEQSIM_SIMD="avx1024")
    done = subprocess.run(
        [sys.executable, "-c", "import seqsim.kernels.simd"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert "SEQSIM_SIMD=avx1024: this CPU runs" in done.stderr
