"""The flake8 entry point ``SG``: a plain AST checker class, no flake8 import.

flake8 builds one ``Plugin`` per file, passing the parsed ``tree``, the ``filename`` and the
physical ``lines``; ``add_options``/``parse_options`` are called once per run with flake8's option
manager and parsed options, which are used here only through their public methods and attributes.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar

from ._checker import check_tree, settings_for

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
