"""``seqsim similarity-matrix``'s outputs: each has one writer."""

from __future__ import annotations

from dataclasses import fields

from seqsim.matrix.api import DENSE_WRITERS, SPARSE_WRITERS, MatrixOutputs


def test_every_output_has_one_writer():
    writers = [*SPARSE_WRITERS, *DENSE_WRITERS]
    assert sorted(writers) == sorted(field.name for field in fields(MatrixOutputs))
