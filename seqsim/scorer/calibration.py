"""Probability calibration of scorer logits, and how well calibrated they are."""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit


def fit_platt(logits: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Platt scaling: (a, b) minimising the log loss of sigmoid(a * logit + b).

    >>> a, b = fit_platt(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 1, 0, 1]))
    >>> round(a, 2) >= 0
    True
    """
    logits = np.asarray(logits, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)

    def loss(params: np.ndarray) -> float:
        z = params[0] * logits + params[1]
        # log(1 + e^z) - y z, stably
        return float(np.mean(np.logaddexp(0.0, z) - labels * z))

    result = minimize(loss, x0=np.array([1.0, 0.0]), method="L-BFGS-B")
    return float(result.x[0]), float(result.x[1])


def platt_probability(logits: np.ndarray, a: float, b: float) -> np.ndarray:
    return expit(a * np.asarray(logits, dtype=np.float64) + b)


def expected_calibration_error(
    probability: np.ndarray, labels: np.ndarray, n_bins: int = 10
) -> tuple[float, np.ndarray]:
    """ECE over ``n_bins`` equal-width probability bins, and the per-bin table
    (lower edge, mean predicted, observed frequency, count) for a reliability plot.

    >>> ece, _ = expected_calibration_error(np.array([0.1, 0.9]), np.array([0, 1]))
    >>> round(ece, 3)
    0.1
    """
    probability = np.asarray(probability, dtype=np.float64)
    labels = np.asarray(labels, dtype=np.float64)
    bins = np.minimum((probability * n_bins).astype(int), n_bins - 1)
    table = np.zeros((n_bins, 4))
    ece = 0.0
    for k in range(n_bins):
        inside = bins == k
        count = int(inside.sum())
        table[k] = [k / n_bins, 0.0, 0.0, count]
        if count:
            table[k, 1] = probability[inside].mean()
            table[k, 2] = labels[inside].mean()
            ece += count / probability.size * abs(table[k, 1] - table[k, 2])
    return float(ece), table
