"""Sessions known across modules: the project's index of functions annotated ``-> boto3.Session``,
projects without a pyproject.toml, and the AWS-SDK test for variable service names (SG006)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from scopeguard.lint_rules import check_file, settings_for

CREDENTIALS = """\
    import boto3


    class AwsCredentials:
        def get_boto3_session(self) -> boto3.Session:
            return boto3.Session()  # noqa: SG002

        def make(self) -> "boto3.session.Session | None":
            return None
"""
JOBS = """\
    def upload(credentials, body):
        credentials.get_boto3_session().client("s3").put_object(Bucket="b", Key="k", Body=body)


    def build(holder):
        session = holder.make()
        return session.client("sqs")


    def unrelated(holder):
        return holder.build().client("s3")
"""


def _tree(root: Path, files: dict[str, str]) -> None:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))


def _found(path: Path) -> list[tuple[int, str]]:
    result = check_file(path, settings_for(path))
    return [(r.finding.line, r.finding.code) for r in result.reported]


def test_a_method_annotated_in_another_module_types_the_session(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "pyproject.toml": "[project]\nname = 'app'\n",
            "app/__init__.py": "",
            "app/credentials.py": CREDENTIALS,
            "app/jobs.py": JOBS,
        },
    )
    # get_boto3_session() would be SG006 by its name; the annotation makes it a typed session
    # (SG003), and make(), whose name says nothing, is found only through the index.
    assert _found(tmp_path / "app/jobs.py") == [(2, "SG003"), (7, "SG003")]


def test_a_setup_py_project_is_indexed_too(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "setup.py": "",
            "app/__init__.py": "",
            "app/credentials.py": CREDENTIALS,
            "app/jobs.py": JOBS,
        },
    )
    assert _found(tmp_path / "app/jobs.py") == [(2, "SG003"), (7, "SG003")]


def test_without_a_project_only_names_are_left(tmp_path: Path) -> None:
    _tree(tmp_path / "loose", {"jobs.py": JOBS})
    assert _found(tmp_path / "loose/jobs.py") == [(2, "SG006")]


VARIABLE_SERVICE = """\
    def client_for(session, service):
        return session.client(service)
"""


def test_a_variable_service_counts_in_a_project_that_imports_an_aws_sdk(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "setup.py": "",
            "app/__init__.py": "",
            "app/aws.py": "import boto3\n",
            "app/clients.py": VARIABLE_SERVICE,
        },
    )
    assert _found(tmp_path / "app/clients.py") == [(2, "SG006")]


def test_a_variable_service_does_not_count_in_another_clouds_project(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "setup.py": "",
            "plugin/__init__.py": "from azure.identity import DefaultAzureCredential\n",
            "plugin/clients.py": VARIABLE_SERVICE,
        },
    )
    assert _found(tmp_path / "plugin/clients.py") == []


def test_the_index_skips_virtual_environments(tmp_path: Path) -> None:
    _tree(
        tmp_path,
        {
            "setup.py": "",
            "app/__init__.py": "",
            "app/jobs.py": JOBS,
            ".venv/lib/credentials.py": CREDENTIALS,
            "env2/pyvenv.cfg": "",
            "env2/lib/credentials.py": CREDENTIALS,
        },
    )
    assert _found(tmp_path / "app/jobs.py") == [(2, "SG006")]


def test_files_below_the_project_that_are_no_module_of_it_are_checked(tmp_path: Path) -> None:
    # An environment inside the project (``.venv/lib/python3.11/site-packages/pkg``): its
    # relative imports resolve to no module of the project, and never crash the walk.
    _tree(
        tmp_path,
        {
            "pyproject.toml": "",
            ".venv/lib/python3.11/site-packages/pkg/__init__.py": "",
            ".venv/lib/python3.11/site-packages/pkg/responses.py": """\
                import boto3
                from .models import Backend


                def backend() -> Backend:
                    return boto3.client("s3")
            """,
        },
    )
    path = tmp_path / ".venv/lib/python3.11/site-packages/pkg/responses.py"
    assert _found(path) == [(6, "SG001")]
