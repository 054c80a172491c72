"""FASTA ingest: the residue policy, the store, and one test per bad-input case."""

from __future__ import annotations

import bz2
import gzip
import lzma

import pandas as pd
import pytest

from seqsim.cli import main
from seqsim.errors import InputError
from seqsim.sequences.ingest import check_id, ingest_fasta
from seqsim.sequences.store import read_store

PROTEIN = ">p1 first protein\nMKVLAAGIWQQRRSTE\n>p2\nMKVLAAGIWQ\nQRRSTE\n"


def ingest_error(paths, **options) -> str:
    with pytest.raises(InputError) as caught:
        ingest_fasta(paths, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


# ---- good input ---------------------------------------------------------


def test_protein_records_are_encoded_in_order(fasta):
    result = ingest_fasta([fasta(PROTEIN)])
    store = result.store
    assert store.alphabet == "protein"
    assert store.ids == ["p1", "p2"]
    assert store.records["description"].tolist() == ["first protein", ""]
    assert store.sequence(1) == "MKVLAAGIWQQRRSTE"
    assert store.lengths.tolist() == [16, 16]
    assert result.summary["n_input"] == 2 and result.summary["n_rejected"] == 0


def test_residue_policy_protein(fasta):
    # lower case, U->C, O->K, J->X, trailing stop removed, internal stop kept, B/Z/X kept
    store = ingest_fasta([fasta(">a\nmkuojbzx*w*\n")]).store
    assert store.sequence(0) == "MKCKXBZX*W"


def test_sequences_of_nucleotide_codes_only_fit_either_alphabet(fasta):
    # 19 letters, under half ACGTN: could be a peptide; it takes the set's alphabet.
    odd = ">odd\nacgtRYKMSWBDHVNacgt\n"
    assert ingest_fasta([fasta(PROTEIN + odd)]).store.alphabet == "protein"
    assert ingest_fasta([fasta(">d\nACGTTGCAACGTAAG\n" + odd)]).store.alphabet == "dna"


def test_dna_with_many_ambiguity_codes_is_still_dna(fasta):
    store = ingest_fasta([fasta(">d\nGAGRCTTTTTAGGAACTTACTGRYTTCGRATTCC\n")]).store
    assert store.alphabet == "dna"


def test_residue_policy_nucleotide(fasta):
    store = ingest_fasta([fasta(">d\nacgtRYKMSWBDHVNacgt\n")], alphabet="dna").store
    assert store.alphabet == "dna"
    assert store.sequence(0) == "ACGT" + "N" * 11 + "ACGT"


def test_rna_is_stored_as_dna_codes(fasta):
    store = ingest_fasta([fasta(">r\nACGUACGUACGUAAGC\n")]).store
    assert store.alphabet == "rna"
    assert store.sequence(0) == "ACGUACGUACGUAAGC"
    assert store.codes.max() <= 3


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open])
def test_compressed_input(tmp_path, opener):
    path = tmp_path / "x.fasta.compressed"
    with opener(path, "wt") as handle:
        handle.write(PROTEIN)
    assert ingest_fasta([path]).store.ids == ["p1", "p2"]


def test_windows_line_ends_and_blank_lines(fasta):
    store = ingest_fasta([fasta("\n\n>a\r\nMKV LA\r\n\r\nGG\r\n")]).store
    assert store.sequence(0) == "MKVLAGG"


def test_short_nucleotide_like_peptides_fit_a_protein_set(fasta):
    store = ingest_fasta([fasta(PROTEIN + ">pep\nGAGA\n")]).store
    assert store.alphabet == "protein" and store.n_sequences == 3


def test_alphabet_override(fasta):
    store = ingest_fasta([fasta(">a\nACGTACGTACGTACGT\n")], alphabet="protein").store
    assert store.alphabet == "protein"
    assert store.sequence(0) == "ACGTACGTACGTACGT"


# ---- bad input: whole files ----------------------------------------------


def test_missing_file(tmp_path):
    message = ingest_error([tmp_path / "nope.fasta"])
    assert message == f"{tmp_path / 'nope.fasta'}: no such file"


def test_empty_file(fasta):
    path = fasta("")
    assert ingest_error([path]) == f"{path}: file is empty"


def test_empty_gzip_file(tmp_path):
    path = tmp_path / "empty.fa.gz"
    with gzip.open(path, "wb"):
        pass
    assert "contains no FASTA records" in ingest_error([path])


def test_blank_lines_only(fasta):
    path = fasta("\n   \n\n")
    assert ingest_error([path]) == f"{path}: contains no FASTA records (only blank lines)"


