"""A small legacy application, migrated with ``scopeguard migrate --write``, still passes its own
tests against moto, now through ``scopeguard.ClientFactory``; and the lint rules then report no
raw site that is not TODO-marked."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from codemod_support import ACCESSOR, run_checked
from test_todo_markers import CASES

from scopeguard.codemods.cli import main

LEGACY_APP = Path(__file__).parent / "legacy_app"

lint_rules = pytest.importorskip("scopeguard.lint_rules")


@pytest.fixture
def migrated_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    app = tmp_path / "legacy_app"
    shutil.copytree(LEGACY_APP, app)
    monkeypatch.chdir(app)
    assert main(["--write", "-j", "1", "-q", "shop"]) == 0
    assert main(["--check", "-j", "1", "-q", "shop"]) == 0
    return app


def _unacknowledged(path: Path) -> list[str]:
    result = lint_rules.check_file(path)
    return [
        f"{path.name}:{r.finding.line} {r.finding.code} {r.finding.detail}"
        for r in result.reported
        if r.acknowledged is None
    ]


@pytest.mark.slow
def test_migrated_app_passes_its_own_tests_through_the_factory(migrated_app: Path) -> None:
    orders = (migrated_app / "shop/orders.py").read_text()
    assert "import boto3" not in orders
    assert orders.count("get_factory().platform()") == 5
    # The app's composition root is a factory module: it is the one place boto3 stays.
    assert (migrated_app / "shop/aws.py").read_text() == (LEGACY_APP / "shop/aws.py").read_text()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(migrated_app), *sys.path])}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=migrated_app,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5 passed" in run.stdout


def test_async_module_is_rewritten_and_its_kept_client_marked(migrated_app: Path) -> None:
    notifications = (migrated_app / "shop/notifications.py").read_text()
    assert 'async with get_factory().platform().async_client("sns", region_name=' in notifications
    assert "session = get_session()" not in notifications
    assert "# scopeguard: TODO(SG005) used outside `async with`" in notifications


def test_after_migration_lint_reports_only_todo_marked_sites(migrated_app: Path) -> None:
    before = [
        f for p in sorted((LEGACY_APP / "shop").glob("*.py")) for f in _unacknowledged(p)
    ]
    assert len(before) >= 8  # the legacy app really is full of raw sites
    after = [f for p in sorted((migrated_app / "shop").glob("*.py")) for f in _unacknowledged(p)]
    assert after == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_todo_case_leaves_no_unacknowledged_lint_finding(
    case: str, tmp_path: Path
) -> None:
    source = textwrap.dedent(CASES[case][0])
    target = tmp_path / "module.py"
    target.write_text(run_checked(source, "app/module.py", ACCESSOR).migrated)
    assert _unacknowledged(target) == []
