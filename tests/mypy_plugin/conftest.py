"""Fixtures for the mypy plugin tests: one mypy run over all cases, shared by the case tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from mypy_harness import CASES, Diagnostic, copy_cases, parse_mypy, run_mypy, write_project


@pytest.fixture(scope="session")
def case_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[Diagnostic]]]:
    """mypy with the plugin over every file in ``cases/``, once per test session."""
    root = tmp_path_factory.mktemp("mypy-cases")
    cases = copy_cases(CASES, root)
    pyproject = write_project(root)
    output, _ = run_mypy(pyproject, root / ".mypy_cache", cases)
    assert "Traceback" not in output, output
    return cases, parse_mypy(output)
