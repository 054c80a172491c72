"""Workflow configuration checks with short messages that name the key."""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from seqsim.errors import ConfigError


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """Parse YAML safely: plain data only, never Python objects or code."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


# Keys that earlier seqsim versions used: old path -> new name.
RENAMED_KEYS = {"align": "search"}


def _describe(error: ValidationError) -> list[str]:
    where = ".".join(str(part) for part in error.absolute_path)
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        lines = []
        for key in sorted(set(error.instance) - set(allowed)):
            name = f"{where}.{key}" if where else str(key)
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            if name in RENAMED_KEYS:
                hint = f"it was renamed {RENAMED_KEYS[name]!r}"
            lines.append(f"config key {name!r} is not allowed ({hint})")
        return lines
    if error.validator == "required":
        return [f"config {where or 'top level'}: {error.message}"]
    return [f"config key {where!r}: {error.message}"]


def validate_config(config: Mapping[str, Any], schema_path: str | os.PathLike[str]) -> None:
    """Raise :class:`ConfigError` listing every problem, one line each."""
    validator = Draft202012Validator(load_yaml(schema_path))
    errors = sorted(validator.iter_errors(dict(config)), key=lambda e: list(map(str, e.path)))
    if errors:
        problems = [line for error in errors for line in _describe(error)]
        raise ConfigError("invalid configuration:\n  " + "\n  ".join(problems))


_YAML_TYPES: dict[str, type | tuple[type, ...]] = {
    "integer": int, "number": (int, float), "boolean": bool, "null": type(None),
}  # fmt: skip


def coerce_strings(config: Any, schema: Mapping[str, Any]) -> Any:
    """``config`` with each string read as YAML where the schema wants a
    number, boolean or null there and the string is one (``--config``
    hands nested values over as text: ``pairs={n_blocks: 1}`` gives '1')."""
    if isinstance(config, Mapping):
        properties = schema.get("properties", {})
        return {
            key: coerce_strings(value, properties.get(key, {})) for key, value in config.items()
        }
    if isinstance(config, list) and isinstance(schema.get("items"), Mapping):
        return [coerce_strings(item, schema["items"]) for item in config]
    if not isinstance(config, str):
        return config
    wanted = schema.get("type", [])
    wanted = [wanted] if isinstance(wanted, str) else list(wanted)
    if "null" in wanted and config in ("null", "~"):
        return None
    if "string" in wanted or not any(t in _YAML_TYPES for t in wanted):
        return config
    try:
        value = yaml.safe_load(config)
    except yaml.YAMLError:
        return config
    if "number" in wanted and isinstance(value, str):
        try:
            value = float(value)  # YAML 1.1 reads 1e-3 (no dot) as text
        except ValueError:
            return config
    for name in wanted:
        kind = _YAML_TYPES.get(name)
        # bool is an int in Python: only a boolean schema takes true/false.
        if (
            kind is not None
            and isinstance(value, kind)
            and (name == "boolean") == isinstance(value, bool)
        ):
            return value
    return config


def with_defaults(config: Mapping[str, Any], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """``config`` with the keys it leaves out taken from ``defaults`` (nested
    mappings merged key by key; lists and values replaced whole)."""
    merged = dict(defaults)
    for key, value in config.items():
        if isinstance(value, Mapping) and isinstance(defaults.get(key), Mapping):
            merged[key] = with_defaults(value, defaults[key])
        else:
            merged[key] = value
    return merged
