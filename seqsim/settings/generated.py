"""The files generated from the registry: the workflow's config schema,
config.yaml and docs/configuration.md (``python -m seqsim.settings``)."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

from seqsim.settings.registry import SAME, SECTIONS, SETTINGS, Setting


def defaults() -> dict[str, Any]:
    """The pipeline's defaults as a nested config (what config.yaml holds)."""
    config: dict[str, Any] = {}
    for item in SETTINGS:
        *sections, name = item.key.split(".")
        where = config
        for part in sections:
            where = where.setdefault(part, {})
        where[name] = item.default
    return config


def _property_schema(item: Setting) -> dict[str, Any]:
    schema: dict[str, Any] = {"description": _schema_description(item)}
    schema["type"] = [item.type, "null"] if item.nullable else item.type
    if item.choices is not None:
        schema["enum"] = [*item.choices, None] if item.nullable else list(item.choices)
    if item.type == "array":
        items: dict[str, Any] = {"type": "string", "minLength": 1}
        if item.item_choices:
            items = {"type": "string", "enum": list(item.item_choices)}
        schema["items"] = items
    for name, value in (
        ("minimum", item.minimum),
        ("maximum", item.maximum),
        ("exclusiveMinimum", item.exclusive_minimum),
        ("minItems", item.min_items),
        ("pattern", item.pattern),
    ):
        if value is not None:
            schema[name] = value
    return schema


def _schema_description(item: Setting) -> str:
    return f"{item.help} Null: {item.null_means}." if item.null_means else item.help


def config_schema() -> dict[str, Any]:
    """The workflow's JSON schema (draft 2020-12): every key required (the
    workflow fills a config's missing keys from config.yaml first), no key
    beyond the registry's."""
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "description": "seqsim workflow configuration (config.yaml). Generated from "
        "seqsim/settings.py by `python -m seqsim.settings`: edit that, not this.",
        "type": "object",
        "additionalProperties": False,
        "properties": {},
    }
    for item in SETTINGS:
        where = schema
        section = ""
        for part in item.key.split(".")[:-1]:
            section = f"{section}.{part}" if section else part
            where = where["properties"].setdefault(
                part,
                {
                    "description": SECTIONS[section],
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {},
                },
            )
        where["properties"][item.name] = _property_schema(item)
    _add_required(schema)
    return schema


def _add_required(schema: dict[str, Any]) -> None:
    if "properties" in schema:
        schema["required"] = list(schema["properties"])
        for child in schema["properties"].values():
            _add_required(child)


def shown(value: Any) -> str:
    """A value as config.yaml and the docs write it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(shown(v) for v in value) + "]"
    if isinstance(value, str) and value and not value[0].isalpha():
        return f'"{value}"'
    return str(value)


def _comment(text: str, indent: str) -> list[str]:
    return textwrap.wrap(text, 88 - len(indent), initial_indent=f"{indent}# ",
                         subsequent_indent=f"{indent}# ")  # fmt: skip


def config_yaml() -> str:
    """config.yaml: the defaults, each key under its help as a comment."""
    lines = [
        "# seqsim configuration: the pipeline's defaults. A --configfile of your own",
        "# overrides them key by key; every key is checked against",
        "# workflow/schemas/config.schema.yaml before any job starts.",
        "# Generated from seqsim/settings.py by `python -m seqsim.settings`: edit that,",
        "# not this. Every key with its flags: docs/configuration.md.",
    ]
    opened: list[str] = []
    for item in SETTINGS:
        parts = item.key.split(".")
        depth = 0
        while depth < min(len(opened), len(parts) - 1) and opened[depth] == parts[depth]:
            depth += 1
        del opened[depth:]
        for level in range(depth, len(parts) - 1):
            indent = "  " * level
            lines += ["", *_comment(SECTIONS[".".join(parts[: level + 1])], indent)]
            lines.append(f"{indent}{parts[level]}:")
            opened.append(parts[level])
        indent = "  " * (len(parts) - 1)
        if len(parts) == 1:
            lines.append("")
        text = _schema_description(item)
        lines += _comment(text, indent)
        lines.append(f"{indent}{item.name}: {shown(item.default)}")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def configuration_reference() -> str:
    """docs/configuration.md: one table row per setting."""
    lines = [
        "# Configuration reference",
        "",
        "Generated from `seqsim/settings.py` by `python -m seqsim.settings`; do not edit.",
        "Each key of `config.yaml` (the pipeline's defaults; a `--configfile` of your own",
        "overrides them key by key), its default, what null means where null is allowed,",
        "and the option of the `seqsim` subcommands that take the same setting. Where a",
        "subcommand's default differs from the pipeline's, the row says so and why.",
        "",
    ]
    section = None
    for item in SETTINGS:
        if item.section != section:
            section = item.section
            title = f"`{section}`" if section else "Top level"
            lines += ["", f"## {title}", ""] if lines[-1] else [f"## {title}", ""]
            if section:
                lines += [SECTIONS[section], ""]
            lines += ["| key | default | values | option | description |", "|---|---|---|---|---|"]
        values = _values(item)
        option = ", ".join(f"`{f}`" for f in item.flags)
        if option:
            option += " (" + ", ".join(f"`{c}`" for c in item.commands) + ")"
        description = item.help
        if item.null_means:
            description += f" Null: {item.null_means}."
        if item.cli_default is not SAME:
            description += (
                f" The subcommands' default is {shown(item.cli_default)}: {item.cli_default_why}."
            )
        lines.append(
            f"| `{item.key}` | `{shown(item.default)}` | {_cell(values)} | {option} "
            f"| {_cell(description)} |"
        )
    return "\n".join(lines) + "\n"


def _values(item: Setting) -> str:
    if item.choices is not None:
        text = " | ".join(str(c) for c in item.choices)
    elif item.item_choices is not None:
        text = "list of: " + ", ".join(item.item_choices)
    else:
        bounds = []
        if item.minimum is not None:
            bounds.append(f"≥ {item.minimum:g}")
        if item.exclusive_minimum is not None:
            bounds.append(f"> {item.exclusive_minimum:g}")
        if item.maximum is not None:
            bounds.append(f"≤ {item.maximum:g}")
        text = item.type + (" " + ", ".join(bounds) if bounds else "")
    return text + (" or null" if item.nullable else "")


def schema_yaml() -> str:
    import yaml

    header = "# Generated from seqsim/settings.py by `python -m seqsim.settings`: edit that.\n"
    return header + yaml.safe_dump(config_schema(), sort_keys=False, width=100)


# Generated file (relative to the repository root) -> its text.
GENERATED: dict[str, Callable[[], str]] = {
    "workflow/schemas/config.schema.yaml": schema_yaml,
    "config.yaml": config_yaml,
    "docs/configuration.md": configuration_reference,
}


def main(argv: list[str] | None = None) -> int:
    """Rewrite the generated files (``--check``: only say which differ)."""
    parser = argparse.ArgumentParser(prog="python -m seqsim.settings", description=main.__doc__)
    parser.add_argument("--root", default=".", help="repository root")
    parser.add_argument("--check", action="store_true", help="write nothing; exit 1 if stale")
    args = parser.parse_args(argv)
    stale = []
    for name, render in GENERATED.items():
        path = Path(args.root) / name
        text = render()
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(name)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    verb = "stale" if args.check else "written"
    for name in stale:
        print(f"{verb}: {name}", file=sys.stderr)
    return 1 if stale and args.check else 0
