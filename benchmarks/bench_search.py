"""All-vs-all homology search on SCOPe40: sensitivity up to the first false
positive (Foldseek semantics, see seqsim/validation/evaluate.py), wall time and peak
memory of seqsim and the reference tools, run side by side on the same set.

Usage:
    python benchmarks/bench_search.py [--split val|all] [--threads 2]
        [--tools seqsim,seqsim-kmer,seqsim-kmer-sensitive,seqsim-exhaustive,seqsim-mash,
                 blastp,diamond,mmseqs,mmseqs-default,ssearch,phmmer,mash]
seqsim is `seqsim search` (ungapped prefilter), seqsim-kmer `seqsim search
--prefilter kmer` (seqsim-kmer-band0: seed hits on one diagonal only;
seqsim-kmer-sensitive: 4-mers at threshold 15, see SENSITIVE_KMER),
seqsim-exhaustive `seqsim align` (every pair aligned),
seqsim-mash `seqsim mash-dist` (k = 5, 1000 hashes, like the mash row).
Needs the Debian packages of the tools asked for (ncbi-blast+, diamond-aligner,
mmseqs2, fasta3, hmmer, mash) and ../shared/data/scope40.
"""

from __future__ import annotations

import argparse
import gzip
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser
from machine import cpu_model

from seqsim.validation.evaluate import rank_blast_hits, sensitivity_to_first_fp

SCOPE = Path(__file__).resolve().parents[2] / "shared" / "data" / "scope40"


def run_timed(command: list[str], log: Path) -> tuple[float, float]:
    """Run ``command``; return (wall seconds, peak RSS in MB of it and its children).

    The peak comes from GNU time run as the parent of ``command``: a process
    forked straight from this (large) Python process would inherit its
    resident size as the starting high-water mark.
    """
    rss_file = log.with_suffix(".rss")
    wrapped = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *command]
    start = time.perf_counter()
    with open(log, "w") as out:
        status = subprocess.run(wrapped, stdout=out, stderr=subprocess.STDOUT).returncode
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{command[0]} failed (status {status}); see {log}")
    return wall, int(rss_file.read_text().split()[-1]) / 1024


# BLAST tabular rows with the distance in the E-value column (ranked ascending):
# from `seqsim mash-dist` (query, target, distance, shared) and from `mash dist`
# (reference, query, distance, p-value, shared).
# The k-mer prefilter at its most sensitive measured setting short of scanning
# every pair (prefilter_recall.py: 83% of the superfamily true positives).
SENSITIVE_KMER = ["--kmer-k", "4", "--kmer-threshold", "15", "--min-diagonal-score", "35"]
AWK_MASH = 'BEGIN {OFS="\\t"} {print $1, $2, 0, 0, 0, 0, 0, 0, 0, 0, $3, 0}'
AWK_MASH_DIST = 'BEGIN {OFS="\\t"} {print $2, $1, 0, 0, 0, 0, 0, 0, 0, 0, $3, 0}'


