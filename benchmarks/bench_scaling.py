"""Scaling of all-vs-all ``seqsim search --prefilter kmer``: wall time and peak
memory at N = 10k, 30k, 100k sequences, and the fitted growth exponent.

The sets are the SCOPe40 domains (../shared/data/scope40) topped up with
protein families simulated by ``seqsim simulate`` (fixed seed): 10k is the
first 10,000 SCOPe40 domains, 30k and 100k are all 11,206 plus simulated
sequences.

Usage:
    python benchmarks/bench_scaling.py [--sizes 10000,30000,100000] [--threads 2]
        [--tools seqsim-kmer,seqsim-kmer+score,mmseqs-default] [--keep DIR]
"""

from __future__ import annotations

import argparse
import gzip
import math
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from Bio.SeqIO.FastaIO import SimpleFastaParser

from bench_search import SCOPE, run_timed

# Simulated top-up: ~90,000 proteins in 2,000 superfamilies of 3 families.
SIMULATE = [
    "--seed", "7", "--superfamilies", "2000", "--families-per-superfamily", "3",
    "--members", "10", "20", "--length", "80", "400", "--singletons", "0",
]  # fmt: skip


def records(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt") as handle:
        for title, sequence in SimpleFastaParser(handle):
            yield title.split()[0], sequence


def write_sets(work: Path, sizes: list[int]) -> dict[int, Path]:
    """The sets, reused from ``work`` only when they were made by the same
    simulator command (a stale set once gave a table another run could not
    reproduce)."""
    simulated = work / "simulated.fasta"
    stamp = work / "simulated.command"
    made_by = " ".join(SIMULATE) + "\n"
    if not stamp.exists() or stamp.read_text() != made_by:
        for old in [simulated, *work.glob("set*.fasta")]:
            old.unlink(missing_ok=True)
    if not simulated.exists() and max(sizes) > 11206:
        subprocess.run(
            [sys.executable, "-m", "seqsim", "simulate", "-q", *SIMULATE,
             "--out-fasta", str(simulated), "--out-labels", str(work / "simulated_labels.tsv"),
             "--out-families", str(work / "simulated_families.tsv")],
            check=True,
        )  # fmt: skip
    stamp.write_text(made_by)
    sets = {}
    for n in sizes:
        path = work / f"set{n}.fasta"
        sets[n] = path
        if path.exists():
            continue
        sources = [SCOPE / "scope40.fasta.gz"] + ([simulated] if n > 11206 else [])
        with open(path, "w") as out:
            written = 0
            for source in sources:
                for name, sequence in records(source):
                    if written == n:
                        break
                    out.write(f">{name}\n{sequence}\n")
                    written += 1
        if written < n:
            raise SystemExit(f"only {written} sequences for N = {n}")
    return sets


def command(tool: str, fasta: Path, work: Path, threads: int) -> list[str]:
    out = str(work / f"{tool}-{fasta.stem}.tsv")
    if tool == "seqsim-kmer":
        return [sys.executable, "-m", "seqsim", "search", str(fasta), "-o", out,
                "--prefilter", "kmer", "--threads", str(threads), "-q"]  # fmt: skip
    if tool == "seqsim-kmer+score":  # the search, then the shipped model on its hits
        hits = str(work / f"hits-{fasta.stem}.parquet")
        search = [sys.executable, "-m", "seqsim", "search", str(fasta), "-o", out, "--prefilter",
                  "kmer", "--hits-out", hits, "--threads", str(threads), "-q"]  # fmt: skip
        scored = str(work / f"scored-{fasta.stem}.parquet")
        score = [sys.executable, "-m", "seqsim", "score", str(fasta), "--hits", hits, "-o",
                 scored, "--threads", str(threads), "-q"]  # fmt: skip
        return ["bash", "-c", " && ".join(shlex.join(step) for step in (search, score))]
    if tool == "mmseqs-default":
        return ["mmseqs", "easy-search", str(fasta), str(fasta), out,
                str(work / f"tmp-{fasta.stem}"), "--threads", str(threads), "-v", "1"]  # fmt: skip
    raise SystemExit(f"unknown tool {tool}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tools", default="seqsim-kmer")
    parser.add_argument("--keep", help="work folder (kept; sets are reused from it)")
    args = parser.parse_args()
    if not SCOPE.is_dir():
        raise SystemExit(f"{SCOPE} not found")
    sizes = [int(n) for n in args.sizes.split(",")]
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_scaling."))
    work.mkdir(parents=True, exist_ok=True)
    sets = write_sets(work, sizes)
    print(f"all-vs-all, {args.threads} threads; outputs in {work}\n")
    print("| tool | N | wall | peak RSS | hits |")
    print("|---|---|---|---|---|")
    for tool in args.tools.split(","):
        walls = []
        for n in sizes:
            log = work / f"{tool}-{n}.log"
            wall, peak = run_timed(command(tool, sets[n], work, args.threads), log)
            with open(work / f"{tool}-set{n}.tsv") as handle:
                n_hits = sum(1 for _ in handle)
            walls.append(wall)
            print(f"| {tool} | {n} | {wall:.0f} s | {peak:.0f} MB | {n_hits} |", flush=True)
        if len(sizes) > 1:
            slope = np.polyfit(np.log(sizes), np.log(walls), 1)[0]
            print(f"| {tool} | growth exponent | {slope:.2f} (wall ~ N^{slope:.2f}) | | |")
    print(f"\n(largest set: {math.ceil(max(sizes) / 1000)}k sequences)")


if __name__ == "__main__":
    main()
