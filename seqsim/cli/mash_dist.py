"""``seqsim mash-dist``: all-vs-all Mash distances from MinHash sketches
(hash-identical to ``mash sketch`` / ``mash dist``, see :mod:`seqsim.sketch`)."""

from __future__ import annotations

import argparse
import logging

HELP = "all-vs-all Mash distances of a FASTA file's sequences (MinHash sketches, as mash dist)"

log = logging.getLogger("seqsim")

# Query rows compared per step: bounds the pair arrays held at once.
_ROWS_PER_STEP = 256


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fasta", help="sequences (FASTA)")
    parser.add_argument("-o", "--output", required=True, help="distances (.tsv)")
    parser.add_argument("--alphabet", choices=["auto", "protein", "dna", "rna"], default="auto")
    parser.add_argument("-k", type=int, help="k-mer size (default: 21 for DNA, 9 for protein)")
    parser.add_argument("-s", "--sketch-size", type=int, default=1000, help="hashes per sketch")
    parser.add_argument(
        "--max-distance", type=float, default=1.0, help="write pairs with distance <= this"
    )


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from seqsim.ingest import ingest_fasta
    from seqsim.io import write_text
    from seqsim.progress import progress
    from seqsim.sketch import pairwise_mash, sketch_store

    store = ingest_fasta([args.fasta], alphabet=args.alphabet).store
    k = args.k or (9 if store.alphabet == "protein" else 21)
    sketches = sketch_store(store, k, size=args.sketch_size)
    n = store.n_sequences
    ids = np.asarray(store.ids, dtype=object)
    parts = []
    starts = range(0, n, _ROWS_PER_STEP)
    for start in progress(starts, total=len(starts), desc="mash-dist", unit="blocks"):
        rows = np.arange(start, min(start + _ROWS_PER_STEP, n))
        pairs = np.stack([np.repeat(rows, n), np.tile(np.arange(n), rows.size)], axis=1)
        table = pairwise_mash(sketches, pairs)
        parts.append(table[table["distance"] <= args.max_distance])
    table = pd.concat(parts, ignore_index=True)
    text = pd.DataFrame(
        {
            "query": ids[table["query"].to_numpy()],
            "target": ids[table["target"].to_numpy()],
            "distance": [f"{d:.6g}" for d in table["distance"]],
            "shared_hashes": table["n_shared"].astype(str) + "/" + table["n_union"].astype(str),
        }
    ).to_csv(sep="\t", index=False, header=False, lineterminator="\n")
    write_text(text, args.output)
    log.info("%d pairs with distance <= %g (k=%d, s=%d)", len(table), args.max_distance, k,
             args.sketch_size)  # fmt: skip
    return 0
