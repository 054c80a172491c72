"""One source for feature and column names: the config schema, the workflow,
the pair tables, the scorer and the BLAST output all use seqsim.feature_names."""

from __future__ import annotations

import ast

import numpy as np

from seqsim import feature_names
from seqsim.alignment.scoring import scoring_scheme
from seqsim.config import load_yaml
from seqsim.feature_names import (
    ALIGNMENT_FEATURES,
    BLAST_COLUMNS,
    HIT_EXTRA_COLUMNS,
    KMER_FEATURES,
    SCORER_FEATURES,
    SIMILARITY_FEATURES,
)
from seqsim.kmers.pairs import score_pairs
from seqsim.kmers.profiles import count_kmers
from seqsim.pair_tables import alignment_pairs, self_scores
from seqsim.search_engine.engine import HitFilter, search_hits
from seqsim.search_engine.tabular import blast_table

from conftest import REPO, make_store

SCHEMA = load_yaml(REPO / "workflow" / "schemas" / "config.schema.yaml")["properties"]


def test_schema_enums_are_the_feature_names():
    enum = SCHEMA["similarity"]["properties"]["feature"]["enum"]
    assert [name for name in enum if name is not None] == list(SIMILARITY_FEATURES)
    extra = SCHEMA["search"]["properties"]["extra_columns"]["items"]["enum"]
    assert extra == list(HIT_EXTRA_COLUMNS)


def test_workflow_reads_the_alignment_features_from_the_package():
    rules = "".join(p.read_text() for p in sorted((REPO / "workflow" / "rules").glob("*.smk")))
    assert "from seqsim.feature_names import" in rules and "ALIGNMENT_FEATURES" in rules
    assert '"fident"' not in rules and '"score_ratio"' not in rules  # no second list


def test_feature_names_module_imports_nothing():
    tree = ast.parse(open(feature_names.__file__).read())
    imports = [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert [n.module for n in imports if isinstance(n, ast.ImportFrom)] == ["__future__"]


def test_tables_carry_the_listed_names():
    store = make_store(["MKVLAAGIWHEQRSTY", "MKVLAAGIWHEQRSTF", "WWPPGGCCHHWWPPGG"], "protein")
    hits = search_hits(store, store, scoring_scheme("protein"), HitFilter())
    scheme = scoring_scheme("protein")
    pairs = alignment_pairs(hits, self_scores(store, scheme), scheme, HitFilter())
    assert set(ALIGNMENT_FEATURES) <= set(pairs.columns)
    kmer_pairs = score_pairs(count_kmers(store, k=2))
    assert list(kmer_pairs.columns)[3:] == list(KMER_FEATURES)
    table = blast_table(hits, store.ids, store.ids, list(HIT_EXTRA_COLUMNS))
    assert list(table.columns) == [*BLAST_COLUMNS, *HIT_EXTRA_COLUMNS]
    assert not set(ALIGNMENT_FEATURES) & set(KMER_FEATURES)
    assert {"score_ratio", "fident"} <= set(SCORER_FEATURES)
    assert feature_names.ALIGNMENT_SIMILARITY in ALIGNMENT_FEATURES
    assert np.isfinite(pairs[list(ALIGNMENT_FEATURES)].to_numpy()).all()
