"""Does a pair's probability depend on the rest of the set? The SCOPe40 val
split scored alone, then inside a larger set (issue 28, "stable under set
composition": 95% of pairs within 0.1).

    python benchmarks/bench_composition.py [--threads 2] [--no-results]

The larger set is the val split plus every SCOPe 2.08 domain absent from
SCOPe40 (``scope208_35``) and Pfam BALIFAM-100: real proteins, some of them
in the val split's superfamilies, so the hit graph around the val pairs
grows. Both runs are the pipeline's (``search_hits`` with the default
filter, then ``score`` with the shipped model and its defaults). Reported:
the val pairs kept by both runs, the share whose probabilities differ by at
most 0.1, quantiles of the difference, and the pairs kept by one run only
(a pair below ``min_probability`` outside both sequences' ``top_k`` is not
kept).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_calibration import scope208
from bench_pretrained import DATA, pfam, scope40_val
from bench_scorer import PeakRss
from machine import append_results, cpu_model

from seqsim.alignment.scoring import scoring_scheme
from seqsim.scorer.api import score
from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
from seqsim.sequences.ingest import ingest_fasta

MAX_CHANGE, MIN_SHARE = 0.1, 0.95  # issue 28's target


def scored_pairs(fastas: list[Path], threads: int) -> tuple[pd.DataFrame, int, float, float]:
    """The pipeline's scored pairs of the FASTA files taken as one set; its
    size, wall time and peak RSS."""
    start = time.perf_counter()
    with PeakRss() as rss:
        store = ingest_fasta(fastas).store
        hits = search_hits(
            store, store, scoring_scheme(store.alphabet), DEFAULT_HIT_FILTER, threads=threads
        )
        scored = score(None, store, hits=hits, features=True, threads=threads)
    return scored, store.n_sequences, time.perf_counter() - start, rss.peak


def by_pair(pairs: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """The pairs of ``ids`` only, indexed by the unordered pair of IDs."""
    pairs = pairs[pairs["query"].isin(ids) & pairs["target"].isin(ids)]
    low = np.minimum(pairs["query"].to_numpy(), pairs["target"].to_numpy())
    high = np.maximum(pairs["query"].to_numpy(), pairs["target"].to_numpy())
    return pairs.set_index(pd.MultiIndex.from_arrays([low, high]))


def feature_attribution(alone: pd.DataFrame, inside: pd.DataFrame) -> pd.DataFrame:
    """Which features move the probability: for pairs in both tables (same
    index), each scorer feature moved on its own from its value alone to its
    value inside (the others kept as alone), through the shipped protein
    model: the share of pairs whose value moved and the mean |change| of
    the logit. Also the logit's whole mean |change|, as row ``all``."""
    import torch

    from seqsim.feature_names import SCORER_FEATURES
    from seqsim.scorer.pretrained import model_path
    from seqsim.scorer.scoring import load_scorer, model_inputs

    model, metadata = load_scorer(model_path("protein"))
    names = list(SCORER_FEATURES)
    before = alone[names].to_numpy(np.float64)
    after = inside.loc[alone.index, names].to_numpy(np.float64)

    def logits(features: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            x = model_inputs(features, metadata.scaling)
            return model.pair_logits(None, None, x).numpy().astype(np.float64)

    base = logits(before)
    rows = [{"feature": "all", "moved": float(np.mean(np.any(after != before, axis=1))),
             "mean |change in logit|": float(np.abs(logits(after) - base).mean())}]  # fmt: skip
    for column, name in enumerate(names):
        moved = before.copy()
        moved[:, column] = after[:, column]
        rows.append({
            "feature": name,
            "moved": float(np.mean(after[:, column] != before[:, column])),
            "mean |change in logit|": float(np.abs(logits(moved) - base).mean()),
        })  # fmt: skip
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} not found")
    print(f"machine: {cpu_model()}, {args.threads} threads")
    work = Path(tempfile.mkdtemp(prefix="bench_composition."))
    val_fasta, val_labels = scope40_val(work)
    other = [scope208(work, target=10**9)[0], pfam(work)[0]]
    alone, n_alone, t_alone, rss_alone = scored_pairs([val_fasta], args.threads)
    inside, n_inside, t_inside, rss_inside = scored_pairs([val_fasta, *other], args.threads)
    ids = set(val_labels["id"])
    ab, bb = by_pair(alone, ids), by_pair(inside, ids)
    a, b = ab["probability"], bb["probability"]
    both = a.index.intersection(b.index)
    change = (b.loc[both] - a.loc[both]).to_numpy()
    share = float(np.mean(np.abs(change) <= MAX_CHANGE))
    quantiles = np.quantile(change, [0.01, 0.05, 0.5, 0.95, 0.99])
    only_alone, only_inside = len(a.index.difference(b.index)), len(b.index.difference(a.index))
    print(f"val alone: {n_alone:,} sequences, {t_alone:.0f} s, {rss_alone:.0f} MB")
    print(f"val inside: {n_inside:,} sequences, {t_inside:.0f} s, {rss_inside:.0f} MB")
    print(
        f"val pairs kept by both runs: {len(both):,}; |change| <= {MAX_CHANGE}: {share:.3f} "
        f"(target >= {MIN_SHARE}); change (inside - alone) quantiles 1/5/50/95/99%: "
        + " / ".join(f"{q:+.3f}" for q in quantiles)
    )
    print(f"kept alone only: {only_alone:,}; kept inside only: {only_inside:,}")
    high = (a.loc[both] >= 0.5).to_numpy()
    print(
        f"of the pairs at p >= 0.5 alone: {np.mean(np.abs(change[high]) <= MAX_CHANGE):.3f} "
        f"within {MAX_CHANGE}, mean change {change[high].mean():+.3f}"
    )
    attribution = feature_attribution(ab.loc[both], bb.loc[both])
    print("\nwhich features move the logit (each moved alone to its value inside):")
    print(attribution.round(3).to_string(index=False))
    if not args.no_results:
        values = [
            *(
                (f"feature {row.feature}", column, f"{value:.4f}")
                for row in attribution.itertuples(index=False)
                for column, value in (("share moved", row[1]), ("mean |change in logit|", row[2]))
            ),
            ("val alone", "sequences", str(n_alone)),
            ("val alone", "wall", f"{t_alone:.1f} s"),
            ("val alone", "peak RSS", f"{rss_alone:.0f} MB"),
            ("val inside", "sequences", str(n_inside)),
            ("val inside", "wall", f"{t_inside:.1f} s"),
            ("val inside", "peak RSS", f"{rss_inside:.0f} MB"),
            ("val pairs", "kept by both", str(len(both))),
            ("val pairs", f"share |change| <= {MAX_CHANGE}", f"{share:.4f}"),
            *(
                ("val pairs", f"change quantile {p}%", f"{q:+.4f}")
                for p, q in zip((1, 5, 50, 95, 99), quantiles, strict=True)
            ),
            ("val pairs", "kept alone only", str(only_alone)),
            ("val pairs", "kept inside only", str(only_inside)),
        ]
        run = f"bench_composition.py --threads {args.threads}"
        print(f"appended to {append_results('bench_composition', run, 'pairs', values)}")


if __name__ == "__main__":
    main()
