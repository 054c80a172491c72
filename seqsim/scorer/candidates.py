"""Candidate pairs of an all-vs-all and the features the scorer reads.

Candidates are the pairs with a hit, plus, per sequence, the partners best
connected to it through intermediate sequences (see
:mod:`seqsim.kernels.graph`): remote homologs often have no significant
direct alignment but share well-aligned neighbours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import minimum_spanning_tree

from seqsim.errors import ConfigError
from seqsim.kernels.graph import _path_rows, _tree_lifting
from seqsim.parallel import threaded_map
from seqsim.search_engine.pair_tables import alignment_features, self_scores_from_hits


def direct_pairs(hits: pd.DataFrame, n_sequences: int) -> pd.DataFrame:
    """Unordered pairs (query < target) of an all-vs-all hit table (from
    :func:`seqsim.search_engine.engine.search_hits`) with their alignment
    features; self-scores come from the table's self hits."""
    needed = {"query", "target", "raw", "bitscore", "evalue_pair", "nident", "length",
              "qstart", "qend", "sstart", "send", "qlen", "tlen"}  # fmt: skip
    missing = needed - set(hits.columns)
    if missing:
        raise ConfigError(f"the hit table lacks columns {sorted(missing)}")
    pairs = hits[hits["query"].to_numpy() < hits["target"].to_numpy()]
    features = alignment_features(pairs, self_scores_from_hits(hits, n_sequences))
    return pd.DataFrame(
        {
            "query": pairs["query"].to_numpy(np.int64),
            "target": pairs["target"].to_numpy(np.int64),
            "bits": pairs["bitscore"].to_numpy(np.float64),
            "evalue": pairs["evalue_pair"].to_numpy(np.float64),
            **{name: features[name].to_numpy() for name in ("score_ratio", "fident", "coverage")},
        }
    )


PATH_BLOCK_ROWS = 4096


def hit_graph(
    q: np.ndarray, t: np.ndarray, w: np.ndarray, n: int
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The symmetric hit graph of edges (q, t) with weights w, and its maximum
    spanning forest (symmetric too), as sorted CSR matrices."""
    graph = sp.csr_matrix(
        (np.concatenate([w, w]), (np.concatenate([q, t]), np.concatenate([t, q]))), shape=(n, n)
    )
    graph.sort_indices()
    # Widest paths lie on a maximum spanning tree: a minimum one of (top - w).
    top = float(w.max()) + 1.0 if w.size else 1.0
    inverted = sp.csr_matrix((top - graph.data, graph.indices, graph.indptr), shape=(n, n))
    tree = minimum_spanning_tree(inverted)
    tree = tree + tree.T
    tree = sp.csr_matrix((top - tree.data, tree.indices, tree.indptr), shape=(n, n))
    return graph, tree


def _path_features(
    graph: sp.csr_matrix, tree: sp.csr_matrix, top_k: int, threads: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of :func:`seqsim.kernels.graph._path_rows` for every node, a
    block of rows at a time: each node, its partners and their path values."""
    n = graph.shape[0]
    csr = (graph.indptr.astype(np.int64), graph.indices.astype(np.int64), graph.data)
    tree_csr = (tree.indptr.astype(np.int64), tree.indices.astype(np.int64), tree.data)
    lifting = _tree_lifting(*tree_csr)
    blocks = [np.arange(start, min(start + PATH_BLOCK_ROWS, n), dtype=np.int64)
              for start in range(0, n, PATH_BLOCK_ROWS)]  # fmt: skip

    def one_block(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        offsets, partners, values = _path_rows(*csr, *tree_csr, *lifting, top_k, rows)
        return np.repeat(rows, np.diff(offsets)), partners, values

    parts = list(threaded_map(one_block, blocks, threads))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 4))
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))  # type: ignore[return-value]


def candidate_pairs(
    hits: pd.DataFrame,
    lengths: np.ndarray,
    *,
    edge_evalue: float = 1.0,
    top_k: int = 100,
    extra_pairs: tuple[np.ndarray, np.ndarray] | None = None,
    threads: int = 1,
) -> pd.DataFrame:
    """Unordered candidate pairs (``query`` < ``target``, store indices) with
    every feature of :data:`~seqsim.feature_names.SCORER_FEATURES`.

    Edges of the hit graph are pairs with a two-way E-value <= ``edge_evalue``;
    each sequence adds its ``top_k`` best-connected partners to its hits.
    ``extra_pairs`` (two index arrays) are added too, e.g. a user's labelled
    pairs: those with neither a hit nor a listed path get zero features.
    Path features are computed in blocks of rows on ``threads`` threads; the
    result does not depend on the thread count.
    """
    n = lengths.size
    direct = direct_pairs(hits, n)
    edges = direct[direct["evalue"] <= edge_evalue]
    q, t, w = edges["query"].to_numpy(), edges["target"].to_numpy(), edges["bits"].to_numpy()
    graph, tree = hit_graph(q, t, w, n)
    source, partners, values = _path_features(graph, tree, top_k, threads)
    paths = pd.DataFrame(
        {
            "query": np.minimum(source, partners),
            "target": np.maximum(source, partners),
            "path1": values[:, 0],
            "path2": values[:, 1],
            "widest": values[:, 2],
            "shared": values[:, 3],
        }
    ).drop_duplicates(["query", "target"])
    pairs = paths.merge(direct, on=["query", "target"], how="outer")
    if extra_pairs is not None:
        a, b = (np.asarray(x, dtype=np.int64) for x in extra_pairs)
        extra = pd.DataFrame({"query": np.minimum(a, b), "target": np.maximum(a, b)})
        extra = extra[extra["query"] != extra["target"]].drop_duplicates()
        pairs = pairs.merge(extra, on=["query", "target"], how="outer")
    degree = np.diff(graph.indptr)
    pq, pt = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    has_hit = pairs["bits"].notna().to_numpy()
    pairs = pairs.fillna(
        {"bits": 0.0, "evalue": np.inf, "score_ratio": 0.0, "fident": 0.0, "coverage": 0.0,
         "path1": 0.0, "path2": 0.0, "widest": 0.0, "shared": 0.0}
    )  # fmt: skip
    with np.errstate(divide="ignore"):
        neg_log = -np.log10(pairs["evalue"].to_numpy())
    table = pd.DataFrame(
        {
            "query": pq,
            "target": pt,
            "bits": pairs["bits"].to_numpy(),
            "neg_log10_evalue": np.clip(neg_log, -1.0, 50.0),
            "has_hit": has_hit.astype(np.float64),
            "score_ratio": pairs["score_ratio"].to_numpy(),
            "fident": pairs["fident"].to_numpy(),
            "coverage": pairs["coverage"].to_numpy(),
            "length_ratio": np.minimum(lengths[pq], lengths[pt])
            / np.maximum(np.maximum(lengths[pq], lengths[pt]), 1),
            "path1": pairs["path1"].to_numpy(),
            "path2": pairs["path2"].to_numpy(),
            "widest": pairs["widest"].to_numpy(),
            "shared_fraction": pairs["shared"].to_numpy()
            / np.maximum(np.minimum(degree[pq], degree[pt]), 1),
        }
    )
    return table.sort_values(["query", "target"], ignore_index=True)
