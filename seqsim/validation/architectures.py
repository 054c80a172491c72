"""Homology truth for whole proteins made of domains (issue 29).

A protein's *architecture* is the domains it holds: one row per domain in a
table with ``id`` (the protein), ``superfamily`` and ``fold`` (a set without
folds may give the superfamily again). Two proteins are homologous when they
share a superfamily in some domain; they are non-homologous when no domain of
one shares a fold with a domain of the other; pairs that share a fold but no
superfamily are undecidable (NaN), as in the SCOP domain benchmarks.

Homology between whole proteins is not transitive: A (domains X, Y) and C
(Y, Z) share Y, C and E (Z, W) share Z, and A and E share nothing. So the
"share a domain" graph's connected components are a coarse truth at best;
:meth:`ArchitectureTruth.cluster_coherence` asks instead whether each
cluster's members share a domain with most of the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


def _incidence(proteins: pd.Index, ids: pd.Series, groups: pd.Series) -> sp.csr_matrix:
    """Protein x group 0/1 matrix."""
    codes, _ = pd.factorize(groups)
    rows = proteins.get_indexer(pd.Index(ids))
    data = np.ones(rows.size, dtype=np.float64)
    matrix = sp.csr_matrix((data, (rows, codes)), shape=(proteins.size, int(codes.max()) + 1))
    matrix.data[:] = 1.0  # a protein with two domains of one group is in it once
    return matrix


@dataclass(frozen=True)
class ArchitectureTruth:
    """Which proteins share a superfamily (homologs) or no fold (non-homologs)."""

    proteins: pd.Index
    superfamilies: sp.csr_matrix
    folds: sp.csr_matrix

    @classmethod
    def from_domains(cls, domains: pd.DataFrame) -> ArchitectureTruth:
        """From one row per domain: ``id``, ``superfamily``, ``fold``."""
        proteins = pd.Index(pd.unique(domains["id"]))
        return cls(
            proteins=proteins,
            superfamilies=_incidence(proteins, domains["id"], domains["superfamily"]),
            folds=_incidence(proteins, domains["id"], domains["fold"]),
        )

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        rows = self.proteins.get_indexer(pd.Index(np.asarray(ids, dtype=object)))
        if (rows < 0).any():
            missing = np.asarray(ids, dtype=object)[rows < 0][0]
            raise KeyError(f"protein {missing!r} has no domains in the truth table")
        return rows

    def pair_homology(self, query: np.ndarray, target: np.ndarray) -> np.ndarray:
        """Per pair of protein ids: 1.0 (a shared superfamily), 0.0 (no shared
        fold) or NaN (a shared fold only)."""
        q, t = self._rows(query), self._rows(target)
        shared_sf = np.asarray(self.superfamilies[q].multiply(self.superfamilies[t]).sum(axis=1))
        shared_fold = np.asarray(self.folds[q].multiply(self.folds[t]).sum(axis=1))
        shared_sf, shared_fold = shared_sf.ravel() > 0, shared_fold.ravel() > 0
        return np.where(shared_sf, 1.0, np.where(shared_fold, np.nan, 0.0))

    def _shares(self) -> sp.csr_matrix:
        """Protein x protein: 1 where the two share a superfamily (not self)."""
        shares = (self.superfamilies @ self.superfamilies.T).tocsr()
        shares.setdiag(0)
        shares.eliminate_zeros()
        shares.data[:] = 1.0
        return shares

    def homolog_counts(self) -> np.ndarray:
        """Per protein: how many others share a superfamily with it."""
        return np.diff(self._shares().indptr)

    def components(self) -> np.ndarray:
        """Connected components of the "shares a superfamily" graph."""
        return connected_components(self._shares(), directed=False)[1]

    def cluster_coherence(self, ids: np.ndarray, cluster: np.ndarray) -> pd.DataFrame:
        """Per cluster of two or more proteins (``ids`` with their ``cluster``
        labels): ``size``, ``strays`` (members that share a superfamily with
        fewer than half of the cluster's other members) and ``chained``
        (more than half of the members are strays: the cluster holds
        together only through chains of different domains)."""
        rows = self._rows(ids)
        cluster = np.asarray(cluster)
        shares = self._shares()
        out = []
        for label in pd.unique(cluster):
            members = rows[cluster == label]
            if members.size < 2:
                continue
            inside = shares[members][:, members]
            partners = np.diff(inside.indptr)
            strays = int((partners < (members.size - 1) / 2).sum())
            out.append({"cluster": label, "size": int(members.size), "strays": strays,
                        "chained": strays > members.size / 2})  # fmt: skip
        columns = ["cluster", "size", "strays", "chained"]
        return pd.DataFrame(out, columns=columns).sort_values("size", ascending=False)

    def sensitivity_to_first_fp(self, ranked: pd.DataFrame) -> tuple[float, int]:
        """Mean over proteins with at least one homolog in the set: the share of
        its homologs ranked before its first non-homolog. ``ranked``: pairs
        (``query``, ``target`` ids, each unordered pair once, in any order)
        and a ``score``; each protein ranks its pairs by score, best first,
        and undecidable pairs are skipped. Returns (mean, proteins counted)."""
        both = pd.DataFrame({
            "query": np.r_[ranked["query"].to_numpy(), ranked["target"].to_numpy()],
            "target": np.r_[ranked["target"].to_numpy(), ranked["query"].to_numpy()],
            "score": np.r_[ranked["score"].to_numpy(), ranked["score"].to_numpy()],
        })  # fmt: skip
        both = both[both["query"] != both["target"]]
        both["homolog"] = self.pair_homology(both["query"].to_numpy(), both["target"].to_numpy())
        both = both[both["homolog"].notna()]
        both = both.sort_values(["query", "score"], ascending=[True, False], kind="stable")
        false_so_far = (both["homolog"] == 0).groupby(both["query"]).cumsum()
        found = both[(false_so_far == 0) & (both["homolog"] == 1)].groupby("query").size()
        counts = pd.Series(self.homolog_counts(), index=self.proteins)
        counts = counts[counts > 0]
        found = found.reindex(counts.index, fill_value=0)
        return float((found / counts).mean()), int(counts.size)
