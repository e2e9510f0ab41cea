"""The rules stay plain AST code: no flake8 import, so the report and other tools can use them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import scopeguard.lint_rules

PACKAGE = Path(scopeguard.lint_rules.__file__).parent


def test_no_module_of_the_plugin_imports_flake8() -> None:
    offenders = [
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"^\s*(import|from)\s+flake8\b", path.read_text(), re.MULTILINE)
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
