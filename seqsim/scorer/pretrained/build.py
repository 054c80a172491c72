"""Regenerate the shipped protein scorer from the SCOPe40 data set.

    python -m seqsim.scorer.pretrained.build --scope40 ../shared/data/scope40

trains the default (``features``) scorer on the fold-disjoint ``train``
split (seed 1, the default search and settings), scores the ``val`` split
(which shares no fold with it) and writes the checkpoint with its
evaluation, and the model card, into this folder. The same data, seqsim,
torch build and CPU family give the same checkpoint bytes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import logging
import platform
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser

from seqsim.scorer.pretrained import CARD_DATA_START, PRETRAINED, model_path

log = logging.getLogger("seqsim")

SCOPE40_FILES = ("scope40.fasta.gz", "labels.tsv", "split_foldseek.tsv")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_split(scope40: Path, split: str, folder: Path) -> tuple[Path, Path]:
    """The ``split`` domains of SCOPe40 as a FASTA file and a labels table."""
    labels = pd.read_csv(scope40 / "labels.tsv", sep="\t")
    splits = pd.read_csv(scope40 / "split_foldseek.tsv", sep="\t")
    labels = labels[labels["id"].isin(splits.loc[splits["split"] == split, "id"])]
    keep = set(labels["id"])
    fasta, table = folder / f"{split}.fasta", folder / f"{split}_labels.tsv"
    with gzip.open(scope40 / "scope40.fasta.gz", "rt") as handle, open(fasta, "w") as out:
        for title, sequence in SimpleFastaParser(handle):
            if title.split()[0] in keep:
                out.write(f">{title}\n{sequence}\n")
    labels.to_csv(table, sep="\t", index=False)
    return fasta, table


def evaluate(scorer: Any, fasta: Path, labels: Path, threads: int) -> dict[str, dict[str, float]]:
    """Sensitivity to the first false positive on a labelled set, ranking
    each query's candidate pairs by the learned probability and, beside it,
    by the Smith-Waterman bit score of the same search."""
    from seqsim.scorer.api import score
    from seqsim.search_engine.api import SearchOptions, search_stores
    from seqsim.sequences.load import read_sequences
    from seqsim.validation.evaluate import rank_by_column, sensitivity_to_first_fp

    store = read_sequences(fasta)
    hits, _, _ = search_stores(store, None, SearchOptions(), threads=threads)
    scored = score(
        scorer, store, hits=hits, min_probability=0.0, top_k=0, features=True, threads=threads
    )
    label_table = pd.read_csv(labels, sep="\t")
    rankings = {
        "probability": rank_by_column(scored, "probability"),
        "sw_bitscore": rank_by_column(scored[scored["has_hit"] > 0], "bits"),
    }
    result = {}
    for name, ranked in rankings.items():
        found = sensitivity_to_first_fp(ranked, label_table)
        result[name] = {
            "n_queries": int(found.n_queries),
            "family": round(float(found.family), 4),
            "superfamily": round(float(found.superfamily), 4),
            "fold": round(float(found.fold), 4),
        }
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scope40", required=True, type=Path, help="the scope40 data folder")
    parser.add_argument(
        "--work", type=Path, help="folder for the split files (default: a temp one)"
    )
    parser.add_argument("--out", type=Path, default=model_path("protein").parent)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    import tempfile

    from seqsim.scorer.api import load, write_train
    from seqsim.scorer.checkpoint import load_checkpoint, save_checkpoint

    work = args.work or Path(tempfile.mkdtemp(prefix="seqsim_pretrained."))
    work.mkdir(parents=True, exist_ok=True)
    train_fasta, train_labels = write_split(args.scope40, "train", work)
    val_fasta, val_labels = write_split(args.scope40, "val", work)
    checkpoint = args.out / PRETRAINED["protein"]
    start = time.perf_counter()
    write_train(train_fasta, checkpoint, labels=train_labels, threads=args.threads)
    train_seconds = time.perf_counter() - start
    start = time.perf_counter()
    val = evaluate(load(checkpoint), val_fasta, val_labels, args.threads)
    val_seconds = time.perf_counter() - start
    state, metadata = load_checkpoint(checkpoint)
    metadata["evaluation"] = {
        "data": {name: file_sha256(args.scope40 / name) for name in SCOPE40_FILES},
        "val_split": val,
    }
    metadata.pop("format_version")
    save_checkpoint(checkpoint, state, metadata)
    log.info("trained in %.0f s, evaluated in %.0f s: %s", train_seconds, val_seconds, val)
    write_card(checkpoint, metadata, train_seconds, args.threads)
    return 0


def _row(result: dict[str, float]) -> str:
    return " | ".join(f"{result[level]:.3f}" for level in ("family", "superfamily", "fold"))


def write_card(checkpoint: Path, metadata: dict[str, Any], seconds: float, threads: int) -> None:
    """The model card beside the checkpoint: prose, then the numbers as JSON
    (which ``tests/scorer/test_pretrained.py`` checks against the checkpoint)."""
    import torch

    metrics = {k: v for k, v in metadata["metrics"].items() if not isinstance(v, list)}
    val = metadata["evaluation"]["val_split"]
    numbers = {
        "checkpoint_sha256": file_sha256(checkpoint),
        "training_data_sha256": metadata["training_data_sha256"],
        "data_files_sha256": metadata["evaluation"]["data"],
        "held_out": metrics,
        "val_split": val,
    }
    p, b = val["probability"], val["sw_bitscore"]
    text = f"""# Shipped protein homology scorer: `{checkpoint.name}`

