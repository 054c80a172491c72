"""Sequences evolving along a tree: site-tracked sequences, one branch of
substitutions and indels, the true identity of two sequences, random
Yule-shaped trees and the branch scaling that reaches a target identity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from seqsim.validation.simulate.models import SubstitutionModel

# Branch lengths are rounded to this many decimals (they feed Poisson means
# and P(t), whose transition matrices are rounded likewise).
_T_DECIMALS = 9


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


@dataclass(frozen=True)
class Tree:
    """A rooted binary tree as arrays over its nodes (node 0 is the root)."""

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


def random_tree(n_leaves: int, rng: np.random.Generator) -> Tree:
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
    return Tree(np.array(parent), np.array(length), np.array(leaves))


def solve_scale(
    distances: np.ndarray, target: float, model: SubstitutionModel, rates: np.ndarray
) -> float:
    """The factor ``s`` with mean expected identity at ``s * distances`` = ``target``."""

    def gap(s: float) -> float:
        return float(model.expected_identity(s * distances, rates).mean()) - target

    hi = 1.0
    while gap(hi) > 0:
        hi *= 2.0
    return float(optimize.brentq(gap, 0.0, hi, xtol=1e-10))


def distance_for_identity(target: float, model: SubstitutionModel, rates: np.ndarray) -> float:
    """The distance at which two sequences are expected to be ``target`` identical."""
    return solve_scale(np.ones(1), target, model, rates)
