"""Type checkers see scopeguard as installed, from outside the repository.

mypy and pyright cannot follow an import-hook editable install (setuptools' flat-layout finder):
run from another directory they report ``import-not-found``, or, where that is silenced, every
scope type becomes ``Any`` and no mix-up is reported. The src layout makes the editable install a
plain path entry; these tests run both checkers from a temporary directory, with no path settings
of ours, against whatever ``pip install`` put in this environment. They also prove the ``mypy``
extra carries stubs for SNS, STS and the async clients (without them the types fall back to
``Any``, silently).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APP = '''\
import boto3
import scopeguard
from scopeguard.typing import TenantDynamoDBClient

factory = scopeguard.ClientFactory(session=boto3.Session(region_name="eu-west-1"))


def save(orders: TenantDynamoDBClient) -> None:
    orders.put_item(TableName="orders", Item={})


save(factory.platform().client("dynamodb"))
reveal_type(factory.tenant("acme").client("sns"))
reveal_type(factory.operator("111122223333").client("sts"))


async def run() -> None:
    reveal_type(await factory.tenant("acme").async_client("sqs"))
'''


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def test_mypy_outside_the_repository_reports_a_scope_mix_up(outside: Path) -> None:
    (outside / "pyproject.toml").write_text(
        '[tool.mypy]\nplugins = ["scopeguard.mypy_plugin"]\nstrict = true\n', encoding="utf-8"
    )
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental", "--show-error-codes", "app.py"],
        cwd=outside, capture_output=True, text=True, check=False, timeout=600,
    )
    out = result.stdout + result.stderr
    assert "import-not-found" not in out and "import-untyped" not in out, out
    mix_up = [line for line in out.splitlines() if line.startswith("app.py:12:")]
    assert mix_up and "scopeguard-scope-mismatch" in mix_up[0], out
    assert 'Revealed type is "scopeguard.typing.ScopedSNSClient[scopeguard._scope.TenantScope]"' \
        in out, out
    assert 'Revealed type is "scopeguard.typing.ScopedSTSClient[scopeguard._scope.OperatorScope]"' \
        in out, out
    assert "ScopedAsyncSQSClient[scopeguard._scope.TenantScope]" in out, out
    assert '"Any"' not in out, out


def _pyright() -> str | None:
    candidate = Path(sys.executable).with_name("pyright")
    return str(candidate) if candidate.exists() else shutil.which("pyright")


def test_pyright_outside_the_repository_reports_a_scope_mix_up(outside: Path) -> None:
    exe = _pyright()
    if exe is None:  # the test extra installs it; a missing one is a broken environment
        pytest.fail("pyright is not installed: pip install -e '.[test]'")
    (outside / "pyrightconfig.json").write_text(
        json.dumps({"typeCheckingMode": "strict", "pythonVersion": "3.11"}), encoding="utf-8"
    )
    result = subprocess.run(
        [exe, "--pythonpath", sys.executable, "--outputjson", "app.py"],
        cwd=outside, capture_output=True, text=True, check=False, timeout=600,
    )
    report = json.loads(result.stdout)
    diagnostics = report["generalDiagnostics"]
    messages = [(d["range"]["start"]["line"] + 1, d.get("rule"), d["message"])
                for d in diagnostics]
    assert not [m for m in messages if m[1] == "reportMissingImports"], messages
    assert any(line == 12 and rule == "reportArgumentType" for line, rule, _ in messages), messages
    revealed = [msg for line, _, msg in messages if line in (13, 14, 18)]
    assert len(revealed) == 3, messages
    assert "ScopedSNSClient[TenantScope]" in revealed[0], revealed
    assert "ScopedSTSClient[OperatorScope]" in revealed[1], revealed
    assert "ScopedAsyncSQSClient[TenantScope]" in revealed[2], revealed
