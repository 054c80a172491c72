"""Simulated families of evolving sequences with known true homology.

Sequences evolve along random trees under a reversible substitution model
(protein: a rate matrix derived from BLOSUM62 target frequencies; DNA: HKY85),
with discrete-Gamma rate heterogeneity across sites and insertions/deletions.
Every site carries the id of the ancestral site it descends from, so the TRUE
pairwise identity between two sequences (identical residues over shared site
ids) is known exactly.

The hierarchy is superfamily -> family -> member: a superfamily root evolves
along one deep branch to each family ancestor (families of one superfamily are
remote homologs), and each family's members evolve from its ancestor along a
random binary tree scaled so that the expected mean pairwise identity inside
the family equals a family-specific target spread over ``identity_range``.
Unrelated singletons (a superfamily of one family of one member) are added.

All randomness comes from one ``numpy.random.default_rng(seed)``; transition
matrices are rounded to 10 decimals before sampling, so the same parameters
and seed give the same output bit for bit.

The parts: :mod:`.models` (substitution models, site rates), :mod:`.evolve`
(sequences, branches, true identity, trees), :mod:`.params`
(:class:`SimulationParams`) and :mod:`.families` (the simulation itself).
"""

from seqsim.validation.simulate.evolve import (
    EvolvingSequence,
    SiteCounter,
    evolve_branch,
    random_sequence,
    true_identity,
)
from seqsim.validation.simulate.families import SimulatedFamilies, simulate_families
from seqsim.validation.simulate.models import (
    AMINO_ACIDS,
    BLOSUM62_BACKGROUND,
    NUCLEOTIDES,
    SubstitutionModel,
    blosum62_rate_matrix,
    dna_model,
    gamma_rates,
    hky85_rate_matrix,
    model_for,
    protein_model,
)
from seqsim.validation.simulate.params import SimulationParams

__all__ = [
    "AMINO_ACIDS",
    "BLOSUM62_BACKGROUND",
    "NUCLEOTIDES",
    "EvolvingSequence",
    "SimulatedFamilies",
    "SimulationParams",
    "SiteCounter",
    "SubstitutionModel",
    "blosum62_rate_matrix",
    "dna_model",
    "evolve_branch",
    "gamma_rates",
    "hky85_rate_matrix",
    "model_for",
    "protein_model",
    "random_sequence",
    "simulate_families",
    "true_identity",
]
