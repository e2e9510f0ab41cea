"""Incremental runs on one cache directory, config changes, and the mypy daemon.

Each test builds a small project in ``tmp_path`` and runs mypy more than once on the same cache:
the output must follow the code and the config, never a stale cache.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from mypy.version import __version__ as mypy_version
from mypy_harness import parse_mypy, run_mypy, write_project

MYPY_VERSION = tuple(int(part) for part in re.findall(r"\d+", mypy_version)[:2])

HANDLERS = '''\
from __future__ import annotations

import boto3

from scopeguard import ClientFactory


def handle(factory: ClientFactory) -> None:
    boto3.client("sqs")
    reveal_type(factory.platform().client("xray"))
    factory.capsule("dev").client("dynamodb").put_item(TableName="c-prod-orders", Item={})
'''


def _project(root: Path, scopeguard: str = 'factory-modules = ["app.composition"]') -> Path:
    app = root / "app"
    app.mkdir(exist_ok=True)
    (app / "__init__.py").write_text("")
    (app / "handlers.py").write_text(HANDLERS)
    return write_project(root, scopeguard=scopeguard)


def _codes(output: str) -> list[tuple[int, str]]:
    """(line, code or note text) per diagnostic, in order."""
    found = []
    for diagnostics in parse_mypy(output).values():
        for d in diagnostics:
            code = d.text.rsplit("[", 1)[-1].rstrip("]")
            found.append((d.line, code if d.severity == "E" else d.text))
    return sorted(found)


RAW = (9, "scopeguard-raw-client")
XRAY = (10, 'Revealed type is "types_boto3_xray.client.XRayClient"')
WRONG = (11, "scopeguard-wrong-name")


def test_warm_cache_and_code_changes(tmp_path: Path) -> None:
    pyproject = _project(tmp_path)
    cache = tmp_path / "cache"
    first, _ = run_mypy(pyproject, cache, tmp_path / "app")
    assert _codes(first) == [RAW, XRAY, WRONG]
    assert any(cache.rglob("*.db")) or any(cache.rglob("*.meta.*")), "mypy wrote no cache"
    # Unchanged: same diagnostics from the warm cache (inference included).
    second, _ = run_mypy(pyproject, cache, tmp_path / "app")
    assert _codes(second) == _codes(first)
    # Fixed code, same cache: the errors go.
    handlers = tmp_path / "app" / "handlers.py"
    handlers.write_text(
        HANDLERS.replace('boto3.client("sqs")', 'factory.tenant("acme").client("sqs")').replace(
            "c-prod-orders", "orders"
        )
    )
    third, _ = run_mypy(pyproject, cache, tmp_path / "app")
    assert _codes(third) == [XRAY]


def test_config_changes_invalidate_the_cache(tmp_path: Path) -> None:
    pyproject = _project(tmp_path)
    cache = tmp_path / "cache"
    first, _ = run_mypy(pyproject, cache, tmp_path / "app")
    assert _codes(first) == [RAW, XRAY, WRONG]
    # Only the config changes: report_config_data makes mypy recheck the unchanged module.
    write_project(tmp_path, scopeguard='factory-modules = ["app.composition", "app.handlers"]')
    second, _ = run_mypy(pyproject, cache, tmp_path / "app")
    assert _codes(second) == [XRAY, WRONG]
    # Another capsule marker: "c-prod-orders" is no longer a capsule's name.
    write_project(
        tmp_path,
        scopeguard='factory-modules = ["app.composition"]\n'
        '[tool.scopeguard.naming]\ncapsule-marker = "env"',
    )
    third, _ = run_mypy(pyproject, cache, tmp_path / "app")
    assert _codes(third) == [RAW, XRAY]
    # The plugin's own sub-table.
    write_project(
        tmp_path,
        scopeguard='factory-modules = ["app.composition"]\n'
        "[tool.scopeguard.mypy]\ncheck-names = false\ninfer-services = false",
    )
    fourth, _ = run_mypy(pyproject, cache, tmp_path / "app")
    assert _codes(fourth) == [RAW, (10, 'Revealed type is "Any"')]


@pytest.mark.skipif(
    MYPY_VERSION < (2, 0),
    reason="mypy releases without python/mypy#19719 reject plugin codes in disable_error_code",
)
def test_disable_error_code_in_config_in_a_fresh_interpreter(tmp_path: Path) -> None:
    # A fresh process: the plugin's codes must be known when mypy validates its own config.
    pyproject = _project(tmp_path)
    text = pyproject.read_text().replace(
        "strict = true", 'strict = true\ndisable_error_code = ["scopeguard-raw-client"]'
    )
    pyproject.write_text(text)
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(pyproject), "--no-error-summary",
         "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "app")],
        capture_output=True, text=True, timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert _codes(done.stdout) == [XRAY, WRONG], done.stdout + done.stderr


def test_dmypy_follows_edits(tmp_path: Path) -> None:
    pyproject = _project(tmp_path)
    status = tmp_path / "dmypy.json"
    base = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status)]
    check = [*base, "run", "--", "--config-file", str(pyproject), "--no-error-summary",
             "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "app")]

    def run() -> str:
        done = subprocess.run(check, capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert "Traceback" not in done.stderr + done.stdout, done.stderr + done.stdout
        return done.stdout

    try:
        assert _codes(run()) == [RAW, XRAY, WRONG]
        handlers = tmp_path / "app" / "handlers.py"
        handlers.write_text(HANDLERS.replace('boto3.client("sqs")', "pass"))
        assert _codes(run()) == [XRAY, WRONG]
        handlers.write_text(HANDLERS + textwrap.dedent('''
            def more(factory: ClientFactory) -> None:
                factory.tenant("acme").client("dynamdb")
        '''))
        assert _codes(run()) == [RAW, XRAY, WRONG, (14, "scopeguard-unknown-service")]
    finally:
        subprocess.run([*base, "stop"], capture_output=True, timeout=60)


HELPERS = """\
from __future__ import annotations

