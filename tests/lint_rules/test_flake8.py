"""The plugin as users run it: the real flake8 executable on a small project."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

SERVICE = """\
import boto3


def load(order_id):
    return boto3.client("dynamodb")


def silenced():
    return boto3.client("s3")  # noqa: SG001


def acknowledged():
    # scopeguard: TODO(SG001) the reports bucket is shared by every tenant
    return boto3.resource("s3")
"""
WIRING = """\
import boto3

from scopeguard import ClientFactory


def build():
    return ClientFactory(session=boto3.Session())
"""


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.scopeguard]\nfactory-modules = ["myapp.wiring"]\n'
    )
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("")
    (tmp_path / "myapp" / "service.py").write_text(SERVICE)
    (tmp_path / "myapp" / "wiring.py").write_text(WIRING)
    (tmp_path / "myapp" / "other.py").write_text(WIRING)
    return tmp_path


def _flake8(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLAKE8")}
    return subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "SG", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_flake8_reports_sg_codes_with_config_from_pyproject(sample: Path) -> None:
    result = _flake8(sample, "--format=%(path)s:%(row)d:%(code)s", ".")
    assert result.returncode == 1, result.stderr
    assert sorted(result.stdout.split()) == [
        "./myapp/other.py:7:SG002",
        "./myapp/service.py:14:SG001",
        "./myapp/service.py:5:SG001",
    ]
    messages = _flake8(sample, "myapp/service.py").stdout
    assert "[acknowledged: TODO(SG001) the reports bucket is shared by every tenant]" in messages


def test_command_line_adds_factory_modules(sample: Path) -> None:
    result = _flake8(sample, "--scopeguard-factory-modules=myapp.other,myapp.service", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_pre_commit_hook_entry_runs_on_a_sample_repo(sample: Path) -> None:
    hooks = _read_hooks(REPO / ".pre-commit-hooks.yaml")
    lint = hooks["scopeguard-lint"]
    assert lint["language"] == "python" and lint["types"] == ["python"]
    assert hooks["scopeguard-migrate-check"]["entry"] == "scopeguard migrate --check --exclude-tests"
    # pre-commit runs the entry with the staged file names appended, from the repo root, with
    # the hook's environment first on PATH: the venv running the tests has the same packages.
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    files = ["myapp/service.py", "myapp/wiring.py"]
    command = [*shlex.split(lint["entry"]), *files]
    failing = subprocess.run(
        command, cwd=sample, capture_output=True, text=True, env=env, timeout=120
    )
    assert failing.returncode == 1
    assert "myapp/service.py:5:12: SG001" in failing.stdout
    passing = subprocess.run(
        [*shlex.split(lint["entry"]), "myapp/wiring.py"],
        cwd=sample,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert passing.returncode == 0, passing.stdout + passing.stderr


def _read_hooks(path: Path) -> dict[str, dict[str, object]]:
    """The subset of YAML the hooks file uses: a list of flat maps, flow lists, plain scalars."""
    hooks: dict[str, dict[str, object]] = {}
    current: dict[str, object] | None = None
    for raw in path.read_text().splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.startswith("- "):
            current = {}
            line = line[2:]
        assert current is not None, raw
        key, _, value = line.strip().partition(":")
        value = value.strip()
        if value.startswith("["):
            current[key] = [v.strip().strip("\"'") for v in value[1:-1].split(",") if v.strip()]
        else:
            current[key] = value.strip("\"'")
        if key == "id":
            hooks[str(current["id"])] = current
    return hooks


def test_hooks_file_parses_to_the_two_hooks() -> None:
    hooks = _read_hooks(REPO / ".pre-commit-hooks.yaml")
    assert set(hooks) == {"scopeguard-lint", "scopeguard-migrate-check"}
    assert hooks["scopeguard-lint"]["entry"] == "flake8 --select SG"


FIXTURE = """\
import boto3
import pytest


