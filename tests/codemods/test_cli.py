"""``scopeguard migrate``: modes, exit codes, file selection, reports and batches."""

from __future__ import annotations

import json
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from scopeguard.codemods.cli import main

from codemod_support import marked_codes

LEGACY = textwrap.dedent(
    """\
    import boto3


    def upload(body):
        boto3.client("s3", region_name="eu-west-1").put_object(Bucket="b", Key="k", Body=body)
    """
)
MIGRATED = textwrap.dedent(
    """\
    from app.aws import get_factory


    def upload(body):
        get_factory().platform().client("s3", region_name="eu-west-1").put_object(Bucket="b", Key="k", Body=body)
    """
)
PYPROJECT = textwrap.dedent(
    """\
    [tool.scopeguard]
    factory-modules = ["app.aws"]

    [tool.scopeguard.migrate]
    factory = "app.aws:get_factory"
    """
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "aws.py").write_text("import boto3\n\n\ndef get_factory():\n    return boto3.Session()\n")
    (app / "upload.py").write_text(LEGACY)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_diff_is_the_default_and_writes_nothing(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["app"]) == 0
    out = capsys.readouterr().out
    assert "--- a/app/upload.py" in out and "+from app.aws import get_factory" in out
    assert (project / "app/upload.py").read_text() == LEGACY


