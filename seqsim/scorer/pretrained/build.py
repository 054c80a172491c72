"""Regenerate the shipped scorers from their labelled data sets.

    python -m seqsim.scorer.pretrained.build --scope40 ../shared/data/scope40
    python -m seqsim.scorer.pretrained.build --rfam ../shared/data/rfam_nrc

Protein: the default (``features``) scorer trained on SCOPe40's
fold-disjoint ``train`` split, evaluated on its ``val`` split (no fold in
common). Nucleotide: trained on Rfam families of the nRC set, a fifth of the
families (drawn with seed 1) held out for the evaluation. Seed 1, the
default search and settings; each writes the checkpoint, with its
evaluation in the metadata, and the model card into this folder. The same
data, seqsim, torch build and CPU family give the same checkpoint bytes.
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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser

from seqsim.scorer.pretrained import (
    CARD_BENCHMARK_BLOCKS,
    CARD_DATA_START,
    PRETRAINED,
    card_block,
    model_path,
)

if TYPE_CHECKING:  # torch and the scorer are imported when a model is built, not for --help
    from seqsim.scorer.checkpoint import CheckpointMetadata

log = logging.getLogger("seqsim")

SCOPE40_FILES = ("scope40.fasta.gz", "labels.tsv", "split_foldseek.tsv")
RFAM_FILES = ("rfam_nrc.fasta.gz", "labels.tsv")
# The share of Rfam families held out of the nucleotide model's training.
RFAM_HELD_OUT = 0.2


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


def write_rfam_split(rfam: Path, folder: Path) -> dict[str, tuple[Path, Path]]:
    """The nRC set's sequences split by Rfam family (a fifth held out), as
    FASTA files and labels tables whose family, superfamily and fold are the
    Rfam family: homologs share it, every other pair is a non-homolog."""
    labels = pd.read_csv(rfam / "labels.tsv", sep="\t")
    families = np.sort(labels["rfam_family"].unique())
    rng = np.random.default_rng(1)
    held = set(rng.permutation(families)[: int(round(RFAM_HELD_OUT * families.size))])
    table = pd.DataFrame({"id": labels["id"]}).assign(
        family=labels["rfam_family"], superfamily=labels["rfam_family"], fold=labels["rfam_family"]
    )
    with gzip.open(rfam / "rfam_nrc.fasta.gz", "rt") as handle:
        sequences = dict(SimpleFastaParser(handle))
    out = {}
    for part, mask in (("train", ~labels["rfam_family"].isin(held)),
                       ("held_out", labels["rfam_family"].isin(held))):  # fmt: skip
        fasta, labels_path = folder / f"rfam_{part}.fasta", folder / f"rfam_{part}_labels.tsv"
        with open(fasta, "w") as handle:
            for name in labels.loc[mask, "id"]:
                handle.write(f">{name}\n{sequences[name]}\n")
        table[mask.to_numpy()].to_csv(labels_path, sep="\t", index=False)
        out[part] = (fasta, labels_path)
    return out


def evaluate(scorer: Any, fasta: Path, labels: Path, threads: int) -> dict[str, dict[str, float]]:
    """Sensitivity to the first false positive on a labelled set, ranking
    each query's candidate pairs by the learned probability and, beside it,
    by the Smith-Waterman bit score of the same search."""
    from seqsim.alignment.scoring import scoring_scheme
    from seqsim.scorer.api import score
    from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
    from seqsim.sequences.load import read_sequences
    from seqsim.validation.evaluate import (
        rank_by_column,
        sensitivity_to_first_fp,
        sensitivity_with_clans,
    )

    store = read_sequences(fasta)
    scheme = scoring_scheme(store.alphabet)
    hits = search_hits(store, store, scheme, DEFAULT_HIT_FILTER, threads=threads)
    scored = score(
        scorer, store, hits=hits, min_probability=0.0, top_k=0, features=True, threads=threads
    )
    label_table = pd.read_csv(labels, sep="\t")
    rankings = {
        "probability": rank_by_column(scored, "probability"),
        "sw_bitscore": rank_by_column(scored[scored["has_hit"] > 0], "bits"),
    }
    result: dict[str, dict[str, float]] = {}
    one_level = (label_table["family"] == label_table["fold"]).all()
    for name, ranked in rankings.items():
        if one_level:  # Rfam: family-level sensitivity, any other family a false positive
            family, _, _ = sensitivity_with_clans(ranked, label_table)
            result[name] = {"family": round(family, 4)}
            continue
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
    parser.add_argument("--scope40", type=Path, help="the scope40 data folder: protein model")
    parser.add_argument("--rfam", type=Path, help="the rfam_nrc data folder: nucleotide model")
    parser.add_argument("--work", type=Path, help="folder for the split files (default: temporary)")
    parser.add_argument("--out", type=Path, default=model_path("protein").parent)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--all-paths", action="store_true",
        help="count every transitive path, consistent on the intermediates or not, as the "
        "models shipped before issue 29 did (benchmarks/bench_full_length.py)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if not (args.scope40 or args.rfam):
        parser.error("give --scope40 and/or --rfam")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    import tempfile

    work = args.work or Path(tempfile.mkdtemp(prefix="seqsim_pretrained."))
    work.mkdir(parents=True, exist_ok=True)
    if args.scope40:
        train = write_split(args.scope40, "train", work)
        val = write_split(args.scope40, "val", work)
        data = {name: file_sha256(args.scope40 / name) for name in SCOPE40_FILES}
        build(args.out / PRETRAINED["protein"], train, val, data, args.threads, PROTEIN_CARD,
              args.all_paths)  # fmt: skip
    if args.rfam:
        parts = write_rfam_split(args.rfam, work)
        data = {name: file_sha256(args.rfam / name) for name in RFAM_FILES}
        build(
            args.out / PRETRAINED["dna"], parts["train"], parts["held_out"], data,
            args.threads, NUCLEOTIDE_CARD, args.all_paths,
        )  # fmt: skip
    return 0


def build(
    checkpoint: Path,
    train: tuple[Path, Path],
    held_out: tuple[Path, Path],
    data: dict[str, str],
    threads: int,
    card: dict[str, str],
    all_paths: bool = False,
) -> None:
    """Train on ``train`` (FASTA, labels), evaluate on ``held_out``, store
    the evaluation in the checkpoint and write its card."""
    from seqsim.scorer.api import train as train_scorer
    from seqsim.scorer.training import TrainSettings

    settings = TrainSettings.all_paths() if all_paths else TrainSettings()
    start = time.perf_counter()
    scorer = train_scorer(train[0], labels=train[1], settings=settings, threads=threads)
    train_seconds = time.perf_counter() - start
    result = evaluate(scorer, held_out[0], held_out[1], threads)
    evaluation = {"data": data, "val_split": result}
    scorer = replace(
        scorer,
        metadata=replace(
            scorer.metadata, extra={**scorer.metadata.extra, "evaluation": evaluation}
        ),
    )
    scorer.save(checkpoint)
    log.info("%s: trained in %.0f s; %s", checkpoint.name, train_seconds, result)
    write_card(checkpoint, scorer.metadata, train_seconds, threads, card)


PROTEIN_CARD = {
    "kind": "protein",
    "homologous": "same SCOP superfamily",
    "training": """SCOPe40 (the Foldseek benchmark's 11,206 SCOPe domains, 40% identity; SCOPe:
Fox, Brenner, Chandonia, NAR 2014; Chandonia et al., NAR 2022,
scop.berkeley.edu; the set and its fold-disjoint split from van Kempen et al.,
Nat Biotechnol 2023, via github.com/steineggerlab/foldseek-analysis), its
`train` split (8,948 domains) with superfamily labels: pairs in one
superfamily are homologs, pairs in different folds are not. The `val` split
(2,207 domains) shares no fold, superfamily or family with it.""",
    "command": "--scope40 PATH/TO/scope40",
    "evaluation": """Sensitivity up to the first false positive (Foldseek's SCOPe40 semantics),
all-vs-all within the val split, each query's candidate pairs ranked:""",
    "levels": "family superfamily fold",
    "limits": """- Protein sequences of domain-like length, ranked or thresholded within one
  set; the probability is calibrated at the base rate of SCOPe40-like sets
  (few close homologs per sequence): on denser family sets (Pfam) pairs at
  p 0.5-0.9 are homologs more often than p says (the calibration on sets it
  never saw, above). It reads features of the set's own all-vs-all, so
  probabilities depend on the rest of the set (the hit graph), not on the
  pair alone; in small sets, pairs linked only by weak paths are overrated.
- Whole multi-domain proteins: trained on single domains, with transitive
  evidence that counts a path only where its alignments overlap on the
  intermediate (region-consistent, the build's default), so sharing a
  domain is what a high probability says; the "Whole proteins" table
  measures it. Two proteins that share one domain of several are
  homologs by this model's measure: cluster whole proteomes with a
  coverage threshold (`cluster.coverage`). Stretches of biased composition
  (membrane helices, low-complexity runs) still link unrelated proteins.
  Not a structural similarity.
- A user with labels of their own (`scorer.labels` / `scorer.pairs`) trains a
  model that replaces this one; that helps when their families differ from
  SCOP domains (e.g. full-length multi-domain proteins).""",
}
NUCLEOTIDE_CARD = {
    "kind": "DNA/RNA",
    "homologous": "same Rfam family",
    "training": """The nRC set of non-coding RNAs (8,573 Rfam family members in DNA letters;
Fiannaca et al., BioData Mining 2017; Rfam: Kalvari et al., NAR 2021,
rfam.org), split by family: a fifth of the 657 families (drawn with seed 1)
is held out, the rest trains the model. Pairs in one family are homologs,
all other pairs are not (the coarse ncRNA classes are not homology).""",
    "command": "--rfam PATH/TO/rfam_nrc",
    "evaluation": """Sensitivity up to the first false positive at family level (a hit in
another family ends the count), all-vs-all within the held-out families,
each query's candidate pairs ranked:""",
    "levels": "family",
    "limits": """- Non-coding RNA genes and other nucleotide sequences of similar length
  (tens to hundreds of bases), ranked or thresholded within one set; RNA
  input (U) is read in DNA codes and scored by the same model.
- Trained on single-family Rfam members: it knows nothing of genomes,
  reads or coding sequences, and no shared family structure beyond the
  alignment, hit-graph and profile features.
- A user with labels of their own (`scorer.labels` / `scorer.pairs`) trains a
  model that replaces this one.""",
}


