"""Redundant sets: N identical proteins of length 300, all-vs-all, with and
without ``ingest --dedupe`` (ingest, search, BLAST tabular of every ID),
wall time and peak RSS (GNU time) of each, in the same run.

Usage:
    python benchmarks/bench_copies.py [--sizes 1000,5000] [--threads 2] [--keep DIR]
        [--no-plain]   (skip the runs without --dedupe; 5,000 of them take ~50 min)
        [--no-results] (do not append the values to benchmarks/results/bench_copies.tsv)
"""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
from pathlib import Path

import numpy as np
from machine import append_results

from bench_search import run_timed

AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"


def write_set(path: Path, n: int, length: int = 300, seed: int = 5) -> None:
    rng = np.random.default_rng(seed)
    sequence = "".join(rng.choice(list(AMINO_ACIDS), length))
    path.write_text("".join(f">copy{i:05d}\n{sequence}\n" for i in range(n)))


def pipeline(fasta: Path, work: Path, threads: int, dedupe: bool) -> list[str]:
    seqsim = [sys.executable, "-m", "seqsim"]
    store, hits = work / "store", work / "hits.parquet"
    steps = [
        [*seqsim, "ingest", str(fasta), "-o", str(store), "-q", *(["--dedupe"] if dedupe else [])],
        [*seqsim, "search", "--store", str(store), "--hits-out", str(hits), "--threads",
         str(threads), "-q"],
        [*seqsim, "tabulate-hits", "--store", str(store), "--hits", str(hits), "-o",
         str(work / "hits.tsv"), "-q"],
    ]  # fmt: skip
    return ["bash", "-c", " && ".join(shlex.join(step) for step in steps)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", help="work folder (kept)")
    parser.add_argument("--no-plain", action="store_true", help="only the --dedupe runs")
    parser.add_argument(
        "--no-results", action="store_true", help="do not append to benchmarks/results/"
    )
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_copies."))
    work.mkdir(parents=True, exist_ok=True)
    print(f"N identical proteins (length 300), all-vs-all, {args.threads} threads\n")
    print("| N | ingest | wall | peak RSS | hits.tsv lines |")
    print("|---|---|---|---|---|")
    values: list[tuple[str, str, str]] = []
    for n in (int(size) for size in args.sizes.split(",")):
        fasta = work / f"copies{n}.fasta"
        write_set(fasta, n)
        for dedupe in (True, False) if not args.no_plain else (True,):
            folder = work / f"{n}-{'dedupe' if dedupe else 'plain'}"
            folder.mkdir(parents=True, exist_ok=True)
            wall, peak = run_timed(pipeline(fasta, folder, args.threads, dedupe), folder / "log")
            with open(folder / "hits.tsv") as handle:
                lines = sum(1 for _ in handle)
            name = "--dedupe" if dedupe else "plain"
            print(f"| {n} | {name} | {wall:.1f} s | {peak:.0f} MB | {lines:,} |", flush=True)
            row = f"{n} {name}"
            values += [(row, "wall", f"{wall:.1f} s"), (row, "peak RSS", f"{peak:.0f} MB"),
                       (row, "hits.tsv lines", f"{lines:,}")]  # fmt: skip
    if not args.no_results:
        run = f"bench_copies.py --sizes {args.sizes} --threads {args.threads}"
        print(f"\nappended to {append_results('bench_copies', run, 'N ingest', values)}")


if __name__ == "__main__":
    main()
