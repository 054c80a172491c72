"""TSV tables: any FASTA ID (no whitespace, any other character) round-trips unquoted."""

from __future__ import annotations

import os
import stat
import string
import threading

import pandas as pd
from hypothesis import given, settings, strategies as st

from seqsim.io import read_table, write_table, write_text

# A FASTA ID is the header's first word: any printable character but whitespace.
IDS = st.text(alphabet=string.punctuation + string.ascii_letters + string.digits, min_size=1)


@settings(max_examples=60, deadline=None)
@given(st.lists(IDS | st.sampled_from(["007", "NA", "nan", "1e5"]), min_size=1, max_size=8))
def test_ids_round_trip_through_tsv_unquoted(tmp_path_factory, ids):
    path = tmp_path_factory.mktemp("tsv") / "ids.tsv"
    write_table(pd.DataFrame({"id": ids, "row": range(len(ids))}), path)
    lines = path.read_text().splitlines()
    assert lines[1:] == [f"{name}\t{row}" for row, name in enumerate(ids)]  # no quoting
    # read_table's NA values are empty cells only: "NA", "null", "nan" stay text.
    assert read_table(path, text=["id"])["id"].tolist() == ids


def test_tabs_and_line_breaks_in_text_become_spaces_and_other_cells_stay(tmp_path):
    table = pd.DataFrame(
        {
            "id": ['a"b', '"q', "x,y;"],
            "reason": ["tab\there", "line\nbreak", "ok"],
            "mixed": pd.Series([1, "x\ty", None], dtype=object),
        }
    )
    write_table(table, tmp_path / "t.tsv")
    assert (tmp_path / "t.tsv").read_text() == (
        'id\treason\tmixed\na"b\ttab here\t1\n"q\tline break\tx y\nx,y;\tok\t\n'
    )
    write_table(table, tmp_path / "bare.tsv", header=False)
    assert (tmp_path / "bare.tsv").read_text().splitlines()[0] == 'a"b\ttab here\t1'


def test_dash_is_stdout_and_streams_are_written_in_place(tmp_path, capfd):
    write_table(pd.DataFrame({"id": ["a"], "v": [1]}), "-")
    write_text("line\n", "-")
    assert capfd.readouterr().out == "id\tv\na\t1\nline\n"
    # A symlink (as /dev/stdout is) stays a symlink; its target gets the text.
    target, link = tmp_path / "target.txt", tmp_path / "link.txt"
    target.write_text("old")
    link.symlink_to(target)
    write_text("new\n", link)
    assert link.is_symlink() and target.read_text() == "new\n"
    # A FIFO stays a FIFO (a rename would have replaced it with a file).
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()))
    reader.start()
    write_text("through\n", fifo)
    reader.join(timeout=10)
    assert got == ["through\n"] and stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert not list(tmp_path.glob(".*.tmp"))