def tool_commands(name: str, fasta: Path, work: Path, threads: int) -> list[list[str]]:
    """Commands for one tool; the last writes ``work/NAME.tsv`` in BLAST tabular format."""
    out = str(work / f"{name}.tsv")
    t = str(threads)
    if name.startswith("seqsim-mash"):
        return [["sh", "-c", f"{sys.executable} -m seqsim mash-dist {fasta} -o {out}.dist -q "
                 f"-k 5 -s 1000 --max-distance 0.9999 "
                 f"&& awk '{AWK_MASH}' {out}.dist > {out}"]]  # fmt: skip
    if name.startswith("seqsim"):
        kmer = ["search", "--prefilter", "kmer"]
        mode = {"seqsim-exhaustive": ["align"], "seqsim": ["search"], "seqsim-kmer": kmer,
                "seqsim-kmer-band0": [*kmer, "--diagonal-band", "0"],
                "seqsim-kmer-sensitive": [*kmer, *SENSITIVE_KMER]}[name]  # fmt: skip
        return [[sys.executable, "-m", "seqsim", *mode, str(fasta), "-o", out,
                 "--threads", t, "--evalue", "10", "-q"]]  # fmt: skip
    if name == "mash":
        sketch = str(work / "mash")
        return [
            ["mash", "sketch", "-a", "-k", "5", "-s", "1000", "-i", "-o", sketch, str(fasta)],
            # Pairs sharing no hash (distance 1) carry no ranking: leave them out.
            ["sh", "-c", f"mash dist -p {t} -d 0.9999 {sketch}.msh {sketch}.msh "
             f"| awk '{AWK_MASH_DIST}' > {out}"],
        ]  # fmt: skip
    if name == "blastp":
        db = str(work / "blastdb")
        return [
            ["makeblastdb", "-in", str(fasta), "-dbtype", "prot", "-out", db],
            ["blastp", "-query", str(fasta), "-db", db, "-outfmt", "6", "-evalue", "10",
             "-max_target_seqs", "2000", "-num_threads", t, "-out", out],
        ]  # fmt: skip
    if name == "diamond":
        db = str(work / "diamond")
        return [
            ["diamond", "makedb", "--in", str(fasta), "-d", db, "--quiet"],
            ["diamond", "blastp", "-q", str(fasta), "-d", db, "-o", out, "--ultra-sensitive",
             "-k", "2000", "--threads", t, "--quiet"],
        ]  # fmt: skip
    if name in ("mmseqs", "mmseqs-default"):
        extra = ["-s", "7.5", "-e", "10000", "--max-seqs", "2000"] if name == "mmseqs" else []
        return [["mmseqs", "easy-search", str(fasta), str(fasta), out, str(work / f"tmp-{name}"),
                 "--threads", t, "-v", "1", *extra]]  # fmt: skip
    if name == "ssearch":
        return [["sh", "-c", f"ssearch36 -q -m 8 -f -11 -g -1 -s BL62 -E 10 -b 2000 -d 0 "
                 f"-T {t} {fasta} {fasta} > {out}"]]  # fmt: skip
    if name == "phmmer":
        return [["sh", "-c", f"phmmer --max --cpu {t} --noali --tblout {work}/phmmer.tbl "
                 f"{fasta} {fasta} > /dev/null && awk '!/^#/ {{print $3\"\\t\"$1\"\\t0\\t0\\t0"
                 f"\\t0\\t0\\t0\\t0\\t0\\t\"$5\"\\t\"$6}}' {work}/phmmer.tbl > {out}"]]  # fmt: skip
    raise SystemExit(f"unknown tool {name}")


def write_set(split: str, path: Path) -> pd.DataFrame:
    labels = pd.read_csv(SCOPE / "labels.tsv", sep="\t")
    if split != "all":
        splits = pd.read_csv(SCOPE / "split_foldseek.tsv", sep="\t")
        labels = labels[labels["id"].isin(splits.loc[splits["split"] == split, "id"])]
    keep = set(labels["id"])
    with gzip.open(SCOPE / "scope40.fasta.gz", "rt") as handle, open(path, "w") as out:
        for title, sequence in SimpleFastaParser(handle):
            if title.split()[0] in keep:
                out.write(f">{title}\n{sequence}\n")
    return labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="val", help="val, train or all (the 11,206 domains)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--tools",
        default="seqsim,seqsim-kmer,seqsim-exhaustive,blastp,diamond,mmseqs,mmseqs-default,"
        "ssearch,mash",
    )
    parser.add_argument("--keep", help="keep outputs in this folder")
    args = parser.parse_args()
    if not SCOPE.is_dir():
        raise SystemExit(f"{SCOPE} not found")
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_search."))
    work.mkdir(parents=True, exist_ok=True)
    fasta = work / "set.fasta"
    labels = write_set(args.split, fasta)
    from seqsim.kernels.simd import SIMD_PATH

    print(f"machine: {cpu_model()}; seqsim SIMD path {SIMD_PATH} (SEQSIM_SIMD to force one)")
    print(f"SCOPe40 {args.split}: {len(labels)} domains, all-vs-all, {args.threads} threads\n")
    print("| tool | FAM | SFAM | FOLD | wall | peak RSS | hits |")
    print("|---|---|---|---|---|---|---|")
    for name in args.tools.split(","):
        commands = tool_commands(name, fasta, work, args.threads)
        if shutil.which(commands[-1][0]) is None and commands[-1][0] not in ("sh", sys.executable):
            print(f"| {name} | not installed | | | | | |")
            continue
        wall, peak = 0.0, 0.0
        for k, command in enumerate(commands):
            seconds, rss = run_timed(command, work / f"{name}.{k}.log")
            wall, peak = wall + seconds, max(peak, rss)
        table = pd.read_csv(work / f"{name}.tsv", sep="\t", header=None, comment="#")
        result = sensitivity_to_first_fp(rank_blast_hits(table, "evalue"), labels)
        print(
            f"| {name} | {result.family:.3f} | {result.superfamily:.3f} | {result.fold:.3f} "
            f"| {wall:.1f} s | {peak:.0f} MB | {len(table)} |",
            flush=True,
        )
    print(f"\n{3 * ' '}scored queries: {result.n_queries}; outputs in {work}")


if __name__ == "__main__":
    main()
