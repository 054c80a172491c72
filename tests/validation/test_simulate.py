"""Tests of ``seqsim simulate``: models, evolution, true identity, CLI, bundled examples."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from Bio.Align import substitution_matrices
from scipy import optimize

from seqsim.cli import main, simulate as cli_simulate
from seqsim.errors import ConfigError
from seqsim.validation.simulate import (
    AMINO_ACIDS,
    BLOSUM62_BACKGROUND,
    NUCLEOTIDES,
    EvolvingSequence,
    SimulationParams,
    dna_model,
    evolve_branch,
    gamma_rates,
    protein_model,
    random_sequence,
    simulate_families,
    true_identity,
)

from conftest import REPO

EXAMPLE = REPO / "resources" / "example"
ALPHABETS = {"protein": AMINO_ACIDS, "dna": NUCLEOTIDES}


def example_command(alphabet: str, folder: Path) -> list[str]:
    """The regeneration command documented in resources/example/README.md."""
    return [
        "simulate",
        "--alphabet",
        alphabet,
        "--seed",
        "1",
        "--out-fasta",
        str(folder / f"{alphabet}.fasta"),
        "--out-labels",
        str(folder / f"{alphabet}_labels.tsv"),
        "--out-families",
        str(folder / f"{alphabet}_families.tsv"),
    ]


def small_params(**overrides: object) -> SimulationParams:
    values: dict[str, object] = {
        "n_superfamilies": 2,
        "families_per_superfamily": 2,
        "members_per_family": (3, 5),
        "length_range": (60, 90),
        "n_singletons": 2,
        "seed": 7,
    }
    values.update(overrides)
    return SimulationParams.for_alphabet(str(values.pop("alphabet", "protein")), **values)


def read_fasta(path: Path) -> list[tuple[str, str, list[str]]]:
    """(id, sequence, raw sequence lines) of each record."""
    records: list[tuple[str, str, list[str]]] = []
    for line in path.read_text().splitlines():
        if line.startswith(">"):
            records.append((line[1:], "", []))
        else:
            seq_id, seq, lines = records[-1]
            records[-1] = (seq_id, seq + line, [*lines, line])
    return records


# --------------------------------------------------------------------------
# Substitution models
# --------------------------------------------------------------------------

MODELS = {"protein": protein_model, "dna": dna_model}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_rate_matrix_is_a_reversible_unit_rate_generator(name: str) -> None:
    model = MODELS[name]()
    q, p = model.q, model.freqs
    n = len(ALPHABETS[name])
    assert q.shape == (n, n)
    np.testing.assert_allclose(q.sum(axis=1), 0.0, atol=1e-12)
    off_diagonal = q[~np.eye(n, dtype=bool)]
    assert (off_diagonal >= 0).all()
    assert (np.diag(q) < 0).all()
    flux = p[:, None] * q
    np.testing.assert_allclose(flux, flux.T, atol=1e-12)  # detailed balance
    np.testing.assert_allclose(p @ q, 0.0, atol=1e-12)  # p is stationary
    assert -float(p @ np.diag(q)) == pytest.approx(1.0, abs=1e-12)


def test_protein_stationary_distribution_is_blosum62_background() -> None:
    model = protein_model()
    np.testing.assert_allclose(model.freqs, BLOSUM62_BACKGROUND, atol=1e-12)
    # the null space of Q^T is one-dimensional and spanned by the background
    eigval, eigvec = np.linalg.eig(model.q.T)
    stationary = np.real(eigvec[:, np.argmin(np.abs(eigval))])
    np.testing.assert_allclose(stationary / stationary.sum(), BLOSUM62_BACKGROUND, atol=1e-9)


def test_protein_model_reproduces_blosum62() -> None:
    """At the divergence of BLOSUM62's target frequencies, P(t) gives back its scores."""
    model = protein_model()
    p = model.freqs
    blosum = substitution_matrices.load("BLOSUM62")
    scores = np.array([[blosum[a][b] for b in AMINO_ACIDS] for a in AMINO_ACIDS])
    target = np.outer(p, p) * np.exp2(scores / 2.0)
    reference_identity = float(np.trace(target / target.sum()))

    def gap(t: float) -> float:
        return float(p @ np.diag(model.transition_matrix(t))) - reference_identity

    t_ref = optimize.brentq(gap, 1e-3, 10.0)
    implied = 2.0 * np.log2(model.transition_matrix(t_ref) / p[None, :])
    assert np.corrcoef(implied.ravel(), scores.ravel())[0, 1] > 0.99
    assert (np.round(implied) == scores).mean() > 0.95


