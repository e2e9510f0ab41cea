"""``scopeguard migrate`` reads ``[tool.scopeguard.naming]`` through the one loader the runtime,
the lint rules and the mypy plugin use."""

from __future__ import annotations

import textwrap
from pathlib import Path

from codemod_support import run_checked

from scopeguard import NamingPolicy
from scopeguard._config import load_config
from scopeguard.codemods import MigrateSettings
from scopeguard.lint_rules import LintSettings

UUID = "3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f"
PYPROJECT = """\
[tool.scopeguard.naming]
tenant-ids = ["uuid"]
capsules = []

[tool.scopeguard.naming.templates]
dynamodb = "{logical}-{tenant}"

[tool.scopeguard.migrate]
factory = "myapp.aws:get_factory"
"""


def test_migrate_reads_the_policy_the_runtime_and_the_lint_rules_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    settings = MigrateSettings.from_config(load_config(tmp_path))
    runtime = NamingPolicy.from_pyproject(tmp_path)
    lint = LintSettings.from_config(settings.config)  # what migrate's remaining findings use
    assert settings.config.naming == runtime == lint.config.naming
    assert runtime.owner(f"Order-{UUID}", "dynamodb") == runtime.tenant(UUID)


def test_migrating_keeps_the_configured_names_untouched(tmp_path: Path) -> None:
    # Literal names are application data to the codemod: it rewrites client creation only, and
    # a second run changes nothing (run_checked).
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    settings = MigrateSettings.from_config(load_config(tmp_path))
    source = textwrap.dedent(f"""\
        import boto3


        def load():
            return boto3.client("dynamodb").get_item(TableName="Order-{UUID}", Key={{}})
    """)
    result = run_checked(source, str(tmp_path / "app" / "service.py"), settings)
    assert f'TableName="Order-{UUID}"' in result.migrated
    assert "get_factory" in result.migrated
