"""``[tool.scopeguard]`` from the user's ``pyproject.toml``, read by the lint rules, the mypy plugin
and the codemods (flake8 cannot read pyproject itself).

Top-level keys are validated here; each tool owns a sub-table (``[tool.scopeguard.lint]``,
``[tool.scopeguard.migrate]``, ``[tool.scopeguard.mypy]``) and validates it with the helpers below,
so every tool reports a wrong type the same way. Unknown keys warn; wrong types raise
``ConfigurationError`` naming the file, the key and the expected type.

Imported by the static tools: no boto3 here.
"""

from __future__ import annotations

import fnmatch
import tomllib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ._exceptions import ConfigurationError
from ._naming import DEFAULT_POLICY, NamingPolicy

__all__ = [
    "DEFAULT_TEST_PATHS",
    "ScopeguardConfig",
    "ScopeguardConfigWarning",
    "find_pyproject",
    "load_config",
    "str_list",
]

TOOL_SUBTABLES: Final = ("lint", "migrate", "mypy")
_TOP_KEYS: Final = {
    "factory-modules": list,
    "test-paths": list,
    "naming": dict,
    **{k: dict for k in TOOL_SUBTABLES},
}
# Test code by the usual conventions, as .gitignore-style patterns relative to the pyproject's
# directory (``tests/`` is any directory of that name, ``test_*.py`` any file so named). Moto
# fixtures create raw clients on purpose: the lint rules about raw clients do not apply there,
# the ones about credentials still do.
DEFAULT_TEST_PATHS: Final = ("tests/", "test/", "test_*.py", "*_test.py", "conftest.py")


class ScopeguardConfigWarning(UserWarning):
    """An unknown key in ``[tool.scopeguard]`` (probably a typo); it is ignored."""


@dataclass(frozen=True)
class ScopeguardConfig:
    """The parsed ``[tool.scopeguard]`` table. ``path`` is None when no pyproject was found."""

    path: Path | None = None
    factory_modules: tuple[str, ...] = ()
    test_paths: tuple[str, ...] = DEFAULT_TEST_PATHS
    naming: NamingPolicy = DEFAULT_POLICY
    tool_tables: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    raw: Mapping[str, Any] = field(default_factory=dict)

    def tool(self, name: str) -> Mapping[str, Any]:
        """The raw sub-table of one tool (``lint``, ``migrate``, ``mypy``), empty if absent."""
        return self.tool_tables.get(name, {})

    def is_factory_module(self, module: str | None = None, path: str | Path | None = None) -> bool:
        """True if a dotted module name or a file path matches a ``factory-modules`` glob.

        Patterns with a ``/`` or ending in ``.py`` match paths relative to the pyproject's
        directory; others match dotted module names (``myapp.aws``, ``myapp.aws.*``)."""
        for pattern in self.factory_modules:
            if "/" in pattern or pattern.endswith(".py"):
                if path is not None and fnmatch.fnmatch(self._relative(path), pattern):
                    return True
            elif module is not None and fnmatch.fnmatchcase(module, pattern):
                return True
        return False

    def _relative(self, path: str | Path) -> str:
        p = Path(path).resolve()
        if self.path is not None:
            try:
                return p.relative_to(self.path.parent.resolve()).as_posix()
            except ValueError:
                pass
        return p.as_posix()


def find_pyproject(start: str | Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (a file or directory)."""
    here = Path(start).resolve()
    if here.is_file() or not here.exists():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def str_list(where: str, key: str, value: object) -> tuple[str, ...]:
    """Validate a list of strings from the config; raise ConfigurationError otherwise."""
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise ConfigurationError(f"{where}: {key!r} must be a list of strings, got {value!r}")
    if not all(isinstance(v, str) for v in value):
        raise ConfigurationError(f"{where}: {key!r} must contain only strings, got {value!r}")
    return tuple(value)


# Shown once per process and pyproject line, whichever tool loads the file how many times.
_WARNED: dict[Any, Any] = {}


def _line_of(path: Path, key: str) -> int:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return 1
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith((f"{key} ", f"{key}=", f'"{key}"')):
            return number
    return 1


def warn_unknown(where: str, table: Mapping[str, object], known: Sequence[str]) -> None:
    """Warn once per unknown key; keys are ignored, never guessed at.

    The warning points at the key's line in the pyproject (``where`` starts with its path), not
    at scopeguard's source: that line is what the user has to fix."""
    file = Path(where.partition(" [tool.")[0])
    for key in table:
        if key not in known:
            message = (
                f"{where}: unknown key {key!r} ignored; known keys: {', '.join(sorted(known))}"
            )
            lineno = _line_of(file, key) if file.is_file() else 1
            warnings.warn_explicit(
                message, ScopeguardConfigWarning, str(file), lineno, registry=_WARNED
            )


def load_config(start: str | Path = ".", *, pyproject: str | Path | None = None) -> ScopeguardConfig:
    """Read ``[tool.scopeguard]`` from ``pyproject`` or the nearest pyproject above ``start``."""
    path = Path(pyproject) if pyproject is not None else find_pyproject(start)
    if path is None:
        return ScopeguardConfig()
    try:
        with path.open("rb") as fh:
            document = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigurationError(f"{path}: cannot read TOML: {exc}") from exc
    table = document.get("tool", {}).get("scopeguard", {})
    where = f"{path} [tool.scopeguard]"
    if not isinstance(table, dict):
        raise ConfigurationError(f"{where} must be a table")
    from ._schema import schema_error  # the static tools' path only; the runtime never loads it

    error = schema_error(table)
    if error is not None:
        raise ConfigurationError(f"{path} {error[0]}: {error[1]}")
    warn_unknown(where, table, list(_TOP_KEYS))
    for key, expected in _TOP_KEYS.items():
        if key in table and not isinstance(table[key], expected):
            raise ConfigurationError(
                f"{where}: {key!r} must be a {'list' if expected is list else 'table'}, "
                f"got {type(table[key]).__name__}"
            )
    naming = DEFAULT_POLICY
    if "naming" in table:
        try:
            naming = NamingPolicy.from_config(table["naming"])
        except ConfigurationError as exc:
            raise ConfigurationError(f"{where}.naming: {exc}") from exc
    return ScopeguardConfig(
        path=path,
        factory_modules=str_list(where, "factory-modules", table.get("factory-modules", [])),
        test_paths=str_list(where, "test-paths", table.get("test-paths", DEFAULT_TEST_PATHS)),
        naming=naming,
        tool_tables={k: table[k] for k in TOOL_SUBTABLES if k in table},
        raw=table,
    )
