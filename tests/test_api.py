"""The public API: every export resolves to what type checkers are told,
the one-call search agrees with the engine, and `import seqsim` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys

import numpy as np
import pytest

import seqsim
from seqsim.alignment.scoring import scoring_scheme
from seqsim.search_engine.engine import HitFilter, search_hits
from seqsim.sequences.ingest import ingest_fasta

from conftest import REPO

EXAMPLE = REPO / "resources" / "example"


def type_checking_names(path) -> set[str]:
    """Names the ``if TYPE_CHECKING:`` block of a module imports."""
    tree = ast.parse(path.read_text())
    block = next(n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.dump(n))
    return {alias.asname or alias.name for node in block.body for alias in node.names}


@pytest.mark.parametrize("module", [seqsim, seqsim.scorer])
def test_every_export_resolves_and_type_checkers_see_it(module):
    from pathlib import Path

    exports = set(module.__all__) - {"__version__"}
    assert type_checking_names(Path(module.__file__)) == exports
    for name in exports:
        assert getattr(module, name) is not None, name
    assert sorted(dir(module)) == sorted(module.__all__)


def test_one_call_search_is_the_engine_with_ids():
    fasta = EXAMPLE / "dna.fasta"
    hits = seqsim.search(fasta, prefilter="none")
    store = ingest_fasta([fasta]).store
    engine = search_hits(store, store, scoring_scheme("dna"), HitFilter())
    assert len(hits) == len(engine) > store.n_sequences
    ids = np.asarray(store.ids, dtype=object)
    assert (hits["query"].to_numpy() == ids[engine["query"]]).all()
    assert (hits["target"].to_numpy() == ids[engine["target"]]).all()
    assert (hits["raw"] == engine["raw"]).all() and (hits["evalue"] == engine["evalue"]).all()
    assert hits["fident"].between(0, 1).all() and hits["qcov"].between(0, 1).all()


def test_search_takes_a_mapping_and_targets():
    queries = {"q": "MKVLAAGIWHEQRSTYLDKF"}
    targets = {"t1": "MKVLAAGIWHEQRSTYLDKW", "t2": "PPPPPGGGGGPPPPPGGGGG"}
    hits = seqsim.search(queries, targets)
    assert hits["query"].tolist() == ["q"] and hits["target"].tolist() == ["t1"]
    with pytest.raises(TypeError, match="sequences must be"):
        seqsim.search(42)


def test_search_is_documented():
    doc = seqsim.search.__doc__
    for word in ("queries, targets", "prefilter", "Returns", "evalue_pair", "Examples"):
        assert word in doc


def test_import_seqsim_loads_no_heavy_library():
    code = (
        "import sys, seqsim, seqsim.scorer, seqsim.cli; seqsim.cli.build_parser(); "
        "print(sorted(m for m in ('numba', 'torch', 'pandas', 'scipy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "numba" not in done.stdout and "torch" not in done.stdout
