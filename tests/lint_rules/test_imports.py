"""The rules stay plain AST code: no flake8 import, so the report and other tools can use them."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import scopeguard.lint_rules

PACKAGE = Path(scopeguard.lint_rules.__file__).parent


def _imported_modules(path: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module.partition(".")[0])
    return modules


def test_no_module_of_the_plugin_imports_flake8() -> None:
    offenders = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if "flake8" in _imported_modules(path)
    ]
    assert offenders == []


def test_importing_the_plugin_loads_neither_flake8_nor_libcst() -> None:
    code = (
        "import sys, scopeguard.lint_rules, scopeguard.lint_rules.report; "
        "print(sorted(m for m in ('flake8', 'libcst', 'mypy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
