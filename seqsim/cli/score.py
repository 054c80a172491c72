"""``seqsim score``: calibrated homology probabilities of a set's candidate pairs."""

from __future__ import annotations

import argparse
import logging

HELP = "score all candidate pairs of a set with a trained scorer (calibrated probabilities)"

log = logging.getLogger("seqsim")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("fasta", help="sequences (FASTA)")
    parser.add_argument("--model", required=True, help="checkpoint from `seqsim train`")
    parser.add_argument("-o", "--output", required=True, help="scored pairs (.tsv or .parquet)")
    parser.add_argument(
        "--hits", help="the set's all-vs-all hits (`seqsim search --hits-out`); default: search"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads for the search")


def store_and_hits(fasta: str, hits_path: str | None, threads: int):
    """The FASTA's store and its all-vs-all hits: read from ``hits_path``, or
    searched here with the default prefilter."""
    import pandas as pd

    from seqsim.hits import HitFilter, search_hits
    from seqsim.ingest import ingest_fasta
    from seqsim.scoring import scoring_scheme

    store = ingest_fasta([fasta]).store
    if hits_path:
        return store, pd.read_parquet(hits_path)
    scheme = scoring_scheme(store.alphabet)
    return store, search_hits(store, store, scheme, HitFilter(min_ungapped=30), threads=threads)


def run(args: argparse.Namespace) -> int:
    import numpy as np
    import pandas as pd

    from seqsim.io import write_table
    from seqsim.scorer.train import score_candidates

    store, hits = store_and_hits(args.fasta, args.hits, args.threads)
    pairs = score_candidates(args.model, store, hits)
    # Both directions, each query's partners best first.
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    both = pd.concat(
        [pairs, pairs.assign(query=t, target=q)], ignore_index=True
    ).sort_values(["query", "probability", "bits", "target"],
                  ascending=[True, False, False, True], kind="stable")  # fmt: skip
    ids = np.asarray(store.ids, dtype=object)
    table = both.assign(query=ids[both["query"].to_numpy()], target=ids[both["target"].to_numpy()])
    write_table(table.reset_index(drop=True), args.output)
    log.info("%d candidate pairs scored", len(pairs))
    return 0
