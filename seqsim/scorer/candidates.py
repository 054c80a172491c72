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

from seqsim.alignment.scoring import scoring_scheme
from seqsim.alignment.statistics import karlin_altschul
from seqsim.errors import ConfigError
from seqsim.kernels.graph import _path_rows, _tree_lifting
from seqsim.pair_tables import alignment_features, self_scores_from_hits
from seqsim.parallel import threaded_map
from seqsim.scorer.profiles import PROFILE_EVALUE, default_profiles, profile_scores
from seqsim.sequences.store import SequenceStore


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
            **{name: pairs[name].to_numpy(np.int64) for name in REGION_COLUMNS},
        }
    )


PATH_BLOCK_ROWS = 4096
# TrainSettings' region_overlap and widest_coverage (issue 29), chosen on the
# SCOPe40 val split, Pfam clans and bench_full_length.py (benchmarks/README.md).
REGION_OVERLAP = 0.5
WIDEST_COVERAGE = 0.5
# The aligned region of each end of a hit (1-based, inclusive).
REGION_COLUMNS = ("qstart", "qend", "sstart", "send")


def edge_regions(graph: sp.csr_matrix, edges: pd.DataFrame) -> tuple[np.ndarray, ...]:
    """Per stored entry of ``graph`` (:func:`hit_graph` of ``edges``, row u,
    column v): the aligned region on u (start, end), then on v."""
    n = graph.shape[0]
    q, t = edges["query"].to_numpy(np.int64), edges["target"].to_numpy(np.int64)
    on_q = [edges[name].to_numpy(np.int64) for name in ("qstart", "qend")]
    on_t = [edges[name].to_numpy(np.int64) for name in ("sstart", "send")]
    keys = np.r_[q * n + t, t * n + q]
    order = np.argsort(keys, kind="stable")
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(graph.indptr))
    if not np.array_equal(keys[order], rows * n + graph.indices):
        raise ValueError("the hit graph's entries are not the edges given")
    here = [np.r_[a, b][order] for a, b in zip(on_q, on_t, strict=True)]
    there = [np.r_[b, a][order] for a, b in zip(on_q, on_t, strict=True)]
    return here[0], here[1], there[0], there[1]


def _symmetric(q: np.ndarray, t: np.ndarray, w: np.ndarray, n: int) -> sp.csr_matrix:
    graph = sp.csr_matrix(
        (np.concatenate([w, w]), (np.concatenate([q, t]), np.concatenate([t, q]))), shape=(n, n)
    )
    graph.sort_indices()
    return graph


