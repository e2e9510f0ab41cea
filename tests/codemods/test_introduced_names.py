"""Names the codemod introduces: the accessor import never clashes with a binding at the site,
and it lands where isort would put it."""

from __future__ import annotations

import textwrap

import pytest

from codemod_support import ACCESSOR, run_checked


def _migrate(source: str) -> str:
    return run_checked(textwrap.dedent(source), "app/service.py", ACCESSOR).migrated


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("import boto3\n\n\ndef f(get_factory):\n    return boto3.client('s3')\n", "a parameter"),
        (
            "import boto3\n\n\ndef get_factory():\n    return None\n\n\n"
            "def f():\n    return boto3.client('s3')\n",
            "a function",
        ),
        (
            "import boto3\nfrom other.wiring import get_factory\n\n\n"
            "def f():\n    return boto3.client('s3')\n",
            "an import of something else",
        ),
        ("import boto3\n\n\ndef f():\n    get_factory = 3\n    return boto3.client('s3')\n", "a variable"),
    ],
)
def test_a_name_clash_is_marked_not_imported(source: str, what: str) -> None:
    migrated = _migrate(source)
    code = [line for line in migrated.splitlines() if not line.lstrip().startswith("#")]
    assert "from myapp.aws import get_factory" not in code
    assert not any("get_factory()." in line for line in code)
    assert f"'get_factory' is already {what} here" in migrated


def test_a_clash_in_one_function_does_not_stop_the_others() -> None:
    migrated = _migrate(
        """\
        import boto3


        def f(get_factory):
            return boto3.client("s3")


        def g():
            return boto3.client("sqs")
        """
    )
    assert 'return get_factory().platform().client("sqs")' in migrated
    assert migrated.count("TODO(SG001) 'get_factory' is already a parameter") == 1


def test_the_accessor_import_goes_to_its_first_party_group_sorted() -> None:
    migrated = _migrate(
        """\
        import json

        import boto3

        import myapp
        from myapp import models
        from myapp.z import q

        from . import x


        def f():
            return boto3.client("s3")
        """
    )
    assert migrated.startswith(
        "import json\n\nimport myapp\nfrom myapp import models\nfrom myapp.aws import get_factory\n"
        "from myapp.z import q\n\nfrom . import x\n"
    )


def test_the_accessor_import_gets_its_own_group_after_third_party() -> None:
    migrated = _migrate(
        """\
        import json

        import boto3
        from botocore.config import Config

        from . import x


        def f():
            return boto3.client("s3", config=Config())
        """
    )
    assert migrated.startswith(
        "import json\n\nfrom botocore.config import Config\n\nfrom myapp.aws import get_factory\n"
        "\nfrom . import x\n"
    )
