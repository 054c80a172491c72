"""Simulated families of evolving sequences with known true homology.

Sequences evolve along random trees under a reversible substitution model
(protein: a rate matrix derived from BLOSUM62 target frequencies; DNA: HKY85),
with discrete-Gamma rate heterogeneity across sites and insertions/deletions.
Every site carries the id of the ancestral site it descends from, so the TRUE
pairwise identity between two sequences (identical residues over shared site
ids) is known exactly.

The hierarchy is superfamily -> family -> member: a superfamily root evolves
along one deep branch to each family ancestor (families of one superfamily are
remote homologs), and each family's members evolve from its ancestor along a
random binary tree scaled so that the expected mean pairwise identity inside
the family equals a family-specific target spread over ``identity_range``.
Unrelated singletons (a superfamily of one family of one member) are added.

All randomness comes from one ``numpy.random.default_rng(seed)``; transition
matrices are rounded to 10 decimals before sampling, so the same parameters
and seed give the same output bit for bit.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from seqsim.errors import ConfigError
from seqsim.io import FilePath, write_fasta, write_table

__all__ = [
    "AMINO_ACIDS",
    "BLOSUM62_BACKGROUND",
    "NUCLEOTIDES",
    "EvolvingSequence",
    "SimulatedFamilies",
    "SimulationParams",
    "SiteCounter",
    "SubstitutionModel",
    "blosum62_rate_matrix",
    "dna_model",
    "evolve_branch",
    "gamma_rates",
    "hky85_rate_matrix",
    "model_for",
    "protein_model",
    "random_sequence",
    "simulate_families",
    "true_identity",
]

log = logging.getLogger("seqsim")

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
# Branch lengths are rounded likewise (they feed Poisson means and P(t)).
_T_DECIMALS = 9


# --------------------------------------------------------------------------
# Substitution models
# --------------------------------------------------------------------------


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


# --------------------------------------------------------------------------
# Sequences, branches and true identity
# --------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class EvolvingSequence:
    """A sequence as state indices, ancestral site ids and rate categories."""

    states: np.ndarray  # int8 indices into the model's letters
    sites: np.ndarray  # int64 ancestral site ids, unique within the sequence
    categories: np.ndarray  # int8 rate category of each site

    def __len__(self) -> int:
        return len(self.states)

    def to_string(self, letters: str) -> str:
        return np.frombuffer(letters.encode("ascii"), dtype="S1")[self.states].tobytes().decode()


class SiteCounter:
    """Hands out fresh, increasing site ids (share one per simulation)."""

    def __init__(self, start: int = 0) -> None:
        self.next = int(start)

    def take(self, n: int) -> np.ndarray:
        ids = np.arange(self.next, self.next + n, dtype=np.int64)
        self.next += n
        return ids


def random_sequence(
    length: int,
    model: SubstitutionModel,
    n_categories: int,
    rng: np.random.Generator,
    counter: SiteCounter | None = None,
) -> EvolvingSequence:
    """A sequence drawn from the stationary frequencies, with fresh site ids."""
    if counter is None:
        counter = SiteCounter()
    states = rng.choice(model.n_states, size=length, p=model.freqs).astype(np.int8)
    categories = rng.integers(0, n_categories, size=length).astype(np.int8)
    return EvolvingSequence(states, counter.take(length), categories)


def _substitute(
    seq: EvolvingSequence,
    t: float,
    model: SubstitutionModel,
    rates: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    u = rng.random(len(seq))
    new = seq.states.copy()
    for category, rate in enumerate(rates):
        mask = seq.categories == category
        if not mask.any():
            continue
        cumulative = np.cumsum(model.transition_matrix(t * float(rate)), axis=1)
        rows = cumulative[seq.states[mask]]
        draw = u[mask, None] * rows[:, -1:]
        new[mask] = (rows <= draw).sum(axis=1).clip(max=model.n_states - 1)
    return new


def evolve_branch(
    seq: EvolvingSequence,
    t: float,
    model: SubstitutionModel,
    rates: np.ndarray,
    rng: np.random.Generator,
    *,
    indel_rate: float = 0.0,
    indel_p: float = 0.4,
    max_indel_length: int = 10,
    min_length: int = 1,
    counter: SiteCounter | None = None,
) -> EvolvingSequence:
    """Evolve ``seq`` along a branch of length ``t`` (substitutions per site).

    Substitutions: every site changes by ``P(t * r_c)`` of its rate category.
    Indels: a Poisson number of events with mean ``indel_rate * t * len(seq)``,
    each an insertion or a deletion with probability 1/2 and a geometric length
    (success probability ``indel_p``) capped at ``max_indel_length``. Inserted
    residues come from the stationary frequencies with random rate categories
    and fresh site ids from ``counter``; deletions that would leave fewer than
    ``min_length`` residues are skipped.

    Without ``counter``, new ids start after the largest id in ``seq``; pass
    one shared :class:`SiteCounter` when evolving several branches of a tree,
    so that insertions on different branches never share an id.
    """
    t = round(float(t), _T_DECIMALS)
    if counter is None:
        counter = SiteCounter(int(seq.sites.max(initial=-1)) + 1)
    states = _substitute(seq, t, model, rates, rng)
    sites, categories = seq.sites, seq.categories
    n_events = int(rng.poisson(indel_rate * t * len(seq))) if indel_rate > 0 else 0
    for _ in range(n_events):
        insertion = rng.random() < 0.5
        size = min(int(rng.geometric(indel_p)), max_indel_length)
        length = len(states)
        if insertion:
            at = int(rng.integers(0, length + 1))
            new_states = rng.choice(model.n_states, size=size, p=model.freqs).astype(np.int8)
            new_categories = rng.integers(0, len(rates), size=size).astype(np.int8)
            states = np.concatenate([states[:at], new_states, states[at:]])
            sites = np.concatenate([sites[:at], counter.take(size), sites[at:]])
            categories = np.concatenate([categories[:at], new_categories, categories[at:]])
        else:
            at = int(rng.integers(0, max(length - size, 0) + 1))
            if length - size < min_length:
                continue
            keep = np.ones(length, dtype=bool)
            keep[at : at + size] = False
            states, sites, categories = states[keep], sites[keep], categories[keep]
    return EvolvingSequence(states, sites, categories)


def true_identity(a: EvolvingSequence, b: EvolvingSequence) -> float:
    """Identical residues at shared site ids / shared site ids (NaN if none)."""
    _, ia, ib = np.intersect1d(a.sites, b.sites, assume_unique=True, return_indices=True)
    if len(ia) == 0:
        return float("nan")
    return float(np.mean(a.states[ia] == b.states[ib]))


# --------------------------------------------------------------------------
# Trees
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tree:
    parent: np.ndarray  # parent node of each node (-1 for the root = node 0)
    length: np.ndarray  # branch length above each node
    leaves: np.ndarray  # leaf nodes, in creation order

    def pairwise_distances(self) -> np.ndarray:
        """Patristic distances between leaves, as a condensed vector (i < j)."""
        depth = np.zeros(len(self.parent))
        for node in range(1, len(self.parent)):  # parents precede children
            depth[node] = depth[self.parent[node]] + self.length[node]
        ancestors = []
        for leaf in self.leaves:
            path, node = set(), int(leaf)
            while node >= 0:
                path.add(node)
                node = int(self.parent[node])
            ancestors.append(path)
        out = []
        for i in range(len(self.leaves)):
            for j in range(i + 1, len(self.leaves)):
                lca_depth = max(depth[k] for k in ancestors[i] & ancestors[j])
                out.append(depth[self.leaves[i]] + depth[self.leaves[j]] - 2 * lca_depth)
        return np.array(out)


def _random_tree(n_leaves: int, rng: np.random.Generator) -> _Tree:
    """A Yule-shaped binary tree with Exp(1) branch lengths.

    Each internal node with ``n`` descendant leaves splits them ``k : n - k``
    with ``k`` uniform on ``1 .. n - 1`` (the Yule split distribution).
    """
    parent, length, leaves = [-1], [0.0], []
    stack = [(0, n_leaves)]
    while stack:
        node, n = stack.pop()
        if n == 1:
            leaves.append(node)
            continue
        k = int(rng.integers(1, n))
        for size in (k, n - k):
            parent.append(node)
            length.append(float(rng.exponential(1.0)))
            stack.append((len(parent) - 1, size))
    return _Tree(np.array(parent), np.array(length), np.array(leaves))


def _solve_scale(
    distances: np.ndarray, target: float, model: SubstitutionModel, rates: np.ndarray
) -> float:
    """The factor ``s`` with mean expected identity at ``s * distances`` = ``target``."""

    def gap(s: float) -> float:
        return float(model.expected_identity(s * distances, rates).mean()) - target

    hi = 1.0
    while gap(hi) > 0:
        hi *= 2.0
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-10))


def _distance_for_identity(target: float, model: SubstitutionModel, rates: np.ndarray) -> float:
    return _solve_scale(np.ones(1), target, model, rates)


# --------------------------------------------------------------------------
# Parameters and the simulation
# --------------------------------------------------------------------------

_ALPHABET_DEFAULTS: dict[str, dict[str, Any]] = {
    "protein": {
        "n_superfamilies": 8,
        "families_per_superfamily": 3,
        "members_per_family": (8, 16),
        "length_range": (80, 300),
        "identity_range": (0.27, 0.92),
        "superfamily_identity_range": (0.22, 0.32),
        "indel_rate": 0.03,
        "n_singletons": 10,
        "min_length": 30,
    },
    "dna": {
        "n_superfamilies": 5,
        "families_per_superfamily": 3,
        "members_per_family": (6, 12),
        "length_range": (200, 600),
        "identity_range": (0.55, 0.95),
        "superfamily_identity_range": (0.40, 0.50),
        "indel_rate": 0.02,
        "n_singletons": 5,
        "min_length": 60,
    },
}


@dataclass(frozen=True)
class SimulationParams:
    """Parameters of :func:`simulate_families`.

    Use :meth:`for_alphabet` to get the defaults of an alphabet (the field
    defaults are the protein ones).

    Attributes
    ----------
    alphabet
        ``"protein"`` (BLOSUM62-derived model) or ``"dna"`` (HKY85).
    n_superfamilies
        Superfamilies with ``families_per_superfamily`` families each.
    families_per_superfamily
        Families per superfamily; their ancestors are remote homologs.
    members_per_family
        Inclusive range the number of members of each family is drawn from.
    length_range
        Inclusive range the superfamily root (and singleton) lengths are drawn from.
    identity_range
        Target mean pairwise true identity within families; the targets of all
        families are spread evenly over this range (in random order).
    superfamily_identity_range
        Range the expected identity between two family ancestors of one
        superfamily is drawn from (one draw per superfamily).
    indel_rate
        Indel events per site per unit branch length.
    mean_indel_length
        Mean of the geometric indel length distribution (capped at ``max_indel_length``).
    max_indel_length
        Longest insertion or deletion.
    min_length
        Deletions that would leave a sequence shorter than this are skipped.
    n_singletons
        Unrelated sequences (each its own superfamily and family).
    gamma_alpha, gamma_categories
        Discrete-Gamma site-rate heterogeneity.
    kappa
        HKY85 transition/transversion ratio (DNA only).
    seed
        Seed of ``numpy.random.default_rng``.
    """

    alphabet: SimulatedAlphabet = "protein"
    n_superfamilies: int = 8
    families_per_superfamily: int = 3
    members_per_family: tuple[int, int] = (8, 16)
    length_range: tuple[int, int] = (80, 300)
    identity_range: tuple[float, float] = (0.27, 0.92)
    superfamily_identity_range: tuple[float, float] = (0.22, 0.32)
    indel_rate: float = 0.03
    mean_indel_length: float = 2.5
    max_indel_length: int = 10
    min_length: int = 30
    n_singletons: int = 10
    gamma_alpha: float = 1.0
    gamma_categories: int = 4
    kappa: float = HKY_KAPPA
    seed: int = 1

    @classmethod
    def for_alphabet(cls, alphabet: str, **overrides: Any) -> SimulationParams:
        """Parameters with the defaults of ``alphabet``, updated by ``overrides``."""
        if alphabet not in _ALPHABET_DEFAULTS:
            raise ConfigError(f"alphabet must be 'protein' or 'dna', not {alphabet!r}")
        unknown = set(overrides) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise ConfigError(f"unknown simulation parameter(s): {', '.join(sorted(unknown))}")
        values = {**_ALPHABET_DEFAULTS[alphabet], **overrides, "alphabet": alphabet}
        return cls(**values)

    @staticmethod
    def defaults(alphabet: str) -> Mapping[str, Any]:
        """The per-alphabet defaults used by :meth:`for_alphabet`."""
        return dict(_ALPHABET_DEFAULTS[alphabet])

    def __post_init__(self) -> None:
        for name in ("members_per_family", "length_range"):
            object.__setattr__(self, name, tuple(int(v) for v in getattr(self, name)))
        for name in ("identity_range", "superfamily_identity_range"):
            object.__setattr__(self, name, tuple(float(v) for v in getattr(self, name)))
        self._validate()

    def _validate(self) -> None:
        def fail(message: str) -> None:
            raise ConfigError(message)

        if self.alphabet not in _ALPHABET_DEFAULTS:
            fail(f"alphabet must be 'protein' or 'dna', not {self.alphabet!r}")
        for name in (
            "n_superfamilies",
            "families_per_superfamily",
            "max_indel_length",
            "min_length",
            "n_singletons",
            "gamma_categories",
            "seed",
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer):
                fail(f"{name} must be an integer, not {value!r}")
        if self.n_superfamilies < 0 or self.n_singletons < 0:
            fail("n_superfamilies and n_singletons must be >= 0")
        if self.n_superfamilies == 0 and self.n_singletons == 0:
            fail("nothing to simulate: n_superfamilies and n_singletons are both 0")
        if self.families_per_superfamily < 1:
            fail(f"families_per_superfamily must be >= 1, not {self.families_per_superfamily}")
        for name in ("members_per_family", "length_range", "identity_range"):
            if len(getattr(self, name)) != 2:
                fail(f"{name} must be a (low, high) pair")
        lo, hi = self.members_per_family
        if not 2 <= lo <= hi <= 1000:
            fail(f"members_per_family must satisfy 2 <= low <= high <= 1000, not {lo}..{hi}")
        if self.min_length < 1:
            fail(f"min_length must be >= 1, not {self.min_length}")
        lo, hi = self.length_range
        if not self.min_length <= lo <= hi <= 100_000:
            fail(
                f"length_range must satisfy min_length ({self.min_length}) <= low <= high"
                f" <= 100000, not {lo}..{hi}"
            )
        if not 0.0 < self.kappa <= 100.0:
            fail(f"kappa must be in (0, 100], not {self.kappa}")
        floor = model_for(self.alphabet, kappa=self.kappa).floor_identity() + 0.05
        for name in ("identity_range", "superfamily_identity_range"):
            lo, hi = getattr(self, name)
            if not floor <= lo <= hi <= 0.99:
                fail(
                    f"{name} must satisfy {floor:.2f} <= low <= high <= 0.99 for"
                    f" {self.alphabet} (unrelated sequences are ~{floor - 0.05:.2f}"
                    f" identical), not {lo}..{hi}"
                )
        if not 0.0 <= self.indel_rate <= 1.0:
            fail(f"indel_rate must be in [0, 1], not {self.indel_rate}")
        if not 1.0 <= self.mean_indel_length <= self.max_indel_length:
            fail(
                f"mean_indel_length must be in [1, max_indel_length={self.max_indel_length}],"
                f" not {self.mean_indel_length}"
            )
        if not 0.05 <= self.gamma_alpha <= 100.0:
            fail(f"gamma_alpha must be in [0.05, 100], not {self.gamma_alpha}")
        if not 1 <= self.gamma_categories <= 16:
            fail(f"gamma_categories must be in 1..16, not {self.gamma_categories}")
        if self.seed < 0:
            fail(f"seed must be >= 0, not {self.seed}")


@dataclass(frozen=True)
class SimulatedFamilies:
    """The result of :func:`simulate_families`.

    Attributes
    ----------
    records
        ``(id, sequence)`` pairs in output (shuffled) order; ids ``seq0001``...
    labels
        Columns ``id``, ``family``, ``superfamily``; rows in ``records`` order.
    families
        One row per family: ``family``, ``superfamily``, ``n_members``,
        ``mean_length``, ``mean_identity``, ``min_identity``, ``max_identity``
        (true pairwise identities; NaN for single-member families).
    superfamilies
        One row per superfamily: ``superfamily``, ``n_families``,
        ``n_members``, ``between_family_identity`` (mean true identity of
        members of different families; NaN with one family).
    """

    records: list[tuple[str, str]]
    labels: pd.DataFrame
    families: pd.DataFrame
    superfamilies: pd.DataFrame

    def write(
        self,
        fasta: FilePath,
        labels: FilePath,
        families: FilePath,
        superfamilies: FilePath | None = None,
    ) -> None:
        """``seqsim simulate``'s outputs: the FASTA file and the tables
        (``.tsv`` or ``.parquet`` each)."""
        tables = [(labels, "labels"), (families, "families")]
        if superfamilies is not None:
            tables.append((superfamilies, "superfamilies"))
        for path, name in tables:
            if Path(path).suffix not in (".tsv", ".parquet"):
                raise ConfigError(f"the {name} table must end in .tsv or .parquet: {path}")
        write_fasta(self.records, fasta)
        for path, name in tables:
            write_table(getattr(self, name), path)


def _identity_stats(members: list[EvolvingSequence]) -> tuple[float, float, float]:
    values = [
        true_identity(members[i], members[j])
        for i in range(len(members))
        for j in range(i + 1, len(members))
    ]
    values = [v for v in values if not np.isnan(v)]
    if not values:
        return float("nan"), float("nan"), float("nan")
    return float(np.mean(values)), float(np.min(values)), float(np.max(values))


def _between_family_identity(groups: list[list[EvolvingSequence]], cap: int = 8) -> float:
    """Mean true identity between members of different families (first ``cap`` of each)."""
    values = []
    for g in range(len(groups)):
        for h in range(g + 1, len(groups)):
            for a in groups[g][:cap]:
                for b in groups[h][:cap]:
                    value = true_identity(a, b)
                    if not np.isnan(value):
                        values.append(value)
    return float(np.mean(values)) if values else float("nan")


def simulate_families(params: SimulationParams) -> SimulatedFamilies:
    """Simulate superfamilies of families of homologous sequences.

    Parameters
    ----------
    params
        What to simulate (see :class:`SimulationParams`).

    Returns
    -------
    SimulatedFamilies
        Shuffled FASTA records with neutral ids, their labels, and the true
        identity statistics of each family and superfamily.
    """
    sim = _Simulation.start(params)
    n_families = params.n_superfamilies * params.families_per_superfamily
    targets = sim.rng.permutation(np.linspace(*params.identity_range, num=n_families))
    width = max(2, len(str(params.n_superfamilies + params.n_singletons)))
    members: list[tuple[str, str, EvolvingSequence]] = []  # (family, superfamily, seq)
    family_rows: list[dict[str, Any]] = []
    superfamily_rows: list[dict[str, Any]] = []
    for s in range(params.n_superfamilies):
        per_family = params.families_per_superfamily
        found = _simulate_superfamily(
            sim, f"sf{s + 1:0{width}d}", targets[s * per_family : (s + 1) * per_family]
        )
        members += found[0]
        family_rows += found[1]
        superfamily_rows.append(found[2])
    for k in range(params.n_singletons):
        found = _simulate_singleton(sim, f"sf{params.n_superfamilies + k + 1:0{width}d}")
        members += found[0]
        family_rows += found[1]
        superfamily_rows.append(found[2])
    records, labels = _shuffled_records(members, sim)
    families = pd.DataFrame(family_rows).round(
        {"mean_length": 1, "mean_identity": 4, "min_identity": 4, "max_identity": 4}
    )
    superfamilies = pd.DataFrame(superfamily_rows).round({"between_family_identity": 4})
    multi = families[families["n_members"] > 1]
    log.info(
        "simulate: %d %s sequences in %d families (%d singletons); within-family identity"
        " %.2f-%.2f; mean between-family identity %.2f",
        len(records),
        params.alphabet,
        len(families),
        params.n_singletons,
        multi["mean_identity"].min() if len(multi) else float("nan"),
        multi["mean_identity"].max() if len(multi) else float("nan"),
        superfamilies["between_family_identity"].mean(),
    )
    return SimulatedFamilies(records, labels, families, superfamilies)


@dataclass(frozen=True)
class _Simulation:
    """One simulation's parameters, random generator, model and branch evolver."""

    params: SimulationParams
    rng: np.random.Generator
    model: SubstitutionModel
    rates: np.ndarray
    counter: SiteCounter
    branch: Callable[[EvolvingSequence, float], EvolvingSequence]

    @classmethod
    def start(cls, params: SimulationParams) -> _Simulation:
        rng = np.random.default_rng(params.seed)
        model = model_for(params.alphabet, kappa=params.kappa)
        rates = gamma_rates(params.gamma_alpha, params.gamma_categories)
        counter = SiteCounter()
        branch = functools.partial(
            evolve_branch,
            model=model,
            rates=rates,
            rng=rng,
            indel_rate=params.indel_rate,
            indel_p=1.0 / params.mean_indel_length,
            max_indel_length=params.max_indel_length,
            min_length=params.min_length,
            counter=counter,
        )
        return cls(params, rng, model, rates, counter, branch)

    def root(self) -> EvolvingSequence:
        """A random sequence with a length drawn from the length range."""
        low, high = self.params.length_range
        length = int(self.rng.integers(low, high + 1))
        return random_sequence(length, self.model, len(self.rates), self.rng, self.counter)