The model `seqsim score` and the pipeline use for proteins when no labels are
given: a calibrated probability that two protein sequences are homologous
(same SCOP superfamily), from the alignment and hit-graph features of the
pair (`seqsim.feature_names.SCORER_FEATURES`); kind `{metadata["model"]["kind"]}`,
an MLP with {metadata["model"]["hidden"]} hidden units, Platt-calibrated.

## Training data

SCOPe40 (the Foldseek benchmark's 11,206 SCOPe domains, 40% identity; SCOPe:
Fox, Brenner, Chandonia, NAR 2014; Chandonia et al., NAR 2022,
scop.berkeley.edu; the set and its fold-disjoint split from van Kempen et al.,
Nat Biotechnol 2023, via github.com/steineggerlab/foldseek-analysis), its
`train` split (8,948 domains) with superfamily labels: pairs in one
superfamily are homologs, pairs in different folds are not. The `val` split
(2,207 domains) shares no fold, superfamily or family with it.

## Command

    python -m seqsim.scorer.pretrained.build --scope40 PATH/TO/scope40

(seed 1, the default search and training settings; trained in {seconds:.0f} s on
{threads} threads of {platform.processor() or platform.machine()}, torch {torch.__version__}).
The same data, seqsim, torch build and CPU family give the same bytes.

## Metrics

Sensitivity up to the first false positive (Foldseek's SCOPe40 semantics),
all-vs-all within the val split, each query's candidate pairs ranked:

| ranking | FAM | SFAM | FOLD |
|---|---|---|---|
| learned probability | {_row(p)} |
| Smith-Waterman bit score, same search | {_row(b)} |

Held-out superfamilies of the train split (early stopping and calibration):
balanced loss {metrics["held_out_balanced_loss"]:.4f}, expected calibration error
{metrics["held_out_ece"]:.4f} over {metrics["n_held_out_pairs"]:,} pairs
({metrics["n_train_pairs"]:,} training pairs).

## Intended use and limits

- Protein sequences of domain-like length, ranked or thresholded within one
  set; the probability is calibrated for SCOPe40-like sets (few close
  homologs per sequence). It reads features of the set's own all-vs-all, so
  probabilities depend on the rest of the set (the hit graph), not on the
  pair alone.
- Not for DNA/RNA (the pipeline falls back to the alignment score there), not
  for multi-domain full-length proteins without care (trained on single
  domains), and not a structural similarity.
- Trained on SCOP classes a-g as labelled in SCOPe 2.01-era releases;
  folds absent from SCOPe are, by construction, the val split's situation.
- A user with labels of their own (`scorer.labels` / `scorer.pairs`) trains a
  model that replaces this one; that helps when their families differ from
  SCOP domains (e.g. RNA, or full-length multi-domain proteins).

## Numbers (checked against the checkpoint by a test)

{CARD_DATA_START}
```json
{json.dumps(numbers, indent=2, sort_keys=True)}
```
"""
    card = checkpoint.with_suffix(".md")
    card.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