def test_hky85_transition_transversion_ratio() -> None:
    model = dna_model()
    a, c, g, t = range(4)
    np.testing.assert_allclose(model.freqs, [0.3, 0.2, 0.2, 0.3])
    # Q_AG / Q_AC = kappa * pi_G / pi_C = kappa
    assert model.q[a, g] / model.q[a, c] == pytest.approx(2.0)
    assert model.q[c, t] / model.q[c, g] == pytest.approx(2.0 * 0.3 / 0.2)
    assert dna_model(4.0).q[a, g] / dna_model(4.0).q[a, c] == pytest.approx(4.0)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_transition_matrices(name: str) -> None:
    model = MODELS[name]()
    n = model.n_states
    for t in (1e-9, 0.01, 0.3, 1.0, 3.0, 50.0):
        p_t = model.transition_matrix(t)
        assert (p_t >= 0).all()
        np.testing.assert_allclose(p_t.sum(axis=1), 1.0, atol=1e-8)
    np.testing.assert_allclose(model.transition_matrix(1e-9), np.eye(n), atol=1e-7)
    np.testing.assert_allclose(
        model.transition_matrix(1e3), np.tile(model.freqs, (n, 1)), atol=1e-8
    )
    # Chapman-Kolmogorov: P(s) P(t) = P(s + t)
    np.testing.assert_allclose(
        model.transition_matrix(0.2) @ model.transition_matrix(0.5),
        model.transition_matrix(0.7),
        atol=1e-8,
    )
    # rounded to 10 decimals, so last-bit differences cannot change the sampling
    p_t = model.transition_matrix(0.37)
    np.testing.assert_array_equal(p_t, np.round(p_t, 10))


def test_gamma_rates() -> None:
    rates = gamma_rates(1.0, 4)
    # Yang (1994), alpha = 1, four categories
    np.testing.assert_allclose(rates, [0.1370, 0.4768, 1.0000, 2.3863], atol=2e-4)
    assert rates.mean() == pytest.approx(1.0)
    assert np.all(np.diff(gamma_rates(0.5, 8)) > 0)
    np.testing.assert_allclose(gamma_rates(100.0, 4), 1.0, atol=0.15)
    np.testing.assert_array_equal(gamma_rates(1.0, 1), [1.0])


# --------------------------------------------------------------------------
# Evolution along branches and true identity
# --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODELS))
def test_identity_decreases_with_branch_length(name: str) -> None:
    model = MODELS[name]()
    rates = gamma_rates(1.0, 4)
    rng = np.random.default_rng(3)
    root = random_sequence(3000, model, len(rates), rng)
    identities = []
    for t in (0.02, 0.2, 0.5, 1.0, 2.0, 4.0):
        child = evolve_branch(root, t, model, rates, rng)
        observed = true_identity(root, child)
        expected = float(model.expected_identity(t, rates))
        assert observed == pytest.approx(expected, abs=0.03)
        identities.append(observed)
    assert all(a > b for a, b in zip(identities, identities[1:], strict=False))
    assert identities[0] > 0.95
    assert identities[-1] < 0.55


def test_indels_keep_positional_homology() -> None:
    model = protein_model()
    rates = gamma_rates(1.0, 4)
    rng = np.random.default_rng(5)
    root = random_sequence(200, model, len(rates), rng)
    child = evolve_branch(root, 0.5, model, rates, rng, indel_rate=0.2, min_length=150)
    assert len(child) != len(root)
    assert len(child) >= 150
    assert len(np.unique(child.sites)) == len(child.sites)
    inserted = np.setdiff1d(child.sites, root.sites)
    assert len(inserted) > 0
    assert len(np.setdiff1d(root.sites, child.sites)) > 0  # something was deleted
    # shared sites keep their order
    shared = child.sites[np.isin(child.sites, root.sites)]
    assert (np.diff(shared) > 0).all()
    # identity counts shared sites only
    _, in_root, in_child = np.intersect1d(root.sites, child.sites, return_indices=True)
    expected = np.mean(root.states[in_root] == child.states[in_child])
    assert true_identity(root, child) == pytest.approx(expected)
    assert true_identity(child, child) == 1.0


def test_deletions_never_go_below_min_length() -> None:
    model = dna_model()
    rates = gamma_rates(1.0, 4)
    rng = np.random.default_rng(11)
    seq = random_sequence(70, model, len(rates), rng)
    for _ in range(30):
        seq = evolve_branch(seq, 1.0, model, rates, rng, indel_rate=0.5, min_length=60)
        assert len(seq) >= 60


