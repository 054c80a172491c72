"""fetch-scope against a local file:// URL (CI has no internet)."""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from seqsim.cli import main
from seqsim.errors import InputError
from seqsim.validation.datasets import scope_url

# Made-up records in the ASTRAL header layout (no real SCOPe data in the repository).
ASTRAL = (
    ">d9zzza_ a.1.1.1 (A:) Made-up globin {Synthetic organism [TaxId: 0]}\n"
    "mkvlaagiwqqrrstehhhhklllaggwpppmkvlaagiwqqrrstehhhhklllaggwppp\n"
    "kllaggwpppmkvlaagiwqqrrste\n"
    ">d9zzzb_ a.1.1.2 (B:) Another made-up domain {Synthetic organism [TaxId: 0]}\n"
    "gsheqlkkaaegllrrhheqpvlkaagwthedrrlqakglpmm\n"
)


def test_fetch_scope_writes_fasta_and_labels(tmp_path, capsys):
    source = tmp_path / "astral.fa"
    source.write_text(ASTRAL)
    digest = hashlib.sha256(ASTRAL.encode()).hexdigest()
    fasta, labels = tmp_path / "scope.fasta", tmp_path / "labels.tsv"
    code = main(
        ["fetch-scope", "--url", source.as_uri(), "--sha256", digest,
         "--out-fasta", str(fasta), "--out-labels", str(labels)]
    )  # fmt: skip
    assert code == 0
    assert f"sha256\t{digest}" in capsys.readouterr().out
    assert fasta.read_text().splitlines()[0] == ">d9zzza_"
    table = pd.read_csv(labels, sep="\t")
    assert table.values.tolist()[1] == ["d9zzzb_", "a.1.1.2", "a", "a.1", "a.1.1", "a.1.1.2"]


def test_checksum_mismatch_leaves_nothing(tmp_path, capsys):
    source = tmp_path / "astral.fa"
    source.write_text(ASTRAL)
    fasta = tmp_path / "scope.fasta"
    code = main(
        ["fetch-scope", "--url", source.as_uri(), "--sha256", "0" * 64,
         "--out-fasta", str(fasta), "--out-labels", str(tmp_path / "l.tsv")]
    )  # fmt: skip
    assert code == 1
    assert "checksum mismatch" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [source]


def test_header_without_sccs_is_an_error(tmp_path):
    from seqsim.validation.datasets import astral_records

    path = tmp_path / "x.fa"
    path.write_text(">d1 nolabel\nMKV\n")
    with pytest.raises(InputError, match="ASTRAL header without"):
        astral_records(path)


def test_official_url():
    assert scope_url("2.08", 40) == (
        "https://scop.berkeley.edu/downloads/scopeseq-2.08/"
        "astral-scopedom-seqres-gd-sel-gs-bib-40-2.08.fa"
    )