from types_boto3_dynamodb.client import DynamoDBClient

from scopeguard.typing import TenantDynamoDBClient


def save_order(orders: DynamoDBClient) -> None: ...
"""
CALLER = """\
from __future__ import annotations

from scopeguard import ClientFactory, TenantScope

from app.helpers import save_order


class Audited(TenantScope): ...


def handle(factory: ClientFactory, audited: Audited) -> None:
    save_order(factory.platform().client("dynamodb"))
    reveal_type(audited.client("xray"))
"""
MISMATCH = (12, "scopeguard-scope-mismatch")


def test_dmypy_follows_signature_edits_in_another_module(tmp_path: Path) -> None:
    # The callee's module changes, the caller's does not. The daemon keeps a function's node
    # when its definition is edited, so an answer cached by node alone went stale: the call was
    # reported as arg-type until the daemon restarted.
    pyproject = _project(tmp_path)
    helpers = tmp_path / "app" / "helpers.py"
    helpers.write_text(HELPERS)
    (tmp_path / "app" / "handlers.py").write_text(CALLER)
    status = tmp_path / "dmypy.json"
    base = [sys.executable, "-m", "mypy.dmypy", "--status-file", str(status)]
    check = [*base, "run", "--", "--config-file", str(pyproject), "--no-error-summary",
             "--cache-dir", str(tmp_path / "cache"), str(tmp_path / "app")]

    def run() -> list[tuple[int, str]]:
        done = subprocess.run(check, capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert "Traceback" not in done.stderr + done.stdout, done.stderr + done.stdout
        return _codes(done.stdout)

    xray = (13, 'Revealed type is "types_boto3_xray.client.XRayClient"')
    scoped = HELPERS.replace("orders: DynamoDBClient", "orders: TenantDynamoDBClient")
    try:
        assert run() == [xray]
        helpers.write_text(scoped)
        assert run() == [MISMATCH, xray]
        helpers.write_text(HELPERS)
        assert run() == [xray]
        helpers.write_text(scoped)
        assert run() == [MISMATCH, xray]
    finally:
        subprocess.run([*base, "stop"], capture_output=True, timeout=60)


@pytest.fixture(autouse=True)
def _no_stray_daemon_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MYPYPATH", raising=False)
