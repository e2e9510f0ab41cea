"""Shared by the codemod tests: every migration is checked to parse and to be idempotent."""

from __future__ import annotations

import ast
from typing import Protocol

import pytest

pytest.importorskip("libcst")

from scopeguard.codemods import (  # noqa: E402
    FactoryAccessor,
    FileResult,
    MigrateSettings,
    migrate_source,
)

ACCESSOR = MigrateSettings(factory=FactoryAccessor.parse("myapp.aws:get_factory"))


class Migrate(Protocol):
    def __call__(
        self, before: str, *, path: str = ..., settings: MigrateSettings = ...
    ) -> FileResult: ...


def run_checked(before: str, path: str, settings: MigrateSettings) -> FileResult:
    """Migrate once, then assert the output parses and a second run changes nothing."""
    result = migrate_source(before, path, settings)
    ast.parse(result.migrated)
    again = migrate_source(result.migrated, path, settings)
    assert again.migrated == result.migrated, "a second run changed the output"
    return result
