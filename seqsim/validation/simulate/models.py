"""Reversible substitution models of the simulation: a BLOSUM62-derived
protein rate matrix, HKY85 for DNA, their spectral decompositions (for
``P(t)`` and the expected identity at a distance), and discrete-Gamma site
rates."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import special, stats

SimulatedAlphabet = Literal["protein", "dna"]

AMINO_ACIDS = "ARNDCQEGHILKMFPSTWYV"
NUCLEOTIDES = "ACGT"

# Background amino-acid frequencies of BLOSUM62 (Henikoff & Henikoff 1992,
# PNAS 89:10915), in ARNDCQEGHILKMFPSTWYV order, as published (they sum to 1).
BLOSUM62_BACKGROUND = np.array(
    [
        0.074, 0.052, 0.045, 0.054, 0.025, 0.034, 0.054, 0.074, 0.026, 0.068,
        0.099, 0.058, 0.025, 0.047, 0.039, 0.057, 0.051, 0.013, 0.032, 0.073,
    ]
)  # fmt: skip

# HKY85 defaults: A, C, G, T frequencies and transition/transversion ratio.
DNA_BACKGROUND = np.array([0.3, 0.2, 0.2, 0.3])
HKY_KAPPA = 2.0

# Transition matrices are rounded to this many decimals before sampling, so
# last-bit differences between LAPACK builds cannot change sampled residues.
_P_DECIMALS = 10


def _scale_to_unit_rate(q: np.ndarray, freqs: np.ndarray) -> np.ndarray:
    """Fix the diagonal (rows sum to 0) and scale so that -sum_i p_i Q_ii = 1."""
    q = q.copy()
    np.fill_diagonal(q, 0.0)
    np.fill_diagonal(q, -q.sum(axis=1))
    rate = -float(np.dot(freqs, np.diag(q)))
    return q / rate


def blosum62_rate_matrix(*, ipf_rounds: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """A reversible rate matrix whose reference transition matrix is BLOSUM62's.

    Target frequencies are reconstructed as ``q_ij ∝ p_i p_j 2^(s_ij / 2)``
    (BLOSUM62 is in half-bits) from the BLOSUM62 scores and the published
    background frequencies ``p``; symmetric iterative proportional fitting
    makes the marginals equal ``p``. With ``P_ref = q_ij / p_i`` the rate matrix
    is ``Q = logm(P_ref)``, computed from the eigen-decomposition of the
    symmetric matrix ``D^(1/2) P_ref D^(-1/2)`` (``D = diag(p)``), clipping
    non-positive eigenvalues. Negative off-diagonal rates (they come in
    symmetric pairs, so reversibility is kept) are set to 0, and ``Q`` is
    scaled to one expected substitution per unit time.

    Parameters
    ----------
    ipf_rounds
        Rounds of symmetric proportional fitting of the target frequencies.

    Returns
    -------
    q, freqs
        The 20x20 rate matrix (order :data:`AMINO_ACIDS`) and its stationary
        distribution (the BLOSUM62 background frequencies).
    """
    from Bio.Align import substitution_matrices

    blosum = substitution_matrices.load("BLOSUM62")
    scores = np.array([[blosum[a][b] for b in AMINO_ACIDS] for a in AMINO_ACIDS], dtype=float)
    p = BLOSUM62_BACKGROUND / BLOSUM62_BACKGROUND.sum()
    target = np.outer(p, p) * np.exp2(scores / 2.0)
    target /= target.sum()
    for _ in range(ipf_rounds):
        factor = np.sqrt(p / target.sum(axis=1))
        target = target * factor[:, None] * factor[None, :]
    target = (target + target.T) / 2.0
    sqrt_p = np.sqrt(p)
    symmetric = target / np.outer(sqrt_p, sqrt_p)  # = D^(1/2) P_ref D^(-1/2)
    eigval, eigvec = np.linalg.eigh((symmetric + symmetric.T) / 2.0)
    eigval = np.clip(eigval, 1e-8, None)
    log_sym = (eigvec * np.log(eigval)) @ eigvec.T
    log_sym = (log_sym + log_sym.T) / 2.0
    q = log_sym * sqrt_p[None, :] / sqrt_p[:, None]  # D^(-1/2) logm(S) D^(1/2)
    q = np.where(q > 0.0, q, 0.0)
    return _scale_to_unit_rate(q, p), p


def hky85_rate_matrix(
    kappa: float = HKY_KAPPA, freqs: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The HKY85 rate matrix (order ``ACGT``) scaled to unit expected rate.

    ``Q_ij = kappa * pi_j`` for transitions (A<->G, C<->T) and ``pi_j`` for
    transversions.

    Returns
    -------
    q, freqs
        The 4x4 rate matrix and its stationary distribution.
    """
    pi = DNA_BACKGROUND if freqs is None else np.asarray(freqs, dtype=float)
    pi = pi / pi.sum()
    transition = np.zeros((4, 4), dtype=bool)
    transition[0, 2] = transition[2, 0] = transition[1, 3] = transition[3, 1] = True
    q = np.where(transition, kappa, 1.0) * pi[None, :]
    return _scale_to_unit_rate(q, pi), pi


