"""``seqsim align``: exact Smith-Waterman of every query-target pair, BLAST
tabular: ``seqsim search`` with ``--prefilter none`` as the default."""

from __future__ import annotations

import argparse

from seqsim.cli import search

HELP = "align every query against every target (exact Smith-Waterman, BLAST tabular)"
run = search.run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    search.add_arguments(parser, prefilter="none")