def test_write_rewrites_and_a_second_run_is_clean(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--write", "app"]) == 0
    assert (project / "app/upload.py").read_text() == MIGRATED
    assert (project / "app/aws.py").read_text().startswith("import boto3")  # factory module
    assert main(["--check", "app"]) == 0
    capsys.readouterr()
    assert main(["app"]) == 0
    assert capsys.readouterr().out == ""


def test_check_exits_1_when_something_would_change(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--check", "app"]) == 1
    assert (project / "app/upload.py").read_text() == LEGACY
    assert "would migrate app/upload.py" in capsys.readouterr().err


def test_unparseable_file_is_skipped_with_its_reason(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app/upload.py").write_text(MIGRATED)
    (project / "app/broken.py").write_text("import boto3\ndef client(:\n")
    assert main(["--check", "--report", "json", "app"]) == 0
    report = json.loads(capsys.readouterr().out)
    skipped = [s for s in report["sites"] if s["outcome"] == "skipped"]
    assert [s["path"] for s in skipped] == ["app/aws.py", "app/broken.py"]
    assert skipped[1]["reason"].startswith("does not parse")


def test_internal_error_exits_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("scopeguard.codemods.cli.migrate_source", explode)
    assert main(["--check", "-j", "1", "app"]) == 2
    assert "RuntimeError: boom" in capsys.readouterr().err


def test_configuration_error_exits_2(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--scope", "app/*=everyone()", "app"]) == 2
    assert "unknown scope 'everyone'" in capsys.readouterr().err


def test_json_report_has_one_record_per_site(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app/keys.py").write_text(
        "import boto3\n\n\ndef s3(k):\n    return boto3.client('s3', aws_access_key_id=k)\n"
    )
    assert main(["--report", "json", "app"]) == 0
    report = json.loads(capsys.readouterr().out)
    outcomes = {(s["path"], s["outcome"], s["code"]) for s in report["sites"]}
    assert ("app/upload.py", "rewritten", None) in outcomes
    assert ("app/keys.py", "todo", "SG010") in outcomes
    assert report["summary"]["sites_rewritten"] == 1
    # Markers as written: the deciding code and the site's own kind, one site.
    assert report["summary"]["todo_by_code"] == {"SG001": 1, "SG010": 1}
    assert report["summary"]["todo_sites"] == 1


def test_todo_markers_counts_marker_lines_and_todo_by_code_their_codes(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # One statement carrying two codes (the site's own SG001 and its SG010 credentials) and
    # another carrying one: two marker lines, three codes.
    (project / "app/keys.py").write_text(
        "import boto3\n\n\ndef s3(k):\n    return boto3.client('s3', aws_access_key_id=k)\n\n\n"
        "def sqs(service):\n    return boto3.client(service)\n"
    )
    assert main(["--write", "--json", "app"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)["summary"]
    written = (project / "app/keys.py").read_text()
    lines = [line for line in written.splitlines() if "# scopeguard: TODO(" in line]
    assert len(lines) == 2
    assert summary["todo_markers"] == len(lines)
    assert summary["todo_by_code"] == dict(sorted(Counter(marked_codes(written)).items()))
    assert sum(summary["todo_by_code"].values()) > summary["todo_markers"]
    assert summary["todo_sites"] == 2
    codes = ", ".join(f"{code} {n}" for code, n in summary["todo_by_code"].items())
    assert f"2 TODO markers (codes: {codes})" in captured.err
    # A second run writes no marker line.
    assert main(["--check", "--json", "app"]) == 0
    assert json.loads(capsys.readouterr().out)["summary"]["todo_markers"] == 0


def test_summary_counts_sites_todos_skips_and_removed_lines(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app/session.py").write_text(
        "import boto3\n\n\ndef q():\n    s = boto3.Session()\n    return s.client('sqs')\n"
    )
    assert main(["-q", "--report", "json", "--report-file", "r.json", "app"]) == 0
    summary = json.loads((project / "r.json").read_text())["summary"]
    assert summary["sites_rewritten"] == 2
    assert summary["files_skipped"] == 1
    assert summary["boilerplate_lines_removed"] == 1
    main(["app"])
    err = capsys.readouterr().err
    assert "2 sites rewritten, 0 TODO markers, 1 files skipped, 1 boilerplate lines removed" in err


def test_parallel_workers_give_the_same_result(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for n in range(6):
        (project / f"app/m{n}.py").write_text(LEGACY)
    main(["-j", "1", "app"])
    serial = capsys.readouterr().out
    main(["-j", "2", "app"])
    assert capsys.readouterr().out == serial


def test_prefilter_skips_files_that_never_name_an_sdk(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app/plain.py").write_text("def f(:\n")  # would fail to parse
    (project / "app/errors.py").write_text("from botocore.exceptions import ClientError\ndef f(:\n")
    assert main(["--report", "json", "app"]) == 0
    report = json.loads(capsys.readouterr().out)
    # plain.py, __init__.py, and errors.py: it names botocore but could not create a client
    assert report["summary"]["files_prefiltered"] == 3
    assert {"app/plain.py", "app/errors.py"}.isdisjoint({s["path"] for s in report["sites"]})


def test_check_sees_a_session_client_in_a_file_that_names_no_sdk(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A client made from a session handed in (SG006) needs no boto3 in the file: the
    pre-filter lets it through to the lint pass, and --check fails on it."""
    (project / "app/base.py").write_text(
        "class Base:\n    def __init__(self, session):\n        self.session = session\n\n"
        '    def cf(self):\n        return self.session.client("cloudformation")\n'
    )
    (project / "app/docker_only.py").write_text('import docker\n\nC = docker.from_env()\n')
    assert main(["--check", "--report", "json", "app/base.py", "app/docker_only.py"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["files_prefiltered"] == 1  # docker_only.py: still not parsed
    assert report["summary"]["unmarked_findings"] == 1


def test_exclude_globs_gitignore_and_tests_are_respected(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for rel in ("app/gen/out.py", "app/vendored/x.py", "tests/test_up.py", "app/up_test.py"):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(LEGACY)
    (project / ".gitignore").write_text("# generated\ngen/\n")
    assert main(["--exclude", "vendored/*", "--exclude-tests", "."]) == 0
    out = capsys.readouterr().out
    assert "a/app/upload.py" in out
    for rel in ("gen/out.py", "vendored/x.py", "tests/test_up.py", "up_test.py"):
        assert rel not in out
    assert main(["--no-gitignore", "."]) == 0
    assert "app/gen/out.py" in capsys.readouterr().out


def test_exclude_tests_and_the_sg050_pass_follow_the_projects_test_paths(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``[tool.scopeguard] test-paths``, the lint rules' setting, decides what is test code for
    migrate too, once the project sets it."""
    (project / "pyproject.toml").write_text(
        PYPROJECT.replace('factory-modules', 'test-paths = ["qa/", "*_spec.py"]\nfactory-modules')
    )
    patching = 'from unittest import mock\n\nPATCH = mock.patch("boto3.client")\n'
    for rel, text in (
        ("qa/check_up.py", LEGACY), ("app/up_spec.py", LEGACY), ("tests/test_up.py", LEGACY),
        ("qa/patches.py", patching), ("tests/patches.py", patching),
    ):
        (project / rel).parent.mkdir(parents=True, exist_ok=True)
        (project / rel).write_text(text)
    assert main(["--exclude-tests", "."]) == 0
    out = capsys.readouterr().out
    assert "a/app/upload.py" in out and "a/tests/test_up.py" in out
    assert "qa/" not in out and "up_spec.py" not in out
    assert main(["."]) == 0
    out = capsys.readouterr().out
    assert "+# scopeguard: TODO(SG050) patches boto3.client" in out.split("a/qa/patches.py")[1]
    assert "a/tests/patches.py" not in out  # not test code under this project's test-paths


def test_batches_plan_and_select(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(5):
        (project / f"app/m{n}.py").write_text(LEGACY)
    assert main(["--plan", "--batch-size", "4", "app"]) == 0
    plan = capsys.readouterr().out
    assert plan.startswith("batch 1: 4 files, 4 sites\n") and "batch 2: 2 files" in plan
    assert main(["--write", "--batch-size", "4", "--batch", "2", "app"]) == 0
    written = sorted(p.name for p in (project / "app").glob("*.py") if "get_factory().platform()" in p.read_text())
    assert written == ["m4.py", "upload.py"]
    assert main(["--batch", "9", "--batch-size", "4", "app"]) == 2


def test_progress_bar_goes_to_stderr(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--progress", "-q", "app"])
    captured = capsys.readouterr()
    assert "] 3/3 files" in captured.err and "files" not in captured.out.replace("a/app", "")


def test_command_line_overrides_the_factory_and_scope(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "app/upload.py").write_text(LEGACY.replace("def upload(body)", "def upload(body, ctx)"))
    assert main(["--factory", "ctx.factory", "--scope", "app/*=capsule(ctx.capsule)", "app"]) == 0
    out = capsys.readouterr().out
    assert 'ctx.factory.capsule(ctx.capsule).client("s3", region_name="eu-west-1")' in out
    assert "from app.aws" not in out


def test_scopeguard_migrate_dispatches_here(project: Path) -> None:
    from scopeguard._cli import main as scopeguard_main

    assert scopeguard_main(["migrate", "--check", "-q", "app"]) == 1
    assert scopeguard_main(["migrate", "--write", "-q", "app"]) == 0
    assert scopeguard_main(["migrate", "--check", "-q", "app"]) == 0
