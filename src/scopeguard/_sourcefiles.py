"""Which Python files the command-line tools read: one walker for ``migrate`` and ``report``.

The files under the given paths, minus ``--exclude`` globs, paths git ignores, virtualenvs and
caches, and (``--exclude-tests``) test code. ``.gitignore`` files are read exactly as git reads
them, through pathspec's ``GitIgnoreSpec``: every ``.gitignore`` from the repository root down
to the file's directory applies, each relative to its own directory, a deeper file's match wins,
and a directory git ignores is not walked (a ``!`` inside it cannot bring a file back). Files
named explicitly on the command line are taken even when ignored (``--exclude`` still applies),
as ``git add -f`` does.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

import pathspec

__all__ = ["MissingPath", "discover", "is_test_path", "missing_paths"]

_ALWAYS_SKIPPED: Final = frozenset(
    {".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "__pycache__", "node_modules",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", "site-packages"}
)
_TEST_DIRS: Final = frozenset({"tests", "test", "testing"})


class MissingPath(ValueError):
    """A path given on the command line does not exist."""


def missing_paths(paths: Sequence[str | Path]) -> list[str]:
    """The given paths that do not exist; the tools exit 2 on any, like ``ls`` and ``flake8``."""
    return [str(p) for p in paths if not Path(p).exists()]


def is_test_path(relative: str) -> bool:
    """Test code by the usual conventions: a ``tests/``, ``test/``, ``testing/`` directory or a
    test package named like one (``myapp_tests/``, ``tests_integration/``), ``test_*.py``,
    ``*_test.py``, ``conftest.py``."""
    parts = relative.split("/")
    name = parts[-1]
    return (
        any(
            p in _TEST_DIRS or p.endswith(("_tests", "_test")) or p.startswith("tests_")
            for p in parts[:-1]
        )
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


def _spec(directory: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    spec = pathspec.GitIgnoreSpec.from_lines(text.splitlines())
    return spec if len(spec.patterns) else None


def _repository_root(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


_Specs = tuple[tuple[Path, pathspec.GitIgnoreSpec], ...]


def _ignored(specs: _Specs, path: Path, is_dir: bool) -> bool:
    """git's verdict: the deepest ``.gitignore`` with a matching pattern decides."""
    for base, spec in reversed(specs):
        relative = path.relative_to(base).as_posix() + ("/" if is_dir else "")
        verdict = spec.check_file(relative).include
        if verdict is not None:
            return verdict
    return False


def _inherited(root: Path) -> _Specs:
    """The ``.gitignore`` files above ``root`` that apply to it: from the repository root down
    (none outside a repository, as git reads none there)."""
    top = _repository_root(root)
    if top is None:
        return ()
    found = []
    for directory in reversed((root, *root.parents)):
        if directory != root and (directory == top or top in directory.parents):
            spec = _spec(directory)
            if spec is not None:
                found.append((directory, spec))
    return tuple(found)


def discover(
    paths: Sequence[str | Path],
    *,
    exclude: Sequence[str] = (),
    exclude_tests: bool = False,
    respect_gitignore: bool = True,
) -> Iterator[Path]:
    """Yield the Python files to read, in a stable (sorted) order.

    Raises ``MissingPath`` for a path that does not exist, before yielding anything."""
    missing = missing_paths(paths)
    if missing:
        raise MissingPath(f"no such file or directory: {', '.join(missing)}")
    for given in paths:
        root = Path(given)
        if root.is_file():
            relative = root.as_posix()
            if not _excluded(relative, exclude) and not (exclude_tests and is_test_path(relative)):
                yield root
            continue
        inherited = _inherited(root.resolve()) if respect_gitignore else ()
        yield from _walk(root, inherited, exclude, exclude_tests, respect_gitignore)


def _walk(
    root: Path,
    inherited: _Specs,
    exclude: Sequence[str],
    exclude_tests: bool,
    respect_gitignore: bool,
) -> Iterator[Path]:
    resolved_root = root.resolve()
    specs_by_dir: dict[str, _Specs] = {}
    for directory, dirnames, filenames in os.walk(root):
        here = Path(directory)
        relative_dir = here.relative_to(root).as_posix()
        relative_dir = "" if relative_dir == "." else relative_dir
        parent = relative_dir.rpartition("/")[0] if relative_dir else None
        specs = specs_by_dir.get(parent, inherited) if parent is not None else inherited
        absolute_dir = resolved_root / relative_dir if relative_dir else resolved_root
        if respect_gitignore:
            own = _spec(here)
            if own is not None:
                specs = (*specs, (absolute_dir, own))
        specs_by_dir[relative_dir] = specs

        def keep(name: str, is_dir: bool) -> bool:
            relative = f"{relative_dir}/{name}" if relative_dir else name
            if is_dir and (name in _ALWAYS_SKIPPED or name.endswith(".egg-info")):
                return False
            if is_dir and (here / name / "pyvenv.cfg").exists():
                return False  # a virtualenv under any name
            if _excluded(relative, exclude) or (is_dir and _excluded(relative + "/", exclude)):
                return False
            if exclude_tests and is_test_path(relative if not is_dir else relative + "/x.py"):
                return False
            return not (respect_gitignore and _ignored(specs, absolute_dir / name, is_dir))

        dirnames[:] = sorted(d for d in dirnames if keep(d, True))
        for name in sorted(filenames):
            if name.endswith(".py") and keep(name, False):
                yield here / name
