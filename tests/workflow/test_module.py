"""The workflow used as a Snakemake module from another workflow, and
``--config`` values coerced through the schema."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO

pytestmark = pytest.mark.workflow

OUTER = """\
configfile: "outer.yaml"


module seqsim:
    snakefile:
        "{snakefile}"
    config:
        config


use rule * from seqsim as seqsim_*


rule all:
    default_target: True
    input:
        "results/clusters/clusters.tsv",
        "results/matrix/nj.nwk",
"""


def tiny_fasta(path):
    # Two families of three and a loner (DNA, 60 nt).
    family_a = "ACGTTGCAAGCTTGACCTGAAGTCCGATCGGATCCATGCAAGGTTCCAAGTGCTAGCTAC"
    family_b = "TTGACCGGTAACGTAGGCTTAACCGGTTAAGGCCTTAAGCTAGCTTAGGCATCGATCGAT"
    records = [family_a, family_a[:-2] + "GG", "C" + family_a[1:], family_b,
               family_b[:-3] + "AAA", "G" + family_b[1:], "ATGC" * 15]  # fmt: skip
    path.write_text("".join(f">s{i}\n{seq}\n" for i, seq in enumerate(records)))


def test_used_as_a_module_from_another_workflow(tmp_path):
    tiny_fasta(tmp_path / "mine.fasta")
    (tmp_path / "Snakefile").write_text(OUTER.format(snakefile=REPO / "Snakefile"))
    # Only what differs from seqsim's defaults: the rest comes from its config.yaml.
    (tmp_path / "outer.yaml").write_text("inputs: [mine.fasta]\nscorer: {enabled: false}\n")
    done = subprocess.run(
        [sys.executable, "-m", "snakemake", "--cores", "2", "--config", "pairs={n_blocks: 2}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    clusters = pd.read_csv(tmp_path / "results" / "clusters" / "clusters.tsv", sep="\t",
                           header=None, names=["representative", "member"])  # fmt: skip
    assert sorted(clusters["member"]) == [f"s{i}" for i in range(7)]
    # --config's '2' reached the search as the integer 2: the three tiles of two blocks ran.
    assert sorted(p.name for p in (tmp_path / "results" / "search").glob("hits_tile_*")) == [
        "hits_tile_0_0.parquet", "hits_tile_0_1.parquet", "hits_tile_1_1.parquet"
    ]  # fmt: skip


def test_config_text_is_coerced_through_the_schema(tmp_path):
    from seqsim.config import coerce_strings, load_yaml

    schema = load_yaml(REPO / "workflow" / "schemas" / "config.schema.yaml")
    given = {"pairs": {"n_blocks": "1"}, "scorer": {"enabled": "false", "model": "null"},
             "search": {"max_evalue": "1e-3"}, "cluster": {"method": "leiden"}}  # fmt: skip
    assert coerce_strings(given, schema) == {
        "pairs": {"n_blocks": 1}, "scorer": {"enabled": False, "model": None},
        "search": {"max_evalue": 0.001}, "cluster": {"method": "leiden"},
    }  # fmt: skip
    # text that is not the wanted type stays text, for the schema to report
    assert coerce_strings({"pairs": {"n_blocks": "two"}}, schema) == {"pairs": {"n_blocks": "two"}}