def test_fastq_given_by_mistake(fasta):
    path = fasta("@read1\nACGT\n+\nIIII\n")
    message = ingest_error([path])
    assert message.startswith(f"{path}: line 1: not FASTA: looks like FASTQ")


def test_genbank_given_by_mistake(fasta):
    path = fasta("LOCUS       AB000001  100 bp  DNA\nORIGIN\n")
    assert "not FASTA: looks like GenBank" in ingest_error([path])


def test_plain_text_given_by_mistake(fasta):
    path = fasta("\nhello world\n>a\nMK\n")
    assert ingest_error([path]) == (
        f"{path}: line 2: not FASTA: expected a '>' header line, found 'hello world'"
    )


def test_binary_file(tmp_path):
    path = tmp_path / "binary.fa"
    path.write_bytes(b">a\nMKV\x00\x01\x02\n")
    message = ingest_error([path])
    assert message == f"{path}: line 2: binary content (NUL byte): not a FASTA text file"


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.fa"
    path.write_bytes(b">a\nMKV\n>b caf\xe9\nMKV\n")
    message = ingest_error([path])
    assert message.startswith(f"{path}: line 3: not UTF-8 text (byte 0xe9 at column 7)")


def test_zip_archive(tmp_path):
    path = tmp_path / "x.zip"
    path.write_bytes(b"PK\x03\x04rest")
    assert "zip archive" in ingest_error([path])


