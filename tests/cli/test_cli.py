from __future__ import annotations

import subprocess
import sys

import pytest

from seqsim import __version__
from seqsim.cli import SUBCOMMANDS, main


def test_help_lists_every_subcommand(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


@pytest.mark.parametrize("name", list(SUBCOMMANDS))
def test_each_subcommand_has_help(name, capsys):
    with pytest.raises(SystemExit) as caught:
        main([name, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert "(being written)" not in out
    # defaults shown only when there is one worth showing
    assert "(default: None)" not in out and "(default: False)" not in out


def test_every_subcommand_that_reads_fasta_takes_alphabet():
    from seqsim.cli import build_parser

    (subcommands,) = [a for a in build_parser()._actions if hasattr(a, "choices") and a.choices]
    for name, parser in subcommands.choices.items():
        positional = {a.dest for a in parser._actions if not a.option_strings}
        if positional & {"fasta", "query"}:
            options = {o for a in parser._actions for o in a.option_strings}
            assert "--alphabet" in options, name


def test_alphabet_option_of_the_scorer_commands(fasta, tmp_path, capsys):
    import argparse

    from seqsim.cli.sequences_argument import add_sequence_arguments, sequences_of

    parser = argparse.ArgumentParser()
    add_sequence_arguments(parser)
    primers = str(fasta(">a\nACGTACGT\n>b\nTTGACA\n"))
    assert sequences_of(parser.parse_args([primers])).alphabet == "dna"
    assert sequences_of(parser.parse_args([primers, "--alphabet", "protein"])).alphabet == "protein"
    assert main(["ingest", primers, "-o", str(tmp_path / "store")]) == 0
    store_args = ["score", "--store", str(tmp_path / "store"), "--alphabet", "protein"]
    assert main([*store_args, "-o", str(tmp_path / "e.parquet")]) == 1
    assert "--alphabet applies to FASTA input" in capsys.readouterr().err


def test_version(capsys):
    with pytest.raises(SystemExit):
        main(["--version"])
    assert __version__ in capsys.readouterr().out


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["ingest"])
    assert caught.value.code == 2


def test_stages_chain_through_the_cli(tmp_path):
    from conftest import REPO

    store, kmers = tmp_path / "store", tmp_path / "k.npz"
    example = REPO / "resources" / "example" / "dna.fasta"
    assert main(["ingest", str(example), "-o", str(store)]) == 0
    assert main(["count-kmers", "--store", str(store), "-o", str(kmers), "-k", "9",
                 "--canonical"]) == 0  # fmt: skip
    blocks = [str(tmp_path / f"b{b}.parquet") for b in range(2)]
    for block, path in enumerate(blocks):
        assert main(["score-pairs", "--kmers", str(kmers), "--block", str(block),
                     "--n-blocks", "2", "-o", path]) == 0  # fmt: skip
    assert main(["similarity-matrix", "--store", str(store), "--pairs", *blocks,
                 "--npy", str(tmp_path / "m.npy"), "--feature", "cosine"]) == 0  # fmt: skip
    assert main(["cluster", "--store", str(store), "--pairs", *blocks,
                 "--min-similarity", "0.2", "-o", str(tmp_path / "c.tsv")]) == 0  # fmt: skip
    assert main(["similarity-matrix", "--store", str(store), "--pairs", *blocks,
                 "--npy", str(tmp_path / "m2.npy"), "--max-sequences", "10"]) == 1  # fmt: skip


def test_missing_or_unreadable_files_are_one_line_errors(tmp_path, capsys):
    labels = tmp_path / "labels.tsv"
    labels.write_text("id\tsccs\na\ta.1.1.1\n")
    assert main(["evaluate", "--hits", str(tmp_path / "nope.tsv"), "--labels", str(labels)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"seqsim evaluate: error: {tmp_path / 'nope.tsv'}: No such file or directory"
    )
    assert main(["evaluate", "--hits", str(labels), "--labels", str(tmp_path / "x")]) == 1
    assert "unsupported table format" in capsys.readouterr().err


def test_public_api_names_resolve():
    import seqsim

    for name in seqsim.__all__:
        assert getattr(seqsim, name) is not None, name
    with pytest.raises(AttributeError):
        seqsim.no_such_name  # noqa: B018


def test_without_torch_the_scorer_commands_say_how_to_install_it(tmp_path):
    # A fresh interpreter in which `import torch` fails, as in `pip install seqsim`.
    script = (
        "import sys; sys.modules['torch'] = None\n"
        "from seqsim.cli import main\n"
        f"sys.exit(main(['score', '--store', {str(tmp_path)!r}, '-o', 'x.parquet', '-q']))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 1
    assert "pip install 'seqsim[scorer]'" in done.stderr and "Traceback" not in done.stderr


def test_unix_habits_stdin_stdout_columns_and_limits(tmp_path):
    """`-` reads FASTA from stdin (gzip too) and writes to stdout; -e,
    --max-target-seqs and --format-output as BLAST's."""
    import gzip

    from conftest import REPO

    fasta = (REPO / "resources" / "example" / "dna.fasta").read_bytes()
    args = [sys.executable, "-m", "seqsim", "search", "-", "-o", "-", "-q", "-e", "1e-50",
            "--max-target-seqs", "2", "--format-output", "qseqid,sseqid,evalue,qcov"]  # fmt: skip
    done = subprocess.run(args, input=gzip.compress(fasta), capture_output=True, check=True,
                          cwd=tmp_path)  # fmt: skip
    rows = [line.split("\t") for line in done.stdout.decode().splitlines()]
    assert all(len(row) == 4 for row in rows)
    per_query: dict[str, int] = {}
    for query, _target, evalue, _ in rows:
        per_query[query] = per_query.get(query, 0) + 1
        assert float(evalue) <= 1e-50
    assert max(per_query.values()) == 2 and len(per_query) > 100
    assert not list(tmp_path.iterdir())  # nothing written beside
