"""The flake8 entry point ``SG``: a plain AST checker class, no flake8 import.

flake8 builds one ``Plugin`` per file, passing the parsed ``tree``, the ``filename`` and the
physical ``lines``; ``add_options``/``parse_options`` are called once per run with flake8's option
manager and parsed options, which are used here only through their public methods and attributes.

``parse_options`` runs in flake8's main process, before it forks its workers: it loads the
configuration of every project below the paths being checked there, so a malformed
``[tool.scopeguard]`` stops the run with one line naming the file and the key (not a traceback
from each worker), and a configuration warning is printed once, pointing at the pyproject line.
The workers inherit the loaded settings.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar, Final

from .._exceptions import ConfigurationError
from ._checker import check_tree, settings_for

# Directories never holding the user's own projects: walked past when looking for pyprojects.
_SKIPPED: Final = frozenset({"node_modules", "site-packages", "__pycache__", "build", "dist"})

__all__ = ["Plugin"]


def _version() -> str:
    try:
        return metadata.version("scopeguard")
    except metadata.PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


class Plugin:
    """flake8 checker for the ``SG`` codes; configuration from the nearest pyproject.toml."""

    name = "scopeguard"
    version = _version()

    pyproject: ClassVar[Path | None] = None
    extra_factory_modules: ClassVar[tuple[str, ...]] = ()

    def __init__(self, tree: ast.AST, filename: str = "", lines: Sequence[str] = ()) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--scopeguard-pyproject",
            default=None,
            parse_from_config=True,
            help="pyproject.toml holding [tool.scopeguard] (default: the nearest one above "
            "each checked file)",
        )
        manager.add_option(
            "--scopeguard-factory-modules",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="extra factory-modules globs, added to those in [tool.scopeguard]",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        pyproject = getattr(options, "scopeguard_pyproject", None)
        cls.pyproject = Path(pyproject).resolve() if pyproject else None
        modules = getattr(options, "scopeguard_factory_modules", None) or ()
        cls.extra_factory_modules = tuple(m for m in modules if m)
        try:
            for probe in _probes(getattr(options, "filenames", None) or ["."]):
                settings_for(probe, pyproject=cls.pyproject,
                             extra_factory_modules=cls.extra_factory_modules)
        except ConfigurationError as exc:
            # One line, exit status 1: SystemExit with a message is printed as is.
            raise SystemExit(f"scopeguard: {exc}") from None

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        if not isinstance(self.tree, ast.Module):
            return
        path = Path(self.filename or "stdin")
        settings = settings_for(
            path, pyproject=self.pyproject, extra_factory_modules=self.extra_factory_modules
        )
        lines = self.lines
        if not lines and self.filename and path.is_file():
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        result = check_tree(self.tree, lines, path, settings)
        for item in result.reported:
            yield item.finding.line, item.finding.col, item.message, type(self)


def _probes(targets: Sequence[str]) -> Iterator[Path]:
    """A file in each directory that has a pyproject.toml below (or above) the targets."""
    for target in targets:
        if target in ("-", ""):
            continue
        path = Path(target)
        if not path.is_dir():
            yield path
            continue
        yield path / "__init__.py"
        for directory, dirs, files in os.walk(path):
            dirs[:] = [
                d
                for d in dirs
                if not d.startswith(".")
                and d not in _SKIPPED
                and not os.path.exists(os.path.join(directory, d, "pyvenv.cfg"))
            ]
            if "pyproject.toml" in files:
                yield Path(directory, "__init__.py")
