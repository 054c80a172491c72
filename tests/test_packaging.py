"""Packaging: one version, the conda env pinned as pip's constraints, torch an extra."""

from __future__ import annotations

import re
import tomllib

import yaml

import seqsim

from conftest import REPO

# conda-forge names of pip packages, where they differ
CONDA_NAMES = {"matplotlib-base": "matplotlib", "python-igraph": "igraph", "pytorch-cpu": "torch"}


def constraints() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.lower()] = version
    return pins


def test_the_conda_env_pins_what_constraints_txt_pins():
    env = yaml.safe_load((REPO / "envs" / "seqsim.yaml").read_text())
    pins = constraints()
    for entry in env["dependencies"]:
        name, version = re.fullmatch(r"(\S+) =(\S+)", entry).groups()
        if name == "python":
            continue
        assert pins[CONDA_NAMES.get(name, name)] == version, entry


def test_the_conda_env_covers_every_runtime_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = {re.split(r"[<>=!]", d)[0].lower() for d in project["dependencies"]}
    wanted |= {
        re.split(r"[<>=!]", d)[0].lower() for d in project["optional-dependencies"]["scorer"]
    }
    wanted -= {"snakemake"}  # runs the workflow; the rules' env does not need it
    env = yaml.safe_load((REPO / "envs" / "seqsim.yaml").read_text())
    listed = {CONDA_NAMES.get(e.split()[0], e.split()[0]) for e in env["dependencies"]}
    assert wanted <= listed, wanted - listed


def test_one_version_and_torch_only_in_the_scorer_extra():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "seqsim.__version__"
    assert re.fullmatch(r"\d+\.\d+\.\d+", seqsim.__version__)
    assert not any(d.startswith("torch") for d in project["project"]["dependencies"])
    assert project["project"]["optional-dependencies"]["scorer"] == ["torch>=2.3"]
    assert any(r.startswith("setuptools>=77") for r in project["build-system"]["requires"])