def test_true_identity_by_hand() -> None:
    a = EvolvingSequence(np.array([0, 1, 2, 3]), np.array([10, 11, 12, 13]), np.zeros(4))
    b = EvolvingSequence(np.array([0, 9, 1, 2]), np.array([10, 99, 11, 13]), np.zeros(4))
    # shared sites 10, 11, 13: states (0,0) (1,1) (3,2) -> 2 of 3
    assert true_identity(a, b) == pytest.approx(2 / 3)
    c = EvolvingSequence(np.array([0]), np.array([5]), np.zeros(1))
    assert np.isnan(true_identity(a, c))


# --------------------------------------------------------------------------
# The family simulation
# --------------------------------------------------------------------------


def test_same_seed_same_output_different_seed_different_output() -> None:
    first = simulate_families(small_params(seed=7))
    second = simulate_families(small_params(seed=7))
    other = simulate_families(small_params(seed=8))
    assert first.records == second.records
    pd.testing.assert_frame_equal(first.labels, second.labels)
    pd.testing.assert_frame_equal(first.families, second.families)
    assert first.records != other.records


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
def test_simulation_structure(alphabet: str) -> None:
    params = small_params(alphabet=alphabet, length_range=(80, 120))
    result = simulate_families(params)
    letters = set(ALPHABETS[alphabet])
    ids = [seq_id for seq_id, _ in result.records]
    assert ids == [f"seq{k:04d}" for k in range(1, len(ids) + 1)]
    assert list(result.labels.columns) == ["id", "family", "superfamily"]
    assert result.labels["id"].tolist() == ids
    for _, sequence in result.records:
        assert sequence and set(sequence) <= letters
    counts = result.labels["family"].value_counts()
    families = result.families.set_index("family")
    assert counts.to_dict() == families["n_members"].to_dict()
    assert (families["superfamily"] == families.index.str.split(".").str[0]).all()
    assert len(families) == 2 * 2 + 2
    assert (families["n_members"] == 1).sum() == 2
    multi = families[families["n_members"] > 1]
    assert multi["n_members"].between(3, 5).all()
    assert (multi["min_identity"] <= multi["mean_identity"]).all()
    assert (multi["mean_identity"] <= multi["max_identity"]).all()
    assert len(result.superfamilies) == 2 + 2


def test_family_identity_follows_targets() -> None:
    params = small_params(
        n_superfamilies=3,
        families_per_superfamily=2,
        members_per_family=(12, 12),
        length_range=(300, 300),
        identity_range=(0.3, 0.9),
        n_singletons=0,
    )
    result = simulate_families(params)
    identities = np.sort(result.families["mean_identity"].to_numpy())
    np.testing.assert_allclose(identities, np.linspace(0.3, 0.9, 6), atol=0.08)


def test_output_order_hides_families() -> None:
    result = simulate_families(small_params(members_per_family=(8, 8), n_singletons=0))
    families = result.labels["family"].tolist()
    assert families != sorted(families)
    same_as_next = sum(a == b for a, b in zip(families, families[1:], strict=False))
    assert same_as_next < len(families) / 2


def test_protein_defaults() -> None:
    assert SimulationParams() == SimulationParams.for_alphabet("protein")
    assert SimulationParams.for_alphabet("dna").length_range == (200, 600)
    assert SimulationParams.for_alphabet("dna", seed=3).seed == 3


def test_cli_help_defaults_match_api() -> None:
    for alphabet, column in (("protein", 0), ("dna", 1)):
        defaults = SimulationParams.defaults(alphabet)
        for field, shown in cli_simulate.DEFAULTS_HELP.items():
            value = defaults[field]
            text = " ".join(map(str, value)) if isinstance(value, tuple) else str(value)
            assert shown[column] == text, (alphabet, field)


@pytest.mark.parametrize(
    "overrides",
    [
        {"alphabet": "rna"},
        {"n_superfamilies": -1},
        {"n_superfamilies": 0, "n_singletons": 0},
        {"families_per_superfamily": 0},
        {"members_per_family": (1, 5)},
        {"members_per_family": (6, 5)},
        {"length_range": (10, 100)},
        {"length_range": (100, 50)},
        {"identity_range": (0.05, 0.9)},
        {"identity_range": (0.9, 0.5)},
        {"identity_range": (0.5, 1.0)},
        {"superfamily_identity_range": (0.01, 0.2)},
        {"indel_rate": -0.1},
        {"mean_indel_length": 0.5},
        {"gamma_alpha": 0.0},
        {"gamma_categories": 0},
        {"kappa": 0.0},
        {"seed": -1},
        {"seed": 1.5},
        {"no_such_parameter": 1},
    ],
)
def test_invalid_parameters_raise_config_error(overrides: dict[str, object]) -> None:
    alphabet = str(overrides.pop("alphabet", "protein"))
    with pytest.raises(ConfigError):
        SimulationParams.for_alphabet(alphabet, **overrides)


