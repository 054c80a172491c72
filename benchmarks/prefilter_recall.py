"""Recall of seqsim's prefilters: the fraction of the exhaustive search's true
positives (before the first false positive, at family / superfamily / fold
level, Foldseek SCOPe40 semantics) that a prefilter passes on to alignment,
and the fraction of all pairs it passes.

Exhaustive Smith-Waterman scores of every pair of the SCOPe40 val split
(2,207 domains) rank each query's targets; the unordered pairs ranked before
the query's first hit from another fold are the true positives.

Usage:
    python benchmarks/prefilter_recall.py [--split val] [--kmer 5,22,35,16 4,15,30,0 ...]
    python benchmarks/prefilter_recall.py --set rfam [--split test]

(--kmer: k, neighbourhood threshold, diagonal score, diagonal band.) With
``--set rfam`` (../shared/data/rfam_nrc, DNA alphabet) the levels are the Rfam
family and, in the superfamily column, the ncRNA class; the first false
positive is the first hit from another class.
"""

from __future__ import annotations

import argparse
import gzip
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser

from seqsim.alignment.batch import BatchAligner
from seqsim.alignment.scoring import scoring_scheme
from seqsim.labels import LEVELS, scop_levels
from seqsim.search_engine.prefilter import KmerIndex, KmerPrefilterSettings
from seqsim.sequences.ingest import ingest_fasta

from bench_search import SCOPE, write_set

RFAM = SCOPE.parent / "rfam_nrc"
KMER_DEFAULTS = {
    "scope40": ["5,22,35,0", "5,22,35,16", "5,21,35,16", "4,15,35,16", "4,15,30,0", "4,15,30,16"],
    "rfam": ["11,22,30,0", "11,22,30,4", "11,22,30,16", "9,18,30,0", "9,18,30,16"],
}


def write_rfam_set(split: str, path: Path) -> pd.DataFrame:
    """The nRC records of ``split`` (test: the 2,600 validated ones) as FASTA;
    labels with the Rfam family and the ncRNA class as the superfamily."""
    labels = pd.read_csv(RFAM / "labels.tsv", sep="\t")
    labels = labels[labels["split"].str.contains(split)]
    keep = set(labels["id"])
    with gzip.open(RFAM / "rfam_nrc.fasta.gz", "rt") as handle, open(path, "w") as out:
        for title, sequence in SimpleFastaParser(handle):
            if title.split()[0] in keep:
                out.write(f">{title}\n{sequence}\n")
    return pd.DataFrame(
        {"id": labels["id"], "family": labels["rfam_family"], "superfamily": labels["ncrna_class"]}
    )


def true_positive_pairs(scores: np.ndarray, levels) -> dict[str, set[tuple[int, int]]]:
    """Per level, the unordered pairs ranked before each query's first false positive."""
    n = scores.shape[0]
    fam, sfam, fold = (levels[level].to_numpy() for level in LEVELS)
    found: dict[str, set] = {level: set() for level in LEVELS}
    for q in range(n):
        for t in np.lexsort((np.arange(n), -scores[q])):
            if t == q:
                continue
            if fold[t] != fold[q]:
                break
            level = (
                "family" if fam[t] == fam[q] else "superfamily" if sfam[t] == sfam[q] else "fold"
            )
            found[level].add((min(q, t), max(q, t)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=sorted(KMER_DEFAULTS), default="scope40")
    parser.add_argument("--split", help="default: val (scope40), test (rfam)")
    parser.add_argument("--min-ungapped", type=int, nargs="*", default=[30, 35])
    parser.add_argument("--kmer", nargs="*", help="default: KMER_DEFAULTS of the set")
    args = parser.parse_args()
    fasta = Path(tempfile.mkdtemp(prefix="prefilter_recall.")) / "set.fasta"
    if args.set == "rfam":
        args.split = args.split or "test"
        labels = write_rfam_set(args.split, fasta)
    else:
        args.split = args.split or "val"
        labels = write_set(args.split, fasta)
    store = ingest_fasta([str(fasta)]).store
    scheme = scoring_scheme(store.alphabet)
    n = store.n_sequences
    queries = [store.sequence_codes(i) for i in range(n)]
    aligner = BatchAligner(store.codes, store.offsets, scheme)
    start = time.perf_counter()
    scores = np.stack(list(aligner.scores_many(queries, threads=2)))
    exhaustive_seconds = time.perf_counter() - start
    positives = true_positive_pairs(scores, scop_levels(labels).loc[store.ids])
    n_pairs = n * (n - 1) // 2
    print(f"{args.set} {args.split}: {n} sequences, {n_pairs} pairs; true positives "
          + ", ".join(f"{level} {len(pairs)}" for level, pairs in positives.items()))  # fmt: skip
    print(f"exhaustive scores: {exhaustive_seconds:.1f} s (2 threads)\n")
    print("| prefilter | pairs passed | recall FAM | recall SFAM | recall FOLD | time |")
    print("|---|---|---|---|---|---|")

    def report(name: str, passed: set[tuple[int, int]], seconds: float) -> None:
        cells = " | ".join(
            f"{len(positives[level] & passed) / len(positives[level]):.3f}"
            if positives[level]
            else "-"
            for level in LEVELS
        )
        print(f"| {name} | {len(passed) / n_pairs:.2%} | {cells} | {seconds:.1f} s |", flush=True)

    for threshold in args.min_ungapped:
        start = time.perf_counter()
        passed = set()
        for q in range(n):
            for t in np.flatnonzero(aligner.ungapped_scores(queries[q]) >= threshold):
                if t > q:
                    passed.add((q, int(t)))
        report(f"ungapped >= {threshold}", passed, time.perf_counter() - start)
    for setting in args.kmer or KMER_DEFAULTS[args.set]:
        k, threshold, diagonal, band = (int(v) for v in setting.split(","))
        start = time.perf_counter()
        chosen = KmerPrefilterSettings(k, threshold, diagonal, diagonal_band=band)
        index = KmerIndex(store, scheme, chosen)
        offsets, targets = index.candidates(store, np.arange(n), all_vs_all=True)
        seconds = time.perf_counter() - start
        rows = np.repeat(np.arange(n), np.diff(offsets))
        passed = set(zip(rows.tolist(), targets.tolist(), strict=True))
        name = f"k-mer k={k} threshold={threshold} diagonal>={diagonal} band {band}"
        report(name, passed, seconds)


if __name__ == "__main__":
    main()
