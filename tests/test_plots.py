"""Plots: the heatmap's order and reproducible PNG bytes."""

from __future__ import annotations

import numpy as np

from seqsim.plots import plot_similarity_heatmap, similarity_order


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