@pytest.fixture
def s3():
    return boto3.client("s3", aws_secret_access_key="not-a-real-key")
"""


def test_pre_commit_hook_applies_only_credential_rules_to_test_code(sample: Path) -> None:
    (sample / "tests").mkdir()
    (sample / "tests" / "conftest.py").write_text(FIXTURE)
    (sample / "myapp" / "fixtures_test.py").write_text(FIXTURE)
    (sample / "myapp" / "fixtures.py").write_text(FIXTURE)
    lint = _read_hooks(REPO / ".pre-commit-hooks.yaml")["scopeguard-lint"]
    files = ["tests/conftest.py", "myapp/fixtures_test.py", "myapp/fixtures.py"]
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(
        [*shlex.split(str(lint["entry"])), "--format=%(path)s:%(row)d:%(code)s", *files],
        cwd=sample,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert sorted(result.stdout.split()) == [
        "myapp/fixtures.py:7:SG001",
        "myapp/fixtures.py:7:SG010",
        "myapp/fixtures_test.py:7:SG010",
        "tests/conftest.py:7:SG010",
    ], result.stderr


def _many_files(root: Path, pyproject: str) -> None:
    (root / "pyproject.toml").write_text(pyproject)
    (root / "app").mkdir()
    for i in range(6):
        (root / "app" / f"m{i}.py").write_text("import boto3\n\nS3 = boto3.client('s3')\n")


def test_a_malformed_config_is_one_line_naming_the_file_and_the_key(tmp_path: Path) -> None:
    _many_files(tmp_path, '[tool.scopeguard.lint]\nclient-factories = "myapp.get"\n')
    result = _flake8(tmp_path, "-j2", ".")
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line == (
        f"scopeguard: {tmp_path / 'pyproject.toml'} [tool.scopeguard.lint]: 'client-factories' "
        "must be a list of strings, got 'myapp.get'"
    )


def test_a_config_warning_is_printed_once_at_the_pyproject_line(tmp_path: Path) -> None:
    _many_files(tmp_path, '[tool.scopeguard]\n\nfactory-module = ["app.m0"]\n')
    result = _flake8(tmp_path, "-j2", "--format=%(path)s:%(code)s", ".")
    assert result.returncode == 1
    assert len(result.stdout.split()) == 6 * 2  # SG001 and SG031 in each file
    warnings = [line for line in result.stderr.splitlines() if "unknown key" in line]
    assert len(warnings) == 1, result.stderr
    assert warnings[0].startswith(f"{tmp_path / 'pyproject.toml'}:3: ScopeguardConfigWarning")
    # The line shown under it is the user's, not scopeguard's ``warnings.warn(`` call.
    assert 'factory-module = ["app.m0"]' in result.stderr
    assert "_config.py" not in result.stderr and "warnings.warn" not in result.stderr


def test_one_migrate_marker_line_acknowledges_every_code_on_it(sample: Path) -> None:
    pytest.importorskip("libcst")
    from scopeguard.codemods import FactoryAccessor, MigrateSettings, migrate_source

    source = (
        "import boto3\n\n\ndef audit(key_id, secret):\n"
        "    return boto3.client('s3', aws_access_key_id=key_id, aws_secret_access_key=secret)\n"
    )
    settings = MigrateSettings(factory=FactoryAccessor.parse("myapp.aws:get_factory"))
    migrated = migrate_source(source, "myapp/audit.py", settings).migrated
    markers = [line for line in migrated.splitlines() if "scopeguard: TODO(" in line]
    assert len(markers) == 1 and "TODO(SG010,SG001)" in markers[0]
    (sample / "myapp" / "audit.py").write_text(migrated)
    result = _flake8(sample, "myapp/audit.py")
    lines = result.stdout.splitlines()
    assert {line.split()[1] for line in lines} == {"SG001", "SG010"}
    assert lines and all("[acknowledged: TODO(" in line for line in lines)
