"""``seqsim embed``: per-sequence embeddings from a siamese checkpoint, and
each sequence's nearest neighbours by calibrated embedding similarity."""

from __future__ import annotations

import argparse
import logging

HELP = "embed sequences with a trained siamese scorer; optionally each one's nearest neighbours"

log = logging.getLogger("seqsim")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fasta", nargs="?", help="sequences (FASTA), or use --store")
    parser.add_argument("--store", help="sequence store folder (`seqsim ingest`)")
    parser.add_argument("--model", required=True, help="siamese checkpoint from `seqsim train`")
    parser.add_argument(
        "-o", "--output", required=True, help="embeddings: id, e0, e1, ... (.tsv or .parquet)"
    )
    parser.add_argument(
        "--neighbours-out",
        help="also write each sequence's nearest neighbours (query, target, cosine, "
        "probability), best first; no alignment needed",
    )
    parser.add_argument("--top-k", type=int, default=100, help="neighbours per sequence")
    parser.add_argument("--threads", type=int, default=1, help="threads for torch and numpy")


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd
    import torch

    from seqsim.cli.score import read_sequences
    from seqsim.errors import ConfigError
    from seqsim.io import write_table
    from seqsim.scorer.calibration import platt_probability
    from seqsim.scorer.embedding import cosine_neighbours, embed_sequences
    from seqsim.scorer.train import load_scorer

    torch.set_num_threads(args.threads)
    store = read_sequences(args)
    model, metadata = load_scorer(args.model, store.alphabet)
    if model.kind != "siamese":
        raise ConfigError(f"{args.model}: a {model.kind} model has no sequence encoder")
    embeddings = embed_sequences(model.encoder, store)
    ids = np.asarray(store.ids, dtype=object)
    table = pd.DataFrame(embeddings, columns=[f"e{i}" for i in range(embeddings.shape[1])])
    write_table(table.assign(id=ids)[["id", *table.columns]], args.output)
    log.info("%d sequences embedded (%d dimensions)", len(ids), embeddings.shape[1])
    if args.neighbours_out:
        query, target, cosine = cosine_neighbours(embeddings, args.top_k)
        with torch.no_grad():
            logits = model.cosine.of_cosine(torch.from_numpy(cosine)).numpy().astype(np.float64)
        calibration = metadata["calibration"].get("cosine")
        if not isinstance(calibration, dict) or not {"a", "b"} <= set(calibration):
            raise ConfigError(f"{args.model}: no calibration of the embedding cosine")
        neighbours = pd.DataFrame({
            "query": ids[query], "target": ids[target], "cosine": cosine,
            "probability": platt_probability(logits, calibration["a"], calibration["b"]),
        })  # fmt: skip
        write_table(neighbours, args.neighbours_out)
        log.info("%d neighbour pairs written", len(neighbours))
    return 0
