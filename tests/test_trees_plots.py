from __future__ import annotations

import io

import numpy as np
from Bio import Phylo
from scipy.cluster.hierarchy import cophenet, linkage
from scipy.spatial.distance import squareform

from seqsim.matrix.trees import newick_name, upgma_newick
from seqsim.plots import plot_similarity_heatmap, similarity_order


def random_distances(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    points = rng.random((n, 3))
    return np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(-1))


def test_upgma_tree_has_every_leaf_and_the_cophenetic_distances():
    distance = random_distances(12, 0)
    ids = [f"s{i}" for i in range(12)]
    tree = Phylo.read(io.StringIO(upgma_newick(distance, ids)), "newick")
    assert sorted(leaf.name for leaf in tree.get_terminals()) == sorted(ids)
    expected = squareform(cophenet(linkage(squareform(distance), "average")))
    for i in range(12):
        for j in range(i + 1, 12):
            assert abs(tree.distance(f"s{i}", f"s{j}") - expected[i, j]) < 1e-5


def test_newick_names_are_quoted_when_needed():
    assert newick_name("sp|P1|X") == "sp|P1|X"
    assert newick_name("a b") == "'a b'"
    assert newick_name("it's(1)") == "'it''s(1)'"
    tree = upgma_newick(np.array([[0, 1], [1, 0.0]]), ["a:b", "c"])
    assert Phylo.read(io.StringIO(tree), "newick").count_terminals() == 2
    assert upgma_newick(np.zeros((1, 1)), ["only"]) == "only;\n"


def test_heatmap_order_groups_blocks_and_png_is_reproducible(tmp_path):
    matrix = np.full((6, 6), 0.1, dtype=np.float32)
    for group in ([0, 2, 4], [1, 3, 5]):
        matrix[np.ix_(group, group)] = 0.9
    np.fill_diagonal(matrix, 1.0)
    order = similarity_order(matrix).tolist()
    assert {frozenset(order[:3]), frozenset(order[3:])} == {
        frozenset([0, 2, 4]), frozenset([1, 3, 5]),
    }  # fmt: skip
    plot_similarity_heatmap(matrix, tmp_path / "a.png", title="t")
    plot_similarity_heatmap(matrix, tmp_path / "b.png", title="t")
    data = (tmp_path / "a.png").read_bytes()
    assert data.startswith(b"\x89PNG") and data == (tmp_path / "b.png").read_bytes()
