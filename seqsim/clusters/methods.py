"""Cluster sequences from scored pairs.

A pair *links* two sequences when its similarity feature is at least
``min_similarity`` and, when set, its identity and alignment coverage pass
their thresholds (:class:`LinkRule`). Links are directed, from a would-be
representative to a would-be member, because MMseqs2's coverage modes are:
``target`` coverage (``--cov-mode 1``) asks that the member be covered,
``query`` (``--cov-mode 2``) the representative; ``both`` (``--cov-mode 0``),
``shorter`` (CD-HIT ``-aS``) and ``longer`` (CD-HIT ``-aL``) are symmetric.

Methods (all deterministic; ties go to the longer sequence, then the earlier one):

- ``set-cover``: greedy set cover as in MMseqs2 ``--cluster-mode 0``: the
  sequence that links the most unassigned sequences (``most-connected``), the
  largest total similarity to them (``medoid``) or the longest unassigned one
  (``longest``) becomes a representative and takes them, until every sequence
  is assigned. Every member links from its representative.
- ``connected``: connected components of the links (MMseqs2
  ``--cluster-mode 1``, single linkage, a link in either direction).
- ``greedy-incremental``: as CD-HIT: sequences in order of decreasing length
  join the most similar existing representative that links them, or become one.
- ``average-linkage``: UPGMA on the similarity (0 where two sequences do not
  link), cut where the average similarity between two groups falls below
  ``min_similarity``, within each connected component of the links: every
  cluster's mean similarity over its pairs is at least that. Dense per
  component: at most :data:`AVERAGE_LINKAGE_MAX` linked sequences.
- ``leiden``: communities of the weighted link graph (igraph's Leiden,
  modularity with ``resolution``, seeded): each community is connected.

For the last three methods the representative is chosen afterwards, within
the cluster: the ``longest``, the ``most-connected`` (most links inside it)
or the ``medoid`` (largest total similarity to the other members).
"""

from __future__ import annotations

import heapq
import random
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from seqsim.errors import ConfigError

ClusterMethod = Literal["set-cover", "connected", "greedy-incremental", "average-linkage", "leiden"]
CLUSTER_METHODS = ("set-cover", "connected", "greedy-incremental", "average-linkage", "leiden")
Representative = Literal["most-connected", "longest", "medoid"]
REPRESENTATIVES = ("most-connected", "longest", "medoid")
DEFAULT_REPRESENTATIVE: dict[str, Representative] = {
    "set-cover": "most-connected",
    "connected": "longest",
    "greedy-incremental": "longest",
    "average-linkage": "medoid",
    "leiden": "medoid",
}
# identities / alignment columns (BLAST pident, MMseqs2 --seq-id-mode 0),
# / the shorter sequence (CD-HIT -G 1, MMseqs2 1), / the longer (MMseqs2 2).
IdentityDefinition = Literal["alignment", "shorter", "longer"]
IDENTITY_DEFINITIONS = ("alignment", "shorter", "longer")
CoverageMode = Literal["both", "target", "query", "shorter", "longer"]
COVERAGE_MODES = ("both", "target", "query", "shorter", "longer")
COVERAGE_MODE_NUMBERS = {"0": "both", "1": "target", "2": "query"}  # MMseqs2 --cov-mode
# A component of 10,000 sequences: a 400 MB condensed matrix, which SciPy's linkage copies.
AVERAGE_LINKAGE_MAX = 10_000
# Columns an identity or coverage threshold reads (the search's pair tables).
ALIGNMENT_COLUMNS = ("fident", "shorter_ident", "qcov", "tcov")


