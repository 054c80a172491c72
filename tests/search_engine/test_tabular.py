"""BLAST tabular output of a hit table."""

from __future__ import annotations

from seqsim.search_engine.engine import HitFilter, search_hits
from seqsim.search_engine.tabular import blast_table, blast_text


def test_blast_table_columns(small_protein, protein_example):
    _, scheme = protein_example
    hits = search_hits(small_protein, small_protein, scheme, HitFilter(max_evalue=1e-5))
    table = blast_table(
        hits, small_protein.ids, small_protein.ids, ["qlen", "raw", "fident", "qcov", "cigar"]
    )
    assert list(table.columns[:12]) == [
        "qseqid", "sseqid", "pident", "length", "mismatch", "gapopen",
        "qstart", "qend", "sstart", "send", "evalue", "bitscore",
    ]  # fmt: skip
    self_rows = table[table["qseqid"] == table["sseqid"]]
    assert (self_rows["pident"] == "100.000").all() and (self_rows["qcov"] == "1.000").all()


def test_blast_text_writes_ids_as_they_are(small_protein, protein_example):
    _, scheme = protein_example
    hits = search_hits(small_protein, small_protein, scheme, HitFilter(max_evalue=1e-5))
    ids = [f'd"{i}' if i % 2 else f"x,{i};" for i in range(small_protein.n_sequences)]
    lines = blast_text(hits, ids, ids).splitlines()
    assert [line.split("\t")[0] for line in lines] == [ids[q] for q in hits["query"]]
