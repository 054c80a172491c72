"""Cluster sequences from scored pairs.

Methods (all deterministic; ties go to the longer sequence, then the earlier one):

- ``set-cover``: greedy set cover as in MMseqs2 ``--cluster-mode 0``: the
  sequence with the most unassigned neighbours becomes a representative and
  takes those neighbours, until every sequence is assigned.
- ``connected``: connected components of the graph of pairs at or above the
  threshold (MMseqs2 ``--cluster-mode 1``, single linkage); the representative
  is the component's longest sequence.
- ``greedy-incremental``: as CD-HIT: sequences in order of decreasing length
  join the most similar existing representative, or become one.
"""

from __future__ import annotations

import heapq
from typing import Literal

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from seqsim.errors import ConfigError

ClusterMethod = Literal["set-cover", "connected", "greedy-incremental"]
CLUSTER_METHODS = ("set-cover", "connected", "greedy-incremental")


def _adjacency(n: int, query: np.ndarray, target: np.ndarray, score: np.ndarray) -> sp.csr_matrix:
    rows = np.concatenate([query, target])
    cols = np.concatenate([target, query])
    data = np.concatenate([score, score]).astype(np.float64)
    return sp.csr_matrix((data, (rows, cols)), shape=(n, n))


def _priority(lengths: np.ndarray) -> np.ndarray:
    """Rank of each sequence: 0 for the longest (earliest among equals)."""
    order = np.lexsort((np.arange(lengths.size), -lengths))
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return rank


def _set_cover(graph: sp.csr_matrix, rank: np.ndarray) -> np.ndarray:
    n = graph.shape[0]
    representative = np.full(n, -1, dtype=np.int64)
    degree = np.diff(graph.indptr).astype(np.int64)
    heap = [(-int(degree[i]), int(rank[i]), i) for i in range(n)]
    heapq.heapify(heap)
    while heap:
        neg_degree, _, node = heapq.heappop(heap)
        if representative[node] >= 0:
            continue
        if -neg_degree != degree[node]:  # stale entry: requeue with the current degree
            heapq.heappush(heap, (-int(degree[node]), int(rank[node]), node))
            continue
        members = [node] + [
            int(m)
            for m in graph.indices[graph.indptr[node] : graph.indptr[node + 1]]
            if representative[m] < 0
        ]
        for member in members:
            representative[member] = node
        for member in members:
            neighbours = graph.indices[graph.indptr[member] : graph.indptr[member + 1]]
            degree[neighbours] -= 1
    return representative


def _connected(graph: sp.csr_matrix, rank: np.ndarray) -> np.ndarray:
    _, component = connected_components(graph, directed=False)
    best: dict[int, int] = {}
    for node in np.argsort(rank, kind="stable"):
        best.setdefault(int(component[node]), int(node))
    return np.array([best[int(c)] for c in component], dtype=np.int64)


def _greedy_incremental(graph: sp.csr_matrix, rank: np.ndarray) -> np.ndarray:
    n = graph.shape[0]
    representative = np.full(n, -1, dtype=np.int64)
    for node in np.argsort(rank, kind="stable"):
        start, end = graph.indptr[node], graph.indptr[node + 1]
        neighbours, scores = graph.indices[start:end], graph.data[start:end]
        is_rep = representative[neighbours] == neighbours
        if is_rep.any():
            candidates, candidate_scores = neighbours[is_rep], scores[is_rep]
            # Most similar representative; among equals, the higher-ranked one.
            pick = np.lexsort((rank[candidates], -candidate_scores))[0]
            representative[node] = candidates[pick]
        else:
            representative[node] = node
    return representative


_METHODS = {
    "set-cover": _set_cover,
    "connected": _connected,
    "greedy-incremental": _greedy_incremental,
}


def assign_clusters(
    lengths: np.ndarray,
    pairs: pd.DataFrame,
    *,
    feature: str,
    min_similarity: float,
    method: ClusterMethod = "set-cover",
) -> np.ndarray:
    """Representative index of every sequence (a representative points to itself).

    Pairs with ``feature >= min_similarity`` link two sequences; every
    sequence gets a representative, unlinked ones themselves.
    """
    if method not in _METHODS:
        raise ConfigError(f"unknown cluster method {method!r}; use one of {CLUSTER_METHODS}")
    if feature not in pairs.columns:
        raise ConfigError(f"unknown pair feature {feature!r} for clustering")
    linked = pairs[pairs[feature].to_numpy() >= min_similarity]
    graph = _adjacency(
        lengths.size,
        linked["query"].to_numpy(np.int64),
        linked["target"].to_numpy(np.int64),
        linked[feature].to_numpy(np.float64),
    )
    return _METHODS[method](graph, _priority(np.asarray(lengths)))


def cluster_table(representative: np.ndarray, ids: list[str]) -> pd.DataFrame:
    """The MMseqs2 ``createtsv`` layout: ``representative``, ``member`` rows,
    clusters in order of their representative, representative first in each."""
    members = np.arange(representative.size)
    order = np.lexsort((members, members != representative, representative))
    ids_array = np.asarray(ids, dtype=object)
    return pd.DataFrame(
        {"representative": ids_array[representative[order]], "member": ids_array[order]}
    )
