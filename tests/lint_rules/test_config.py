"""Configuration from the nearest pyproject.toml: factory modules, lint options, re-exports."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scopeguard._config import ScopeguardConfigWarning
from scopeguard._exceptions import ConfigurationError
from scopeguard.lint_rules import check_file, settings_for

RAW = "import boto3\n\n\ndef f():\n    return boto3.client('s3')\n"


def _project(root: Path, pyproject: str, files: dict[str, str]) -> Path:
    (root / "pyproject.toml").write_text(textwrap.dedent(pyproject))
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return root


def _codes(path: Path) -> list[str]:
    return [r.finding.code for r in check_file(path, settings_for(path)).reported]


def test_factory_modules_by_dotted_name_are_not_flagged(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.scopeguard]\nfactory-modules = ["myapp.wiring", "myapp.aws.*"]\n',
        {
            "myapp/__init__.py": "",
            "myapp/wiring.py": RAW,
            "myapp/aws/s3.py": RAW,
            "myapp/app.py": RAW,
        },
    )
    assert _codes(tmp_path / "myapp/wiring.py") == []
    assert _codes(tmp_path / "myapp/aws/s3.py") == []
    assert _codes(tmp_path / "myapp/app.py") == ["SG001"]


def test_factory_modules_by_path_glob_are_not_flagged(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.scopeguard]\nfactory-modules = ["scripts/*.py"]\n',
        {"scripts/provision.py": RAW, "app.py": RAW},
    )
    assert _codes(tmp_path / "scripts/provision.py") == []
    assert _codes(tmp_path / "app.py") == ["SG001"]


def test_src_layout_module_names(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.scopeguard]\nfactory-modules = ["myapp.wiring"]\n',
        {"src/myapp/__init__.py": "", "src/myapp/wiring.py": RAW},
    )
    assert _codes(tmp_path / "src/myapp/wiring.py") == []


def test_reexports_through_the_projects_own_modules_are_followed(tmp_path: Path) -> None:
    _project(
        tmp_path,
        "[tool.scopeguard]\n",
        {
            "myapp/__init__.py": "from .aws import make_client, Sess\n",
            "myapp/aws.py": """\
                import boto3
                from boto3 import client as make_client

                Sess = boto3.Session


                def current() -> "boto3.Session":
                    raise NotImplementedError
            """,
            "myapp/svc.py": """\
                from myapp import make_client
                from . import aws


                def f():
                    return make_client("s3"), aws.Sess().client("sqs"), aws.current().client("sns")
            """,
        },
    )
    assert _codes(tmp_path / "myapp/svc.py") == ["SG001", "SG002", "SG003", "SG003"]


def test_configured_client_and_session_factories(tmp_path: Path) -> None:
    _project(
        tmp_path,
        """\
        [tool.scopeguard.lint]
        client-factories = ["legacy.aws.get_client"]
        session-factories = ["legacy.aws.get_session"]
        """,
        {
            # The wrapper's own annotation must not hide it: it is flagged as configured.
            "legacy/__init__.py": "",
            "legacy/aws.py": """\
                import boto3
                from mypy_boto3_s3 import S3Client


                def get_client(service) -> S3Client:
                    return boto3.client(service)  # noqa: SG001
            """,
            "svc.py": """\
                from legacy.aws import get_client, get_session


                def f():
                    return get_client("s3"), get_session().client("sqs")
            """
        },
    )
    assert _codes(tmp_path / "svc.py") == ["SG001", "SG002", "SG003"]


def test_configured_wrapper_names_pass_the_pre_filter(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.scopeguard.lint]\nclient-factories = ["legacy.aws.mk"]\n',
        {"svc.py": "from legacy.aws import mk\n\n\ndef f():\n    return mk('s3')\n"},
    )
    assert _codes(tmp_path / "svc.py") == ["SG001"]


def test_configured_naming_policy_drives_physical_name_literals(tmp_path: Path) -> None:
    _project(
        tmp_path,
        '[tool.scopeguard.naming]\nseparator = "_"\ntenant-marker = "tn"\n',
        {
            "svc.py": """\
                def f(c):
                    c.get_item(TableName="tn_acme_orders")
                    c.get_item(TableName="t-acme-orders")
            """
        },
    )
    assert _codes(tmp_path / "svc.py") == ["SG020"]


def test_unknown_lint_key_warns(tmp_path: Path) -> None:
    _project(tmp_path, "[tool.scopeguard.lint]\nclient-factory = []\n", {"app.py": RAW})
    with pytest.warns(ScopeguardConfigWarning, match="'client-factory'"):
        settings_for(tmp_path / "app.py")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('client-factories = "myapp.get"', "'client-factories' must be a list of strings"),
        ("test-paths = [1]", "'test-paths' must contain only strings"),
        ('client-factories = ["not dotted"]', "must be dotted names"),
    ],
)
def test_bad_lint_values_fail_clearly(tmp_path: Path, table: str, message: str) -> None:
    _project(tmp_path, f"[tool.scopeguard.lint]\n{table}\n", {"app.py": RAW})
    with pytest.raises(ConfigurationError, match=message) as info:
        settings_for(tmp_path / "app.py")
    assert "pyproject.toml [tool.scopeguard.lint]" in str(info.value)


def test_test_paths_classify_files(tmp_path: Path) -> None:
    files = {"qa/x.py": "", "tests/y.py": ""}
    _project(tmp_path, '[tool.scopeguard.lint]\ntest-paths = ["qa/*"]\n', files)
    settings = settings_for(tmp_path / "qa/x.py")
    assert settings.is_test(tmp_path / "qa/x.py")
    assert not settings.is_test(tmp_path / "tests/y.py")


TEST_CODE = "import boto3\n\nS3 = boto3.client('s3', aws_access_key_id='x')\n"


@pytest.mark.parametrize(
    ("path", "tested"),
    [
        ("tests/unit/test_x.py", True),
        ("pkg/tests/helpers.py", True),
        ("pkg/test_orders.py", True),
        ("pkg/orders_test.py", True),
        ("conftest.py", True),
        ("pkg/sub/conftest.py", True),
        ("pkg/latest.py", False),
        ("pkg/attests/x.py", False),
        ("pkg/contest.py", False),
    ],
)
def test_default_test_paths_exempt_tests_from_raw_client_rules_only(
    tmp_path: Path, path: str, tested: bool
) -> None:
    _project(tmp_path, "[tool.scopeguard]\n", {path: TEST_CODE})
    codes = sorted(_codes(tmp_path / path))
    assert codes == (["SG010"] if tested else ["SG001", "SG010", "SG031"])


def test_test_paths_are_configurable_at_the_top_level(tmp_path: Path) -> None:
    files = {"qa/x.py": TEST_CODE, "tests/y.py": TEST_CODE}
    _project(tmp_path, '[tool.scopeguard]\ntest-paths = ["qa/"]\n', files)
    assert _codes(tmp_path / "qa/x.py") == ["SG010"]
    assert sorted(_codes(tmp_path / "tests/y.py")) == ["SG001", "SG010", "SG031"]


def test_without_pyproject_defaults_apply(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "app.py"
    path.parent.mkdir()
    path.write_text(RAW)
    settings = settings_for(path)
    # tmp_path may sit below a directory with its own pyproject; either way nothing is exempt.
    assert not settings.config.factory_modules
    assert _codes(path) == ["SG001"]
