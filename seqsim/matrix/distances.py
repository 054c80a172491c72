"""Distances for trees, one per similarity, with saturation made explicit.

``1 - similarity`` is not an evolutionary distance: it stops at 1 and is not
additive. Each similarity feature instead has a documented distance:

- ``scoredist`` (for ``score_ratio``; Sonnhammer & Hollich 2005, BMC
  Bioinformatics 6:108): ``d = -c ln((S - S_r) / (S_u - S_r))`` with ``S``
  the pair's Smith-Waterman score, ``S_u`` the mean of the two self-scores
  and ``S_r`` the expected score of that many random columns; ``c = 1.337``
  for BLOSUM62 (the paper's calibration to substitutions per site), 1 for
  other schemes (uncalibrated). The search writes it per pair.
- ``kimura`` (for ``fident``/``shorter_ident``, proteins; Kimura 1983):
  ``d = -ln(1 - p - 0.2 p^2)``, ``p = 1 - identity``.
- ``jukes-cantor`` (the same, DNA/RNA): ``d = -3/4 ln(1 - 4/3 p)``.
- ``neg-log`` (for the learned ``probability``): ``d = -ln(p)``: homology
  evidence along a chain of independent links multiplies, so its negative
  log adds, as tree distances do. It ranks homology, not divergence: for
  trees within a family, scoredist is the better choice.
- ``one-minus`` (for the k-mer features): ``1 - similarity``, bounded by 1.

*Saturation*: a pair the search did not report, or whose formula has no
finite value (``S <= S_r``, ``p >= 0.854`` for Kimura), gets
``max_distance``, and every distance is clipped to it, so a tree never sees
infinity; the edge list flags such pairs as ``saturated``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.feature_names import KMER_FEATURES, PROBABILITY

DistanceName = Literal["scoredist", "kimura", "jukes-cantor", "neg-log", "one-minus"]
DISTANCES: tuple[str, ...] = ("scoredist", "kimura", "jukes-cantor", "neg-log", "one-minus")
# The cap for absent and saturated pairs: about 500 PAM for the evolutionary
# distances (past any alignment's signal), p = 0.0067 for neg-log.
DEFAULT_MAX_DISTANCE = {"one-minus": 1.0}
_DEFAULT_CAP = 5.0


def default_distance(feature: str, alphabet: str) -> DistanceName:
    """The distance that goes with a similarity feature."""
    if feature == "score_ratio":
        return "scoredist"
    if feature in ("fident", "shorter_ident"):
        return "kimura" if alphabet == "protein" else "jukes-cantor"
    if feature == PROBABILITY:
        return "neg-log"
    if feature in KMER_FEATURES:
        return "one-minus"
    raise ConfigError(f"no distance for feature {feature!r}")


def max_distance_of(distance: str, max_distance: float | None) -> float:
    """``max_distance``, or the distance's default cap when None."""
    if max_distance is None:
        return DEFAULT_MAX_DISTANCE.get(distance, _DEFAULT_CAP)
    if not np.isfinite(max_distance) or max_distance <= 0:
        raise ConfigError(f"max_distance must be finite and > 0, not {max_distance}")
    return float(max_distance)


def source_column(distance: str, feature: str) -> str:
    """The pair-table column a distance is computed from."""
    if distance == "scoredist":
        return "scoredist"
    if distance in ("kimura", "jukes-cantor"):
        return feature if feature in ("fident", "shorter_ident") else "fident"
    return feature


def _from_identity(identity: np.ndarray, distance: str) -> np.ndarray:
    p = 1.0 - np.clip(identity, 0.0, 1.0)
    inner = 1 - p - 0.2 * p**2 if distance == "kimura" else 1 - 4.0 / 3.0 * p
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = 1.0 if distance == "kimura" else 0.75
        return np.where(inner > 0, -scale * np.log(inner), np.nan)


def pair_distances(pairs: pd.DataFrame, distance: str, feature: str) -> np.ndarray:
    """Each pair's distance (float64, unclipped; NaN where saturated)."""
    if distance not in DISTANCES:
        raise ConfigError(f"unknown distance {distance!r}; use one of {DISTANCES}")
    column = source_column(distance, feature)
    if column not in pairs.columns:
        raise ConfigError(
            f"distance {distance} needs a {column!r} column, which these pair tables "
            f"lack (the search's pair tables have it; give them with --distance-pairs)"
        )
    values = pairs[column].to_numpy(np.float64)
    if distance == "scoredist":
        return values
    if distance in ("kimura", "jukes-cantor"):
        return _from_identity(values, distance)
    if distance == "neg-log":
        with np.errstate(divide="ignore"):
            return np.where(values > 0, -np.log(np.clip(values, 0.0, 1.0)), np.nan)
    return 1.0 - values


def distance_matrix(
    n_sequences: int, pairs: pd.DataFrame, distances: np.ndarray, cap: float
) -> np.ndarray:
    """Square float64 matrix: 0 on the diagonal, ``distances`` (clipped to
    ``cap``, NaN -> ``cap``) for the listed pairs, ``cap`` for the rest."""
    matrix = np.full((n_sequences, n_sequences), cap, dtype=np.float64)
    values = np.minimum(np.nan_to_num(distances, nan=cap), cap)
    query, target = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    matrix[query, target] = values
    matrix[target, query] = values
    np.fill_diagonal(matrix, 0.0)
    return matrix
