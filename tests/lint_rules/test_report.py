"""``scopeguard report``: the census table, JSON, progress bar and errors."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from scopeguard.lint_rules.report import main


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    files = {
        "pyproject.toml": '[tool.scopeguard]\nfactory-modules = ["myapp.wiring"]\n',
        "myapp/__init__.py": "",
        "myapp/wiring.py": "import boto3\nSESSION = boto3.Session()\n",
        "myapp/billing/invoices.py": (
            "import boto3\n\n"
            "def f(factory):\n"
            "    factory.tenant('acme').client('s3')\n"
            "    factory.platform().resource('dynamodb')\n"
            "    boto3.client('sqs')\n"
            "    boto3.client('sns')  # noqa: SG001\n"
        ),
        "myapp/billing/broken.py": "import boto3\ndef (:\n",
        "myapp/orders/store.py": (
            "import boto3\n\n"
            "def f():\n"
            "    # scopeguard: TODO(SG003) needs a tenant id\n"
            "    return boto3.Session().client('s3')\n"
        ),
        "tests/test_orders.py": "import boto3\n\ndef test():\n    boto3.client('s3')\n",
        ".venv/lib/boto3_thing.py": "import boto3\nboto3.client('s3')\n",
        "env/pyvenv.cfg": "home = /usr/bin\n",
        "env/lib/boto3_thing.py": "import boto3\nboto3.client('s3')\n",
    }
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_json_census_per_package_and_kind(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json", "."]) == 0
    document = json.loads(capsys.readouterr().out)
    groups = {(g["package"], g["kind"]): g for g in document["groups"]}
    assert set(groups) == {
        ("myapp", "production"),
        ("myapp/billing", "production"),
        ("myapp/orders", "production"),
        ("tests", "tests"),
    }
    billing = groups[("myapp/billing", "production")]
    assert billing["codes"] == {"SG001": 1}
    assert (billing["factory"], billing["suppressed"], billing["files"]) == (2, 1, 2)
    assert billing["migrated"] == pytest.approx(2 / 3, abs=1e-3)
    orders = groups[("myapp/orders", "production")]
    assert orders["codes"] == {"SG002": 1, "SG003": 1}
    assert groups[("myapp", "production")]["raw"] == 0  # the factory module
    assert groups[("tests", "tests")]["codes"] == {"SG001": 1}
    (error,) = document["errors"]
    assert error["path"].endswith("myapp/billing/broken.py")
    totals = {t["kind"]: t for t in document["totals"]}
    assert totals["production"]["factory"] == 2


def test_acknowledged_todo_is_counted(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--json", "myapp/orders"])
    (group,) = json.loads(capsys.readouterr().out)["groups"]
    assert group["package"] == "myapp/orders"
    assert group["raw"] == 2 and group["acknowledged"] == 1  # SG003 is marked, SG002 is not


def test_table_has_one_row_per_group_and_totals(
    tree: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["."]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0].split() == [
        *("package", "kind", "files", "SG001", "SG002", "SG003"),
        *("raw", "todo", "noqa", "factory", "migrated"),
    ]
    assert any(line.startswith("myapp/billing") and line.endswith("67%") for line in lines)
    assert [line.split()[:2] for line in lines if line.startswith("TOTAL")] == [
        ["TOTAL", "production"],
        ["TOTAL", "tests"],
    ]
    assert "skipped " in captured.err and "broken.py" in captured.err
    assert "scanning" not in captured.err  # not a terminal, no --progress


def test_progress_bar_on_request(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["--progress", "--json", "."])
    err = capsys.readouterr().err
    assert "scanning [" in err and "6/6 files" in err


def test_missing_path_is_a_usage_error(tree: Path) -> None:
    with pytest.raises(SystemExit) as info:
        main(["nowhere"])
    assert info.value.code == 2


def test_configuration_error_exits_2(tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tree / "pyproject.toml").write_text("[tool.scopeguard.lint]\ntest-paths = 3\n")
    assert main(["myapp"]) == 2
    assert "'test-paths' must be a list of strings" in capsys.readouterr().err


def test_report_does_not_import_flake8(tree: Path) -> None:
    import subprocess

    code = (
        "import sys; from scopeguard.lint_rules.report import main; main(['--json', '.']); "
        "assert 'flake8' not in sys.modules, 'flake8 imported'"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_marker_line_with_two_codes_counts_both_as_todo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app/keys.py").write_text(
        "import boto3\n\n\ndef f(k):\n"
        "    # scopeguard: TODO(SG010,SG001) audit account keys\n"
        "    return boto3.client('s3', aws_access_key_id=k)\n"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["--json", "."]) == 0
    (group,) = json.loads(capsys.readouterr().out)["groups"]
    assert group["codes"] == {"SG001": 1, "SG010": 1}
    assert group["acknowledged"] == 2
