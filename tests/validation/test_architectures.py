"""Whole-protein homology truth and the multi-domain simulator (issue 29)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqsim.validation.architectures import ArchitectureTruth
from seqsim.validation.simulate import simulate_families
from seqsim.validation.simulate.params import SimulationParams
from seqsim.validation.simulate.proteins import ProteinParams, compose_proteins


def truth_of(architectures: dict[str, list[str]], folds: dict[str, str] | None = None):
    """Proteins -> superfamilies; a superfamily's fold is itself unless given."""
    folds = folds or {}
    rows = [
        (protein, sf, folds.get(sf, sf)) for protein, sfs in architectures.items() for sf in sfs
    ]
    return ArchitectureTruth.from_domains(pd.DataFrame(rows, columns=["id", "superfamily", "fold"]))


def test_pair_homology_shares_a_superfamily_not_a_chain():
    truth = truth_of(
        {"A": ["x", "y"], "B": ["y", "z"], "C": ["z"], "D": ["u"], "E": ["v"]},
        folds={"u": "F", "v": "F"},
    )
    homology = truth.pair_homology(np.array(["A", "B", "A", "D"]), np.array(["B", "C", "C", "E"]))
    # A-B share y, B-C share z; A-C share nothing (no transitivity); D-E a fold only.
    np.testing.assert_array_equal(homology[:3], [1.0, 1.0, 0.0])
    assert np.isnan(homology[3])
    with pytest.raises(KeyError, match="'Q'"):
        truth.pair_homology(np.array(["A"]), np.array(["Q"]))


def test_homolog_counts_and_components():
    truth = truth_of({"A": ["x", "y"], "B": ["y", "z"], "C": ["z"], "D": ["u"], "E": ["x"]})
    np.testing.assert_array_equal(truth.homolog_counts(), [2, 2, 1, 0, 1])
    components = truth.components()
    assert len(set(components[[0, 1, 2, 4]])) == 1 and components[3] != components[0]


def test_cluster_coherence_flags_chains_not_families():
    chain = {f"c{k}": [f"x{k}", f"x{k + 1}"] for k in range(7)}
    family = {f"f{k}": ["shared", f"own{k}"] for k in range(5)}
    truth = truth_of(chain | family)
    ids = np.array([*chain, *family], dtype=object)
    table = truth.cluster_coherence(ids, np.array([1] * 7 + [2] * 5)).set_index("cluster")
    assert table.loc[1, "chained"] and table.loc[1, "strays"] == 7
    assert not table.loc[2, "chained"] and table.loc[2, "strays"] == 0
    assert list(table["size"]) == [7, 5]


def test_sensitivity_to_first_fp_counts_homologs_before_the_first_non_homolog():
    truth = truth_of({"A": ["x"], "B": ["x"], "C": ["x"], "D": ["y"]})
    ranked = pd.DataFrame({
        "query": ["A", "A", "A", "B"],
        "target": ["B", "D", "C", "C"],
        "score": [0.9, 0.8, 0.7, 0.95],
    })  # fmt: skip
    # A: B found, then D (false) before C: 1/2. B: C, A: 2/2. C: B, A: 2/2. D has none.
    sensitivity, proteins = truth.sensitivity_to_first_fp(ranked)
    assert proteins == 3
    assert sensitivity == pytest.approx((0.5 + 1.0 + 1.0) / 3)


def small_domains(seed: int = 5):
    params = SimulationParams.for_alphabet(
        "protein", n_superfamilies=6, families_per_superfamily=2, members_per_family=(2, 3),
        n_singletons=4, length_range=(60, 90), seed=seed,
    )  # fmt: skip
    return simulate_families(params)


def test_compose_proteins_places_every_domain_once_and_is_reproducible():
    domains = small_domains()
    params = ProteinParams(membrane_fraction=0.5, low_complexity_fraction=0.5, seed=3)
    proteins = compose_proteins(domains, params)
    again = compose_proteins(domains, params)
    assert again.records == proteins.records and again.domains.equals(proteins.domains)
    sequences = dict(proteins.records)
    domain_sequences = dict(domains.records)
    parts = proteins.domains
    placed = parts[parts["kind"] == "domain"]
    # Each simulated domain appears once, at its recorded span.
    assert sorted(
        sequences[row.id][row.start - 1 : row.end] for row in placed.itertuples()
    ) == sorted(domain_sequences.values())
    assert not placed.duplicated(["id", "superfamily"]).any()
    assert {"membrane", "low_complexity"} <= set(parts["kind"])
    membrane = parts[parts["kind"] == "membrane"].iloc[0]
    helix_residues = sequences[membrane.id][membrane.start - 1 : membrane.end]
    assert sum(residue in "LIVFAGM" for residue in helix_residues) / len(helix_residues) > 0.6
    # Segments carry no superfamily: only domains make homologs.
    truth = ArchitectureTruth.from_domains(proteins.truth_domains())
    assert set(truth.proteins) == set(sequences)
    assert compose_proteins(domains, ProteinParams(seed=4)).records != proteins.records


def test_region_consistent_paths_do_not_chain_shuffled_domain_architectures():
    """The small version of benchmarks/bench_full_length.py's shuffled
    architectures: proteins of one to three simulated domains in shuffled
    combinations. Among candidate pairs without a direct hit, those linked
    through one intermediate are 7% homologs when every path counts (2,052
    pairs), 36% when a path counts only where its two alignments overlap on
    the intermediate (306; the model weighs the rest). No widest path
    crosses domains then."""
    from seqsim.alignment.scoring import scoring_scheme
    from seqsim.scorer.candidates import REGION_OVERLAP, WIDEST_COVERAGE, candidate_pairs
    from seqsim.search_engine.engine import DEFAULT_HIT_FILTER, search_hits
    from seqsim.sequences.load import read_sequences

    params = SimulationParams.for_alphabet(
        "protein", n_superfamilies=30, families_per_superfamily=2, members_per_family=(3, 5),
        n_singletons=20, seed=29,
    )  # fmt: skip
    proteins = compose_proteins(
        simulate_families(params), ProteinParams(membrane_fraction=0, low_complexity_fraction=0)
    )
    store = read_sequences(dict(proteins.records))
    hits = search_hits(store, store, scoring_scheme("protein"), DEFAULT_HIT_FILTER, threads=2)
    truth = ArchitectureTruth.from_domains(proteins.truth_domains())
    ids = np.array(store.ids, dtype=object)

    def linked_without_hit(**settings: float) -> tuple[float, int, int]:
        """(share of homologs, pairs) linked through one intermediate, and
        the pairs with a widest path, among pairs without a direct hit."""
        pairs = candidate_pairs(hits, store, threads=2, **settings)
        remote = pairs[pairs["has_hit"] == 0]
        linked = remote[remote["path1"] > 0]
        homolog = truth.pair_homology(ids[linked["query"]], ids[linked["target"]])
        return float(np.nanmean(homolog)), len(linked), int((remote["widest"] > 0).sum())

    every_path, n_every, wide_every = linked_without_hit()
    consistent, n_consistent, wide_consistent = linked_without_hit(
        region_overlap=REGION_OVERLAP, widest_coverage=WIDEST_COVERAGE
    )
    assert every_path < 0.15 and n_every > 1000 and wide_every > 1000
    assert consistent > 0.25 and 50 < n_consistent < n_every / 4 and wide_consistent < 20
