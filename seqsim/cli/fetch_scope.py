"""``seqsim fetch-scope``: download SCOPe/ASTRAL domain sequences and their labels."""

from __future__ import annotations

import argparse

HELP = "download SCOPe/ASTRAL sequences (needs internet) and write FASTA + SCOP labels"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--release", default="2.08", help="SCOPe release")
    parser.add_argument(
        "--identity", type=int, default=40, help="ASTRAL subset: maximum percent identity"
    )
    parser.add_argument("--url", help="download from this URL instead of the official one")
    parser.add_argument("--sha256", help="expected SHA-256 of the downloaded file")
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
