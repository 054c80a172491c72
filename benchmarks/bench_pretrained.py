"""The shipped protein scorer on labelled sets: its own val split and a set
from another source, beside the Smith-Waterman bit score of the same search,
and clusters from its probability against clusters from score_ratio.

    python benchmarks/bench_pretrained.py [--sets scope40_val,pfam] [--threads 2]

- ``scope40_val``: the SCOPe40 val split (2,207 domains; no fold shared with
  the training split), the model card's numbers;
- ``pfam``: BALIFAM-100 (59 Pfam families x 100 UniProt regions; not from
  PDB or SCOP): homologs share a family, same clan = superfamily level, other
  clans are false positives.

Per set: sensitivity up to the first false positive (Foldseek semantics) of
each query's candidate pairs ranked by the learned probability and by the SW
bit score; then set-cover clusters (MMseqs2 mode 0) from the probability at
0.5 and from score_ratio at the threshold that gives the same number of
clusters, scored by adjusted Rand index and NMI against the family and
superfamily (clan) labels (needs scikit-learn). Time and peak RSS per step.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser
from machine import cpu_model

from seqsim.alignment.scoring import scoring_scheme
from seqsim.clusters.methods import assign_clusters
from seqsim.pair_tables import alignment_pairs, indexed_pairs, self_scores
from seqsim.scorer.api import score
from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
from seqsim.sequences.ingest import ingest_fasta
from seqsim.validation.evaluate import (
    rank_by_column,
    sensitivity_to_first_fp,
    sensitivity_with_clans,
)

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def scope40_val(work: Path) -> tuple[Path, pd.DataFrame]:
    labels = pd.read_csv(DATA / "scope40" / "labels.tsv", sep="\t")
    splits = pd.read_csv(DATA / "scope40" / "split_foldseek.tsv", sep="\t")
    labels = labels[labels["id"].isin(splits.loc[splits["split"] == "val", "id"])]
    return subset(DATA / "scope40" / "scope40.fasta.gz", set(labels["id"]), work / "val.fasta"), (
        labels[["id", "family", "superfamily", "fold"]]
    )


def pfam(work: Path) -> tuple[Path, pd.DataFrame]:
    labels = pd.read_csv(DATA / "pfam_balifam100" / "labels.tsv", sep="\t")
    clan = np.where(labels["clan"] == "none", labels["family"], labels["clan"])
    table = pd.DataFrame(
        {"id": labels["id"], "family": labels["family"], "superfamily": clan, "fold": clan}
    )
    fasta = subset(
        DATA / "pfam_balifam100" / "pfam_balifam100.fasta.gz", set(labels["id"]), work / "pf.fa"
    )
    return fasta, table


def subset(source: Path, keep: set[str], path: Path) -> Path:
    with gzip.open(source, "rt") as handle, open(path, "w") as out:
        for title, sequence in SimpleFastaParser(handle):
            if title.split()[0] in keep:
                out.write(f">{title}\n{sequence}\n")
    return path


def matched_threshold(lengths, pairs: pd.DataFrame, target: int) -> float:
    """The score_ratio threshold whose set-cover clusters number closest to ``target``."""
    low, high = 0.0, 1.0
    for _ in range(30):
        middle = (low + high) / 2
        clusters = assign_clusters(lengths, pairs, feature="score_ratio", min_similarity=middle)
        count = np.unique(clusters).size
        if count < target:
            low = middle
        else:
            high = middle
    return high


def agreement(representative: np.ndarray, truth: pd.Series) -> dict[str, float]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "ARI": adjusted_rand_score(truth, representative),
        "NMI": normalized_mutual_info_score(truth, representative),
    }


def run_set(
    name: str, fasta: Path, labels: pd.DataFrame, threads: int, model: Path | None = None
) -> None:
    store = ingest_fasta([fasta]).store
    start = time.perf_counter()
    scheme, hit_filter = scoring_scheme(store.alphabet), DEFAULT_HIT_FILTER
    hits = search_hits(store, store, scheme, hit_filter, threads=threads)
    search_s = time.perf_counter() - start
    start = time.perf_counter()
    scored = score(model, store, hits=hits, min_probability=0.0, top_k=0, features=True)
    score_s = time.perf_counter() - start
    print(f"\n## {name}: {store.n_sequences} sequences; search {search_s:.0f} s, "
          f"scoring {score_s:.0f} s ({len(scored):,} candidate pairs); "
          f"peak RSS so far {peak_rss_mb():.0f} MB\n")  # fmt: skip
    levels = "FAM | clan | -" if name == "pfam" else "FAM | SFAM | FOLD"
    print(f"| ranking | {levels} |")
    print("|---|---|---|---|")
    rankings = {
        "learned probability (shipped model)": rank_by_column(scored, "probability"),
        "Smith-Waterman bit score, same search": rank_by_column(
            scored[scored["has_hit"] > 0], "bits"
        ),
    }
    for ranking, ranked in rankings.items():
        if name == "pfam":
            family, clan, n_remote = sensitivity_with_clans(ranked, labels)
            print(f"| {ranking} | {family:.3f} | {clan:.3f} ({n_remote} queries) | - |")
            continue
        found = sensitivity_to_first_fp(ranked, labels)
        print(f"| {ranking} | {found.family:.3f} | {found.superfamily:.3f} | {found.fold:.3f} |")
    table = labels.set_index("id")
    likely = scored[scored["probability"] >= 0.5]
    same = (
        table.loc[likely["query"], "superfamily"].to_numpy()
        == table.loc[likely["target"], "superfamily"].to_numpy()
    )
    print(f"\npairs with probability >= 0.5: {len(likely):,}, {same.mean():.1%} in one "
          "superfamily (clan)")  # fmt: skip
    # Clusters: the probability at 0.5 against score_ratio at a matched count.
    probability_pairs = indexed_pairs(scored[["query", "target", "probability"]], store)
    ratio_pairs = alignment_pairs(hits, self_scores(store, scheme), scheme, hit_filter)
    by_probability = assign_clusters(
        store.lengths, probability_pairs, feature="probability", min_similarity=0.5
    )
    n_clusters = np.unique(by_probability).size
    threshold = matched_threshold(store.lengths, ratio_pairs, n_clusters)
    by_ratio = assign_clusters(
        store.lengths, ratio_pairs, feature="score_ratio", min_similarity=threshold
    )
    truth = labels.set_index("id").loc[store.ids]
    print(f"\nset-cover clusters: probability >= 0.5 gives {n_clusters}; score_ratio >= "
          f"{threshold:.3f} gives {np.unique(by_ratio).size}\n")  # fmt: skip
    print("| clusters from | ARI family | NMI family | ARI superfamily | NMI superfamily |")
    print("|---|---|---|---|---|")
    for label, representative in (("probability", by_probability), ("score_ratio", by_ratio)):
        family = agreement(representative, truth["family"])
        superfamily = agreement(representative, truth["superfamily"])
        print(f"| {label} | {family['ARI']:.3f} | {family['NMI']:.3f} | "
              f"{superfamily['ARI']:.3f} | {superfamily['NMI']:.3f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default="scope40_val,pfam")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", type=Path, help="a checkpoint (default: the shipped model)")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} not found")
    print(f"machine: {cpu_model()}, {args.threads} threads")
    work = Path(tempfile.mkdtemp(prefix="bench_pretrained."))
    sets = {"scope40_val": scope40_val, "pfam": pfam}
    for name in args.sets.split(","):
        fasta, labels = sets[name](work)
        run_set(name, fasta, labels, args.threads, args.model)


if __name__ == "__main__":
    main()