@dataclass(frozen=True, eq=False)
class SubstitutionModel:
    """A reversible substitution model with its spectral decomposition.

    ``P(t) = D^(-1/2) U exp(L t) U^T D^(1/2)`` where ``U L U^T`` is the
    eigen-decomposition of the symmetric ``D^(1/2) Q D^(-1/2)``.
    """

    letters: str
    q: np.ndarray
    freqs: np.ndarray
    eigval: np.ndarray
    eigvec: np.ndarray

    @classmethod
    def from_rate_matrix(cls, letters: str, q: np.ndarray, freqs: np.ndarray) -> SubstitutionModel:
        sqrt_p = np.sqrt(freqs)
        symmetric = q * sqrt_p[:, None] / sqrt_p[None, :]
        eigval, eigvec = np.linalg.eigh((symmetric + symmetric.T) / 2.0)
        return cls(letters=letters, q=q, freqs=freqs, eigval=eigval, eigvec=eigvec)

    @property
    def n_states(self) -> int:
        return len(self.letters)

    def transition_matrix(self, t: float) -> np.ndarray:
        """``P(t) = expm(Q t)``, rounded to 10 decimals, negatives clipped to 0."""
        sqrt_p = np.sqrt(self.freqs)
        sym = (self.eigvec * np.exp(self.eigval * t)) @ self.eigvec.T
        p = sym * sqrt_p[None, :] / sqrt_p[:, None]
        return np.clip(np.round(p, _P_DECIMALS), 0.0, None)

    def expected_identity(self, distance: np.ndarray | float, rates: np.ndarray) -> np.ndarray:
        """Expected identity of two sequences ``distance`` apart on a path.

        ``sum_c w_c sum_i p_i P_ii(distance * r_c)`` with equal weights over the
        rate categories ``rates``.
        """
        d = np.asarray(distance, dtype=float)
        # sum_i p_i P_ii(t) = sum_k a_k exp(l_k t) with a_k = sum_i p_i U_ik^2
        weights = (self.freqs[:, None] * self.eigvec**2).sum(axis=0)
        exponent = d[..., None, None] * rates[:, None] * self.eigval[None, :]
        return (np.exp(exponent) * weights).sum(axis=-1).mean(axis=-1)

    def floor_identity(self) -> float:
        """Identity of unrelated sequences at aligned positions: ``sum_i p_i^2``."""
        return float(np.dot(self.freqs, self.freqs))


@functools.cache
def protein_model() -> SubstitutionModel:
    """The BLOSUM62-derived protein model (see :func:`blosum62_rate_matrix`)."""
    q, freqs = blosum62_rate_matrix()
    return SubstitutionModel.from_rate_matrix(AMINO_ACIDS, q, freqs)


@functools.cache
def dna_model(kappa: float = HKY_KAPPA) -> SubstitutionModel:
    """The HKY85 model with frequencies A .3, C .2, G .2, T .3."""
    q, freqs = hky85_rate_matrix(kappa)
    return SubstitutionModel.from_rate_matrix(NUCLEOTIDES, q, freqs)


def model_for(alphabet: SimulatedAlphabet, *, kappa: float = HKY_KAPPA) -> SubstitutionModel:
    """The substitution model used for ``alphabet``."""
    return protein_model() if alphabet == "protein" else dna_model(kappa)


def gamma_rates(alpha: float, n_categories: int) -> np.ndarray:
    """Mean rates of ``n_categories`` equal-probability discrete-Gamma classes.

    Yang (1994) mean-of-category method for a Gamma(shape=alpha, mean=1)
    distribution; the returned rates average to 1.
    """
    if n_categories == 1:
        return np.ones(1)
    edges = stats.gamma.ppf(np.arange(1, n_categories) / n_categories, a=alpha, scale=1 / alpha)
    cdf = np.concatenate([[0.0], special.gammainc(alpha + 1.0, edges * alpha), [1.0]])
    rates = np.diff(cdf) * n_categories
    return rates / rates.mean()
