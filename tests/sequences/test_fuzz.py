"""Fuzzing the FASTA reader: random bytes and near-FASTA mutations give a
valid store or one InputError line, never another exception, and the counts
always add up under ``on_invalid: skip``.

The examples are drawn the same way on every run (``derandomize``) so CI
cannot fail by chance; a wider random search is a local run with a larger
``max_examples`` and no ``derandomize``.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from seqsim.errors import InputError
from seqsim.sequences.ingest import ingest_fasta

COMPRESSORS = {"gzip": gzip.compress, "bzip2": bz2.compress, "xz": lzma.compress}

record_ids = st.text(
    st.characters(codec="utf-8", exclude_characters="\n\r"), min_size=0, max_size=12
)
residues = st.text(st.sampled_from("ACGTUNMKVLWSTQRDE*-.xy 1\t"), min_size=0, max_size=40)
records = st.lists(st.tuples(record_ids, residues), min_size=0, max_size=6)


@st.composite
def near_fasta(draw) -> bytes:
    """FASTA text from random records, then a few damaging mutations."""
    text = "".join(f">{name}\n{sequence}\n" for name, sequence in draw(records))
    data = text.encode("utf-8")
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), max_size=4)):
        data = mutation(draw, data)
    return data


def _at(draw, data: bytes) -> int:
    return draw(st.integers(0, len(data)))


def _bom(draw, data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def _crlf(draw, data: bytes) -> bytes:
    return data.replace(b"\n", draw(st.sampled_from([b"\r\n", b"\r", b"\n\n"])))


def _control(draw, data: bytes) -> bytes:
    at = _at(draw, data)
    return data[:at] + bytes([draw(st.sampled_from([0, 1, 7, 9, 11, 12, 27, 127]))]) + data[at:]


def _random_bytes(draw, data: bytes) -> bytes:
    at = _at(draw, data)
    return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]


def _truncate(draw, data: bytes) -> bytes:
    return data[: _at(draw, data)]


def _compress(draw, data: bytes) -> bytes:
    compressed = COMPRESSORS[draw(st.sampled_from(sorted(COMPRESSORS)))](data)
    if draw(st.booleans()):  # a truncated download
        compressed = compressed[: draw(st.integers(0, len(compressed)))]
    return compressed


MUTATIONS = [_bom, _crlf, _control, _random_bytes, _truncate, _compress]


def check_ingest(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "input.fasta"
        path.write_bytes(data)
        for on_invalid in ("error", "skip"):
            try:
                result = ingest_fasta([path], on_invalid=on_invalid)
            except InputError as error:
                message = str(error)
                assert message.startswith(str(path)) and "\n" not in message, message
                continue
            summary = result.summary
            assert summary["n_input"] == summary["n_kept"] + summary["n_rejected"]
            assert result.store.n_sequences == summary["n_kept"] == len(result.store.ids)
            assert len(result.rejected) == summary["n_rejected"]
            if on_invalid == "error":
                assert summary["n_rejected"] == 0


@settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(near_fasta())
def test_near_fasta_gives_a_store_or_one_line(data):
    check_ingest(data)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_give_a_store_or_one_line(data):
    check_ingest(data)
