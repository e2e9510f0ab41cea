"""The JSON schema of ``[tool.scopeguard]``, shipped in the package, and validation against it.

One schema (``pyproject-schema.json``) is the contract of the configuration: ``load_config``
validates every table with it before any tool reads a key (the lint rules, the mypy plugin and
the codemods all load through it), and validate-pyproject finds it through the
``validate_pyproject.tool_schema`` entry point, so ``validate-pyproject pyproject.toml`` checks the
same rules in CI or pre-commit. Each property carries an ``x-message`` (and ``x-items-message``
for list elements): the wording of the one-line error, so that a type error reads the same
whichever tool meets it first.

Unknown keys are the exception: the schema forbids them (validate-pyproject reports typos), but
scopeguard's own loader only warns about them, as the design requires.

Validation needs ``jsonschema`` (in the lint, mypy and migrate extras); without it the loaders'
own type checks still run. Imported by the static tools only: no boto3 here.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any, Final

__all__ = ["SCHEMA_RESOURCE", "load_schema", "schema_error", "validate_pyproject_plugin"]

SCHEMA_RESOURCE: Final = "pyproject-schema.json"
_SUBTABLES: Final = ("naming", "lint", "migrate", "mypy")


@lru_cache(maxsize=1)
def _schema_text() -> str:
    return resources.files("scopeguard").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")


def load_schema() -> dict[str, Any]:
    """A fresh copy of the schema (callers may not share a mutable dict)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


def validate_pyproject_plugin(tool_name: str) -> dict[str, Any]:
    """validate-pyproject's plugin protocol: the schema of ``[tool.<tool_name>]``."""
    return load_schema()


@lru_cache(maxsize=1)
def _validator() -> Any:
    try:
        # Untyped outside types-jsonschema; only Draft7Validator and its errors are used.
        jsonschema: Any = importlib.import_module("jsonschema")
    except ImportError:
        return None
    schema = load_schema()
    return jsonschema.Draft7Validator(schema)


def schema_error(table: Mapping[str, Any]) -> tuple[str, str] | None:
    """The first error in ``[tool.scopeguard]``, as (where, message), or None.

    ``where`` is the table holding the key (``[tool.scopeguard.lint]``); the message names the
    key, what it must be, and the value found. Unknown keys are not errors here."""
    validator = _validator()
    if validator is None:
        return None
    errors = [e for e in validator.iter_errors(table) if e.validator != "additionalProperties"]
    if not errors:
        return None
    # The shallowest error first (a wrong table before a wrong element in it), then by key.
    error = min(errors, key=lambda e: (len(e.absolute_path), [str(p) for p in e.absolute_path]))
    path = list(error.absolute_path)
    where = "[tool.scopeguard]"
    schema: Mapping[str, Any] = validator.schema
    if len(path) >= 2 and path[0] in _SUBTABLES:
        where = f"[tool.scopeguard.{path[0]}]"
        schema = schema["properties"][path[0]]
        path = path[1:]
    key = str(path[0])
    prop: Mapping[str, Any] = schema.get("properties", {}).get(key, {})
    inside = len(path) > 1
    message = prop.get("x-items-message" if inside else "x-message") or prop.get("x-message")
    if message is None:
        message = f"is not valid: {error.message}"
    return where, f"{key!r} {message}, got {table_value(table, list(error.absolute_path))!r}"


def table_value(table: Mapping[str, Any], path: list[Any]) -> Any:
    """The value the user wrote for the key at ``path`` (the whole list, not one element)."""
    if len(path) >= 2 and path[0] in _SUBTABLES:
        return table[path[0]][path[1]]
    return table[path[0]]
