"""The learned homology scorer on SCOPe40: trained on the train split only,
evaluated all-vs-all within the val split (sensitivity up to the first false
positive, Foldseek semantics), beside alignment baselines on the same set.

Rows: the siamese scorer's calibrated probability, the features-only scorer
(an ablation: no sequence encoder), the embedding-only cosine (`seqsim
embed`), seqsim's SW bit score, the widest path through intermediates, the
profile alignment (each sequence's profile from its own hits in the set), and
the tools run on the same FASTA. Also the siamese scorer on the train
split's own held-out part (superfamilies it never trained on), and the gap.

The val set is written in a shuffled order (fixed seed): rankings with ties
(path features have plateaus) must not profit from SCOP-ordered indices.

Usage:
    python benchmarks/bench_scorer.py [--tools seqsim-mash,blastp,...] [--keep DIR]
        [--figure benchmarks/figures/scorer_val.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import torch
from machine import cpu_model

from seqsim.alignment.scoring import scoring_scheme
from seqsim.kernels.simd import SIMD_PATH
from seqsim.plots import plot_sensitivity_curves
from seqsim.scorer.checkpoint import save_checkpoint
from seqsim.scorer.embedding import cosine_neighbours, embed_sequences
from seqsim.scorer.labels import PairLabels, held_out_groups
from seqsim.scorer.scoring import encoder_profile, load_scorer, score_candidates
from seqsim.scorer.training import TrainSettings, train_scorer
from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
from seqsim.sequences.ingest import ingest_fasta
from seqsim.validation.evaluate import rank_blast_hits, roc_curve, sensitivity_to_first_fp

from bench_search import run_timed, tool_commands, write_set


def shuffled_set(split: str, path: Path, seed: int = 7) -> pd.DataFrame:
    labels = write_set(split, path)
    text = path.read_text().split(">")[1:]
    order = np.random.default_rng(seed).permutation(len(text))
    path.write_text("".join(">" + text[i] for i in order))
    return labels


def ranked_by(pairs: pd.DataFrame, column: str, ids: np.ndarray) -> pd.DataFrame:
    """Both directions of each pair, each query's partners by ``column`` (highest first)."""
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    both = pd.DataFrame(
        {"query": np.concatenate([q, t]), "target": np.concatenate([t, q]),
         "score": np.tile(pairs[column].to_numpy(), 2)}
    ).sort_values(["query", "score"], ascending=[True, False], kind="stable")  # fmt: skip
    return pd.DataFrame(
        {"query": ids[both["query"]], "target": ids[both["target"]], "score": both["score"]}
    )


def scored_candidates(path: Path, store, hits: pd.DataFrame) -> pd.DataFrame:
    model, metadata = load_scorer(path, store.alphabet)
    return score_candidates(model, metadata, store, hits)


class PeakRss:
    """The process's peak resident memory (MB) while the block runs, sampled
    every 50 ms (ru_maxrss cannot be reset between steps)."""

    def __enter__(self) -> PeakRss:
        self.peak, self._done = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        process = psutil.Process()
        while True:
            self.peak = max(self.peak, process.memory_info().rss / 2**20)
            if self._done.wait(0.05):
                return

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()


def train_timed(store, hits, labels, settings, path: Path, threads: int) -> tuple[float, float]:
    """Train and save; (seconds, peak RSS in MB of the whole process meanwhile)."""
    start = time.perf_counter()
    with PeakRss() as rss:
        state, metadata = train_scorer(store, hits, labels, settings, threads=threads)
    seconds = time.perf_counter() - start
    save_checkpoint(path, state, metadata)
    scalars = {k: round(v, 4) for k, v in metadata.metrics.items() if not isinstance(v, list)}
    print(f"training {settings.kind}: {seconds:.0f} s, peak RSS of the process {rss.peak:.0f} MB "
          f"(both splits' stores and hits included); held-out metrics {scalars}",
          flush=True)  # fmt: skip
    return seconds, rss.peak