def test_truncated_gzip(tmp_path):
    path = tmp_path / "cut.fa.gz"
    data = gzip.compress((PROTEIN * 200).encode())
    path.write_bytes(data[: len(data) // 2])
    assert "compressed data is corrupt or truncated" in ingest_error([path])


# ---- bad input: records --------------------------------------------------


def test_duplicate_id_within_a_file(fasta):
    path = fasta(">a\nMKV\n>b\nMKV\n>a again\nMKW\n")
    assert ingest_error([path]) == (
        f"{path}: record 3 'a' (line 5): duplicate ID 'a': first seen in {path} record 1 (line 1)"
    )


def test_duplicate_id_across_files(fasta):
    first, second = fasta(">a\nMKV\n"), fasta(">b\nMKV\n>a\nMKW\n")
    assert ingest_error([first, second]) == (
        f"{second}: record 2 'a' (line 3): duplicate ID 'a': "
        f"first seen in {first} record 1 (line 1)"
    )


def test_empty_sequence(fasta):
    path = fasta(">a\nMKV\n>b\n>c\nMKV\n")
    assert ingest_error([path]) == f"{path}: record 2 'b' (line 3): empty sequence"


def test_stop_only_sequence_is_empty(fasta):
    path = fasta(">a\nMKV\n>b\n*\n")
    assert ingest_error([path]).endswith("record 2 'b' (line 3): empty sequence")


def test_invalid_character_names_line_and_position(fasta):
    path = fasta(">a\nMKVLA\nGGQ3RS\n")
    assert ingest_error([path]) == (
        f"{path}: record 1 'a' (line 3): invalid character '3' at position 9"
    )


def test_gap_characters_are_invalid(fasta):
    path = fasta(">a\nMKV--LA\n")
    assert "invalid character '-' (a gap: give unaligned sequences) at position 4" in (
        ingest_error([path])
    )


def test_non_ascii_residue(fasta):
    path = fasta(">a\nMKVé\n")
    assert ingest_error([path]).endswith("(line 2): invalid character 'É' at position 4")


def test_letter_outside_the_dna_alphabet(fasta):
    path = fasta(">a\nACGTACGTACGTACGTACGE\n")
    message = ingest_error([path], alphabet="dna")
    assert "invalid character 'E' (not a DNA letter) at position 20" in message


def test_mixed_alphabets_across_records(fasta):
    path = fasta(">d1\nACGTACGTTTGACCA\n>d2\nACGTACGTTTGACCAG\n>p\nMKKLLPQRST\n")
    message = ingest_error([path])
    assert message.startswith(
        f"{path}: record 3 'p' (line 5): mixed alphabets: this record looks like protein "
        "but most records are dna (1 protein, 2 nucleotide)"
    )


def test_a_nucleotide_like_record_in_a_protein_set_is_kept_and_counted(fasta):
    # Every IUPAC nucleotide code is also an amino acid: the record fits the set.
    path = fasta(PROTEIN + ">p3\nMKKLLPQRST\n>dna\nACGTACGTTTGACCA\n")
    result = ingest_fasta([path])
    assert result.store.alphabet == "protein" and result.store.ids[-1] == "dna"
    assert result.summary["n_kept_nucleotide_like"] == 1
    assert result.summary["alphabet_votes"] == {"protein": 3, "nucleotide": 1, "either": 0}


def test_a_metallothionein_is_not_misread_as_dna(fasta):
    # SCOPe 2.08: a cysteine-rich domain made only of nucleotide codes (no T).
    metallothionein = ">d1mt\nGDCGCSGASSCNCGSGCSCSNCGSK\n"
    result = ingest_fasta([fasta(metallothionein + PROTEIN)])
    assert result.store.alphabet == "protein" and result.summary["n_kept_nucleotide_like"] == 0
    alone = ingest_fasta([fasta(metallothionein)]).summary
    assert (alone["alphabet"], alone["alphabet_source"]) == ("protein", "default")


@pytest.mark.parametrize(
    ("records", "alphabet"),
    [
        (">a\nMKVAGST\n>b\nWMKVA\n", "protein"),  # short peptides: no record decides
        (">a\nACGTACGT\n>b\nTTGACA\n", "dna"),  # primers: only A/C/G/T/U/N
        (">a\nACGUACGU\n>b\nUUGACA\n", "rna"),
    ],
)
def test_a_set_of_short_records_defaults_as_documented(fasta, records, alphabet):
    summary = ingest_fasta([fasta(records)]).summary
    assert (summary["alphabet"], summary["alphabet_source"]) == (alphabet, "default")
    assert summary["alphabet_votes"] == {"protein": 0, "nucleotide": 0, "either": 2}


def test_ties_go_to_protein(fasta):
    path = fasta(">p\nMKKLLPQRST\n>d\nACGTACGTTTGACCA\n")
    assert ingest_fasta([path]).store.alphabet == "protein"


def test_empty_id(fasta):
    path = fasta(">\nMKV\n")
    assert ingest_error([path]) == (
        f"{path}: record 1 (line 1): empty ID (the header has no text right after '>')"
    )


def test_header_starting_with_whitespace_has_an_empty_id(fasta):
    path = fasta(">a\nMKV\n>\tb desc\nMKV\n")
    assert "record 2 (line 3): empty ID" in ingest_error([path])


def test_control_character_in_id(fasta):
    path = fasta(">a\x01b\nMKV\n")
    assert ingest_error([path]).endswith("ID contains a control character")


@pytest.mark.parametrize("bad", ["a\tb", "a\nb", "a\rb"])
def test_ids_with_tabs_or_newlines_are_refused(bad):
    assert check_id(bad) == "ID contains a tab or newline"
    assert check_id("") == "empty ID"
    assert check_id("sp|P1|X_HUMAN") is None


def test_error_counts_the_other_problems(fasta):
    path = fasta(">a\nMK1\n>b\n>c\nMKV\n")
    assert "(and 1 more rejected records; with on_invalid: skip" in ingest_error([path])


# ---- on_invalid: skip ----------------------------------------------------


def test_skip_lists_every_rejected_record_and_counts_add_up(fasta):
    good = fasta(PROTEIN)
    bad = fasta(">p1\nMKV\n>x\nMK-V\n>\nMKV\n>y\n>z\nMKV1\n>w\nMKVL\n")
    result = ingest_fasta([good, bad], on_invalid="skip")
    summary = result.summary
    assert summary["n_input"] == 8
    assert summary["n_kept"] + summary["n_rejected"] == summary["n_input"]
    assert result.store.ids == ["p1", "p2", "w"]
    rejected = result.rejected
    assert rejected["reason_code"].tolist() == [
        "duplicate_id",
        "invalid_character",
        "empty_id",
        "empty_sequence",
        "invalid_character",
    ]
    assert rejected["record"].tolist() == [1, 2, 3, 4, 5]
    assert rejected["line"].tolist() == [1, 4, 5, 7, 9]
    assert set(rejected["file"]) == {str(bad)}


def test_cli_skip_writes_rejected_tsv(fasta, tmp_path):
    path = fasta(PROTEIN + ">bad\nMK1\n")
    out = tmp_path / "store"
    assert main(["ingest", str(path), "-o", str(out), "--on-invalid", "skip"]) == 0
    rejected = pd.read_csv(out / "rejected.tsv", sep="\t")
    assert rejected[["id", "reason_code"]].values.tolist() == [["bad", "invalid_character"]]
    assert read_store(out).n_sequences == 2


def test_cli_error_is_one_line_without_traceback(fasta, tmp_path, capsys):
    path = fasta(">a\nMK1\n")
    assert main(["ingest", str(path), "-o", str(tmp_path / "store")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1] == (
        f"seqsim ingest: error: {path}: record 1 'a' (line 2): invalid character '1' at position 3"
    )
    assert not any("Traceback" in line for line in err)
    assert not (tmp_path / "store" / "store.json").exists()


def test_cli_all_rejected_is_an_error(fasta, tmp_path, capsys):
    path = fasta(">a\nMK1\n")
    out = tmp_path / "store"
    assert main(["ingest", str(path), "-o", str(out), "--on-invalid", "skip"]) == 1
    assert "all 1 records were rejected" in capsys.readouterr().err
    assert (out / "rejected.tsv").exists()


# ---- hardening (issue 16) -------------------------------------------------


def test_utf8_byte_order_mark_is_read(fasta, tmp_path):
    """Windows editors save UTF-8 with a BOM; before, '\\ufeff>a' was 'not FASTA'."""
    path = tmp_path / "bom.fasta"
    path.write_bytes(b"\xef\xbb\xbf>a first\r\nMKVLAAGIWQ\r\n>b\r\nMKVLAAGIWQ\r\n")
    packed = tmp_path / "bom.fasta.gz"
    packed.write_bytes(gzip.compress(path.read_bytes()))
    for source in (path, packed):
        result = ingest_fasta([source])
        assert list(result.store.ids) == ["a", "b"]


def test_a_symlink_loop_is_one_line(tmp_path):
    """OSErrors other than missing or permission denied were a traceback."""
    loop = tmp_path / "loop.fasta"
    loop.symlink_to(loop)
    message = ingest_error([loop])
    assert message.startswith(f"{loop}: cannot be read (")


def test_an_io_error_while_reading_is_one_line(fasta, monkeypatch):
    """A failing disk (EIO) part-way through a plain file."""
    import errno
    import io

    import seqsim.sequences.fasta as fasta_module

    class FailingDisk(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            raise OSError(errno.EIO, "Input/output error")

    path = fasta(PROTEIN)
    opened = []

    def open_failing(file, mode="r", *args, **kwargs):
        opened.append(file)  # the first open probes the magic bytes; the second reads
        return open(file, mode, *args, **kwargs) if len(opened) == 1 else FailingDisk()

    monkeypatch.setattr(fasta_module, "open", open_failing, raising=False)
    message = ingest_error([path])
    assert message.startswith(f"{path}: line 1: read error (") and "Input/output error" in message


def test_an_id_over_the_length_limit_is_rejected(fasta):
    path = fasta(">" + "x" * 5000 + "\nMKV\n>b\nMKVLA\n")
    result = ingest_fasta([path], on_invalid="skip")
    assert list(result.store.ids) == ["b"]
    row = result.rejected.iloc[0]
    assert row["reason"] == "ID is 5,000 characters long (at most 1,000)"
    assert row["id"] == "x" * 40 + "..."
    assert "5,000 characters" in ingest_error([path])


def test_all_rejected_leaves_no_store(fasta, tmp_path):
    """Before, the run exited 1 but left a 0-sequence store a later step could read."""
    path = fasta(">a\nMK1\n")
    out = tmp_path / "store"
    assert main(["ingest", str(path), "-o", str(out), "--on-invalid", "skip"]) == 1
    assert (out / "rejected.tsv").exists() and (out / "ingest.json").exists()
    assert not (out / "store.json").exists()


def test_exact_duplicates_are_counted_and_named(fasta, caplog):
    # The same sequence after the residue policy (lower case, a trailing stop).
    path = fasta(PROTEIN + ">p3\nmkvlaagiwqqrrste*\n>p4\nMKVLAAGIWQQRRSTE\n>p5\nMKV\n")
    with caplog.at_level("WARNING", logger="seqsim"):
        summary = ingest_fasta([path]).summary
    assert (summary["n_kept"], summary["n_exact_duplicates"]) == (5, 3)
    assert summary["n_distinct_sequences"] == 2
    assert "3 kept records repeat an earlier record's sequence exactly (e.g. 'p2' = 'p1')" in (
        caplog.text
    )


def test_dedupe_stores_each_sequence_once_and_counts_every_record(fasta):
    path = fasta(PROTEIN + ">p3\nmkvlaagiwqqrrste*\n>p5\nMKV\n")
    result = ingest_fasta([path], dedupe=True)
    summary = result.summary
    assert result.store.ids == ["p1", "p5"]
    assert result.store.copies[["id", "representative"]].values.tolist() == [["p2", 0], ["p3", 0]]
    assert (summary["n_input"], summary["n_kept"], summary["n_stored"]) == (4, 4, 2)
    assert summary["dedupe"] is True
