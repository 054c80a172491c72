"""TSV tables: any FASTA ID (no whitespace, any other character) round-trips unquoted."""

from __future__ import annotations

import string

import pandas as pd
from hypothesis import given, settings, strategies as st

from seqsim.io import read_table, write_table

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