_Found = tuple[list[tuple[str, str, EvolvingSequence]], list[dict[str, Any]], dict[str, Any]]


def _simulate_superfamily(sim: _Simulation, superfamily: str, targets: np.ndarray) -> _Found:
    """The families of one superfamily: each evolves from the root along a
    deep branch, then along its own random tree scaled to its target identity."""
    params, rng = sim.params, sim.rng
    root = sim.root()
    sf_identity = float(rng.uniform(*params.superfamily_identity_range))
    deep_branch = _distance_for_identity(sf_identity, sim.model, sim.rates) / 2.0
    members: list[tuple[str, str, EvolvingSequence]] = []
    family_rows, groups = [], []
    for f, target in enumerate(targets):
        family = f"{superfamily}.fam{f + 1}"
        ancestor = sim.branch(root, deep_branch)
        low, high = params.members_per_family
        n_members = int(rng.integers(low, high + 1))
        tree = _random_tree(n_members, rng)
        scale = _solve_scale(tree.pairwise_distances(), float(target), sim.model, sim.rates)
        nodes: list[EvolvingSequence] = [ancestor]
        for node in range(1, len(tree.parent)):
            nodes.append(sim.branch(nodes[tree.parent[node]], scale * tree.length[node]))
        group = [nodes[leaf] for leaf in tree.leaves]
        groups.append(group)
        members.extend((family, superfamily, seq) for seq in group)
        mean_id, min_id, max_id = _identity_stats(group)
        family_rows.append(
            {
                "family": family,
                "superfamily": superfamily,
                "n_members": n_members,
                "mean_length": float(np.mean([len(seq) for seq in group])),
                "mean_identity": mean_id,
                "min_identity": min_id,
                "max_identity": max_id,
            }
        )
    between = _between_family_identity(groups)
    n_members_total = sum(len(g) for g in groups)
    log.info(
        "simulate: %s: %d families, %d members; within-family identity %s;"
        " between-family identity %.2f",
        superfamily,
        len(groups),
        n_members_total,
        ", ".join(f"{row['mean_identity']:.2f}" for row in family_rows),
        between,
    )
    superfamily_row = {
        "superfamily": superfamily,
        "n_families": len(groups),
        "n_members": n_members_total,
        "between_family_identity": between,
    }
    return members, family_rows, superfamily_row


