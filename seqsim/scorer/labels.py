"""Which pairs are homologs: from a hierarchical labels table or an explicit
pairs table.

Both give a :class:`PairLabels`: a label (1 homolog, 0 not, NaN unknown or
excluded) for any pair of store indices, the known homolog pairs (to sample
training batches from), and a group per sequence (superfamily, or connected
component of the homolog pairs) so that splits hold out whole groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from seqsim.errors import ConfigError
from seqsim.labels import LEVELS, scop_levels
from seqsim.sequences.store import store_indices


def pair_labels(
    pairs: pd.DataFrame, levels: pd.DataFrame, ids: list[str], level: str = "superfamily"
) -> np.ndarray:
    """1 for pairs in the same ``level`` group, 0 for pairs in different folds
    (the negatives), NaN for the pairs in between and unlabelled sequences.

    ``levels`` is indexed by id with family, superfamily and fold columns
    (:func:`seqsim.labels.scop_levels`).
    """
    labeler = PairLabels.from_levels(levels, ids, level)
    return labeler(pairs["query"].to_numpy(), pairs["target"].to_numpy())


@dataclass(frozen=True)
class PairLabels:
    """Pair labels over the sequences of one store (indices 0..n-1)."""

    n: int
    group: np.ndarray  # int64 per sequence; -1 = unlabelled (held-out splits use it)
    # Hierarchy: same ``same`` code = homolog, different ``fold`` code = not.
    same: np.ndarray | None = None
    fold: np.ndarray | None = None
    # Pairs table: sorted keys min*n+max with their 0/1 labels.
    keys: np.ndarray | None = None
    values: np.ndarray | None = None
    # The level above fold (SCOP class), when the labels have one: -1 unknown.
    # The encoder learns to predict it, a signal that carries to unseen folds.
    top: np.ndarray | None = None

    @property
    def n_top(self) -> int:
        return 0 if self.top is None else int(self.top.max()) + 1

    @classmethod
    def from_levels(cls, levels: pd.DataFrame, ids: list[str], level: str) -> PairLabels:
        if level not in LEVELS:
            raise ConfigError(f"homology level must be one of {LEVELS}, not {level!r}")
        table = levels.reindex(ids)
        return cls(
            n=len(ids),
            group=_codes(table["superfamily"]),
            same=_codes(table[level]),
            fold=_codes(table["fold"]),
            top=_codes(table["class"]) if "class" in table.columns else None,
        )

    @classmethod
    def from_table(cls, labels: pd.DataFrame, ids: list[str], level: str) -> PairLabels:
        """From a labels table (id plus sccs or family/superfamily(/fold))."""
        return cls.from_levels(scop_levels(labels), ids, level)

    @classmethod
    def from_pairs(cls, table: pd.DataFrame, ids: list[str], source: str = "pairs") -> PairLabels:
        """From a pairs table: id1, id2, label (1 homolog, 0 not). Pairs naming
        an id that is not among ``ids`` are an error; a pair given twice with
        different labels too."""
        if "label" not in table.columns:
            raise ConfigError(f"{source}: the pairs table lacks a label column")
        a, b = pair_indices(table, ids, source)
        label = pd.to_numeric(table["label"], errors="coerce").to_numpy()
        if not np.isin(label, (0, 1)).all():
            raise ConfigError(f"{source}: labels must be 0 or 1")
        n = len(ids)
        keys = np.minimum(a, b) * n + np.maximum(a, b)
        frame = pd.DataFrame({"key": keys, "label": label})[a != b].drop_duplicates()
        if frame["key"].duplicated().any():
            raise ConfigError(f"{source}: a pair is labelled both 1 and 0")
        frame = frame.sort_values("key")
        positive = frame[frame["label"] == 1]["key"].to_numpy()
        graph = sp.coo_matrix((np.ones(positive.size), (positive // n, positive % n)), shape=(n, n))
        _, component = connected_components(graph, directed=False)
        labelled = np.zeros(n, dtype=bool)
        labelled[frame["key"].to_numpy() // n] = True
        labelled[frame["key"].to_numpy() % n] = True
        return cls(
            n=n,
            group=np.where(labelled, component, -1).astype(np.int64),
            keys=frame["key"].to_numpy(np.int64),
            values=frame["label"].to_numpy(np.float64),
        )

    def __call__(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Labels of the pairs (a[k], b[k]): 1, 0 or NaN."""
        a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
        labels = np.full(a.shape, np.nan)
        if self.keys is None or self.values is None:
            same, fold = self._hierarchy()
            known = (fold[a] >= 0) & (fold[b] >= 0)
            labels[known & (same[a] == same[b]) & (same[a] >= 0)] = 1.0
            labels[known & (fold[a] != fold[b])] = 0.0
            return labels
        keys = np.minimum(a, b) * self.n + np.maximum(a, b)
        slot = np.minimum(np.searchsorted(self.keys, keys), max(self.keys.size - 1, 0))
        found = self.keys.size > 0
        hit = (self.keys[slot] == keys) if found else np.zeros(a.shape, dtype=bool)
        labels[hit] = self.values[slot[hit]]
        return labels

    def _hierarchy(self) -> tuple[np.ndarray, np.ndarray]:
        """The ``same`` and ``fold`` codes of labels from a hierarchy."""
        if self.same is None or self.fold is None:
            raise ValueError("these pair labels have neither a hierarchy nor a pairs table")
        return self.same, self.fold

    def positive_pairs(self, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Homolog pairs (i < j) with both sequences ``allowed`` (bool mask)."""
        if self.keys is not None:
            keys = self.keys[self.values == 1]
            i, j = keys // self.n, keys % self.n
            keep = allowed[i] & allowed[j]
            return i[keep], j[keep]
        same, fold = self._hierarchy()
        members = np.flatnonzero(allowed & (fold >= 0))
        order = members[np.argsort(same[members], kind="stable")]
        codes = same[order]
        starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
        ends = np.r_[starts[1:], order.size]
        first, second = [], []
        for start, end in zip(starts, ends, strict=True):
            i, j = np.triu_indices(end - start, k=1)
            first.append(order[start + i])
            second.append(order[start + j])
        if not first:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(first), np.concatenate(second)


def pair_indices(table: pd.DataFrame, ids: list[str], source: str) -> tuple[np.ndarray, np.ndarray]:
    """Store indices of a pairs table's id1 and id2 columns; ConfigError naming
    ``source`` for a missing column or an id that is not among ``ids``."""
    result = []
    for column in ("id1", "id2"):
        if column not in table.columns:
            raise ConfigError(f"{source}: the pairs table lacks an {column} column")
        result.append(store_indices(table[column], ids, source))
    return result[0], result[1]


def _codes(column: pd.Series) -> np.ndarray:
    codes, _ = pd.factorize(column, sort=True)
    return codes.astype(np.int64)


def held_out_groups(group: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Boolean mask of the sequences whose group is held out (about
    ``fraction`` of the groups, drawn with ``seed``); unlabelled sequences
    (group -1) stay in. When the draw could not form both homolog and
    non-homolog pairs (fewer than two groups, or none with two members), as
    in small sets, one group with members to spare and one more are drawn."""
    labelled = group[group >= 0]
    names, sizes = np.unique(labelled, return_counts=True)
    rng = np.random.default_rng(seed)
    chosen = rng.choice(names, size=int(round(fraction * names.size)), replace=False)
    usable = chosen.size >= 2 and np.isin(chosen, names[sizes >= 2]).any()
    if not usable and names.size >= 3 and (sizes >= 2).any():
        first = rng.choice(names[sizes >= 2])
        others = rng.permutation(names[names != first])[: max(chosen.size, 2) - 1]
        chosen = np.concatenate([[first], others])
    return np.isin(group, chosen) & (group >= 0)
