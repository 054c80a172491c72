"""The sequence store: round trip and parts that disagree."""

from __future__ import annotations

import numpy as np
import pytest

from seqsim.errors import InputError
from seqsim.sequences.ingest import ingest_fasta
from seqsim.sequences.store import read_store, write_store

PROTEIN = ">p1 first protein\nMKVLAAGIWQQRRSTE\n>p2\nMKVLAAGIWQ\nQRRSTE\n"


def test_store_round_trip(fasta, tmp_path):
    store = ingest_fasta([fasta(PROTEIN)]).store
    write_store(store, tmp_path / "store")
    again = read_store(tmp_path / "store")
    assert np.array_equal(again.codes, store.codes)
    assert again.ids == store.ids and again.alphabet == store.alphabet


def test_store_parts_that_disagree_are_refused(fasta, tmp_path):
    store = ingest_fasta([fasta(PROTEIN)]).store
    write_store(store, tmp_path / "store")
    np.save(tmp_path / "store" / "codes.npy", store.codes[:-1])
    with pytest.raises(InputError, match="disagree"):
        read_store(tmp_path / "store")
