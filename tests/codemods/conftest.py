"""Fixtures for the codemod tests (helpers live in codemod_support)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

import pytest

# A legacy application the end-to-end test migrates in a temporary copy; its tests run there.
collect_ignore = ["legacy_app"]

pytest.importorskip("libcst")

from codemod_support import ACCESSOR, Migrate, run_checked  # noqa: E402

from scopeguard.codemods import FileResult, MigrateSettings  # noqa: E402


@pytest.fixture
def migrate() -> Migrate:
    def _migrate(
        before: str, *, path: str = "app/service.py", settings: MigrateSettings = ACCESSOR
    ) -> FileResult:
        return run_checked(textwrap.dedent(before), path, settings)

    return _migrate


@pytest.fixture
def assert_migrates(migrate: Migrate) -> Callable[..., FileResult]:
    def _assert(before: str, after: str, **kwargs: object) -> FileResult:
        result = migrate(before, **kwargs)  # type: ignore[arg-type]
        assert result.migrated == textwrap.dedent(after)
        return result

    return _assert
