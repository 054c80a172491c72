"""The per-member table (similarity, identity, coverage to the representative;
outliers) and CD-HIT's .clstr layout."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from seqsim.clusters.methods import LinkRule, link_graph, pair_identity, prepare_pairs
from seqsim.clusters.outputs import MEMBER_COLUMNS, cdhit_clstr, member_table

# 0 represents 1, 2, 3 and 4; 4 is weakly tied to them; 5 is alone.
PAIRS = pd.DataFrame(
    {
        "query": [1, 0, 0, 0, 1, 2, 1, 0],
        "target": [0, 2, 3, 4, 2, 3, 3, 5],  # (1, 0): the other order, as score tables may have
        "score": [0.9, 0.8, 0.9, 0.5, 0.9, 0.9, 0.9, 0.1],
        "fident": np.float32([0.8, 0.7, 0.9, 0.4, 0.9, 0.9, 0.9, 0.2]),
        "shorter_ident": np.float32([0.8, 0.7, 0.9, 0.4, 0.9, 0.9, 0.9, 0.2]),
        "qcov": np.float32([0.5, 1.0, 1.0, 0.6, 1.0, 1.0, 1.0, 0.1]),  # 1 is half covered
        "tcov": np.float32([1.0, 0.9, 1.0, 0.7, 1.0, 1.0, 1.0, 0.1]),
    }
)
LENGTHS = np.array([100, 200, 100, 100, 90, 50])
REPRESENTATIVE = np.array([0, 0, 0, 0, 0, 5])


def table() -> pd.DataFrame:
    pairs = prepare_pairs(PAIRS)
    links = link_graph(LENGTHS, pairs, LinkRule("score", 0.3))
    identity = pair_identity(pairs, LENGTHS, "alignment")
    return member_table(REPRESENTATIVE, LENGTHS, pairs, links, feature="score", identity=identity)


def test_each_member_gets_its_pair_to_the_representative_from_either_order():
    members = table()
    assert list(members.columns) == MEMBER_COLUMNS
    one = members.loc[1]
    assert one["similarity"] == 0.9 and one["identity"] == np.float32(0.8)
    # the table listed (1, 0): 1 was the query, covered 0.5
    assert one["member_coverage"] == 0.5 and one["representative_coverage"] == 1.0
    assert members.loc[2, "member_coverage"] == np.float32(0.9)
    assert members.loc[0, ["similarity", "identity"]].isna().all()  # the representative itself
    assert members["size"].tolist() == [5, 5, 5, 5, 5, 1]


def test_outliers_isolated_and_far():
    members = table()
    # 5's only pair (0.1) is below the threshold; 4 is tied to the cluster by one 0.5 pair
    assert members["outlier"].tolist() == ["none", "none", "none", "none", "far", "isolated"]
    assert members.loc[5, "neighbours"] == 0 and np.isnan(members.loc[5, "cohesion"])
    assert members.loc[4, "cohesion"] == 0.5 / 4


def test_cdhit_clstr_layout():
    members = pd.DataFrame(
        {
            "cluster": [0, 0, 0, 1],
            "member": ["a", "b", "c", "d"],
            "representative": ["a", "a", "a", "d"],
            "length": [120, 100, 90, 30],
            "identity": [np.nan, 0.875, np.nan, np.nan],
        }
    )
    assert cdhit_clstr(members, "protein") == (
        ">Cluster 0\n0\t120aa, >a... *\n1\t100aa, >b... at 87.50%\n2\t90aa, >c...\n"
        ">Cluster 1\n0\t30aa, >d... *\n"
    )
    assert "1\t100nt, >b... at +/87.50%\n" in cdhit_clstr(members, "dna")


CLSTR2TXT = Path("/usr/lib/cd-hit/clstr2txt.pl")


@pytest.mark.skipif(not CLSTR2TXT.exists(), reason="Debian's cd-hit not installed")
def test_cdhits_own_script_reads_the_clstr(tmp_path):
    members = pd.DataFrame(
        {
            "cluster": [0, 0, 1],
            "member": ['a"1', "b:2", "c,3"],
            "representative": ['a"1', 'a"1', "c,3"],
            "length": [120, 100, 30],
            "identity": [np.nan, 0.875, np.nan],
        }
    )
    (tmp_path / "c.clstr").write_text(cdhit_clstr(members, "protein"))
    text = subprocess.run(["perl", str(CLSTR2TXT), str(tmp_path / "c.clstr")],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = [line.split("\t") for line in text.splitlines()[1:]]
    assert [(r[0], r[1], r[4], r[5]) for r in rows] == [
        ('a"1', "0", "1", "100"), ("b:2", "0", "0", "87.50%"), ("c,3", "1", "1", "100")
    ]  # fmt: skip