def test_cli_reports_bad_values_as_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = example_command("protein", tmp_path)
    assert main([*args, "--identity-range", "0.9", "0.3"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("seqsim simulate: error: identity_range")
    assert "\n" not in err
    bad_suffix = [*args[:-1], str(tmp_path / "families.csv")]
    assert main(bad_suffix) == 1
    assert "the families table must end in .tsv" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_cli_small_run_with_size_options(tmp_path: Path) -> None:
    args = [
        *example_command("dna", tmp_path),
        "--superfamilies",
        "2",
        "--families-per-superfamily",
        "2",
        "--members",
        "3",
        "4",
        "--length",
        "100",
        "150",
        "--singletons",
        "1",
        "--out-superfamilies",
        str(tmp_path / "superfamilies.tsv"),
        "-q",
    ]
    assert main(args) == 0
    labels = pd.read_csv(tmp_path / "dna_labels.tsv", sep="\t")
    assert labels["superfamily"].nunique() == 3
    assert 2 * 2 * 3 + 1 <= len(labels) <= 2 * 2 * 4 + 1
    superfamilies = pd.read_csv(tmp_path / "superfamilies.tsv", sep="\t")
    assert superfamilies["n_families"].tolist() == [2, 2, 1]


# --------------------------------------------------------------------------
# The bundled examples
# --------------------------------------------------------------------------


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
def test_cli_regenerates_committed_example(alphabet: str, tmp_path: Path) -> None:
    assert main([*example_command(alphabet, tmp_path), "-q"]) == 0
    for name in (f"{alphabet}.fasta", f"{alphabet}_labels.tsv", f"{alphabet}_families.tsv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLE / name).read_bytes(), name


def test_readme_documents_the_regeneration_commands() -> None:
    readme = (EXAMPLE / "README.md").read_text()
    for alphabet in ALPHABETS:
        command = " ".join(["seqsim", *example_command(alphabet, Path("resources/example"))])
        assert command in readme


@pytest.mark.parametrize("alphabet", sorted(ALPHABETS))
def test_committed_example_is_well_formed(alphabet: str) -> None:
    records = read_fasta(EXAMPLE / f"{alphabet}.fasta")
    labels = pd.read_csv(EXAMPLE / f"{alphabet}_labels.tsv", sep="\t")
    families = pd.read_csv(EXAMPLE / f"{alphabet}_families.tsv", sep="\t")
    assert list(labels.columns) == ["id", "family", "superfamily"]
    assert labels["id"].tolist() == [seq_id for seq_id, _, _ in records]
    letters = set(ALPHABETS[alphabet])
    for seq_id, sequence, lines in records:
        assert re.fullmatch(r"seq\d{4}", seq_id)
        assert sequence and set(sequence) <= letters
        assert all(len(line) == 60 for line in lines[:-1]) and 0 < len(lines[-1]) <= 60
    assert labels["family"].str.fullmatch(r"sf\d{2}\.fam\d+").all()
    assert (labels["superfamily"] == labels["family"].str.split(".").str[0]).all()
    assert labels["family"].value_counts().to_dict() == dict(
        zip(families["family"], families["n_members"], strict=True)
    )
    assert (families["n_members"] == 1).sum() >= 5  # unrelated singletons
    lengths = np.array([len(sequence) for _, sequence, _ in records])
    if alphabet == "protein":
        assert 250 <= len(records) <= 350
        assert lengths.min() >= 30 and np.median(lengths) < 300
    else:
        assert 100 <= len(records) <= 200
        assert lengths.min() >= 60 and np.median(lengths) < 600
    for name in (f"{alphabet}.fasta", f"{alphabet}_labels.tsv", f"{alphabet}_families.tsv"):
        assert (EXAMPLE / name).stat().st_size < 200_000


def test_committed_protein_example_spans_the_twilight_zone() -> None:
    families = pd.read_csv(EXAMPLE / "protein_families.tsv", sep="\t")
    identity = families.loc[families["n_members"] > 1, "mean_identity"]
    assert identity.between(0.25, 0.40).sum() >= 3
    assert (identity > 0.8).sum() >= 1