@dataclass(frozen=True)
class LinkRule:
    """When a pair links two sequences (see the module docstring)."""

    feature: str
    min_similarity: float
    min_identity: float | None = None
    identity: IdentityDefinition = "alignment"
    coverage: float | None = None
    cov_mode: CoverageMode = "both"

    def __post_init__(self) -> None:
        if self.identity not in IDENTITY_DEFINITIONS:
            raise ConfigError(
                f"unknown identity definition {self.identity!r}; use one of {IDENTITY_DEFINITIONS}"
            )
        if self.cov_mode not in COVERAGE_MODES:
            raise ConfigError(
                f"unknown coverage mode {self.cov_mode!r}; use one of {COVERAGE_MODES} "
                "(or MMseqs2's 0, 1, 2)"
            )
        for name in ("min_identity", "coverage"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= 1:
                raise ConfigError(f"{name} must be a fraction in [0, 1], not {value}")


@dataclass(frozen=True)
class ClusterSettings:
    """A clustering: which pairs link (``rule``), the method and how it picks
    representatives (None: :data:`DEFAULT_REPRESENTATIVE`), and Leiden's
    resolution and seed."""

    rule: LinkRule
    method: ClusterMethod = "set-cover"
    representative: Representative | None = None
    resolution: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        if self.method not in CLUSTER_METHODS:
            raise ConfigError(
                f"unknown cluster method {self.method!r}; use one of {CLUSTER_METHODS}"
            )
        choice = self.choice
        if choice not in REPRESENTATIVES:
            raise ConfigError(f"unknown representative {choice!r}; use one of {REPRESENTATIVES}")
        if self.method == "greedy-incremental" and choice != "longest":
            raise ConfigError("greedy-incremental takes the longest sequence as representative")

    @property
    def choice(self) -> Representative:
        return self.representative or DEFAULT_REPRESENTATIVE[self.method]


def ordered_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """``pairs`` with ``query`` < ``target`` in every row (``qcov``/``tcov`` swapped with them)."""
    swap = pairs["query"].to_numpy() > pairs["target"].to_numpy()
    if not swap.any():
        return pairs
    pairs = pairs.copy()
    for first, second in (("query", "target"), ("qcov", "tcov")):
        if first in pairs.columns and second in pairs.columns:
            a, b = pairs[first].to_numpy().copy(), pairs[second].to_numpy().copy()
            pairs[first] = np.where(swap, b, a)
            pairs[second] = np.where(swap, a, b)
    return pairs


def pair_identity(pairs: pd.DataFrame, lengths: np.ndarray, definition: str) -> np.ndarray:
    """Each pair's identity under ``definition`` (NaN where it has no alignment)."""
    need = "fident" if definition == "alignment" else "shorter_ident"
    if need not in pairs.columns:
        raise ConfigError(
            f"an identity needs the search's pair tables (column {need!r}); "
            "give them with --alignment-pairs"
        )
    identity = pairs[need].to_numpy(np.float64)
    if definition == "longer":
        a, b = lengths[pairs["query"].to_numpy()], lengths[pairs["target"].to_numpy()]
        identity = identity * np.minimum(a, b) / np.maximum(np.maximum(a, b), 1)
    return identity


def _coverage_passes(
    pairs: pd.DataFrame, lengths: np.ndarray, coverage: float, mode: str
) -> tuple[np.ndarray, np.ndarray]:
    """Whether each pair passes the coverage threshold with its query as the
    representative (forward) and with its target as the representative (backward)."""
    if not {"qcov", "tcov"} <= set(pairs.columns):
        raise ConfigError(
            "a coverage threshold needs the search's pair tables (qcov, tcov); "
            "give them with --alignment-pairs"
        )
    qcov, tcov = pairs["qcov"].to_numpy(np.float64), pairs["tcov"].to_numpy(np.float64)
    if mode == "target":  # the member covered
        return tcov >= coverage, qcov >= coverage
    if mode == "query":  # the representative covered
        return qcov >= coverage, tcov >= coverage
    if mode == "both":
        passes = (qcov >= coverage) & (tcov >= coverage)
    else:
        qlen, tlen = lengths[pairs["query"].to_numpy()], lengths[pairs["target"].to_numpy()]
        # Equal lengths: both sequences are the shorter and the longer one.
        low = np.minimum(qcov, tcov)
        short = np.where(qlen < tlen, qcov, np.where(tlen < qlen, tcov, low))
        long = np.where(qlen > tlen, qcov, np.where(tlen > qlen, tcov, low))
        passes = (short if mode == "shorter" else long) >= coverage
    return passes, passes


def prepare_pairs(pairs: pd.DataFrame) -> pd.DataFrame:
    """Each unordered pair of two different sequences once, ``query`` < ``target``."""
    pairs = ordered_pairs(pairs)
    keep = pairs["query"].to_numpy() != pairs["target"].to_numpy()
    return pairs[keep].drop_duplicates(["query", "target"], ignore_index=True)


def link_graph(lengths: np.ndarray, pairs: pd.DataFrame, rule: LinkRule) -> sp.csr_matrix:
    """The links as a directed graph (row: representative, column: member),
    each link's similarity as its value."""
    if rule.feature not in pairs.columns:
        raise ConfigError(f"unknown pair feature {rule.feature!r} for clustering")
    lengths = np.asarray(lengths)
    similarity = pairs[rule.feature].to_numpy(np.float64)
    passes = similarity >= rule.min_similarity
    if rule.min_identity is not None:
        passes &= pair_identity(pairs, lengths, rule.identity) >= rule.min_identity
    forward, backward = passes, passes
    if rule.coverage is not None:
        covered_forward, covered_backward = _coverage_passes(
            pairs, lengths, rule.coverage, rule.cov_mode
        )
        forward, backward = passes & covered_forward, passes & covered_backward
    query, target = pairs["query"].to_numpy(np.int64), pairs["target"].to_numpy(np.int64)
    rows = np.concatenate([query[forward], target[backward]])
    cols = np.concatenate([target[forward], query[backward]])
    data = np.concatenate([similarity[forward], similarity[backward]])
    n = lengths.size
    graph = sp.coo_matrix((data, (rows, cols)), shape=(n, n)).tocsr()
    graph.sort_indices()
    return graph


def undirected(links: sp.csr_matrix) -> sp.csr_matrix:
    """A link in either direction, with its similarity (the same both ways)."""
    both = links.maximum(links.T).tocsr()
    both.sort_indices()
    return both


def _priority(lengths: np.ndarray) -> np.ndarray:
    """Rank of each sequence: 0 for the longest (earliest among equals)."""
    order = np.lexsort((np.arange(lengths.size), -lengths))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank


def _set_cover(links: sp.csr_matrix, rank: np.ndarray, choice: Representative) -> np.ndarray:
    n = links.shape[0]
    representative = np.full(n, -1, dtype=np.int64)
    incoming = links.T.tocsr()
    # The greedy key of each sequence: its unassigned members' count or total similarity.
    if choice == "most-connected":
        gain = np.diff(links.indptr).astype(np.float64)
    elif choice == "medoid":
        gain = np.asarray(links.sum(axis=1), dtype=np.float64).ravel()
    else:
        gain = np.zeros(n)
    heap = [(-float(gain[i]), int(rank[i]), i) for i in range(n)]
    heapq.heapify(heap)
    while heap:
        neg_gain, _, node = heapq.heappop(heap)
        if representative[node] >= 0:
            continue
        if -neg_gain != gain[node]:  # stale entry: requeue with the current gain
            heapq.heappush(heap, (-float(gain[node]), int(rank[node]), node))
            continue
        start, end = links.indptr[node], links.indptr[node + 1]
        members = [node] + [int(m) for m in links.indices[start:end] if representative[m] < 0]
        for member in members:
            representative[member] = node
        if choice == "longest":
            continue
        for member in members:
            start, end = incoming.indptr[member], incoming.indptr[member + 1]
            sources = incoming.indices[start:end]
            gain[sources] -= 1 if choice == "most-connected" else incoming.data[start:end]
            gain[member] = 0  # assigned: never popped as current again
    return representative


def _greedy_incremental(links: sp.csr_matrix, rank: np.ndarray) -> np.ndarray:
    n = links.shape[0]
    representative = np.full(n, -1, dtype=np.int64)
    incoming = links.T.tocsr()
    for node in np.argsort(rank, kind="stable"):
        start, end = incoming.indptr[node], incoming.indptr[node + 1]
        sources, scores = incoming.indices[start:end], incoming.data[start:end]
        is_rep = representative[sources] == sources
        if is_rep.any():
            candidates, candidate_scores = sources[is_rep], scores[is_rep]
            # Most similar representative; among equals, the higher-ranked one.
            pick = np.lexsort((rank[candidates], -candidate_scores))[0]
            representative[node] = candidates[pick]
        else:
            representative[node] = node
    return representative


def _connected_labels(links: sp.csr_matrix) -> np.ndarray:
    return connected_components(links, directed=True, connection="weak")[1]


def _average_linkage_labels(links: sp.csr_matrix, min_similarity: float) -> np.ndarray:
    """UPGMA within each connected component of the links (so a cluster never
    joins sequences that no chain of links joins, whatever the threshold)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    components = _connected_labels(links)
    sizes = np.bincount(components)
    if sizes.max(initial=0) > AVERAGE_LINKAGE_MAX:
        raise ConfigError(
            f"average-linkage clusters at most {AVERAGE_LINKAGE_MAX} linked sequences at once "
            f"(a dense matrix), not {sizes.max()}: raise the thresholds, or use set-cover, "
            "connected, greedy-incremental or leiden"
        )
    similarity = undirected(links)
    labels = np.arange(links.shape[0], dtype=np.int64)  # singletons: themselves
    for component in np.flatnonzero(sizes > 1):
        members = np.flatnonzero(components == component)
        block = similarity[members][:, members].toarray()
        # distance = top - similarity, so an average distance is top - the average similarity.
        top = max(1.0, float(block.max()), min_similarity)
        distance = top - block
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        # fcluster keeps merges at height <= t; the margin absorbs rounding in top - s.
        found = fcluster(tree, t=top - min_similarity + 1e-12 * top, criterion="distance")
        labels[members] = members[np.unique(found, return_index=True)[1]][
            np.unique(found, return_inverse=True)[1]
        ]
    return labels


def _leiden_labels(links: sp.csr_matrix, resolution: float, seed: int) -> np.ndarray:
    import igraph

    both = sp.triu(undirected(links), k=1).tocoo()
    if (both.data < 0).any():
        raise ConfigError("leiden needs non-negative similarities (a link's weight)")
    graph = igraph.Graph(
        n=links.shape[0], edges=np.column_stack([both.row, both.col]).tolist(), directed=False
    )
    graph.es["weight"] = both.data.tolist()
    # igraph draws from Python's random module unless given a generator: seed one.
    igraph.set_random_number_generator(random.Random(seed))
    try:
        partition = graph.community_leiden(
            objective_function="modularity", weights="weight", resolution=resolution,
            n_iterations=-1,
        )  # fmt: skip
    finally:
        igraph.set_random_number_generator(random)
    return np.asarray(partition.membership, dtype=np.int64)


def _representatives_of(
    labels: np.ndarray, links: sp.csr_matrix, rank: np.ndarray, choice: Representative
) -> np.ndarray:
    """Each sequence's representative: its cluster's member chosen by ``choice``."""
    both = sp.triu(undirected(links), k=1).tocoo()
    inside = labels[both.row] == labels[both.col]
    rows, cols, values = both.row[inside], both.col[inside], both.data[inside]
    n = labels.size
    key: np.ndarray
    if choice == "most-connected":
        key = np.bincount(rows, minlength=n) + np.bincount(cols, minlength=n)
    elif choice == "medoid":
        key = np.bincount(rows, values, minlength=n) + np.bincount(cols, values, minlength=n)
    else:
        key = np.zeros(n)
    # Per cluster, the largest key, then the best rank.
    order = np.lexsort((rank, -key, labels))
    first = np.ones(n, dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    best = dict(zip(labels[order][first].tolist(), order[first].tolist(), strict=True))
    return np.array([best[label] for label in labels.tolist()], dtype=np.int64)


def assign_clusters(
    lengths: np.ndarray,
    pairs: pd.DataFrame,
    *,
    feature: str,
    min_similarity: float,
    method: ClusterMethod = "set-cover",
    representative: Representative | None = None,
    min_identity: float | None = None,
    identity: IdentityDefinition = "alignment",
    coverage: float | None = None,
    cov_mode: CoverageMode = "both",
    resolution: float = 1.0,
    seed: int = 0,
) -> np.ndarray:
    """Representative index of every sequence (a representative points to itself).

    ``pairs`` (store indices in ``query``/``target``, each unordered pair at
    most once) link sequences as :class:`LinkRule` says; every sequence gets
    a representative, unlinked ones themselves. ``representative`` defaults
    to :data:`DEFAULT_REPRESENTATIVE` of the method.
    """
    rule = LinkRule(feature, min_similarity, min_identity, identity, coverage, cov_mode)
    return clusters_of(
        lengths, pairs, ClusterSettings(rule, method, representative, resolution, seed)
    )


def clusters_of(lengths: np.ndarray, pairs: pd.DataFrame, settings: ClusterSettings) -> np.ndarray:
    """:func:`assign_clusters` with its settings as one object."""
    lengths = np.asarray(lengths)
    links = link_graph(lengths, prepare_pairs(pairs), settings.rule)
    return _clusters_on_links(links, _priority(lengths), settings)


def update_clusters(
    lengths: np.ndarray, pairs: pd.DataFrame, previous: np.ndarray, settings: ClusterSettings
) -> np.ndarray:
    """Clusters of a grown set that keep every earlier assignment.

    ``previous`` holds each sequence's earlier representative (-1 for a new
    sequence). New sequences, longest first, join the most similar
    representative that links them (``set-cover``, ``greedy-incremental``)
    or the cluster of the most similar linked earlier member (the other
    methods); the rest are clustered among themselves with ``method``.
    ``greedy-incremental`` also lets a new sequence join a representative
    founded by a longer new one, so when every new sequence is shorter than
    every earlier one it gives CD-HIT's clusters of the whole set.
    """
    method = settings.method
    lengths = np.asarray(lengths)
    links = link_graph(lengths, prepare_pairs(pairs), settings.rule)
    incoming = links.T.tocsr()
    rank = _priority(lengths)
    result = np.asarray(previous, dtype=np.int64).copy()
    is_new = result < 0
    old = ~is_new
    if (result[old] >= lengths.size).any() or (result[result[old]] != result[old]).any():
        raise ConfigError("the earlier clusters' representatives must represent themselves")
    by_rep = method in ("set-cover", "greedy-incremental")
    for node in sorted(np.flatnonzero(is_new).tolist(), key=lambda k: rank[k]):
        start, end = incoming.indptr[node], incoming.indptr[node + 1]
        sources, scores = incoming.indices[start:end], incoming.data[start:end]
        if by_rep:
            usable = result[sources] == sources  # representatives (old, or founded now)
            if method == "set-cover":
                usable &= old[sources]
        else:
            usable = old[sources]
        if usable.any():
            candidates, candidate_scores = sources[usable], scores[usable]
            best = candidates[np.lexsort((rank[candidates], -candidate_scores))[0]]
            result[node] = result[best]
        elif method == "greedy-incremental":
            result[node] = node  # founds a cluster that later new sequences may join
    rest = np.flatnonzero(result < 0)
    if rest.size:
        result[rest] = rest[_clusters_on_links(links[rest][:, rest].tocsr(), rank[rest], settings)]
    return result


def _clusters_on_links(
    links: sp.csr_matrix, rank: np.ndarray, settings: ClusterSettings
) -> np.ndarray:
    """Representative index of each node of a link graph (see :func:`assign_clusters`)."""
    method, choice = settings.method, settings.choice
    if method == "set-cover":
        return _set_cover(links, rank, choice)
    if method == "greedy-incremental":
        return _greedy_incremental(links, rank)
    if method == "connected":
        labels = _connected_labels(links)
    elif method == "average-linkage":
        labels = _average_linkage_labels(links, settings.rule.min_similarity)
    else:
        labels = _leiden_labels(links, settings.resolution, settings.seed)
    return _representatives_of(labels, links, rank, choice)


def cluster_table(representative: np.ndarray, ids: list[str]) -> pd.DataFrame:
    """The MMseqs2 ``createtsv`` layout: ``representative``, ``member`` rows,
    clusters in order of their representative, representative first in each."""
    members = np.arange(representative.size)
    order = np.lexsort((members, members != representative, representative))
    ids_array = np.asarray(ids, dtype=object)
    return pd.DataFrame(
        {"representative": ids_array[representative[order]], "member": ids_array[order]}
    )
