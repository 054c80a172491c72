"""BLAST tabular output of a hit table."""

from __future__ import annotations

from seqsim.search_engine.engine import HitFilter, search_hits
from seqsim.search_engine.tabular import blast_table


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