def _row(result: dict[str, float], levels: list[str]) -> str:
    return " | ".join(f"{result[level]:.3f}" for level in levels)


def _kept_benchmarks(checkpoint: Path) -> str:
    """The old card's benchmark blocks (calibration, whole proteins), each
    with a blank line after it, or ''. They name the checkpoint they
    measured, so a test flags them once the model is rebuilt until their
    benchmarks are run again."""
    card = checkpoint.with_suffix(".md")
    text = card.read_text(encoding="utf-8") if card.is_file() else ""
    blocks = [card_block(text, start, end) for start, end in CARD_BENCHMARK_BLOCKS]
    return "".join(f"{block}\n\n" for block in blocks if block)


def write_card(
    checkpoint: Path,
    metadata: CheckpointMetadata,
    seconds: float,
    threads: int,
    card: dict[str, str],
) -> None:
    """The model card beside the checkpoint: prose, then the numbers as JSON
    (which ``tests/scorer/test_pretrained.py`` checks against the checkpoint)."""
    import torch

    metrics = {k: v for k, v in metadata.metrics.items() if not isinstance(v, list)}
    val = metadata.extra["evaluation"]["val_split"]
    numbers = {
        "checkpoint_sha256": file_sha256(checkpoint),
        "training_data_sha256": metadata.training_data_sha256,
        "data_files_sha256": metadata.extra["evaluation"]["data"],
        "held_out": metrics,
        "val_split": val,
    }
    levels = card["levels"].split()
    header = " | ".join({"family": "FAM", "superfamily": "SFAM", "fold": "FOLD"}[x] for x in levels)
    text = f"""# Shipped {card["kind"]} homology scorer: `{checkpoint.name}`

The model `seqsim score` and the pipeline use for {card["kind"]} sequences
when no labels are given: a calibrated probability that two sequences are
homologous ({card["homologous"]}), from the alignment, hit-graph and profile features
of the pair (`seqsim.feature_names.SCORER_FEATURES`); kind
`{metadata.model["kind"]}`, an MLP with {metadata.model["hidden"]} hidden units,
Platt-calibrated.

## Training data

{card["training"]}

## Command

    python -m seqsim.scorer.pretrained.build {card["command"]}

(seed 1, the default search and training settings; trained in {seconds:.0f} s on
{threads} threads of {platform.processor() or platform.machine()}, torch {torch.__version__}).
The same data, seqsim, torch build and CPU family give the same bytes.

## Metrics

{card["evaluation"]}

| ranking | {header} |
|---|{"---|" * len(levels)}
| learned probability | {_row(val["probability"], levels)} |
| Smith-Waterman bit score, same search | {_row(val["sw_bitscore"], levels)} |

Held-out groups of the training data: early stopping on the
{metrics["n_held_out_pairs"]:,} pairs inside them (balanced loss
{metrics["held_out_balanced_loss"]:.4f}); Platt calibration on the
{metrics["n_calibration_pairs"]:,} pairs with a held-out end,
at the base rate of homologs a whole set's candidates have (expected
calibration error {metrics["held_out_ece"]:.4f} on the half of them it was not fitted on);
{metrics["n_train_pairs"]:,} training pairs.

## Intended use and limits

{card["limits"]}

{_kept_benchmarks(checkpoint)}## Numbers (checked against the checkpoint by a test)

{CARD_DATA_START}
```json
{json.dumps(numbers, indent=2, sort_keys=True)}
```
"""
    checkpoint.with_suffix(".md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
