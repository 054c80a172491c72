"""Whole proteins from simulated domains (issue 29): shuffled multi-domain
architectures, transmembrane-like helices and low-complexity stretches.

Each protein takes one to ``max_domains`` simulated domains (each domain
sequence used once, no superfamily twice in a protein) in a random order,
joined by short random linkers, so that two proteins share a superfamily
through one domain while their other domains differ: the case where
homology between whole proteins is not transitive. Some proteins also get
a block of transmembrane-like helices (hydrophobic stretches of about 20
residues, as in membrane transporters) or a low-complexity run (a few
letters repeated): segments that align between unrelated proteins without
homology. Neither carries a superfamily.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from seqsim.validation.simulate.families import SimulatedFamilies
from seqsim.validation.simulate.models import AMINO_ACIDS, BLOSUM62_BACKGROUND

# Transmembrane helices are mostly L, I, V, F, A, G, M (weights after the
# composition of membrane-spanning segments, roughly); loops are random.
_HELIX_LETTERS = np.array(list("LIVFAGMWSTC"))
_HELIX_WEIGHTS = np.array([0.20, 0.14, 0.13, 0.11, 0.13, 0.09, 0.05, 0.03, 0.05, 0.04, 0.03])
# Low-complexity runs in real proteins: poly-Q, S/G, P-rich, acidic, K-rich.
_LOW_COMPLEXITY_ALPHABETS = ("Q", "SG", "PAS", "ED", "KE", "NQ")


@dataclass(frozen=True)
class ProteinParams:
    """How :func:`compose_proteins` joins domains into proteins."""

    max_domains: int = 3
    linker_length: tuple[int, int] = (5, 25)
    membrane_fraction: float = 0.15
    helices: tuple[int, int] = (4, 12)
    helix_length: tuple[int, int] = (18, 24)
    low_complexity_fraction: float = 0.15
    low_complexity_length: tuple[int, int] = (20, 60)
    seed: int = 1


@dataclass(frozen=True)
class SimulatedProteins:
    """``records`` (id, sequence) and ``domains``: one row per domain or
    segment: ``id``, ``kind`` (domain, membrane or low_complexity),
    ``superfamily`` and ``family`` (empty for segments), ``start``, ``end``
    (1-based, inclusive, in the protein)."""

    records: list[tuple[str, str]]
    domains: pd.DataFrame

    def truth_domains(self) -> pd.DataFrame:
        """The domain rows as :class:`~seqsim.validation.architectures.ArchitectureTruth`
        reads them (fold = superfamily: simulated superfamilies share no fold);
        a protein with no domain is its own superfamily."""
        rows = self.domains[self.domains["kind"] == "domain"][["id", "superfamily"]]
        lonely = sorted(set(record_id for record_id, _ in self.records) - set(rows["id"]))
        extra = pd.DataFrame({"id": lonely, "superfamily": [f"none:{i}" for i in lonely]})
        table = pd.concat([rows, extra], ignore_index=True)
        return table.assign(fold=table["superfamily"])


def _draw(bounds: tuple[int, int], rng: np.random.Generator) -> int:
    """An integer in the inclusive range ``bounds``."""
    return int(rng.integers(bounds[0], bounds[1] + 1))


def _random_residues(length: int, rng: np.random.Generator) -> str:
    return "".join(rng.choice(np.array(list(AMINO_ACIDS)), size=length, p=BLOSUM62_BACKGROUND))


def _membrane_block(params: ProteinParams, rng: np.random.Generator) -> str:
    parts = []
    for _ in range(_draw(params.helices, rng)):
        length = _draw(params.helix_length, rng)
        parts.append("".join(rng.choice(_HELIX_LETTERS, size=length, p=_HELIX_WEIGHTS)))
        parts.append(_random_residues(int(rng.integers(4, 12)), rng))
    return "".join(parts)


def _low_complexity(params: ProteinParams, rng: np.random.Generator) -> str:
    alphabet = _LOW_COMPLEXITY_ALPHABETS[rng.integers(len(_LOW_COMPLEXITY_ALPHABETS))]
    length = _draw(params.low_complexity_length, rng)
    return "".join(rng.choice(np.array(list(alphabet)), size=length))


def _architectures(
    labels: pd.DataFrame, params: ProteinParams, rng: np.random.Generator
) -> list[list[int]]:
    """Domain indices per protein: one to ``max_domains`` each, no
    superfamily twice in a protein, every domain used once."""
    pool = list(rng.permutation(len(labels)))
    superfamily = labels["superfamily"].to_numpy()
    proteins: list[list[int]] = []
    while pool:
        wanted = _draw((1, params.max_domains), rng)
        chosen = [pool.pop()]
        for _ in range(wanted - 1):
            taken = {superfamily[i] for i in chosen}
            slot = next((k for k in range(len(pool) - 1, -1, -1)
                         if superfamily[pool[k]] not in taken), None)  # fmt: skip
            if slot is None:
                break
            chosen.append(pool.pop(slot))
        proteins.append(chosen)
    return proteins


def _pieces(
    chosen: list[int], labels: pd.DataFrame, sequences: dict[str, str],
    params: ProteinParams, rng: np.random.Generator,
) -> list[tuple[str, str, str, str]]:  # fmt: skip
    """(kind, superfamily, family, sequence) of one protein's parts, in order:
    its domains, and maybe a membrane block and a low-complexity run."""
    pieces = [("domain", str(labels.at[i, "superfamily"]), str(labels.at[i, "family"]),
               sequences[str(labels.at[i, "id"])]) for i in chosen]  # fmt: skip
    for kind, fraction, make in (
        ("membrane", params.membrane_fraction, _membrane_block),
        ("low_complexity", params.low_complexity_fraction, _low_complexity),
    ):
        if rng.random() < fraction:
            pieces.insert(int(rng.integers(len(pieces) + 1)), (kind, "", "", make(params, rng)))
    return pieces


def compose_proteins(
    domains: SimulatedFamilies, params: ProteinParams = ProteinParams()
) -> SimulatedProteins:
    """Join ``domains`` (protein domains from :func:`simulate_families`) into
    whole proteins, parts joined by random linkers; the same domains,
    parameters and seed give the same proteins."""
    rng = np.random.default_rng(params.seed)
    sequences = dict(domains.records)
    labels = domains.labels.reset_index(drop=True)
    architectures = _architectures(labels, params, rng)
    width = max(4, len(str(len(architectures))))
    records, rows = [], []
    for number, chosen in enumerate(architectures, start=1):
        protein_id = f"prot{number:0{width}d}"
        sequence = ""
        for index, (kind, superfamily, family, piece) in enumerate(
            _pieces(chosen, labels, sequences, params, rng)
        ):
            if index:
                sequence += _random_residues(_draw(params.linker_length, rng), rng)
            rows.append({"id": protein_id, "kind": kind, "superfamily": superfamily,
                         "family": family, "start": len(sequence) + 1,
                         "end": len(sequence) + len(piece)})  # fmt: skip
            sequence += piece
        records.append((protein_id, sequence))
    return SimulatedProteins(records, pd.DataFrame(rows))
