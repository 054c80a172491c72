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
    assert relaxed[AWKWARD.index("plain")] == "plain" and relaxed[AWKWARD.index("NA")] == "NA"
    # a name that reads as a number is a distance to clearcut: generated instead
    assert relaxed[AWKWARD.index("007")] == "sq10"
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


def additive_matrix(n_leaves: int, seed: int) -> np.ndarray:
    """Path lengths of a random binary tree with n_leaves leaves (NJ recovers it)."""
    rng = np.random.default_rng(seed)
    # Grow the tree by splitting a random edge; distances from the new leaf follow.
    distance = np.array([[0.0, rng.uniform(1, 3)], [0.0, 0.0]])
    distance[1, 0] = distance[0, 1]
    for leaf in range(2, n_leaves):
        a, b = rng.choice(leaf, 2, replace=False)
        along = rng.uniform(0.1, 0.9) * distance[a, b]
        branch = rng.uniform(0.5, 2)
        # Each k meets the path a-b at t_k from a, h_k off it: d(k, new node) = h_k + |t_k - along|.
        t = (distance[a] + distance[a, b] - distance[b]) / 2
        to_new = distance[a] - t + np.abs(t - along)
        new = np.append(to_new + branch, 0.0)
        distance = np.pad(distance, ((0, 1), (0, 1)))
        distance[leaf], distance[:, leaf] = new, new
    return distance


def same_topology(newick_a: str, newick_b: str) -> bool:
    skbio = pytest.importorskip("skbio")
    a = skbio.TreeNode.read(io.StringIO(newick_a))
    b = skbio.TreeNode.read(io.StringIO(newick_b))
    return a.compare_rfd(b) == 0


NAMED = ["UniRef50:a", "chr1:1-20", "x(y)", "p,q;r", "it's", "u_s", "NA", "007"]


@pytest.fixture
def reference_case(tmp_path):
    """An additive 8-leaf matrix with awkward IDs, seqsim's NJ tree of it, and its
    PHYLIP files (the names the ids.tsv mapping gives)."""
    distance = additive_matrix(len(NAMED), seed=3)
    relaxed, strict = safe_names(NAMED), safe_names(NAMED, 10)
    write_phylip_distances(distance, relaxed, tmp_path / "d.phy")
    write_phylip_distances(distance, strict, tmp_path / "d.strict.phy", strict=True)
    ours = nj_newick(distance, relaxed)
    return tmp_path, relaxed, strict, ours


@pytest.mark.skipif(not shutil.which("phylip"), reason="Debian's phylip not installed")
def test_phylip_neighbor_reads_the_strict_phylip_and_builds_seqsims_topology(reference_case):
    folder, relaxed, strict, ours = reference_case
    work = folder / "neighbor"
    work.mkdir()
    shutil.copy(folder / "d.strict.phy", work / "infile")
    subprocess.run(["phylip", "neighbor"], input="Y\n", cwd=work, capture_output=True,
                   text=True, check=True, timeout=60)  # fmt: skip
    theirs = (work / "outtree").read_text()
    # neighbor writes the padded names without their spaces: map them back.
    renamed = Phylo.read(io.StringIO(theirs), "newick")
    back = dict(zip(strict, relaxed, strict=True))
    for leaf in renamed.get_terminals():
        leaf.name = back[leaf.name.strip()]
    assert same_topology(ours, renamed.format("newick"))


@pytest.mark.skipif(not shutil.which("clearcut"), reason="Debian's clearcut not installed")
def test_clearcut_reads_the_relaxed_phylip_and_builds_seqsims_topology(reference_case):
    folder, _, _, ours = reference_case
    out = subprocess.run(
        ["clearcut", "--distance", "--neighbor", "--norandom", f"--in={folder / 'd.phy'}",
         "--stdout"], capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    assert same_topology(ours, out)


@pytest.mark.skipif(not shutil.which("quicktree"), reason="Debian's quicktree not installed")
def test_quicktree_builds_seqsims_topology_with_awkward_ids(reference_case):
    folder, _, _, ours = reference_case
    out = subprocess.run(["quicktree", "-in", "m", str(folder / "d.phy")], capture_output=True,
                         text=True, check=True, timeout=60).stdout  # fmt: skip
    assert same_topology(ours, out)


def test_seqsims_nj_recovers_the_generating_tree():
    distance = additive_matrix(8, seed=3)
    tree = Phylo.read(io.StringIO(nj_newick(distance, NAMED)), "newick")
    for i in range(8):
        for j in range(i + 1, 8):
            # Newick branch lengths carry 6 decimals
            assert tree.distance(NAMED[i], NAMED[j]) == pytest.approx(distance[i, j], abs=1e-5)
