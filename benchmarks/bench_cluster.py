"""Clusters against the truth: every seqsim clustering mode beside MMseqs2's
``easy-cluster`` and CD-HIT, run on the same sequences in the same script.

    python benchmarks/bench_cluster.py [--sets scope40_val,pfam] [--threads 2]

Sets (``../shared/data``): ``scope40_val``, the SCOPe40 val split (2,207
domains, no fold shared with the shipped model's training split), labels
family and superfamily; ``pfam``, BALIFAM-100 (59 Pfam families x 100 UniProt
regions, not from PDB or SCOP), family and clan (a family without a clan is
its own).

seqsim runs the default search once and scores its candidate pairs with the
shipped model once; each mode then clusters those pairs (the time column is
the clustering alone; search and scoring are printed once per set). MMseqs2
(``easy-cluster -s 7.5 --min-seq-id 0``, bisecting ``-c``) and CD-HIT
(bisecting ``-c`` from 0.4, its lowest for proteins, word size as its guide
says) are run at the cluster count closest to each of the two references
(the best seqsim mode and the default one; where a tool cannot merge that
far, its fewest clusters), and at their own defaults.
ARI and NMI by scikit-learn. Prints the CPU, time and peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_pretrained import DATA, pfam, scope40_val
from machine import cpu_model
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from seqsim.alignment.scoring import scoring_scheme
from seqsim.clusters.methods import assign_clusters, prepare_pairs
from seqsim.pair_tables import alignment_pairs, indexed_pairs, self_scores
from seqsim.scorer.api import score
from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
from seqsim.sequences.ingest import ingest_fasta

# (label, feature, method, representative, threshold settings)
MODES = [
    ("probability set-cover (default)", "probability", "set-cover", {"min_similarity": 0.5}),
    ("probability connected", "probability", "connected", {"min_similarity": 0.5}),
    ("probability greedy-incremental", "probability", "greedy-incremental",
     {"min_similarity": 0.5}),
    ("probability average-linkage 0.5", "probability", "average-linkage", {"min_similarity": 0.5}),
    ("probability average-linkage 0.3", "probability", "average-linkage", {"min_similarity": 0.3}),
    ("probability leiden", "probability", "leiden", {"min_similarity": 0.5}),
    ("probability leiden >= 0.1", "probability", "leiden", {"min_similarity": 0.1}),
    ("score_ratio set-cover 0.15", "score_ratio", "set-cover", {"min_similarity": 0.15}),
    ("score_ratio set-cover, identity 0.3, coverage 0.8", "score_ratio", "set-cover",
     {"min_similarity": 0.0, "min_identity": 0.3, "coverage": 0.8}),
    ("score_ratio leiden 0.15", "score_ratio", "leiden", {"min_similarity": 0.15}),
]  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scores(labels_of: pd.DataFrame, ids: list[str], clusters) -> list[float]:
    truth = labels_of.loc[ids]
    out = []
    for level in ("family", "superfamily"):
        out += [
            adjusted_rand_score(truth[level], clusters),
            normalized_mutual_info_score(truth[level], clusters),
        ]
    return out


def read_pairs_tsv(path: Path, ids: list[str]) -> np.ndarray:
    """Cluster label per ID from a representative/member TSV."""
    table = pd.read_csv(path, sep="\t", header=None, names=["rep", "member"], dtype=str)
    label = dict(zip(table["member"], table["rep"], strict=True))
    return np.array([label[i] for i in ids], dtype=object)


def mmseqs_clusters(fasta: Path, work: Path, threads: int, coverage: float | None):
    """easy-cluster at its defaults (None), or at its most sensitive (-s 7.5,
    --min-seq-id 0) with coverage ``coverage``: its way to fewer, larger clusters."""
    out = work / "mm"
    args = ["mmseqs", "easy-cluster", str(fasta), str(out), str(work / "mmtmp"),
            "--threads", str(threads), "-v", "1"]  # fmt: skip
    if coverage is not None:
        args += ["-s", "7.5", "--min-seq-id", "0", "-c", f"{coverage:.4f}"]
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return out.parent / "mm_cluster.tsv", time.perf_counter() - start


def cdhit_clusters(fasta: Path, work: Path, threads: int, identity: float):
    word = 2 if identity < 0.5 else 3 if identity < 0.6 else 4 if identity < 0.7 else 5
    out = work / "cdhit"
    start = time.perf_counter()
    subprocess.run(["cd-hit", "-i", str(fasta), "-o", str(out), "-c", f"{identity:.4f}",
                    "-n", str(word), "-T", str(threads), "-M", "0", "-d", "0"],
                   check=True, capture_output=True)  # fmt: skip
    tsv = work / "cdhit.tsv"
    rows, rep, members = [], None, []
    for line in (work / "cdhit.clstr").read_text().splitlines():
        if line.startswith(">Cluster"):
            rows += [(rep, m) for m in members]
            rep, members = None, []
            continue
        name = line.split(">", 1)[1].split("...", 1)[0]
        members.append(name)
        if line.rstrip().endswith("*"):
            rep = name
    rows += [(rep, m) for m in members]
    pd.DataFrame(rows).to_csv(tsv, sep="\t", header=False, index=False)
    return tsv, time.perf_counter() - start


def matched(run, ids: list[str], target: int, low: float, high: float, steps: int = 7):
    """Bisect a tool's threshold (more clusters as it grows) for the cluster
    count closest to ``target``; the lowest threshold when even it gives more."""
    tsv, seconds = run(low)
    labels = read_pairs_tsv(tsv, ids)
    best = (low, len(set(labels)), labels, seconds)
    if best[1] >= target:
        return best
    for _ in range(steps):
        middle = (low + high) / 2
        tsv, seconds = run(middle)
        labels = read_pairs_tsv(tsv, ids)
        count = len(set(labels))
        if best is None or abs(count - target) < abs(best[1] - target):
            best = (middle, count, labels, seconds)
        if count == target:
            break
        if count > target:  # too many clusters: a lower identity merges more
            high = middle
        else:
            low = middle
    return best


def run_set(name: str, fasta: Path, labels: pd.DataFrame, threads: int, work: Path) -> None:
    store = ingest_fasta([fasta]).store
    start = time.perf_counter()
    scheme, hit_filter = scoring_scheme(store.alphabet), DEFAULT_HIT_FILTER
    hits = search_hits(store, store, scheme, hit_filter, threads=threads)
    search_s = time.perf_counter() - start
    start = time.perf_counter()
    scored = score(None, store, hits=hits)
    score_s = time.perf_counter() - start
    alignment = prepare_pairs(alignment_pairs(hits, self_scores(store, scheme), scheme, hit_filter))
    probability = prepare_pairs(indexed_pairs(scored[["query", "target", "probability"]], store))
    columns = ["query", "target", "fident", "shorter_ident", "qcov", "tcov", "score_ratio"]
    probability = probability.merge(alignment[columns], on=["query", "target"], how="left")
    tables = {"probability": probability, "score_ratio": alignment}
    table = labels.set_index("id")
    n_true = {level: table.loc[store.ids, level].nunique() for level in ("family", "superfamily")}
    upper = "superfamily" if name != "pfam" else "clan"
    plural = "superfamilies" if name != "pfam" else "clans"
    print(f"\n## {name}: {store.n_sequences} sequences, {n_true['family']} families, "
          f"{n_true['superfamily']} {plural}; seqsim search {search_s:.1f} s, scoring "
          f"{score_s:.1f} s; peak RSS so far {peak_rss_mb():.0f} MB\n")  # fmt: skip
    print(f"| mode | clusters | ARI family | NMI family | ARI {upper} | NMI {upper} | time (s) |")
    print("|---|---|---|---|---|---|---|")
    results = []
    for label, feature, method, thresholds in MODES:
        start = time.perf_counter()
        clusters = assign_clusters(
            store.lengths, tables[feature], feature=feature, method=method, **thresholds
        )
        seconds = time.perf_counter() - start
        values = scores(table, store.ids, clusters)
        results.append((label, np.unique(clusters).size, values, seconds))
        row = " | ".join(f"{v:.3f}" for v in values)
        print(f"| seqsim {label} | {np.unique(clusters).size} | {row} | {seconds:.2f} |")
    best = max(results, key=lambda r: r[2][2])  # ARI at the upper level
    default = results[0]
    references = {best[0]: best[1], default[0]: default[1]}
    tools = []
    if shutil.which("mmseqs"):
        tsv, seconds = mmseqs_clusters(fasta, work, threads, None)
        tools.append(("mmseqs easy-cluster (defaults)", read_pairs_tsv(tsv, store.ids), seconds))
        for label, count in references.items():
            found = matched(lambda x: mmseqs_clusters(fasta, work, threads, x), store.ids,
                            count, 0.0, 1.0)  # fmt: skip
            tools.append((f"mmseqs -s 7.5 --min-seq-id 0 -c {found[0]:.3f} (matched to {label})",
                          found[2], found[3]))  # fmt: skip
    if shutil.which("cd-hit"):
        tsv, seconds = cdhit_clusters(fasta, work, threads, 0.9)
        tools.append(("cd-hit -c 0.9 (default)", read_pairs_tsv(tsv, store.ids), seconds))
        for label, count in references.items():
            found = matched(lambda x: cdhit_clusters(fasta, work, threads, x), store.ids,
                            count, 0.4, 1.0)  # fmt: skip
            tools.append((f"cd-hit -c {found[0]:.3f} (matched to {label})", found[2], found[3]))
    for label, clusters, seconds in tools:
        row = " | ".join(f"{v:.3f}" for v in scores(table, store.ids, clusters))
        print(f"| {label} | {len(set(clusters))} | {row} | {seconds:.2f} |")
    print(f"\npeak RSS {peak_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="scope40_val,pfam")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} not found")
    print(f"machine: {cpu_model()}, {args.threads} threads")
    for tool in ("mmseqs", "cd-hit"):
        if shutil.which(tool):
            version = subprocess.run([tool, "version"] if tool == "mmseqs" else [tool, "-h"],
                                     capture_output=True, text=True)  # fmt: skip
            print(f"{tool}: {(version.stdout or version.stderr).strip().splitlines()[0]}")
    work = Path(tempfile.mkdtemp(prefix="bench_cluster."))
    sets = {"scope40_val": scope40_val, "pfam": pfam}
    for name in args.sets.split(","):
        fasta, labels = sets[name](work)
        run_set(name, fasta, labels, args.threads, work)


if __name__ == "__main__":
    main()
