"""``seqsim fetch-scope``: download SCOPe/ASTRAL domain sequences and their labels."""

from __future__ import annotations

import argparse

from seqsim.settings import add_setting

HELP = "download SCOPe/ASTRAL sequences (needs internet) and write FASTA + SCOP labels"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_setting(parser, "scope.release")
    add_setting(parser, "scope.identity")
    parser.add_argument("--url", help="download from this URL instead of the official one")
    add_setting(parser, "scope.sha256")
    parser.add_argument("--out-fasta", required=True, help="output FASTA (headers '>ID')")
    parser.add_argument("--out-labels", required=True, help="output labels TSV")


def run(args: argparse.Namespace) -> int:
    from seqsim.validation.datasets import fetch_scope, scope_url

    url = args.url or scope_url(args.release, args.identity)
    digest = fetch_scope(
        url, sha256=args.sha256, out_fasta=args.out_fasta, out_labels=args.out_labels
    )
    print(f"sha256\t{digest}")
    return 0
