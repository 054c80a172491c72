"""A highly redundant set: N copies of one protein of length 300, all-vs-all.

Every pair is a hit, so the hits grow as N^2; ``--max-target-seqs`` keeps
each query's best N before the traceback, so the work stays N^2 scores but
memory and output follow N x limit. Runs, on the same set in the same run:
``seqsim search`` with the limit, without it (only at the sizes given in
--unlimited-sizes), and ``mmseqs easy-search --max-seqs`` with the same limit
when MMseqs2 is installed. Prints wall time, peak RSS and hits.

Usage:
    python benchmarks/bench_redundant.py [--sizes 1000,5000] [--limit 20]
        [--unlimited-sizes 1000] [--threads 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from machine import cpu_model

from seqsim.kernels.simd import SIMD_PATH

from bench_search import run_timed


def write_copies(path: Path, n: int, length: int) -> None:
    rng = np.random.default_rng(300)
    protein = "".join(rng.choice(list("ARNDCQEGHILKMFPSTWYV"), length))
    path.write_text("".join(f">copy{i}\n{protein}\n" for i in range(n)))


def count_lines(path: Path) -> int:
    with open(path, "rb") as handle:
        return sum(1 for _ in handle)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--limit", type=int, default=20)
    parser.add_argument("--unlimited-sizes", default="1000")
    parser.add_argument(
        "--max-memory",
        default="200M",
        help="also run the unlimited search with this --max-memory (empty: not)",
    )
    parser.add_argument("--length", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", help="work folder (kept)")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_redundant."))
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {cpu_model()}; seqsim SIMD path {SIMD_PATH}; {args.threads} threads")
    print(f"N identical proteins of length {args.length}, all-vs-all\n")
    print("| N | tool | wall | peak RSS | hits |")
    print("|---|---|---|---|---|")
    unlimited = {int(n) for n in args.unlimited_sizes.split(",") if n}
    for n in (int(n) for n in args.sizes.split(",")):
        fasta = work / f"copies_{n}.fasta"
        write_copies(fasta, n, args.length)
        runs = {
            f"seqsim search --max-target-seqs {args.limit}": ["--max-target-seqs", str(args.limit)]
        }
        if n in unlimited:
            runs["seqsim search"] = []
            if args.max_memory:
                spill = ["--max-memory", args.max_memory, "--spill-dir", str(work)]
                runs[f"seqsim search --max-memory {args.max_memory}"] = spill
        outputs = []
        for k, (name, extra) in enumerate(runs.items()):
            out = work / f"seqsim_{n}_{k}.tsv"
            command = [sys.executable, "-m", "seqsim", "search", str(fasta), "-o", str(out),
                       "--threads", str(args.threads), *extra]  # fmt: skip
            wall, rss = run_timed(command, work / f"seqsim_{n}_{k}.log")
            print(f"| {n:,} | {name} | {wall:.1f} s | {rss:.0f} MB | {count_lines(out):,} |")
            outputs.append(out)
        if len(outputs) == 3 and outputs[1].read_bytes() != outputs[2].read_bytes():
            raise SystemExit("--max-memory changed the output")
        if shutil.which("mmseqs"):
            out = work / f"mmseqs_{n}.tsv"
            command = ["mmseqs", "easy-search", str(fasta), str(fasta), str(out),
                       str(work / f"tmp_{n}"), "--threads", str(args.threads),
                       "--max-seqs", str(args.limit), "-v", "1"]  # fmt: skip
            wall, rss = run_timed(command, work / f"mmseqs_{n}.log")
            name = f"mmseqs easy-search --max-seqs {args.limit}"
            print(f"| {n:,} | {name} | {wall:.1f} s | {rss:.0f} MB | {count_lines(out):,} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
