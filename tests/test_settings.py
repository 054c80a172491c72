"""The parameter registry (seqsim.settings) against everything derived from it:
the generated schema, config.yaml and configuration page, the subcommands'
options, and the choices the code itself accepts."""

from __future__ import annotations

import argparse

import pytest

from seqsim.cli import build_parser
from seqsim.config import load_yaml, validate_config
from seqsim.feature_names import (
    HIT_EXTRA_COLUMNS,
    PROBABILITY,
    SIMILARITY_FEATURES,
    default_min_similarity,
)
from seqsim.settings import SETTINGS, cli_options, defaults, setting
from seqsim.settings.generated import GENERATED
from seqsim.settings.registry import SAME

from conftest import REPO


@pytest.mark.parametrize("name", list(GENERATED))
def test_generated_files_are_the_registrys(name):
    """config.yaml, the schema and docs/configuration.md are what
    `python -m seqsim.settings` writes: edit the registry, then rerun it."""
    assert (REPO / name).read_text(encoding="utf-8") == GENERATED[name](), (
        f"{name} differs from seqsim/settings: run `python -m seqsim.settings`"
    )


def test_config_yaml_holds_the_registrys_defaults_and_passes_the_schema():
    config = load_yaml(REPO / "config.yaml")
    assert config == defaults()
    validate_config(config, REPO / "workflow" / "schemas" / "config.schema.yaml")


def _subcommand_actions() -> dict[str, dict[str, argparse.Action]]:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {
        name: {flag: action for action in sub._actions for flag in action.option_strings}
        for name, sub in subparsers.choices.items()
    }


ACTIONS = _subcommand_actions()


@pytest.mark.parametrize(
    ("key", "command"),
    [(item.key, command) for item in SETTINGS for command in item.commands],
)
def test_subcommand_option_is_the_registrys(key, command):
    """Same flags, default, choices and type in `seqsim COMMAND --help` as in
    the pipeline's config; a different default says why in its help."""
    item = setting(key)
    action = ACTIONS[command][item.flags[0]]
    assert tuple(action.option_strings) == item.flags
    expected_default = item.command_default
    if key == "search.prefilter" and command == "align":
        expected_default = "none"
    assert action.default == expected_default, f"seqsim {command} {item.flags[0]}"
    if item.choices is not None:
        assert set(item.choices) <= set(action.choices)
    if item.type == "boolean":
        assert action.nargs == 0 and action.default is False
    if item.cli_default is not SAME:
        assert "the pipeline's default is" in action.help and item.cli_default_why


def test_choices_are_the_codes():
    from seqsim.clusters import methods
    from seqsim.matrix.distances import DISTANCES

    assert setting("similarity.feature").choices == SIMILARITY_FEATURES
    assert setting("similarity.distance").choices == DISTANCES
    assert setting("cluster.method").choices == methods.CLUSTER_METHODS
    assert setting("cluster.representative").choices == methods.REPRESENTATIVES
    assert setting("cluster.identity").choices == methods.IDENTITY_DEFINITIONS
    assert setting("cluster.cov_mode").choices == methods.COVERAGE_MODES
    assert setting("search.extra_columns").item_choices == tuple(HIT_EXTRA_COLUMNS)


def test_a_misspelled_key_names_the_real_one():
    with pytest.raises(KeyError, match="similarity.max_sequences"):
        setting("matrix.max_sequences")


def test_pipeline_options_follow_the_config():
    config = defaults()
    search = cli_options(config, "search", skip=("alphabet",))
    assert "--prefilter ungapped --min-ungapped 30" in search
    assert "--kmer-k" not in search and "--max-memory" not in search
    config["search"].update(prefilter="kmer", max_memory_mb=300)
    config["search"]["kmer"]["k"] = 4
    search = cli_options(config, "search", skip=("alphabet",))
    assert "--min-ungapped" not in search
    assert "--kmer-k 4" in search and "--max-memory 300M" in search
    assert "--extra-columns qlen,tlen,raw,fident,qcov,tcov" in cli_options(config, "tabulate-hits")
    assert cli_options(config, "ingest") == "--alphabet auto --on-invalid error"
    config["dedupe"] = True
    assert cli_options(config, "ingest").endswith("--dedupe")
    assert "--resolution" not in cli_options(config, "cluster")
    config["cluster"]["method"] = "leiden"
    assert "--resolution 1.0" in cli_options(config, "cluster")
    config["inputs"] = ["a b.fasta"]
    config["scope"]["sha256"] = "a" * 64
    assert cli_options(config, "fetch-scope").endswith(f"--sha256 {'a' * 64}")


def test_cluster_threshold_default_follows_the_feature():
    assert default_min_similarity(PROBABILITY) == 0.5
    assert default_min_similarity("score_ratio") == 0.15


def test_alphabet_defaults_in_the_help_are_the_codes():
    """What null means per alphabet, as the docs say it, is what the code picks."""
    from seqsim.kmers.profiles import DEFAULT_K
    from seqsim.search_engine.engine import DEFAULT_MIN_UNGAPPED
    from seqsim.search_engine.prefilter import DEFAULTS

    assert setting("search.min_ungapped").default == DEFAULT_MIN_UNGAPPED
    assert setting("kmers.k").null_means == f"{DEFAULT_K['protein']} for protein, " + (
        f"{DEFAULT_K['dna']} for DNA/RNA"
    )
    protein, dna = DEFAULTS["protein"], DEFAULTS["dna"]
    for position, name in enumerate(("k", "threshold", "min_diagonal_score", "diagonal_band")):
        means = setting(f"search.kmer.{name}").null_means
        assert means.startswith(f"{protein[position]} (protein)"), name
        if dna[position] is not None:
            assert f"or {dna[position]} (DNA/RNA" in means, name
