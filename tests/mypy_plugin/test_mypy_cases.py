"""Every case file in ``cases/``: mypy with the plugin reports exactly its inline expectations."""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy_harness import CASES, Diagnostic, compare

from scopeguard._codes import MYPY_CODES

CASE_FILES = sorted(p.name for p in CASES.glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("name", CASE_FILES)
def test_case_reports_exactly_its_expectations(
    name: str, case_run: tuple[Path, dict[str, list[Diagnostic]]]
) -> None:
    cases, reported = case_run
    path = cases / name
    problems = compare(path, reported.get(str(path.resolve()), []))
    assert not problems, "\n".join(problems)


def test_every_mypy_code_has_a_positive_case() -> None:
    text = "".join((CASES / name).read_text() for name in CASE_FILES)
    for code in MYPY_CODES:
        assert f"  [{code}]" in text, f"no case expects {code}"


def test_no_case_output_is_outside_the_case_files(
    case_run: tuple[Path, dict[str, list[Diagnostic]]],
) -> None:
    cases, reported = case_run
    inside = str(cases.resolve())
    stray = {path: diags for path, diags in reported.items() if not path.startswith(inside)}
    assert not stray
