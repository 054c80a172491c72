"""Low-complexity masking (issue 29, item 3): what the search's mask costs on
domains and what it saves on whole proteins, beside blastp with and without
its composition-based statistics and SEG.

    python benchmarks/bench_masking.py [--threads 2] [--no-results]

Sets:
- SCOPe40 val split (2,207 domains): Smith-Waterman superfamily and family
  sensitivity to the first false positive (hits ranked by bit score; SCOPe
  levels as bench_pretrained.py) -- the cost of masking real domains;
- simulated whole proteins of bench_full_length.py (shuffled domain
  architectures, 15% with a transmembrane-like block, 15% with a
  low-complexity run): precision and true positives of the hits at
  E <= 1e-3 and 1e-6 (pairs sharing a superfamily are right, pairs sharing no
  fold wrong) -- what masking saves.

Searches: seqsim's default search (ungapped prefilter 30) with ``mask``
none and seg; blastp (NCBI BLAST+, Debian's) with ``-comp_based_stats 0
-seg no`` (the statistics seqsim's E-values follow), with its default
composition-based statistics (``-comp_based_stats 2``), and with those plus
``-seg yes``; each with ``-evalue 10 -max_target_seqs`` the set's size.
Values go to results/bench_masking.tsv.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from bench_full_length import simulated
from bench_pretrained import scope40_val
from machine import append_results, cpu_model

from seqsim.alignment.scoring import scoring_scheme
from seqsim.search_engine.engine import HitFilter, search_hits
from seqsim.sequences.ingest import ingest_fasta
from seqsim.sequences.masking import mask_low_complexity, masked_fraction
from seqsim.validation.architectures import ArchitectureTruth
from seqsim.validation.evaluate import sensitivity_to_first_fp

BLASTP = {
    "blastp, no composition statistics, no SEG": ["-comp_based_stats", "0", "-seg", "no"],
    "blastp, composition statistics (default)": ["-comp_based_stats", "2", "-seg", "no"],
    "blastp, composition statistics + SEG": ["-comp_based_stats", "2", "-seg", "yes"],
}
COLUMNS = ["query", "target", "evalue", "bitscore"]


def seqsim_hits(fasta: Path, mask: bool, threads: int) -> tuple[pd.DataFrame, float, float]:
    """(hits with ids, seconds, masked fraction) of seqsim's default search."""
    store = ingest_fasta([fasta]).store
    start = time.perf_counter()
    hits = search_hits(
        store, store, scoring_scheme("protein"), HitFilter(min_ungapped=30, mask=mask),
        threads=threads,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    ids = np.array(store.ids, dtype=object)
    table = pd.DataFrame({
        "query": ids[hits["query"].to_numpy()], "target": ids[hits["target"].to_numpy()],
        "evalue": hits["evalue_pair"].to_numpy(), "bitscore": hits["bitscore"].to_numpy(),
    })  # fmt: skip
    fraction = masked_fraction(store, mask_low_complexity(store)) if mask else 0.0
    return table, seconds, fraction


def blastp_hits(
    fasta: Path, options: list[str], threads: int, work: Path
) -> tuple[pd.DataFrame, float]:
    n = sum(1 for line in open(fasta) if line.startswith(">"))
    db = work / "db"
    subprocess.run(["makeblastdb", "-in", str(fasta), "-dbtype", "prot", "-out", str(db)],
                   check=True, capture_output=True)  # fmt: skip
    start = time.perf_counter()
    out = subprocess.run(
        ["blastp", "-query", str(fasta), "-db", str(db),
         "-outfmt", "6 qseqid sseqid evalue bitscore", "-evalue", "10",
         "-max_target_seqs", str(n), "-num_threads", str(threads), *options],
        check=True, capture_output=True, text=True, env={**os.environ, "OLD_FSC": "1"},
    ).stdout  # fmt: skip
    seconds = time.perf_counter() - start
    table = pd.DataFrame([line.split("\t") for line in out.splitlines()], columns=COLUMNS)
    table[["evalue", "bitscore"]] = table[["evalue", "bitscore"]].astype(float)
    # One row per pair (blastp may add weaker HSPs), the better E-value of both directions.
    table = table.sort_values("evalue").drop_duplicates(["query", "target"])
    return table, seconds


def domain_row(hits: pd.DataFrame, labels: pd.DataFrame) -> dict[str, float]:
    ranked = hits[hits["query"] != hits["target"]].sort_values(
        ["query", "bitscore"], ascending=[True, False], kind="stable"
    )
    found = sensitivity_to_first_fp(ranked[["query", "target"]], labels)
    return {"family": float(found.family), "superfamily": float(found.superfamily)}


def protein_row(hits: pd.DataFrame, truth: ArchitectureTruth) -> dict[str, float]:
    pairs = hits[hits["query"] < hits["target"]]
    homolog = truth.pair_homology(pairs["query"].to_numpy(), pairs["target"].to_numpy())
    row = {}
    for cutoff in (1e-3, 1e-6):
        chosen = (pairs["evalue"].to_numpy() <= cutoff) & ~np.isnan(homolog)
        row[f"precision E<={cutoff:g}"] = float(homolog[chosen].mean())
        row[f"true pairs E<={cutoff:g}"] = int(homolog[chosen].sum())
    ranked = pairs.rename(columns={"bitscore": "score"})[["query", "target", "score"]]
    row["sensitivity"] = truth.sensitivity_to_first_fp(ranked)[0]
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--no-results", action="store_true")
    args = parser.parse_args()
    print(cpu_model())
    values = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        val_fasta, labels = scope40_val(work)
        proteins_fasta, domains = simulated(work)
        truth = ArchitectureTruth.from_domains(domains)
        runs: list[tuple[str, object]] = [("seqsim, mask none", False), ("seqsim, mask seg", True)]
        if shutil.which("blastp"):
            runs += list(BLASTP.items())
        else:
            print("blastp not found: apt-get install ncbi-blast+")
        for name, how in runs:
            results = {}
            sets = (("SCOPe40 val", val_fasta), ("simulated proteins", proteins_fasta))
            for set_name, fasta in sets:
                if isinstance(how, bool):
                    hits, seconds, fraction = seqsim_hits(fasta, how, args.threads)
                else:
                    hits, seconds = blastp_hits(fasta, how, args.threads, work)
                    fraction = np.nan
                row = (domain_row(hits, labels) if set_name == "SCOPe40 val"
                       else protein_row(hits, truth))  # fmt: skip
                row |= {"seconds": seconds, "masked fraction": fraction}
                results[set_name] = row
                text = ", ".join(f"{k} {v:.4g}" for k, v in row.items())
                print(f"{name} | {set_name}: {text}", flush=True)
                values += [(f"{name} | {set_name}", k, f"{v:.4g}") for k, v in row.items()]
    if not args.no_results:
        append_results("bench_masking", "search", "summary", values)


if __name__ == "__main__":
    main()
