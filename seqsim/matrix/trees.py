"""Trees from distance matrices, written as Newick with the sequences' IDs
(quoted where Newick needs it): UPGMA through SciPy's average linkage,
neighbour joining through scikit-bio."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from scipy.cluster.hierarchy import ClusterNode, linkage, to_tree
from scipy.spatial.distance import squareform

if TYPE_CHECKING:
    from skbio import TreeNode

# Unquoted, Newick readers turn "_" into a space: such names are quoted too.
_PLAIN_NAME = re.compile(r"^[^\s(),:;'\[\]_]+$")


def newick_name(name: str) -> str:
    """A Newick label: as is when safe, else single-quoted with quotes doubled."""
    return name if _PLAIN_NAME.match(name) else "'" + name.replace("'", "''") + "'"


def upgma_newick(distance: np.ndarray, ids: Sequence[str]) -> str:
    """UPGMA (average-linkage) tree of a square distance matrix, as rooted Newick.

    Branch lengths are in distance units: a node's height is half the average
    distance between its two subtrees, so the tree is ultrametric.
    """
    n = len(ids)
    if n == 1:
        return f"{newick_name(ids[0])};\n"
    condensed = squareform(np.clip(distance.astype(np.float64), 0.0, None), checks=False)
    root = to_tree(linkage(condensed, method="average"))

    def render(node: ClusterNode, parent_height: float) -> str:
        height = node.dist / 2.0
        length = f":{parent_height - height:.6f}"
        if node.is_leaf():
            return newick_name(ids[node.id]) + length
        children = ",".join(render(child, height) for child in (node.left, node.right))
        return f"({children}){length}"

    # A caterpillar-shaped tree is n deep: allow that much recursion.
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * n + 100))
    top = root.dist / 2.0
    inner = ",".join(render(child, top) for child in (root.left, root.right))
    return f"({inner});\n"


def nj_newick(distance: np.ndarray, ids: Sequence[str]) -> str:
    """Neighbour-joining tree (scikit-bio's ``nj``; Saitou & Nei 1987) of a
    square distance matrix, as Newick: unrooted, drawn from a trifurcation,
    negative branch lengths set to 0."""
    n = len(ids)
    if n < 3:
        leaves = ",".join(f"{newick_name(name)}:{distance[0, -1] / 2:.6f}" for name in ids)
        return f"({leaves});\n" if n == 2 else f"{newick_name(ids[0])};\n"
    from skbio import DistanceMatrix
    from skbio.tree import nj

    symmetric = np.clip((distance + distance.T) / 2.0, 0.0, None).astype(np.float64)
    np.fill_diagonal(symmetric, 0.0)
    root = nj(DistanceMatrix(symmetric, [str(i) for i in range(n)]), neg_as_zero=True)

    def render(node: TreeNode) -> str:
        length = f":{node.length:.6f}" if node.length is not None else ""
        if node.is_tip():
            return newick_name(ids[int(node.name)]) + length
        return "(" + ",".join(render(child) for child in node.children) + ")" + length

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 2 * n + 100))
    return "(" + ",".join(render(child) for child in root.children) + ");\n"
