"""Which clustering should be the default? Every probability clustering mode
at several thresholds, under the shipped protein model before and after a
change, by ARI against superfamilies (Pfam: clans) on three sets from two
sources (issue 28, item 4: chosen on all of them, not tuned on one).

    python benchmarks/bench_cluster_defaults.py --before OLD.safetensors
        [--after NEW.safetensors] [--sets scope40_val,scope208,pfam] [--threads 2]
        [--no-results]

Sets as in bench_calibration.py: the SCOPe40 val split, SCOPe 2.08 domains
absent from SCOPe40 (a seeded draw of whole superfamilies), Pfam
BALIFAM-100 at clan level. Each set is searched once (the default search)
and scored once per model; each mode then clusters the scored pairs (the
pipeline's defaults: ``min_probability`` 0.01, ``top_k`` 20).

Printed per set: ARI at family and superfamily/clan level and the cluster
count of every (model, mode); then, per mode of the ``after`` model, its
superfamily ARI minus the best of the ``before`` model's modes on each set,
and the worst of those margins: the mode whose worst margin is highest is
the one that holds on every set. Values go to results/bench_cluster_defaults.tsv.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_calibration import SETS, scope208
from bench_full_length import alignment_coverage
from bench_pretrained import DATA, peak_rss_mb
from machine import append_results, cpu_model
from sklearn.metrics import adjusted_rand_score

from seqsim.alignment.scoring import scoring_scheme
from seqsim.clusters.methods import assign_clusters, prepare_pairs
from seqsim.pair_tables import indexed_pairs
from seqsim.scorer.api import load, score
from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
from seqsim.sequences.ingest import ingest_fasta

# (method, min_similarity, coverage of both sequences or None): the
# probability modes tried; the coverage ones are whole proteins' candidates
# (issue 29, bench_full_length.py).
MODES = [
    ("set-cover", 0.3, None), ("set-cover", 0.5, None), ("set-cover", 0.7, None),
    ("set-cover", 0.9, None), ("set-cover", 0.5, 0.5), ("set-cover", 0.5, 0.8),
    ("connected", 0.5, None), ("connected", 0.7, None), ("connected", 0.9, None),
    ("greedy-incremental", 0.5, None), ("greedy-incremental", 0.9, None),
    ("average-linkage", 0.3, None), ("average-linkage", 0.5, None),
    ("average-linkage", 0.7, None), ("leiden", 0.1, None), ("leiden", 0.5, None),
]  # fmt: skip


def mode_name(method: str, threshold: float, coverage: float | None = None) -> str:
    name = f"{method} >= {threshold}"
    return name if coverage is None else f"{name}, coverage >= {coverage} of both"


def cluster_set(name: str, work: Path, models: dict[str, Path], threads: int) -> pd.DataFrame:
    """ARI (family, superfamily) and cluster count of every model and mode."""
    fasta, labels = scope208(work) if name == "scope208" else SETS[name](work)
    store = ingest_fasta([fasta]).store
    hits = search_hits(
        store, store, scoring_scheme(store.alphabet), DEFAULT_HIT_FILTER, threads=threads
    )
    truth = labels.set_index("id").loc[list(store.ids)]
    aligned = alignment_coverage(store, hits)
    rows = []
    for model_name, checkpoint in models.items():
        start = time.perf_counter()
        scored = score(load(checkpoint), store, hits=hits, threads=threads)
        pairs = prepare_pairs(indexed_pairs(scored[["query", "target", "probability"]], store))
        pairs = pairs.merge(aligned, on=["query", "target"], how="left")
        print(f"{name}, {model_name}: scored in {time.perf_counter() - start:.0f} s")
        for method, threshold, coverage in MODES:
            start = time.perf_counter()
            clusters = assign_clusters(
                store.lengths, pairs, feature="probability", method=method,
                min_similarity=threshold, coverage=coverage, cov_mode="both",
            )  # fmt: skip
            rows.append({
                "set": name, "model": model_name,
                "mode": mode_name(method, threshold, coverage),
                "clusters": int(np.unique(clusters).size),
                "ARI family": adjusted_rand_score(truth["family"], clusters),
                "ARI superfamily": adjusted_rand_score(truth["superfamily"], clusters),
                "seconds": time.perf_counter() - start,
            })  # fmt: skip
    return pd.DataFrame(rows)


def margins(table: pd.DataFrame) -> pd.DataFrame:
    """Per mode of the ``after`` model: superfamily ARI minus the best
    ``before`` mode's on each set, and the worst of them."""
    before = table[table["model"] == "before"].groupby("set")["ARI superfamily"].max()
    after = table[table["model"] == "after"].pivot(
        index="mode", columns="set", values="ARI superfamily"
    )
    out = after.sub(before, axis=1).add_prefix("margin ")
    out["worst margin"] = out.min(axis=1)
    return out.sort_values("worst margin", ascending=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the old checkpoint")
    parser.add_argument("--after", type=Path, help="the new one (default: the shipped model)")
    parser.add_argument("--sets", default="scope40_val,scope208,pfam")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} not found")
    from seqsim.scorer.pretrained import model_path

    models = {"before": args.before, "after": args.after or model_path("protein")}
    print(f"machine: {cpu_model()}, {args.threads} threads")
    work = Path(tempfile.mkdtemp(prefix="bench_cluster_defaults."))
    table = pd.concat([cluster_set(name, work, models, args.threads)
                       for name in args.sets.split(",")])  # fmt: skip
    pd.set_option("display.width", 200)
    print(table.round(3).to_string(index=False))
    ranked = margins(table)
    print("\nsuperfamily ARI of each 'after' mode minus the best 'before' mode, per set:")
    print(ranked.round(3).to_string())
    print(f"\npeak RSS {peak_rss_mb():.0f} MB")
    if not args.no_results:
        run = f"bench_cluster_defaults.py --sets {args.sets} --threads {args.threads}"
        values = []
        for _, row in table.iterrows():
            key = f"{row['set']} {row['model']} {row['mode']}"
            values += [(key, "clusters", str(row["clusters"]))] + [
                (key, column, f"{row[column]:.4f}") for column in ("ARI family", "ARI superfamily")
            ]
        path = append_results("bench_cluster_defaults", run, "set model mode", values)
        print(f"appended to {path}")


if __name__ == "__main__":
    main()
