"""Ingest and k-mer features on the real labelled sets in ../shared/data (skipped when absent)."""

from __future__ import annotations

import gzip
import itertools

import pandas as pd
from Bio.SeqIO.FastaIO import SimpleFastaParser

from seqsim.kmers.pairs import score_pairs
from seqsim.kmers.profiles import count_kmers
from seqsim.sequences.ingest import ingest_fasta

from conftest import shared_data


def test_scope40_ingests_completely():
    folder = shared_data("scope40")
    result = ingest_fasta([folder / "scope40.fasta.gz"])
    labels = pd.read_csv(folder / "labels.tsv", sep="\t")
    assert result.store.alphabet == "protein"
    assert result.store.ids == labels["id"].tolist()
    assert result.summary["n_rejected"] == 0


def test_rfam_ncrna_reads_as_nucleotide_and_families_share_kmers(tmp_path):
    folder = shared_data("rfam_nrc")
    result = ingest_fasta([folder / "rfam_nrc.fasta.gz"])
    assert result.store.alphabet in ("dna", "rna")
    assert result.summary["n_rejected"] == 0
    labels = pd.read_csv(folder / "labels.tsv", sep="\t")
    assert result.store.ids == labels["id"].tolist()
    # On every 20th sequence: pairs of one Rfam family share more 6-mers than other pairs.
    head = tmp_path / "head.fasta"
    with gzip.open(folder / "rfam_nrc.fasta.gz", "rt") as source, open(head, "w") as out:
        records = itertools.islice(SimpleFastaParser(source), 0, None, 20)
        out.writelines(f">{title}\n{sequence}\n" for title, sequence in records)
    pairs = score_pairs(count_kmers(ingest_fasta([head]).store, k=6))
    family = labels["rfam_family"].to_numpy()[::20]
    same = family[pairs["query"]] == family[pairs["target"]]
    assert pairs.loc[same, "jaccard"].mean() > 2 * pairs.loc[~same, "jaccard"].mean()