def _simulate_singleton(sim: _Simulation, superfamily: str) -> _Found:
    """An unrelated sequence: a superfamily of one family of one member."""
    family = f"{superfamily}.fam1"
    seq = sim.root()
    nan = float("nan")
    family_row = {
        "family": family,
        "superfamily": superfamily,
        "n_members": 1,
        "mean_length": float(len(seq)),
        "mean_identity": nan,
        "min_identity": nan,
        "max_identity": nan,
    }
    superfamily_row = {
        "superfamily": superfamily,
        "n_families": 1,
        "n_members": 1,
        "between_family_identity": nan,
    }
    return [(family, superfamily, seq)], [family_row], superfamily_row


def _shuffled_records(
    members: list[tuple[str, str, EvolvingSequence]], sim: _Simulation
) -> tuple[list[tuple[str, str]], pd.DataFrame]:
    """The members in a random order under neutral ids (seq0001...), and their labels."""
    order = sim.rng.permutation(len(members))
    id_width = max(4, len(str(len(members))))
    records, label_rows = [], []
    for k, index in enumerate(order):
        family, superfamily, seq = members[index]
        seq_id = f"seq{k + 1:0{id_width}d}"
        records.append((seq_id, seq.to_string(sim.model.letters)))
        label_rows.append({"id": seq_id, "family": family, "superfamily": superfamily})
    return records, pd.DataFrame(label_rows, columns=["id", "family", "superfamily"])
