"""The simulation: superfamilies of families of evolving sequences (plus
unrelated singletons), shuffled under neutral ids, with the true identity
statistics of every family and superfamily."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqsim.errors import ConfigError
from seqsim.io import FilePath, write_fasta, write_table
from seqsim.validation.simulate.evolve import (
    EvolvingSequence,
    SiteCounter,
    distance_for_identity,
    evolve_branch,
    random_sequence,
    random_tree,
    solve_scale,
    true_identity,
)
from seqsim.validation.simulate.models import SubstitutionModel, gamma_rates, model_for
from seqsim.validation.simulate.params import SimulationParams

log = logging.getLogger("seqsim")


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
    deep_branch = distance_for_identity(sf_identity, sim.model, sim.rates) / 2.0
    members: list[tuple[str, str, EvolvingSequence]] = []
    family_rows, groups = [], []
    for f, target in enumerate(targets):
        family = f"{superfamily}.fam{f + 1}"
        ancestor = sim.branch(root, deep_branch)
        low, high = params.members_per_family
        n_members = int(rng.integers(low, high + 1))
        tree = random_tree(n_members, rng)
        scale = solve_scale(tree.pairwise_distances(), float(target), sim.model, sim.rates)
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
