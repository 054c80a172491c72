from __future__ import annotations

import io

import numpy as np
from Bio import Phylo
from scipy.cluster.hierarchy import cophenet, linkage
from scipy.spatial.distance import squareform

from seqsim.matrix.trees import newick_name, upgma_newick


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
