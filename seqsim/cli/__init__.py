"""The ``seqsim`` command line: one module per subcommand.

Each subcommand module defines ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int``; ``run`` parses nothing itself and calls one API
function. Errors caused by input or configuration are printed as one line
(``seqsim SUB: error: ...``) with exit status 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from seqsim import __version__
from seqsim.errors import SeqsimError

# Subcommand name -> module under seqsim.cli (imported lazily so that
# `seqsim --help` does not pay for numba or torch).
SUBCOMMANDS: dict[str, str] = {
    "simulate": "simulate",
    "ingest": "ingest",
    "count-kmers": "count_kmers",
    "score-pairs": "score_pairs",
    "mash-dist": "mash_dist",
    "similarity-matrix": "similarity_matrix",
    "cluster": "cluster",
    "search": "search",
    "align": "align",
    "tabulate-hits": "tabulate_hits",
    "evaluate": "evaluate",
    "train": "train",
    "score": "score",
    "embed": "embed",
    "fetch-scope": "fetch_scope",
}

log = logging.getLogger("seqsim")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="seqsim",
        description="All-vs-all sequence similarity, clusters and distance matrices.",
    )
    parser.add_argument("--version", action="version", version=f"seqsim {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in SUBCOMMANDS.items():
        module = importlib.import_module(f"seqsim.cli.{module_name}")
        sub = subparsers.add_parser(
            name, help=module.HELP, description=module.HELP, formatter_class=_Formatter
        )
        sub.add_argument(
            "-v", "--verbose", action="store_true", help="log debug messages to stderr"
        )
        sub.add_argument("-q", "--quiet", action="store_true", help="log warnings and errors only")
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Help that shows an option's default when it has one worth showing: not
    None or False, and not when the help text already names its default."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            default in (None, False, argparse.SUPPRESS)
            or "default" in text
            or action.nargs == 0  # flags: store_true and the like
        ):
            return text
        return f"{text} (default: %(default)s)"


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%H:%M:%S"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``seqsim`` command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    try:
        return int(args._run(args) or 0)
    except SeqsimError as error:
        print(f"seqsim {args.command}: error: {error}", file=sys.stderr)
        return 1
    except (FileNotFoundError, PermissionError, IsADirectoryError) as error:
        # Files read through pandas, numpy or pyarrow: still one line, no traceback.
        print(f"seqsim {args.command}: error: {error.filename}: {error.strerror}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as error:
        if error.name != "torch":
            raise
        print(
            f"seqsim {args.command}: error: the learned scorer needs PyTorch, which is not "
            "installed: pip install 'seqsim[scorer]' (or any torch >= 2.3)",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"seqsim {args.command}: interrupted", file=sys.stderr)
        return 130
