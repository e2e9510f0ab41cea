"""Shared by the codemod tests: every migration is checked to compile and to be idempotent."""

from __future__ import annotations

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
    """Migrate once, then assert the output compiles and a second run changes nothing."""
    result = migrate_source(before, path, settings)
    # compile(), not ast.parse(): only the compiler rejects `await` outside an async function.
    compile(result.migrated, path, "exec", dont_inherit=True)
    again = migrate_source(result.migrated, path, settings)
    assert again.migrated == result.migrated, "a second run changed the output"
    return result


def marked_codes(text: str) -> list[str]:
    """Every code the TODO marker lines in ``text`` carry, in order (several per line allowed)."""
    from scopeguard._codes import parse_marker

    return [
        code
        for line in text.splitlines()
        if line.lstrip().startswith("#") and (parsed := parse_marker(line)) is not None
        for code in parsed[0]
    ]
