"""Which Siamese encoder carries to unseen folds: seqsim's encoder over
residues against the same encoder over profile columns.

The profile-column encoder (``EncoderSettings(inputs="profile")``, the
siamese kind's default) reads, at each position, the log-odds row of the
sequence's profile built from its own hits in the set
(:func:`seqsim.scorer.profiles.build_profiles`), instead of a learned
embedding of the residue (``inputs="residues"``): the input already says
which residues the sequence's homologs put there, which a residue encoder
trained from scratch on 9,000 domains cannot learn for folds it never saw.

Both encoders (same architecture, steps, batches and seed) learn on the
SCOPe40 train split outside the held-out superfamilies that
``TrainSettings`` holds out, keep the weights with the lowest held-out loss,
and then rank every pair by embedding cosine alone: within the train split's
held-out part (where variants are chosen) and within the val split (no fold
shared). Last, each cosine is stacked on the features-only model's logit
(``logit + w * cosine``, ``w`` chosen on the held-out part) to see whether
the embedding adds anything to the default model.

Reads the searches and models of ``bench_scorer.py --keep DIR`` (run it
first with the same DIR).

Usage:
    python benchmarks/bench_encoders.py --keep DIR [--steps 600] [--threads 2]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from bench_scorer import PeakRss, cached_search, ranked_by, scored_candidates, shuffled_set
from machine import cpu_model

from seqsim.scorer.embedding import cosine_neighbours, embed_sequences
from seqsim.scorer.labels import PairLabels, held_out_groups
from seqsim.scorer.profiles import default_profiles
from seqsim.scorer.siamese import EncoderSettings, train_encoder
from seqsim.scorer.training import TrainSettings
from seqsim.sequences.ingest import ingest_fasta
from seqsim.validation.evaluate import sensitivity_to_first_fp


def cosine_ranking(embeddings: np.ndarray, ids: np.ndarray) -> pd.DataFrame:
    query, target, cosine = cosine_neighbours(embeddings, 2000)
    return pd.DataFrame({"query": ids[query], "target": ids[target], "score": cosine})


def pair_cosines(embeddings: np.ndarray, pairs: pd.DataFrame) -> np.ndarray:
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    return np.einsum("ij,ij->i", embeddings[q], embeddings[t])


def stacked(pairs: pd.DataFrame, cosine: np.ndarray, weight: float) -> pd.DataFrame:
    logit = np.log(pairs["probability"].clip(1e-9, 1 - 1e-9))
    logit -= np.log1p(-pairs["probability"].clip(1e-9, 1 - 1e-9))
    return pairs.assign(stacked=logit + weight * cosine)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", required=True, help="bench_scorer.py's work folder")
    parser.add_argument("--steps", type=int, default=EncoderSettings().steps)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    work = Path(args.keep)
    torch.set_num_threads(args.threads)
    print(f"machine: {cpu_model()}; {args.threads} threads; encoder steps {args.steps}")
    stores, hits, labels, ids = {}, {}, {}, {}
    for split in ("train", "val"):
        labels[split] = shuffled_set(split, work / f"{split}.fasta")
        stores[split] = ingest_fasta([work / f"{split}.fasta"]).store
        hits[split], _ = cached_search(stores[split], args.threads, work / f"{split}.hits.parquet")
        ids[split] = np.asarray(stores[split].ids, dtype=object)
    train_labels = PairLabels.from_table(labels["train"], stores["train"].ids, "superfamily")
    settings = TrainSettings()
    held = held_out_groups(train_labels.group, settings.validation_fraction, settings.seed)
    held_labels = labels["train"][labels["train"]["id"].isin(set(ids["train"][held]))]
    held_index = np.flatnonzero(held)
    scored = {
        split: scored_candidates(work / "features.safetensors", stores[split], hits[split])
        for split in ("train", "val")
    }
    inside = held[scored["train"]["query"].to_numpy()] & held[scored["train"]["target"].to_numpy()]
    held_pairs = scored["train"][inside]
    profiles = {split: default_profiles(stores[split], hits[split]) for split in stores}
    variants = {
        "residues": EncoderSettings(inputs="residues", steps=args.steps),
        "profile columns": EncoderSettings(inputs="profile", steps=args.steps),
    }
    rows = []
    for name, encoder_settings in variants.items():
        start = time.perf_counter()
        with PeakRss() as rss:
            encoder, _, _, loss = train_encoder(
                stores["train"], train_labels, ~held, held, encoder_settings, settings.seed,
                profiles["train"],
            )  # fmt: skip
        seconds = time.perf_counter() - start
        embedded = {
            split: embed_sequences(encoder, stores[split], profiles[split])
            for split in ("train", "val")
        }
        held_rank = cosine_ranking(embedded["train"][held_index], ids["train"][held_index])
        held_result = sensitivity_to_first_fp(held_rank, held_labels)
        val_result = sensitivity_to_first_fp(
            cosine_ranking(embedded["val"], ids["val"]), labels["val"]
        )
        # The stacking weight with the best held-out superfamily sensitivity.
        held_cos = pair_cosines(embedded["train"], held_pairs)
        best = max(
            (0.0, 1.0, 2.0, 4.0, 8.0),
            key=lambda w: (
                sensitivity_to_first_fp(
                    ranked_by(stacked(held_pairs, held_cos, w), "stacked", ids["train"]),
                    held_labels,
                ).superfamily
            ),
        )
        stacked_held = sensitivity_to_first_fp(
            ranked_by(stacked(held_pairs, held_cos, best), "stacked", ids["train"]), held_labels
        )
        val_cos = pair_cosines(embedded["val"], scored["val"])
        stacked_val = sensitivity_to_first_fp(
            ranked_by(stacked(scored["val"], val_cos, best), "stacked", ids["val"]), labels["val"]
        )
        rows.append(
            f"| {name} | {loss:.4f} | {held_result.family:.3f} / {held_result.superfamily:.3f} "
            f"| {val_result.family:.3f} / {val_result.superfamily:.3f} | {best:g} | "
            f"{stacked_held.family:.3f} / {stacked_held.superfamily:.3f} | "
            f"{stacked_val.family:.3f} / {stacked_val.superfamily:.3f} | "
            f"{seconds:.0f} s, {rss.peak:.0f} MB |"
        )
        print(rows[-1], flush=True)
    base_held = sensitivity_to_first_fp(ranked_by(held_pairs, "probability", ids["train"]),
                                        held_labels)  # fmt: skip
    base_val = sensitivity_to_first_fp(ranked_by(scored["val"], "probability", ids["val"]),
                                       labels["val"])  # fmt: skip
    print(
        "\n| encoder | held-out loss | cosine alone, held-out FAM / SFAM | cosine alone, val "
        "FAM / SFAM | w | features + w·cosine, held-out | same, val | training, peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(
        f"| (features-only model alone) | | | | 0 | {base_held.family:.3f} / "
        f"{base_held.superfamily:.3f} | {base_val.family:.3f} / {base_val.superfamily:.3f} | |"
    )


if __name__ == "__main__":
    main()
