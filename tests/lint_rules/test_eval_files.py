"""Eval files: each line marked ``# SG0xx`` must be reported with exactly those codes, and no
other line may be reported (bugbear's ``tests/eval_files`` convention)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scopeguard.lint_rules import LintSettings, check_file
from scopeguard.lint_rules._rule import expected_findings

EVAL_FILES = sorted((Path(__file__).parent / "eval_files").glob("*.py"))


@pytest.mark.parametrize("path", EVAL_FILES, ids=[p.stem for p in EVAL_FILES])
def test_eval_file_reports_exactly_the_marked_lines(path: Path) -> None:
    # The eval files live below tests/, which test-paths exempts from the raw-client rules.
    result = check_file(path, LintSettings(), tests_exempt=False)
    got = sorted((r.finding.line, r.finding.code) for r in result.reported)
    assert got == expected_findings(path.read_text())


def test_every_lint_code_has_an_eval_file_case() -> None:
    from scopeguard.lint_rules import RULES

    marked = {code for path in EVAL_FILES for _, code in expected_findings(path.read_text())}
    # SG011 is exercised by its rule's examples only: a key-shaped literal in a committed test
    # file would itself be the thing secret scanners (rightly) stop.
    assert {rule.code for rule in RULES} - {"SG011"} <= marked
