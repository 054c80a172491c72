"""``seqsim score``: calibrated homology probabilities of a set's candidate pairs."""

from __future__ import annotations

import argparse
import logging

HELP = "score a set's candidate pairs (or listed pairs) with a trained scorer (calibrated)"

log = logging.getLogger("seqsim")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_input_arguments(parser)
    parser.add_argument("--model", required=True, help="checkpoint from `seqsim train`")
    parser.add_argument("-o", "--output", required=True, help="scored pairs (.tsv or .parquet)")
    parser.add_argument(
        "--pairs",
        help="score only these pairs: a table with id1 and id2 columns (others are kept); "
        "default: every candidate pair (a hit or a path through intermediates)",
    )
    parser.add_argument("--threads", type=int, default=1, help="threads for the search and torch")


def add_input_arguments(parser: argparse.ArgumentParser) -> None:
    """The sequences (FASTA or store) and, optionally, their all-vs-all hits."""
    parser.add_argument("fasta", nargs="?", help="sequences (FASTA), or use --store")
    parser.add_argument("--store", help="sequence store folder (`seqsim ingest`)")
    parser.add_argument(
        "--hits",
        nargs="+",
        help="the set's all-vs-all hits (`seqsim search --hits-out`, .parquet; one file per "
        "block is fine); default: search here",
    )


def read_sequences(args: argparse.Namespace):
    """The store of ``args.fasta`` or ``args.store``."""
    from seqsim.errors import ConfigError
    from seqsim.ingest import ingest_fasta
    from seqsim.store import read_store

    if bool(args.fasta) == bool(args.store):
        raise ConfigError("give the sequences as a FASTA file or --store (one of them)")
    return read_store(args.store) if args.store else ingest_fasta([args.fasta]).store


def store_and_hits(args: argparse.Namespace):
    """The store of ``args.fasta`` or ``args.store`` and its all-vs-all hits:
    read from ``args.hits``, or searched here with the default prefilter."""
    import pandas as pd

    from seqsim.hits import HitFilter, search_hits
    from seqsim.scoring import scoring_scheme

    store = read_sequences(args)
    if args.hits:
        return store, pd.concat([pd.read_parquet(path) for path in args.hits], ignore_index=True)
    scheme = scoring_scheme(store.alphabet)
    threads = args.threads
    return store, search_hits(store, store, scheme, HitFilter(min_ungapped=30), threads=threads)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd
    import torch

    from seqsim.io import read_table, write_table
    from seqsim.scorer.labels import pair_indices
    from seqsim.scorer.train import score_candidates

    torch.set_num_threads(args.threads)
    store, hits = store_and_hits(args)
    ids = np.asarray(store.ids, dtype=object)
    if args.pairs:
        listed = read_table(args.pairs)
        a, b = pair_indices(listed, store.ids, args.pairs)
        pairs = score_candidates(args.model, store, hits, extra_pairs=(a, b))
        found = pairs.set_index(["query", "target"])["probability"]
        key = pd.MultiIndex.from_arrays([np.minimum(a, b), np.maximum(a, b)])
        probability = found.reindex(key).to_numpy()
        # A sequence with itself: certain.
        table = listed.assign(probability=np.where(a == b, 1.0, probability))
        write_table(table, args.output)
        log.info("%d listed pairs scored", len(table))
        return 0
    pairs = score_candidates(args.model, store, hits)
    # Both directions, each query's partners best first.
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    both = pd.concat(
        [pairs, pairs.assign(query=t, target=q)], ignore_index=True
    ).sort_values(["query", "probability", "bits", "target"],
                  ascending=[True, False, False, True], kind="stable")  # fmt: skip
    table = both.assign(query=ids[both["query"].to_numpy()], target=ids[both["target"].to_numpy()])
    write_table(table.reset_index(drop=True), args.output)
    log.info("%d candidate pairs scored", len(pairs))
    return 0
