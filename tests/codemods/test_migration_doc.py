"""docs/migration.md is executed: its before/after module and its configuration are real."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from codemod_support import run_checked

from scopeguard._config import ScopeguardConfig
from scopeguard.codemods import MigrateSettings

GUIDE = Path(__file__).parents[2] / "docs" / "migration.md"


def _block_after(marker: str, language: str) -> str:
    text = GUIDE.read_text()
    start = text.index(marker)
    match = re.compile(rf"```{language}\n(.*?)```", re.DOTALL).search(text, start)
    assert match is not None, f"no {language} block after {marker!r}"
    return match.group(1)


def _settings() -> MigrateSettings:
    table = tomllib.loads(_block_after("Then tell scopeguard about it", "toml"))["tool"]
    config = ScopeguardConfig(
        factory_modules=tuple(table["scopeguard"]["factory-modules"]),
        tool_tables={"migrate": table["scopeguard"]["migrate"]},
    )
    return MigrateSettings.from_config(config)


def test_the_guide_configuration_is_valid() -> None:
    settings = _settings()
    assert settings.factory.expression == "get_factory()"
    assert [rule.kind for rule in settings.scopes] == ["tenant", "capsule"]


def test_the_guide_before_and_after_are_what_migrate_does() -> None:
    before = _block_after("Before:", "python")
    after = _block_after("After `scopeguard migrate --write`", "python")
    result = run_checked(before, "myapp/orders.py", _settings())
    assert result.migrated == after


def test_the_guide_async_before_and_after_are_what_migrate_does() -> None:
    before = _block_after("Async before:", "python")
    after = _block_after("Async after `scopeguard migrate --write`", "python")
    result = run_checked(before, "myapp/events.py", _settings())
    assert result.migrated == after
