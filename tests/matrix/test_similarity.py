from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from seqsim.errors import ConfigError
from seqsim.matrix.similarity import (
    similarity_matrix,
    write_labelled_matrix,
    write_phylip_distances,
)

PAIRS = pd.DataFrame(
    {"query": [0, 0, 1], "target": [1, 2, 2], "n_shared": [3, 1, 2], "jaccard": [0.5, 0.1, 0.25]}
)


def test_matrix_is_symmetric_with_unit_diagonal_and_zero_for_missing_pairs():
    matrix = similarity_matrix(4, PAIRS, "jaccard")
    assert matrix.dtype == np.float32
    assert np.array_equal(matrix, matrix.T)
    assert np.diag(matrix).tolist() == [1, 1, 1, 1]
    assert matrix[0, 1] == np.float32(0.5) and matrix[2, 1] == np.float32(0.25)
    assert matrix[3, :3].tolist() == [0, 0, 0]


def test_unknown_feature():
    with pytest.raises(ConfigError, match="unknown pair feature 'cosine'"):
        similarity_matrix(3, PAIRS, "cosine")


def test_labelled_tsv(tmp_path):
    matrix = similarity_matrix(3, PAIRS, "jaccard")
    write_labelled_matrix(matrix, ["a", "b", "c"], tmp_path / "m.tsv")
    table = pd.read_csv(tmp_path / "m.tsv", sep="\t", index_col=0)
    assert list(table.columns) == ["a", "b", "c"] and list(table.index) == ["a", "b", "c"]
    assert np.allclose(table.to_numpy(), matrix)


def test_phylip_distances(tmp_path):
    distance = 1 - similarity_matrix(3, PAIRS, "jaccard")
    write_phylip_distances(distance, ["a", "b", "c"], tmp_path / "d.phy")
    lines = (tmp_path / "d.phy").read_text().splitlines()
    assert lines[0] == "3"
    assert lines[1].split() == ["a", "0.000000", "0.500000", "0.900000"]
    with pytest.raises(ConfigError, match="PHYLIP"):
        write_phylip_distances(distance, ["a", "b c", "d"], tmp_path / "bad.phy")
