"""Trees from distance matrices, written as Newick."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence

import numpy as np
from scipy.cluster.hierarchy import ClusterNode, linkage, to_tree
from scipy.spatial.distance import squareform

_PLAIN_NAME = re.compile(r"^[^\s(),:;'\[\]]+$")


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
