"""Platt calibration and the expected calibration error on data of known answer."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit

from seqsim.scorer.calibration import expected_calibration_error, fit_platt, platt_probability


@pytest.mark.parametrize(("a", "b"), [(1.7, -0.8), (0.4, 1.2), (-1.0, 0.0)])
def test_platt_recovers_the_parameters_of_logistic_data(a, b):
    rng = np.random.default_rng(3)
    logits = rng.normal(0.0, 2.0, 100_000)
    labels = rng.random(logits.size) < expit(a * logits + b)
    fitted_a, fitted_b = fit_platt(logits, labels.astype(float))
    assert fitted_a == pytest.approx(a, abs=0.05)
    assert fitted_b == pytest.approx(b, abs=0.05)
    # Calibrated probabilities of such data have a small ECE; raw sigmoid(logit) not.
    ece, _ = expected_calibration_error(platt_probability(logits, fitted_a, fitted_b), labels)
    raw_ece, _ = expected_calibration_error(expit(logits), labels)
    assert ece < 0.01 < raw_ece


def test_ece_table_is_hand_checked():
    probability = np.array([0.05, 0.15, 0.15, 0.95])
    labels = np.array([0, 1, 0, 1])
    ece, table = expected_calibration_error(probability, labels, n_bins=10)
    # bins 0, 1 and 9: |0.05 - 0|, |0.15 - 0.5| twice, |0.95 - 1|
    assert ece == pytest.approx((0.05 + 2 * 0.35 + 0.05) / 4)
    assert table[1].tolist() == pytest.approx([0.1, 0.15, 0.5, 2])
    assert table[:, 3].sum() == 4
