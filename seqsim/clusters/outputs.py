"""What a clustering tells about each member, and the CD-HIT ``.clstr`` layout.

The per-member table (:func:`member_table`) gives, for every member, its
similarity, identity and coverage to its representative and flags outliers:

- ``isolated``: no other sequence links to it (no neighbour above the thresholds);
- ``far``: in a cluster of three or more, its *cohesion* (mean similarity to the
  other members, 0 for a pair that is not listed) is below :data:`FAR_FRACTION`
  of the cluster's median cohesion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from seqsim.clusters.methods import undirected

FAR_FRACTION = 0.5
MEMBER_COLUMNS = [
    "cluster", "member", "representative", "size", "length", "similarity", "identity",
    "member_coverage", "representative_coverage", "neighbours", "cohesion", "outlier",
]  # fmt: skip


def _to_representative(
    representative: np.ndarray, pairs: pd.DataFrame, feature: str, identity: np.ndarray | None
) -> pd.DataFrame:
    """Similarity, identity and both coverages of each sequence to its
    representative (NaN for a representative, or a pair not in ``pairs``).
    ``pairs``: :func:`~seqsim.clusters.methods.prepare_pairs` output."""
    n = representative.size
    member = np.arange(n)
    lookup = pd.DataFrame(
        {"query": np.minimum(member, representative), "target": np.maximum(member, representative)}
    )
    columns = pairs[["query", "target"]].assign(similarity=pairs[feature].to_numpy(np.float64))
    columns["identity"] = np.nan if identity is None else identity
    for name in ("qcov", "tcov"):
        columns[name] = pairs[name].to_numpy(np.float64) if name in pairs.columns else np.nan
    found = lookup.merge(columns, on=["query", "target"], how="left")
    member_first = member < representative
    qcov, tcov = found["qcov"].to_numpy(), found["tcov"].to_numpy()
    table = pd.DataFrame(
        {
            "similarity": found["similarity"].to_numpy(),
            "identity": found["identity"].to_numpy(),
            "member_coverage": np.where(member_first, qcov, tcov),
            "representative_coverage": np.where(member_first, tcov, qcov),
        }
    )
    table.loc[member == representative, :] = np.nan
    # float32 as the search's tables hold them (and as short in a TSV).
    fractions = ["identity", "member_coverage", "representative_coverage"]
    return table.astype(dict.fromkeys(fractions, np.float32))


def _cohesion(representative: np.ndarray, pairs: pd.DataFrame, feature: str) -> np.ndarray:
    """Mean similarity of each sequence to the other members of its cluster (NaN: alone)."""
    n = representative.size
    query, target = pairs["query"].to_numpy(np.int64), pairs["target"].to_numpy(np.int64)
    value = np.nan_to_num(pairs[feature].to_numpy(np.float64))
    inside = representative[query] == representative[target]
    total = np.bincount(query[inside], value[inside], minlength=n) + np.bincount(
        target[inside], value[inside], minlength=n
    )
    others = np.bincount(representative, minlength=n)[representative] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(others > 0, total / np.maximum(others, 1), np.nan)


def _outliers(representative: np.ndarray, neighbours: np.ndarray, cohesion: np.ndarray) -> list:
    size = np.bincount(representative, minlength=representative.size)[representative]
    median = pd.Series(cohesion).groupby(representative).transform("median").to_numpy()
    far = (size >= 3) & (cohesion < FAR_FRACTION * median)
    return np.where(neighbours == 0, "isolated", np.where(far, "far", "none")).tolist()


def member_table(
    representative: np.ndarray,
    lengths: np.ndarray,
    pairs: pd.DataFrame,
    links: sp.csr_matrix,
    *,
    feature: str,
    identity: np.ndarray | None,
) -> pd.DataFrame:
    """Per stored sequence (store order): :data:`MEMBER_COLUMNS` with
    ``cluster``, ``member`` and ``representative`` as store indices (the
    cluster number is set by the caller). ``pairs`` as
    :func:`~seqsim.clusters.methods.prepare_pairs` gives them, ``identity``
    their identities (or None), ``links`` :func:`~seqsim.clusters.methods.link_graph`."""
    n = representative.size
    neighbours = np.diff(undirected(links).indptr)
    cohesion = _cohesion(representative, pairs, feature)
    table = pd.DataFrame(
        {
            "cluster": representative,
            "member": np.arange(n),
            "representative": representative,
            "size": np.bincount(representative, minlength=n)[representative],
            "length": np.asarray(lengths, dtype=np.int64),
        }
    )
    table = pd.concat([table, _to_representative(representative, pairs, feature, identity)], axis=1)
    table["neighbours"] = neighbours
    table["cohesion"] = cohesion
    table["outlier"] = _outliers(representative, neighbours, cohesion)
    return table[MEMBER_COLUMNS]


def cdhit_clstr(members: pd.DataFrame, alphabet: str) -> str:
    """CD-HIT's ``.clstr`` text for an output-order per-member table (IDs in
    ``member``, clusters numbered from 0 in ``cluster``, representative first):
    ``0\\t152aa, >id... *`` for the representative, ``... at 87.50%`` for a
    member (``at +/87.50%`` for DNA), with no ``at`` when the identity is unknown."""
    unit, strand = ("aa", "") if alphabet == "protein" else ("nt", "+/")
    lines = []
    previous = -1
    position = 0
    for cluster, member, representative, length, identity in zip(
        members["cluster"].tolist(), members["member"].tolist(),
        members["representative"].tolist(), members["length"].tolist(),
        members["identity"].tolist(), strict=True,
    ):  # fmt: skip
        if cluster != previous:
            lines.append(f">Cluster {cluster}")
            previous, position = cluster, 0
        entry = f"{position}\t{length}{unit}, >{member}..."
        if member == representative:
            entry += " *"
        elif identity == identity:  # not NaN
            entry += f" at {strand}{100 * identity:.2f}%"
        lines.append(entry)
        position += 1
    return "".join(line + "\n" for line in lines)
