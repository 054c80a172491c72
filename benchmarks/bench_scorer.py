"""The learned homology scorer on SCOPe40: trained on the train split only,
evaluated all-vs-all within the val split (sensitivity up to the first false
positive, Foldseek semantics), beside alignment baselines on the same set.

The val set is written in a shuffled order (fixed seed): rankings with ties
(path features have plateaus) must not profit from SCOP-ordered indices.

Usage:
    python benchmarks/bench_scorer.py [--tools blastp,mmseqs,diamond,phmmer] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from seqsim.evaluate import rank_blast_hits, sensitivity_to_first_fp
from seqsim.hits import HitFilter, search_hits
from seqsim.ingest import ingest_fasta
from seqsim.scorer.checkpoint import save_checkpoint
from seqsim.scorer.train import TrainSettings, score_candidates, train_scorer
from seqsim.scoring import scoring_scheme

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
    return pd.DataFrame({"query": ids[both["query"]], "target": ids[both["target"]]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tools", default="blastp,mmseqs,diamond")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", help="work folder")
    args = parser.parse_args()
    work = Path(args.keep or tempfile.mkdtemp(prefix="bench_scorer."))
    work.mkdir(parents=True, exist_ok=True)
    scheme = scoring_scheme("protein")
    stores, hits, labels = {}, {}, {}
    for split in ("train", "val"):
        fasta = work / f"{split}.fasta"
        labels[split] = shuffled_set(split, fasta)
        stores[split] = ingest_fasta([fasta]).store
        start = time.perf_counter()
        hits[split] = search_hits(
            stores[split], stores[split], scheme, HitFilter(min_ungapped=30), threads=args.threads
        )
        print(f"{split}: {stores[split].n_sequences} domains, all-vs-all search "
              f"{time.perf_counter() - start:.0f} s", flush=True)  # fmt: skip
    start = time.perf_counter()
    state, metadata = train_scorer(stores["train"], hits["train"], labels["train"], TrainSettings())
    train_seconds = time.perf_counter() - start
    model = work / "model.safetensors"
    save_checkpoint(model, state, metadata)
    print(f"training: {train_seconds:.0f} s; held-out metrics {metadata['metrics']}\n")
    scored = score_candidates(model, stores["val"], hits["val"])
    ids = np.asarray(stores["val"].ids, dtype=object)
    print("| method (val split) | FAM | SFAM | FOLD | wall |")
    print("|---|---|---|---|---|")

    def row(name: str, ranked: pd.DataFrame, wall: str) -> None:
        result = sensitivity_to_first_fp(ranked, labels["val"])
        print(f"| {name} | {result.family:.3f} | {result.superfamily:.3f} | "
              f"{result.fold:.3f} | {wall} |", flush=True)  # fmt: skip

    row("learned probability (seqsim score)", ranked_by(scored, "probability", ids), "")
    row("seqsim SW bit score", ranked_by(scored[scored["has_hit"] > 0], "bits", ids), "")
    row("widest path through intermediates", ranked_by(scored, "widest", ids), "")
    for name in args.tools.split(","):
        commands = tool_commands(name, work / "val.fasta", work, args.threads)
        wall = 0.0
        for k, command in enumerate(commands):
            wall += run_timed(command, work / f"{name}.{k}.log")[0]
        table = pd.read_csv(work / f"{name}.tsv", sep="\t", header=None, comment="#")
        row(name, rank_blast_hits(table, "evalue"), f"{wall:.1f} s")
    print(f"\noutputs in {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
