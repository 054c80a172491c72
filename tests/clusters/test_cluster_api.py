"""``seqsim cluster``'s outputs: each has one writer."""

from __future__ import annotations

from dataclasses import fields

from seqsim.clusters.api import WRITERS, ClusterOutputs


def test_every_output_has_one_writer():
    assert sorted(WRITERS) == sorted(field.name for field in fields(ClusterOutputs))
