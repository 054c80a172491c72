"""Local alignment throughput: seqsim's batch aligner beside pyopal, parasail and
Biopython, on the same data in one run.

Score-only Smith-Waterman, BLOSUM62, BLAST gap costs 11/1 (a gap of length L
costs 11 + L: Biopython open -12 / extend -1, pyopal and parasail open 12 /
extend 1). Prints GCUPS (DP cells per second / 1e9) per tool and the ratio
seqsim / pyopal, after checking that all tools report identical scores.

Usage: python benchmarks/bench_alignment.py [--targets 2000] [--seconds 2]
                                            [--scope ../shared/data/scope40/scope40.fasta.gz]
Needs: pip install pyopal parasail
"""

from __future__ import annotations

import argparse
import gzip
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numba
import numpy as np
from Bio.Align import PairwiseAligner, substitution_matrices
from Bio.SeqIO.FastaIO import SimpleFastaParser
from machine import cpu_model

from seqsim.alignment.batch import BatchAligner
from seqsim.alignment.scoring import scoring_scheme
from seqsim.kernels.simd import SIMD_PATH, VECTOR_BYTES
from seqsim.sequences.alphabet import get_alphabet

BACKGROUND = "ARNDCQEGHILKMFPSTWYV"
# Robinson & Robinson amino-acid frequencies (BLAST's background), ARNDCQEGHILKMFPSTWYV.
FREQUENCIES = np.array(
    [78.05, 51.29, 44.87, 53.64, 19.25, 42.64, 62.95, 73.77, 21.99, 51.42,
     90.19, 57.44, 22.43, 38.56, 52.03, 71.20, 58.41, 13.30, 32.16, 64.41]
)  # fmt: skip
FREQUENCIES /= FREQUENCIES.sum()


def random_proteins(rng, n: int, mean_length: float) -> list[str]:
    lengths = np.maximum(20, rng.gamma(4.0, mean_length / 4.0, n).astype(int))
    letters = np.array(list(BACKGROUND))
    return ["".join(rng.choice(letters, size=length, p=FREQUENCIES)) for length in lengths]


def sustained_time(function, min_seconds: float) -> tuple[float, object]:
    """Seconds per call of ``function``, averaged over calls repeated for at
    least ``min_seconds`` after one warm-up call.

    Short bursts understate multi-threaded speed on virtual machines, whose
    idle vCPUs take tens of milliseconds to come back up to speed; a
    sustained load is also what an all-vs-all run puts on the machine.
    """
    result = function()
    calls, start = 0, time.perf_counter()
    while True:
        function()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= min_seconds:
            return elapsed / calls, result


class Tools:
    """Each tool prepared once for a target set (profiles/databases built outside timing)."""

    def __init__(self, targets: list[str]) -> None:
        import parasail
        import pyopal

        self.targets = targets
        self.scheme = scoring_scheme("protein")
        alphabet = get_alphabet("protein")
        encoded = [alphabet.encode(t) for t in targets]
        offsets = np.zeros(len(targets) + 1, dtype=np.int64)
        np.cumsum([e.size for e in encoded], out=offsets[1:])
        self.seqsim = BatchAligner(np.concatenate(encoded), offsets, self.scheme)
        self.alphabet = alphabet
        self.pyopal = pyopal
        self.pyopal_db = pyopal.Database(targets)
        self.parasail = parasail
        self.aligner = PairwiseAligner(
            mode="local",
            substitution_matrix=substitution_matrices.load("BLOSUM62"),
            open_gap_score=-12,
            extend_gap_score=-1,
        )

    def run_seqsim(self, query: str, threads: int) -> np.ndarray:
        """One query: its target batches spread over ``threads``."""
        numba.set_num_threads(threads)
        return self.seqsim.scores(self.alphabet.encode(query))

    def run_seqsim_many(self, queries: list[str], threads: int) -> list[np.ndarray]:
        """Many queries: one query per thread (as ``seqsim align`` does)."""
        encoded = [self.alphabet.encode(q) for q in queries]
        return list(self.seqsim.scores_many(encoded, threads=threads))

    def run_pyopal(self, query: str, threads: int) -> np.ndarray:
        results = self.pyopal.align(
            query, self.pyopal_db, "BLOSUM62", gap_open=12, gap_extend=1,
            mode="score", algorithm="sw", threads=threads,
        )  # fmt: skip
        scores = np.zeros(len(self.targets), dtype=np.int64)
        for result in results:  # results may arrive out of order
            scores[result.target_index] = result.score
        return scores

    def run_parasail(self, query: str, threads: int) -> np.ndarray:
        profile = self.parasail.profile_create_sat(query, self.parasail.blosum62)

        def one(target: str) -> int:
            return self.parasail.sw_striped_profile_sat(profile, target, 12, 1).score

        if threads == 1:
            return np.array([one(t) for t in self.targets])
        with ThreadPoolExecutor(threads) as pool:
            return np.array(list(pool.map(one, self.targets, chunksize=64)))

    def run_biopython(self, query: str, n_targets: int) -> np.ndarray:
        return np.array([self.aligner.score(query, t) for t in self.targets[:n_targets]])


