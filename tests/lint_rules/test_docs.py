"""The committed rule docs are what the rules render, and the lint guide's config example loads."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from scopeguard.lint_rules import settings_for
from scopeguard.lint_rules._docs import expected_pages

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_rule_docs_are_up_to_date() -> None:
    expected = expected_pages()
    committed = {p.name: p.read_text(encoding="utf-8") for p in (DOCS / "rules").glob("*.md")}
    names = expected.keys() | committed.keys()
    stale = sorted(name for name in names if expected.get(name) != committed.get(name))
    assert not stale, (
        f"docs/rules is out of date ({', '.join(stale)}): "
        "run python -m scopeguard.lint_rules._docs docs/rules"
    )


def test_lint_guide_pyproject_example_is_valid(tmp_path: Path) -> None:
    guide = (DOCS / "lint.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", guide, re.DOTALL)
    pyproject = next(b for b in blocks if "[tool.scopeguard" in b)
    (tmp_path / "pyproject.toml").write_text(pyproject)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        settings = settings_for(tmp_path / "app.py")
    assert settings.config.factory_modules


def test_lint_guide_pre_commit_snippet_names_the_shipped_hooks() -> None:
    guide = (DOCS / "lint.md").read_text(encoding="utf-8")
    snippet = next(b for b in re.findall(r"```yaml\n(.*?)```", guide, re.DOTALL) if "hooks:" in b)
    used = set(re.findall(r"- id: (\S+)", snippet))
    hooks = (DOCS.parent / ".pre-commit-hooks.yaml").read_text()
    shipped = set(re.findall(r"^- id: (\S+)", hooks, re.M))
    assert used and used <= shipped
