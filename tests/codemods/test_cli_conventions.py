"""The command line behaves like its peers on bad input: missing paths, unwritable report files,
closed pipes, bare invocation, and the same flag spellings in ``migrate`` and ``report``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from scopeguard import _cli
from scopeguard.codemods._files import discover, is_test_path
from scopeguard.codemods.cli import main as migrate
from scopeguard.lint_rules.report import main as report

PYPROJECT = '[tool.scopeguard.migrate]\nfactory = "app.aws:get_factory"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "app").mkdir()
    (tmp_path / "app/job.py").write_text("import boto3\n\ndef f():\n    boto3.client('s3')\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_missing_path_exits_2_in_every_mode(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for mode in ("--check", "--write", "--diff", "--plan"):
        assert migrate([mode, "app", "/nonexistent"]) == 2
        err = capsys.readouterr().err
        assert err.strip() == "scopeguard migrate: no such file or directory: /nonexistent"
    assert (project / "app/job.py").read_text().endswith("boto3.client('s3')\n")  # nothing written
    with pytest.raises(SystemExit) as exited:
        report(["/nonexistent"])
    assert exited.value.code == 2


@pytest.mark.parametrize("where", ["missing-dir/r.json", "app"])
def test_an_unwritable_report_file_is_one_line_and_exit_2(
    project: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    assert migrate(["--write", "--report", "json", "--report-file", where, "app"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"scopeguard migrate: --report-file {where}: ")
    assert "boto3.client('s3')" in (project / "app/job.py").read_text()  # refused before the run


def _unwritable_directory(project: Path) -> Path:
    """A directory this process may not create files in: a read-only one, or for root (who
    writes to those) sysfs, which refuses new files to everyone."""
    if os.geteuid() != 0:
        locked = project / "locked"
        locked.mkdir(mode=0o500)
        return locked
    probe = Path("/sys") / "scopeguard-probe"
    try:
        probe.open("w").close()
    except OSError:
        return Path("/sys")
    probe.unlink()
    pytest.skip("no directory refuses root's writes on this machine")


def test_a_read_only_directory_is_refused_before_the_run(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    locked = _unwritable_directory(project)
    assert migrate(["--write", "--json", "--report-file", str(locked / "r.json"), "app"]) == 2
    assert "boto3.client('s3')" in (project / "app/job.py").read_text()  # nothing rewritten
    captured = capsys.readouterr()
    assert "permission denied" in captured.err.lower()
    assert captured.out == ""  # refused before the run


def test_json_is_spelled_the_same_in_migrate_and_report(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert migrate(["--json", "--no-progress", "--config", "pyproject.toml", "app"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["summary"]["sites_rewritten"] == 1
    assert report(["--json", "--no-progress", "--config", "pyproject.toml", "app"]) == 0
    assert json.loads(capsys.readouterr().out)["totals"][0]["codes"] == {"SG001": 1}


def test_bare_scopeguard_prints_usage_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli.main([]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("usage: scopeguard <command>")


def test_report_json_into_a_closed_pipe_has_no_traceback(project: Path) -> None:
    for n in range(300):  # enough JSON to outgrow the pipe buffer
        (project / f"app/m{n:03}.py").write_text("import boto3\nboto3.client('s3')\n")
    (project / "app/__init__.py").write_text("")
    shell = f"{sys.executable} -m scopeguard report --json --depth 3 app | head -n 1"
    done = subprocess.run(shell, shell=True, capture_output=True, text=True, cwd=project, check=False)
    assert done.stdout == "{\n"
    assert "Traceback" not in done.stderr and "BrokenPipeError" not in done.stderr


def _tree(root: Path, *paths: str) -> None:
    for rel in paths:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("import boto3\nboto3.client('s3')\n")


def test_gitignore_is_read_as_git_reads_it_by_both_commands(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, "gen/a.py", "gen/sub/b.py", "app/c.py", "app/build/d.py", "app/keep/e.py",
          "app/keep/skip.py")
    (tmp_path / ".gitignore").write_text("gen/*.py\nbuild/\n/app/keep/*\n")
    (tmp_path / "app/keep/.gitignore").write_text("!e.py\n")
    found = sorted(p.relative_to(tmp_path).as_posix() for p in discover([tmp_path / "app"]))
    # `gen/*.py` does not match gen/sub/b.py in git; `build/` matches at any depth; the deeper
    # .gitignore re-includes e.py; the walk starting below the root still reads the root's file.
    assert found == ["app/c.py", "app/keep/e.py"]
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path / "gen"])] == [
        "gen/sub/b.py"
    ]
    assert report(["--json", "--depth", "1", str(tmp_path)]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["totals"][0]["files"] == 3  # app/c.py, app/keep/e.py, gen/sub/b.py


def test_test_packages_by_name_are_test_code() -> None:
    for path in ("myapp_tests/a.py", "src/orders_test/b.py", "tests_integration/c.py"):
        assert is_test_path(path)
    for path in ("contests/a.py", "latest/b.py", "attestation.py"):
        assert not is_test_path(path)