def measure(tools: Tools, queries: list[str], seconds: float, biopython_targets: int) -> dict:
    target_residues = sum(len(t) for t in tools.targets)
    cells = sum(len(q) for q in queries) * target_residues
    rows: dict[str, float] = {}
    reference = None
    for name, runner, threads in [
        ("seqsim", tools.run_seqsim, 1),
        ("seqsim", tools.run_seqsim, 2),
        ("pyopal", tools.run_pyopal, 1),
        ("pyopal", tools.run_pyopal, 2),
        ("parasail", tools.run_parasail, 1),
        ("parasail", tools.run_parasail, 2),
    ]:
        if name == "seqsim" and len(queries) > 1:
            per_call, scores = sustained_time(
                lambda n=threads: tools.run_seqsim_many(queries, n), seconds
            )
        else:
            per_call, scores = sustained_time(
                lambda run=runner, n=threads: [run(q, n) for q in queries], seconds
            )
        scores = np.concatenate(scores)
        if reference is None:
            reference = scores
        elif not np.array_equal(scores, reference):
            raise SystemExit(f"{name} scores differ from seqsim's: the benchmark is invalid")
        rows[f"{name} {threads}t"] = cells / per_call / 1e9
    bio_queries = queries[: max(1, len(queries) // 40)]
    start = time.perf_counter()
    scores = [tools.run_biopython(q, biopython_targets) for q in bio_queries]
    elapsed = time.perf_counter() - start
    n = biopython_targets
    expected = reference.reshape(len(queries), -1)[: len(bio_queries), :n].ravel()
    if not np.array_equal(np.concatenate(scores), expected):
        raise SystemExit("Biopython scores differ from seqsim's")
    bio_cells = sum(len(q) for q in bio_queries) * sum(len(t) for t in tools.targets[:n])
    rows["biopython 1t"] = bio_cells / elapsed / 1e9
    return rows


def print_table(title: str, columns: list[str], results: dict[str, dict]) -> None:
    print(f"\n{title}")
    print("| tool | " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * len(columns))
    tools = list(next(iter(results.values())))
    for tool in tools:
        cells = " | ".join(f"{results[c][tool]:.2f}" for c in columns)
        print(f"| {tool} | {cells} |")
    for threads in ("1t", "2t"):
        ratios = " | ".join(
            f"{results[c][f'seqsim {threads}'] / results[c][f'pyopal {threads}']:.2f}"
            for c in columns
        )
        print(f"| ratio seqsim/pyopal {threads} | {ratios} |")
    scaling = " | ".join(
        f"{results[c]['seqsim 2t'] / results[c]['seqsim 1t']:.2f}" for c in columns
    )
    print(f"| seqsim 2t / 1t | {scaling} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=2000)
    parser.add_argument(
        "--seconds", type=float, default=2.0, help="minimum timed seconds per tool and setting"
    )
    parser.add_argument("--biopython-targets", type=int, default=100)
    parser.add_argument(
        "--scope",
        default=str(Path(__file__).resolve().parents[2] / "shared/data/scope40/scope40.fasta.gz"),
    )
    args = parser.parse_args()
    print(f"machine: {cpu_model()}; seqsim SIMD path {SIMD_PATH} ({VECTOR_BYTES}-byte vectors)")
    rng = np.random.default_rng(2026)

    targets = random_proteins(rng, args.targets, 270)
    tools = Tools(targets)
    tools.run_seqsim(targets[0][:50], 1)  # compile outside the timings
    results = {}
    for length in (100, 300, 1000):
        query = random_proteins(rng, 1, length)[0][:length]
        query = (query * (length // len(query) + 1))[:length]
        results[f"query {length}"] = measure(tools, [query], args.seconds, args.biopython_targets)
    print_table(
        f"GCUPS, one query vs {args.targets} random targets (mean length "
        f"{np.mean([len(t) for t in targets]):.0f}), BLOSUM62 11/1, score only",
        list(results),
        results,
    )

    scope = Path(args.scope)
    if scope.exists():
        with gzip.open(scope, "rt") as handle:
            sequences = [s for _, s in SimpleFastaParser(handle)]
        picked = rng.permutation(len(sequences))
        queries = [sequences[i] for i in picked[:200]]
        scope_targets = [sequences[i] for i in picked[200 : 200 + args.targets]]
        real = {"scope40": measure(Tools(scope_targets), queries, 0, args.biopython_targets)}
        print_table(
            f"GCUPS, 200 scope40 queries vs {len(scope_targets)} scope40 targets",
            ["scope40"],
            real,
        )
    else:
        print(f"\n(scope40 not found at {scope}: real-protein batch skipped)")


if __name__ == "__main__":
    main()
