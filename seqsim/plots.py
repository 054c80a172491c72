"""Figures a person would rather look at than read."""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd
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
    plt = _pyplot()
    order = similarity_order(matrix)
    step = max(1, int(np.ceil(order.size / MAX_ORDERED)))
    shown = matrix[np.ix_(order[::step], order[::step])]
    figure, axes = plt.subplots(figsize=(7, 6), dpi=110)
    image = axes.imshow(shown, cmap="viridis", vmin=0.0, vmax=1.0, interpolation="nearest")
    axes.set_title(title)
    axes.set_xlabel("sequences (UPGMA order)" if step == 1 else "sequences (subsampled)")
    axes.set_ylabel("sequences")
    figure.colorbar(image, ax=axes, label="similarity")
    _save(figure, path)


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(figure: Any, path: str | os.PathLike[str]) -> None:
    figure.tight_layout()
    with atomic_path(path) as tmp:
        # No Software/date metadata, so the same data give the same bytes.
        figure.savefig(tmp, format="png", metadata={"Software": None})
    _pyplot().close(figure)


def plot_sensitivity_curves(
    methods: dict[str, tuple[pd.DataFrame, tuple[np.ndarray, np.ndarray]]],
    path: str | os.PathLike[str],
    *,
    title: str,
) -> None:
    """Per method (name -> (per-query sensitivities, ROC points)): cumulative
    sensitivity at family, superfamily and fold level (queries sorted by
    their sensitivity, as in the Foldseek benchmark figures) and the ROC."""
    plt = _pyplot()
    figure, axes = plt.subplots(1, 4, figsize=(16, 4), dpi=100)
    # More methods than the default colour cycle: colours from tab20, and
    # every other method dashed.
    colours = plt.cm.tab20(np.linspace(0.0, 1.0, 20))
    for k, (name, (per_query, (fpr, tpr))) in enumerate(methods.items()):
        style = {
            "color": colours[(2 * k) % 20 + (k // 10) % 2],
            "linestyle": "-" if k % 2 == 0 else "--",
        }
        for axis, level in zip(axes[:3], ("family", "superfamily", "fold"), strict=True):
            values = np.sort(per_query[level].to_numpy())[::-1]
            if values.size and np.isnan(values).all():
                continue  # labels without this level
            fraction = np.arange(1, values.size + 1) / max(values.size, 1)
            axis.plot(fraction, values, label=f"{name} ({values.mean():.3f})", **style)
        axes[3].plot(np.maximum(fpr, 1e-7), tpr, label=name, **style)
    for axis, level in zip(axes[:3], ("family", "superfamily", "fold"), strict=True):
        axis.set_title(f"{level}: sensitivity to 1st FP")
        axis.set_xlabel("fraction of queries")
        axis.set_ylabel("sensitivity")
        axis.set_ylim(0, 1.02)
        if axis.lines:
            axis.legend(fontsize=6)
        else:
            axis.text(0.5, 0.5, f"no {level} level in the labels", ha="center", va="center")
    axes[3].set_xscale("log")
    axes[3].set_xlim(1e-6, 1)
    axes[3].set_title("ROC: same superfamily vs other fold")
    axes[3].set_xlabel("false-positive rate")
    axes[3].set_ylabel("true-positive rate")
    axes[3].legend(fontsize=6)
    figure.suptitle(title)
    _save(figure, path)


def plot_reliability(table: np.ndarray, path: str | os.PathLike[str], *, title: str) -> None:
    """Reliability diagram from the bins of
    :func:`seqsim.scorer.calibration.expected_calibration_error`: observed
    homolog frequency against mean predicted probability, with bin counts."""
    plt = _pyplot()
    figure, (upper, lower) = plt.subplots(
        2, 1, figsize=(5, 6), dpi=100, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
    )
    filled = table[:, 3] > 0
    upper.plot([0, 1], [0, 1], color="grey", linestyle="--", label="perfect calibration")
    upper.plot(table[filled, 1], table[filled, 2], marker="o", label="scorer")
    upper.set_ylabel("observed homolog frequency")
    upper.set_title(title)
    upper.legend()
    width = 1.0 / len(table)
    lower.bar(table[:, 0] + width / 2, table[:, 3], width=width * 0.9)
    lower.set_yscale("log")
    lower.set_xlabel("predicted probability")
    lower.set_ylabel("pairs")
    _save(figure, path)


def plot_cluster_sizes(sizes: np.ndarray, path: str | os.PathLike[str], *, title: str) -> None:
    """How many clusters have each size, and how many sequences lie in
    clusters of each size (log axes): singletons, families, giants."""
    plt = _pyplot()
    sizes = np.asarray(sizes, dtype=np.int64)
    values, counts = np.unique(sizes, return_counts=True)
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 3.6), dpi=100)
    left.bar(values, counts, width=0.8 if values.max(initial=1) < 20 else values * 0.1)
    left.set_xlabel("cluster size (sequences)")
    left.set_ylabel("clusters")
    right.bar(values, counts * values, width=0.8 if values.max(initial=1) < 20 else values * 0.1)
    right.set_xlabel("cluster size (sequences)")
    right.set_ylabel("sequences in clusters of that size")
    for axis, heights in ((left, counts), (right, counts * values)):
        if values.max(initial=1) >= 20:
            axis.set_xscale("log")
        if heights.max(initial=1) > 50:
            axis.set_yscale("log")
    figure.suptitle(f"{title}: {sizes.size} clusters, {int(sizes.sum())} sequences")
    _save(figure, path)


def plot_similarity_distribution(
    values: np.ndarray,
    path: str | os.PathLike[str],
    *,
    title: str,
    xlabel: str,
    threshold: float | None = None,
) -> None:
    """Histogram (log counts) of the listed pairs' similarities, with the
    clustering threshold marked."""
    plt = _pyplot()
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    figure, axes = plt.subplots(figsize=(6, 3.6), dpi=100)
    axes.hist(values, bins=50)
    axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("pairs")
    if threshold is not None:
        axes.axvline(threshold, color="tab:red", linestyle="--", label=f"threshold {threshold:g}")
        axes.legend()
    axes.set_title(f"{title} ({values.size:,} pairs)")
    _save(figure, path)
