"""Which files ``scopeguard migrate`` looks at: Python files under the given paths, minus
``--exclude`` globs, ``.gitignore``d paths, virtualenvs and caches, and (``--exclude-tests``) tests.

``.gitignore`` support covers the syntax real projects use: comments, ``!`` negation, a trailing
``/`` for directories, a ``/`` inside the pattern anchoring it to the file's directory, ``*``,
``?`` and ``**``. Files named explicitly on the command line are taken even when ignored (but
``--exclude`` still applies), as git does with ``git add -f``.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = ["discover", "is_test_path"]

_ALWAYS_SKIPPED: Final = frozenset(
    {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", "node_modules",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"}
)


@dataclass(frozen=True)
class _Rule:
    base: str  # posix directory of the .gitignore, relative to the walk root ("" for the root)
    pattern: str
    negated: bool
    directory_only: bool
    anchored: bool

    def matches(self, relative: str, is_dir: bool) -> bool:
        if self.directory_only and not is_dir:
            return False
        if self.base:
            if not relative.startswith(self.base + "/"):
                return False
            relative = relative[len(self.base) + 1 :]
        if self.anchored:
            return fnmatch.fnmatchcase(relative, self.pattern)
        name = relative.rpartition("/")[2]
        return fnmatch.fnmatchcase(name, self.pattern) or fnmatch.fnmatchcase(
            relative, f"*/{self.pattern}"
        )


def _read_gitignore(directory: Path, base: str) -> list[_Rule]:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    rules = []
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:] if negated else line
        directory_only = line.endswith("/")
        line = line.rstrip("/")
        anchored = "/" in line
        line = line.lstrip("/")
        if line.startswith("**/"):
            line, anchored = line[3:], "/" in line[3:]
        if line:
            rules.append(_Rule(base, line, negated, directory_only, anchored))
    return rules


def _ignored(rules: Sequence[_Rule], relative: str, is_dir: bool) -> bool:
    ignored = False
    for rule in rules:
        if rule.matches(relative, is_dir):
            ignored = not rule.negated
    return ignored


def is_test_path(relative: str) -> bool:
    """Test code by the usual conventions: tests/ directories, test_*.py, *_test.py, conftest.py."""
    parts = relative.split("/")
    name = parts[-1]
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def _excluded(relative: str, patterns: Sequence[str]) -> bool:
    for pattern in patterns:
        if pattern.startswith("/"):
            if fnmatch.fnmatch(relative, pattern[1:]):
                return True
        elif fnmatch.fnmatch(relative, pattern) or fnmatch.fnmatch(relative, f"*/{pattern}"):
            return True
    return False


def discover(
    paths: Sequence[str | Path],
    *,
    exclude: Sequence[str] = (),
    exclude_tests: bool = False,
    respect_gitignore: bool = True,
) -> Iterator[Path]:
    """Yield the Python files to migrate, in a stable (sorted) order."""
    for given in paths:
        root = Path(given)
        if root.is_file():
            relative = root.as_posix()
            if not _excluded(relative, exclude) and not (exclude_tests and is_test_path(relative)):
                yield root
            continue
        rules: list[_Rule] = []
        if respect_gitignore:
            for ancestor in reversed(root.resolve().parents):
                rules.extend(r for r in _read_gitignore(ancestor, "") if not r.anchored)
        yield from _walk(root, rules, exclude, exclude_tests, respect_gitignore)


def _walk(
    root: Path,
    inherited: list[_Rule],
    exclude: Sequence[str],
    exclude_tests: bool,
    respect_gitignore: bool,
) -> Iterator[Path]:
    rules_by_dir: dict[str, list[_Rule]] = {}
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        relative_dir = here.relative_to(root).as_posix()
        relative_dir = "" if relative_dir == "." else relative_dir
        parent = relative_dir.rpartition("/")[0] if relative_dir else None
        rules = list(rules_by_dir.get(parent, inherited) if parent is not None else inherited)
        if respect_gitignore:
            rules.extend(_read_gitignore(here, relative_dir))
        rules_by_dir[relative_dir] = rules

        def keep(name: str, is_dir: bool) -> bool:
            relative = f"{relative_dir}/{name}" if relative_dir else name
            if is_dir and (name in _ALWAYS_SKIPPED or name.endswith(".egg-info")):
                return False
            if _excluded(relative, exclude) or (is_dir and _excluded(relative + "/", exclude)):
                return False
            if exclude_tests and is_test_path(relative if not is_dir else relative + "/x.py"):
                return False
            return not _ignored(rules, relative, is_dir)

        dirnames[:] = sorted(d for d in dirnames if keep(d, True))
        for name in sorted(filenames):
            if name.endswith(".py") and keep(name, False):
                yield here / name