def cached_search(store, threads: int, path: Path) -> tuple[pd.DataFrame, float]:
    """The all-vs-all hits (read from ``path`` when an earlier run with
    ``--keep`` wrote them) and the search's seconds (0 when read)."""
    if path.exists():
        return pd.read_parquet(path), 0.0
    start = time.perf_counter()
    scheme = scoring_scheme(store.alphabet)
    hits = search_hits(store, store, scheme, DEFAULT_HIT_FILTER, threads=threads)
    seconds = time.perf_counter() - start
    hits.to_parquet(path)
    return hits, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", default="seqsim-mash,seqsim-kmer,blastp,mmseqs,diamond,phmmer")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", help="work folder")
    parser.add_argument("--figure", help="PNG: cumulative sensitivity and ROC of every method")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_scorer."))
    work.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(args.threads)
    print(f"machine: {cpu_model()}; seqsim SIMD path {SIMD_PATH}; {args.threads} threads")
    stores, hits, labels = {}, {}, {}
    for split in ("train", "val"):
        fasta = work / f"{split}.fasta"
        labels[split] = shuffled_set(split, fasta)
        stores[split] = ingest_fasta([fasta]).store
        hits[split], search_seconds = cached_search(
            stores[split], args.threads, work / f"{split}.hits.parquet"
        )
        print(f"{split}: {stores[split].n_sequences} domains, all-vs-all search "
              f"{search_seconds:.0f} s (0: read from --keep)", flush=True)  # fmt: skip
    train_labels = PairLabels.from_table(labels["train"], stores["train"].ids, "superfamily")
    models = {kind: work / f"{kind}.safetensors" for kind in ("siamese", "features")}
    seconds = {
        kind: train_timed(
            stores["train"], hits["train"], train_labels, TrainSettings(kind=kind), path,
            args.threads,
        )[0]
        for kind, path in models.items()
    }  # fmt: skip
    print()
    print("| method (val split) | FAM | SFAM | FOLD | wall |")
    print("|---|---|---|---|---|")
    curves = {}

    def row(name: str, ranked: pd.DataFrame, wall: str, set_labels=labels["val"]) -> None:
        result = sensitivity_to_first_fp(ranked, set_labels)
        curves[name] = (result.per_query, roc_curve(ranked, set_labels))
        print(f"| {name} | {result.family:.3f} | {result.superfamily:.3f} | "
              f"{result.fold:.3f} | {wall} |", flush=True)  # fmt: skip

    ids = np.asarray(stores["val"].ids, dtype=object)
    start = time.perf_counter()
    scored = scored_candidates(models["siamese"], stores["val"], hits["val"])
    score_wall = f"{time.perf_counter() - start:.1f} s + search"
    row("learned probability, siamese", ranked_by(scored, "probability", ids),
        f"{score_wall}; training {seconds['siamese']:.0f} s")  # fmt: skip
    features_only = scored_candidates(models["features"], stores["val"], hits["val"])
    row("learned probability, features (the default)", ranked_by(features_only, "probability", ids),
        f"training {seconds['features']:.0f} s")  # fmt: skip
    start = time.perf_counter()
    model, metadata = load_scorer(models["siamese"], "protein")
    profile = encoder_profile(model, metadata, stores["val"], hits["val"])
    embedded = embed_sequences(model.encoder, stores["val"], profile)
    query, target, cosine = cosine_neighbours(embedded, 2000)
    neighbours = pd.DataFrame({"query": ids[query], "target": ids[target], "score": cosine})
    row("embedding cosine only (seqsim embed)", neighbours, f"{time.perf_counter() - start:.1f} s")
    row("seqsim SW bit score", ranked_by(scored[scored["has_hit"] > 0], "bits", ids), "")
    row("widest path through intermediates", ranked_by(scored, "widest", ids), "")
    row("profile alignment (profiles from the set's own hits)",
        ranked_by(scored, "profile_neg_log10_evalue", ids), "")  # fmt: skip
    for name in args.tools.split(","):
        commands = tool_commands(name, work / "val.fasta", work, args.threads)
        wall = 0.0
        for k, command in enumerate(commands):
            wall += run_timed(command, work / f"{name}.{k}.log")[0]
        table = pd.read_csv(work / f"{name}.tsv", sep="\t", header=None, comment="#")
        row(name, rank_blast_hits(table, "evalue"), f"{wall:.1f} s")
    # The train split's held-out superfamilies, scored within the train set.
    settings = TrainSettings()
    held = held_out_groups(train_labels.group, settings.validation_fraction, settings.seed)
    train_ids = np.asarray(stores["train"].ids, dtype=object)
    held_labels = labels["train"][labels["train"]["id"].isin(set(train_ids[held]))]
    print(f"\ntrain split's held-out part ({held.sum()} domains, superfamilies never trained on):")
    for kind, path in models.items():
        train_scored = scored_candidates(path, stores["train"], hits["train"])
        inside = held[train_scored["query"].to_numpy()] & held[train_scored["target"].to_numpy()]
        row(f"held-out part: learned probability, {kind}",
            ranked_by(train_scored[inside], "probability", train_ids), "", held_labels)  # fmt: skip
    row("held-out part: seqsim SW bit score",
        ranked_by(train_scored[inside & (train_scored["has_hit"] > 0)], "bits", train_ids),
        "", held_labels)  # fmt: skip
    row("held-out part: profile alignment",
        ranked_by(train_scored[inside], "profile_neg_log10_evalue", train_ids), "",
        held_labels)  # fmt: skip
    row("held-out part: widest path", ranked_by(train_scored[inside], "widest", train_ids), "",
        held_labels)  # fmt: skip
    if args.figure:
        val_curves = {k: v for k, v in curves.items() if not k.startswith("held-out")}
        plot_sensitivity_curves(val_curves, args.figure, title="SCOPe40 val split, all-vs-all")
    print(f"\noutputs in {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
