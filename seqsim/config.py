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