def hit_graph(
    q: np.ndarray, t: np.ndarray, w: np.ndarray, n: int, tree_edges: np.ndarray | None = None
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """The symmetric hit graph of edges (q, t) with weights w, and the maximum
    spanning forest (symmetric too) of the edges ``tree_edges`` selects (a
    bool mask; default all), as sorted CSR matrices."""
    graph = _symmetric(q, t, w, n)
    if tree_edges is not None:
        q, t, w = q[tree_edges], t[tree_edges], w[tree_edges]
    spanned = _symmetric(q, t, w, n)
    # Widest paths lie on a maximum spanning tree: a minimum one of (top - w).
    top = float(w.max()) + 1.0 if w.size else 1.0
    inverted = sp.csr_matrix((top - spanned.data, spanned.indices, spanned.indptr), shape=(n, n))
    tree = minimum_spanning_tree(inverted)
    tree = tree + tree.T
    tree = sp.csr_matrix((top - tree.data, tree.indices, tree.indptr), shape=(n, n))
    return graph, tree


def _path_features(
    graph: sp.csr_matrix,
    tree: sp.csr_matrix,
    regions: tuple[np.ndarray, ...],
    min_overlap: float,
    top_k: int,
    threads: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of :func:`seqsim.kernels.graph._path_rows` for every node, a
    block of rows at a time: each node, its partners and their path values
    (``regions``: :func:`edge_regions`)."""
    n = graph.shape[0]
    csr = (graph.indptr.astype(np.int64), graph.indices.astype(np.int64), graph.data,
           *regions, float(min_overlap))  # fmt: skip
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


def path_pairs(
    direct: pd.DataFrame,
    n: int,
    *,
    edge_evalue: float = 1.0,
    top_k: int = 100,
    region_overlap: float = 0.0,
    widest_coverage: float = 0.0,
    threads: int = 1,
) -> tuple[pd.DataFrame, np.ndarray]:
    """The pairs linked through intermediate sequences of a set's hit graph
    (``direct``: :func:`direct_pairs`), each unordered pair once, with
    ``path1``, ``path2``, ``widest`` and ``shared`` (neighbours in common);
    and each sequence's degree in the graph. Settings as in
    :func:`candidate_pairs`."""
    edges = direct[direct["evalue"] <= edge_evalue]
    q, t, w = edges["query"].to_numpy(), edges["target"].to_numpy(), edges["bits"].to_numpy()
    # Region-safe widest paths: an edge that covers most of both sequences
    # cannot link two of their parts that the other edges of a path miss.
    covering = edges["coverage"].to_numpy() >= widest_coverage if widest_coverage > 0 else None
    graph, tree = hit_graph(q, t, w, n, covering)
    regions = edge_regions(graph, edges)
    source, partners, values = _path_features(graph, tree, regions, region_overlap, top_k, threads)
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
    return paths, np.diff(graph.indptr)


def candidate_pairs(
    hits: pd.DataFrame,
    store: SequenceStore,
    *,
    edge_evalue: float = 1.0,
    top_k: int = 100,
    profile_evalue: float = PROFILE_EVALUE,
    extra_pairs: tuple[np.ndarray, np.ndarray] | None = None,
    region_overlap: float = 0.0,
    widest_coverage: float = 0.0,
    threads: int = 1,
) -> pd.DataFrame:
    """Unordered candidate pairs (``query`` < ``target``, store indices) with
    every feature of :data:`~seqsim.feature_names.SCORER_FEATURES`.

    Edges of the hit graph are pairs with a two-way E-value <= ``edge_evalue``;
    each sequence adds its ``top_k`` best-connected partners to its hits.
    ``extra_pairs`` (two index arrays) are added too, e.g. a user's labelled
    pairs: those with neither a hit nor a listed path get zero features.
    Profile features align each sequence's profile (from its hits with
    E-value <= ``profile_evalue``, see :mod:`seqsim.scorer.profiles`) against
    the other sequence.

    ``region_overlap`` > 0 makes the transitive evidence region-consistent
    (issue 29): in whole proteins, A sharing a domain with B and B another
    with C is no evidence that A and C are homologs. Then a path through one
    or two intermediates counts (``path1``, ``path2``, shared neighbours)
    only where its alignments overlap on each intermediate by that fraction
    of the shorter (see :func:`seqsim.kernels.graph._path_rows`), and a
    pair with no path1, path2 or widest path gets no diffusion evidence
    either (the diffusion sums carry no regions to check).
    ``widest_coverage`` > 0 runs the ``widest`` path over edges that cover
    at least that much of both sequences (any path of those is consistent).
    0 counts every path (the models trained before them).

    Path features are computed in blocks of rows on
    ``threads`` threads, profile alignments in chunks of pairs; the result
    does not depend on the thread count.
    """
    lengths = store.lengths
    n = lengths.size
    direct = direct_pairs(hits, n)
    paths, degree = path_pairs(
        direct, n, edge_evalue=edge_evalue, top_k=top_k, region_overlap=region_overlap,
        widest_coverage=widest_coverage, threads=threads,
    )  # fmt: skip
    pairs = paths.merge(direct, on=["query", "target"], how="outer")
    if extra_pairs is not None:
        a, b = (np.asarray(x, dtype=np.int64) for x in extra_pairs)
        extra = pd.DataFrame({"query": np.minimum(a, b), "target": np.maximum(a, b)})
        extra = extra[extra["query"] != extra["target"]].drop_duplicates()
        pairs = pairs.merge(extra, on=["query", "target"], how="outer")
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
    table = table.sort_values(["query", "target"], ignore_index=True)
    bits, neg_log = _profile_features(store, hits, table, profile_evalue, threads)
    table = table.assign(profile_bits=bits, profile_neg_log10_evalue=neg_log)
    diffusion2, diffusion3 = _diffusion_features(table, n)
    table = table.assign(diffusion2=diffusion2, diffusion3=diffusion3)
    if region_overlap > 0:
        unlinked = (table[["path1", "path2", "widest"]].to_numpy() == 0).all(axis=1)
        table.loc[unlinked, ["diffusion2", "diffusion3"]] = 0.0
    return table


# The profile graph's edges: candidate pairs whose profile alignment has an
# E-value (for the pair alone) at most 1e-3; weights: profile bits / 100,
# capped at 2. Chosen on the SCOPe40 train split's held-out part: the model's
# SFAM 0.261 / 0.273 / 0.277 / 0.283 at 1e-5 / 1e-4 / 1e-3 / 1e-2, but 1e-2
# nearly doubles the graph's two-step matrix (training peak 1.97 GB, not 1.18).
DIFFUSION_MIN_NEG_LOG10_EVALUE = 3.0
_ROW_DOT_CHUNK = 65_536


def _diffusion_features(pairs: pd.DataFrame, n: int) -> tuple[np.ndarray, np.ndarray]:
    """RankProp-like diffusion (Weston et al. 2004) over the candidates'
    profile graph, K = D^-1/2 W D^-1/2: ``(K^2)_qt`` and ``(K^3)_qt`` of each
    candidate pair, the weight of the two- and three-step walks between them
    (summed, where the path features take the best single path)."""
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    edge = pairs["profile_neg_log10_evalue"].to_numpy() >= DIFFUSION_MIN_NEG_LOG10_EVALUE
    w = np.minimum(pairs["profile_bits"].to_numpy()[edge], 200.0) / 100.0
    graph = sp.csr_matrix(
        (np.r_[w, w], (np.r_[q[edge], t[edge]], np.r_[t[edge], q[edge]])), shape=(n, n)
    )
    scale = sp.diags(1.0 / np.sqrt(np.maximum(np.asarray(graph.sum(axis=1)).ravel(), 1e-12)))
    k1 = (scale @ graph @ scale).tocsr()
    k2 = (k1 @ k1).tocsr()
    return _row_dots(k1, k1, q, t), _row_dots(k2, k1, q, t)


def _row_dots(a: sp.csr_matrix, b: sp.csr_matrix, q: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``(a @ b.T)[q, t]`` for each pair, a chunk of pairs at a time (b is
    symmetric here, so this is ``(a @ b)[q, t]``)."""
    out = np.zeros(q.size, dtype=np.float64)
    for start in range(0, q.size, _ROW_DOT_CHUNK):
        rows = slice(start, start + _ROW_DOT_CHUNK)
        out[rows] = np.asarray(a[q[rows]].multiply(b[t[rows]]).sum(axis=1)).ravel()
    return out


def _profile_features(
    store: SequenceStore,
    hits: pd.DataFrame,
    pairs: pd.DataFrame,
    profile_evalue: float,
    threads: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Bit scores and pair-alone -log10 E-values of the pairs' profile
    alignments, under the alphabet's default scheme (the one the shipped
    models were trained with)."""
    scheme = scoring_scheme(store.alphabet)
    profile = default_profiles(store, hits, profile_evalue)
    q, t = pairs["query"].to_numpy(), pairs["target"].to_numpy()
    raw = profile_scores(profile, store, scheme, q, t, threads=threads)
    params = karlin_altschul(scheme)
    bits = (params.lambda_ * raw - params.log_k) / np.log(2)
    space = store.lengths[q].astype(np.float64) * store.lengths[t].astype(np.float64)
    neg_log = bits * np.log10(2) - np.log10(np.maximum(space, 1.0))
    return bits, np.clip(neg_log, -1.0, 50.0)
