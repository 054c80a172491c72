"""Adding sequences to a finished run against searching the whole set again.

    python benchmarks/bench_update.py [--new-fraction 0.1] [--threads 2]

On BALIFAM-100 (``../shared/data/pfam_balifam100``, 5,900 sequences): a run
of the first (1 - f) of the records is searched and scored; then the last f
are added (:func:`seqsim.runs.add_to_run`'s steps: only pairs touching a new
sequence aligned, old E-values rescaled, everything scored) and, beside it,
the whole set is searched and scored from scratch. Prints both times, the
peak RSS, and whether the two give the same hits and scored pairs.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import tempfile
import time
from pathlib import Path

import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser
from machine import cpu_model

from seqsim.scorer.api import score
from seqsim.search_engine.api import SearchOptions
from seqsim.search_engine.engine import search_hits
from seqsim.search_engine.update import combined_store, extended_hits
from seqsim.sequences.ingest import ingest_fasta

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pfam_balifam100"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-fraction", type=float, default=0.1)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if not DATA.is_dir():
        raise SystemExit(f"{DATA} not found")
    with gzip.open(DATA / "pfam_balifam100.fasta.gz", "rt") as handle:
        records = list(SimpleFastaParser(handle))
    n_old = round(len(records) * (1 - args.new_fraction))
    work = Path(tempfile.mkdtemp(prefix="bench_update."))
    for name, part in (("old", records[:n_old]), ("new", records[n_old:])):
        (work / f"{name}.fasta").write_text("".join(f">{t}\n{s}\n" for t, s in part))
    old = ingest_fasta([work / "old.fasta"]).store
    new = ingest_fasta([work / "new.fasta"], alphabet=old.alphabet).store
    options = SearchOptions()
    scheme, hit_filter = options.scheme(old.alphabet), options.hit_filter()
    threads = args.threads
    print(f"machine: {cpu_model()}, {threads} threads")

    start = time.perf_counter()
    old_hits = search_hits(old, old, scheme, hit_filter, threads=threads)
    score(None, old, hits=old_hits, threads=threads)
    first_s = time.perf_counter() - start

    store = combined_store(old, new)
    start = time.perf_counter()
    hits, new_hits = extended_hits(old_hits, store, old.n_sequences, scheme, hit_filter,
                                   threads=threads)  # fmt: skip
    search_s = time.perf_counter() - start
    grown = score(None, store, hits=hits, threads=threads)
    update_s = time.perf_counter() - start

    start = time.perf_counter()
    whole_hits = search_hits(store, store, scheme, hit_filter, threads=threads)
    whole = score(None, store, hits=whole_hits, threads=threads)
    whole_s = time.perf_counter() - start

    same_hits = hits.equals(whole_hits)
    same_scores = grown.reset_index(drop=True).equals(whole.reset_index(drop=True))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\n| step | sequences | time (s) |\n|---|---|---|\n"
        f"| the finished run: search + score | {old.n_sequences:,} | {first_s:.1f} |\n"
        f"| add: search the pairs touching new ones ({len(new_hits):,} new hits) | "
        f"+{new.n_sequences:,} | {search_s:.1f} |\n"
        f"| add: search + score | +{new.n_sequences:,} | {update_s:.1f} |\n"
        f"| whole set again: search + score | {store.n_sequences:,} | {whole_s:.1f} |\n"
        f"\nsame hits as the whole set: {same_hits}; same scored pairs: {same_scores} "
        f"({len(grown):,}); peak RSS {rss:.0f} MB"
    )
    if not (same_hits and same_scores):
        pd.testing.assert_frame_equal(grown, whole)


if __name__ == "__main__":
    main()
