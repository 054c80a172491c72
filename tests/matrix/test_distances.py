"""Safe names, distances, PHYLIP layouts and NJ trees, read back by other tools."""

from __future__ import annotations

import io
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from Bio import Phylo

from seqsim.alignment.statistics import scoredist
from seqsim.matrix.distances import distance_matrix, pair_distances
from seqsim.matrix.names import id_table, safe_names
from seqsim.matrix.similarity import write_phylip_distances
from seqsim.matrix.trees import nj_newick

AWKWARD = ["UniRef50:seq0001", "chr1:100-200", "a(b)", "x,y;z", "q'uote", "under_score",
           "seq2", "plain", "NA", "007"]  # fmt: skip

# Wikipedia's neighbour-joining example: an additive matrix, so NJ recovers the tree.
ADDITIVE = np.array(
    [[0, 5, 9, 9, 8], [5, 0, 10, 10, 9], [9, 10, 0, 8, 7], [9, 10, 8, 0, 3], [8, 9, 7, 3, 0]],
    dtype=float,
)


def test_safe_names_are_unique_phylip_safe_and_keep_safe_ids():
    relaxed, strict = safe_names(AWKWARD), safe_names(AWKWARD, 10)
    for names in (relaxed, strict):
        assert len(set(names)) == len(names)
        assert not any(set(name) & set("():;,'[] ") for name in names)
    assert all(len(name) <= 10 for name in strict)
    assert relaxed[AWKWARD.index("plain")] == "plain" and relaxed[AWKWARD.index("007")] == "007"
    assert "seq2" in relaxed and relaxed.count("seq2") == 1  # the real ID keeps its name
    table = id_table(AWKWARD)
    assert table["id"].tolist() == AWKWARD and table["row"].tolist() == list(range(1, 11))


def test_identity_distances_and_saturation():
    pairs = pd.DataFrame({"query": [0, 0], "target": [1, 2], "fident": [1.0, 0.1]})
    kimura = pair_distances(pairs, "kimura", "fident")
    assert kimura[0] == 0 and np.isnan(kimura[1])  # p = 0.9 > 0.854: saturated
    jc = pair_distances(pairs.assign(fident=[0.75, 0.2]), "jukes-cantor", "fident")
    assert jc[0] == pytest.approx(-0.75 * np.log(1 - 4 / 3 * 0.25)) and np.isnan(jc[1])
    matrix = distance_matrix(4, pairs, kimura, cap=5.0)
    assert matrix[0, 1] == 0 and matrix[0, 2] == 5 and matrix[3, 1] == 5 and matrix[2, 2] == 0


def test_scoredist_is_zero_for_identical_and_grows_as_score_falls():
    d = scoredist(np.array([100, 50, 10]), np.array([100] * 3), np.array([100] * 3),
                  np.array([20] * 3), -0.95, 1.337)  # fmt: skip
    assert d[0] == 0 and 0 < d[1] < d[2]


@pytest.mark.parametrize("layout", ["square", "lower"])
@pytest.mark.parametrize("strict", [False, True])
def test_phylip_layouts(tmp_path, layout, strict):
    path = tmp_path / "d.phy"
    names = safe_names(list("abcde"), 10 if strict else None)
    write_phylip_distances(ADDITIVE, names, path, layout=layout, strict=strict)
    rows = path.read_text().splitlines()
    assert rows[0] == "5"
    for i, row in enumerate(rows[1:]):
        name, values = (row[:10].strip(), row[10:].split()) if strict else (
            row.split()[0], row.split()[1:])  # fmt: skip
        assert name == names[i]
        expected = ADDITIVE[i, :i] if layout == "lower" else ADDITIVE[i]
        assert np.allclose([float(v) for v in values], expected)


def test_nj_recovers_an_additive_tree_and_quotes_awkward_ids():
    ids = ["a_1", "b:2", "c", "d", "e"]
    tree = Phylo.read(io.StringIO(nj_newick(ADDITIVE, ids)), "newick")
    assert sorted(t.name for t in tree.get_terminals()) == sorted(ids)
    for i in range(5):
        for j in range(i + 1, 5):
            assert tree.distance(ids[i], ids[j]) == pytest.approx(ADDITIVE[i, j])


def test_scikit_bio_reads_the_relaxed_phylip(tmp_path):
    skbio = pytest.importorskip("skbio")
    path = tmp_path / "d.phy"
    write_phylip_distances(ADDITIVE, safe_names(AWKWARD[:5]), path)
    read = skbio.DistanceMatrix.read(str(path), format="phylip_dm")
    assert list(read.ids) == safe_names(AWKWARD[:5]) and np.allclose(read.data, ADDITIVE)


@pytest.mark.skipif(not shutil.which("quicktree"), reason="Debian's quicktree not installed")
def test_quicktree_reads_the_relaxed_phylip_and_builds_the_same_tree(tmp_path):
    path = tmp_path / "d.phy"
    write_phylip_distances(ADDITIVE, list("abcde"), path)
    out = subprocess.run(["quicktree", "-in", "m", str(path)], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    tree = Phylo.read(io.StringIO(out), "newick")
    assert tree.distance("a", "e") == pytest.approx(8, abs=1e-3)
    assert tree.distance("d", "e") == pytest.approx(3, abs=1e-3)
