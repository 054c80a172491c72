"""Figures a person would rather look at than read."""

from __future__ import annotations

import os

import numpy as np
from scipy.cluster.hierarchy import leaves_list, linkage
from scipy.spatial.distance import squareform

from seqsim.io import atomic_path

# Above this many sequences the heatmap is drawn in input order (ordering needs
# an O(N^2) linkage) and subsampled to at most this many rows and columns.
MAX_ORDERED = 4000


def similarity_order(matrix: np.ndarray) -> np.ndarray:
    """Leaf order of average-linkage (UPGMA) clustering on 1 - similarity."""
    if matrix.shape[0] < 3 or matrix.shape[0] > MAX_ORDERED:
        return np.arange(matrix.shape[0])
    distance = np.clip(1.0 - matrix.astype(np.float64), 0.0, None)
    np.fill_diagonal(distance, 0.0)
    return leaves_list(linkage(squareform(distance, checks=False), method="average"))


def plot_similarity_heatmap(
    matrix: np.ndarray, path: str | os.PathLike[str], *, title: str
) -> None:
    """Heatmap of a similarity matrix in UPGMA leaf order, written as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    order = similarity_order(matrix)
    step = max(1, int(np.ceil(order.size / MAX_ORDERED)))
    shown = matrix[np.ix_(order[::step], order[::step])]
    figure, axes = plt.subplots(figsize=(7, 6), dpi=110)
    image = axes.imshow(shown, cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
    axes.set_title(title)
    axes.set_xlabel("sequences (UPGMA order)" if step == 1 else "sequences (subsampled)")
    axes.set_ylabel("sequences")
    figure.colorbar(image, ax=axes, label="similarity")
    figure.tight_layout()
    with atomic_path(path) as tmp:
        # No Software/date metadata, so the same matrix gives the same bytes.
        figure.savefig(tmp, format="png", metadata={"Software": None})
    plt.close(figure)
