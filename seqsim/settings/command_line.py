"""The registry's settings on the command line: a subcommand's options
(:func:`add_setting`) and the options a Snakemake rule passes it
(:func:`cli_options`)."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from seqsim.settings.generated import shown
from seqsim.settings.registry import SAME, SETTINGS, Setting, setting

# JSON-schema type names, and the Python types argparse converts to.
_ARGPARSE_TYPES: dict[str, Callable[[str], Any]] = {"integer": int, "number": float, "string": str}


def _help_text(item: Setting) -> str:
    text = item.help.rstrip(".")
    if item.null_means and item.command_default is None:
        text += f" (default: {item.null_means})"
    if item.cli_default is not SAME:
        text += f" (the pipeline's default is {shown(item.default)}: {item.cli_default_why})"
    return text.replace("%", "%%")


def add_setting(parser: argparse.ArgumentParser, key: str, **overrides: Any) -> argparse.Action:
    """Add the option of setting ``key`` to a subcommand's parser, with the
    registry's flags, type, choices, default and help (``overrides`` replace
    argparse keywords, e.g. a second command's default)."""
    item = setting(key)
    keywords: dict[str, Any] = {"default": item.command_default, "help": _help_text(item)}
    if item.type == "boolean":
        keywords["action"] = "store_true"
    elif item.type == "array":
        keywords["type"] = str
    else:
        keywords["type"] = item.cli_type or _ARGPARSE_TYPES[item.type]
        if item.choices is not None:
            keywords["choices"] = list(item.choices)
    keywords.update(overrides)
    return parser.add_argument(*item.flags, **keywords)


def config_value(config: Mapping[str, Any], key: str) -> Any:
    """The value of a dotted key in a (nested) config."""
    value: Any = config
    for part in key.split("."):
        value = value[part]
    return value


def cli_options(config: Mapping[str, Any], command: str, *, skip: Iterable[str] = ()) -> str:
    """The options of ``seqsim COMMAND`` for the config's settings, quoted for
    a shell: every setting of that command that is set (not null, not false)
    and whose ``when`` holds, as its first long flag (or its only flag)."""
    skipped = set(skip)
    words: list[str] = []
    for item in SETTINGS:
        if command not in item.commands or item.key in skipped:
            continue
        if item.when is not None and config_value(config, item.when[0]) != item.when[1]:
            continue
        value = config_value(config, item.key)
        if value is None or value is False:
            continue
        flag = next((f for f in item.flags if f.startswith("--")), item.flags[0])
        if value is True:
            words.append(flag)
        else:
            words += [flag, item.cli_value(value) if item.cli_value else str(value)]
    return shlex.join(words)
