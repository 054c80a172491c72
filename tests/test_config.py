from __future__ import annotations

import pytest

from seqsim.config import load_yaml, validate_config
from seqsim.errors import ConfigError

from conftest import REPO

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"


def default_config() -> dict:
    return load_yaml(REPO / "config.yaml")


def test_default_config_is_valid():
    validate_config(default_config(), SCHEMA)


def test_misspelled_key_is_named_with_a_suggestion():
    config = default_config()
    config["clustr"] = config.pop("cluster")
    with pytest.raises(ConfigError) as caught:
        validate_config(config, SCHEMA)
    message = str(caught.value)
    assert "config key 'clustr' is not allowed (did you mean 'cluster'?)" in message
    assert "'cluster' is a required property" in message


def test_renamed_section_says_its_new_name():
    config = default_config()
    config["align"] = config.pop("search")
    with pytest.raises(ConfigError, match="config key 'align' is not allowed"):
        validate_config(config, SCHEMA)
    with pytest.raises(ConfigError, match="it was renamed 'search'"):
        validate_config(config, SCHEMA)


def test_misspelled_nested_key():
    config = default_config()
    config["kmers"]["canonicl"] = True
    with pytest.raises(ConfigError, match=r"config key 'kmers.canonicl' is not allowed"):
        validate_config(config, SCHEMA)


@pytest.mark.parametrize(
    ("section", "key", "value", "expected"),
    [
        ("pairs", "n_blocks", "four", "config key 'pairs.n_blocks': 'four' is not of type"),
        ("pairs", "n_blocks", 0, "config key 'pairs.n_blocks': 0 is less than the minimum"),
        ("cluster", "min_similarity", 1.5, "config key 'cluster.min_similarity': 1.5 is greater"),
        ("cluster", "method", "kmeans", "config key 'cluster.method': 'kmeans' is not one of"),
        (None, "on_invalid", "ignore", "config key 'on_invalid': 'ignore' is not one of"),
        ("search", "prefilter", "mmseqs", "config key 'search.prefilter': 'mmseqs' is not one of"),
        ("search", "min_ungapped", 200, "config key 'search.min_ungapped': 200 is greater"),
    ],
)
def test_wrong_values_are_named(section, key, value, expected):
    config = default_config()
    (config[section] if section else config)[key] = value
    with pytest.raises(ConfigError) as caught:
        validate_config(config, SCHEMA)
    assert expected in str(caught.value)


def test_yaml_tags_never_build_python_objects(tmp_path):
    path = tmp_path / "evil.yaml"
    path.write_text("inputs: !!python/object/apply:os.system ['echo pwned']\n")
    with pytest.raises(Exception, match="could not determine a constructor"):
        load_yaml(path)
