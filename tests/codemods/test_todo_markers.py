"""Sites the codemods must not guess at keep working and get a ``# scopeguard: TODO(SG0xx)`` marker.

For each case: the output is the input plus marker lines only, the markers sit directly above the
statement holding the site, their codes are registered, and the site is in the report as a TODO
with the code that decided it. Besides that code, a site gets a marker for each other code the lint
rules report on it (its kind, SG001/SG002/SG003, and any further problem), so that every finding
is acknowledged; ``test_lint_after_migration`` checks that against the rules themselves.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scopeguard import _codes
from scopeguard.codemods import MigrateSettings, ScopeRule

from codemod_support import ACCESSOR, Migrate, marked_codes, run_checked

MARKER = re.compile(r"^\s*# scopeguard: TODO\((SG\d{3}(?:,SG\d{3})*)\) (.+)$")

CASES = {
    "explicit-credentials": (
        """\
        import boto3


        def s3(key, secret):
            return boto3.client("s3", aws_access_key_id=key, aws_secret_access_key=secret)
        """,
        ["SG010"],
    ),
    "session-token-positional": (
        """\
        import boto3


        def s3(k, s, t):
            return boto3.client("s3", None, None, None, None, None, k, s, t)
        """,
        ["SG010"],
    ),
    "session-profile": (
        """\
        import boto3


        def s3():
            return boto3.Session(profile_name="ops").client("s3")
        """,
        ["SG010"],
    ),
    "session-botocore-session": (
        """\
        import boto3


        def s3(core):
            return boto3.Session(botocore_session=core).client("s3")
        """,
        ["SG010"],
    ),
    "session-variable-with-credentials": (
        """\
        import boto3


        def s3(key, secret):
            session = boto3.Session(aws_access_key_id=key, aws_secret_access_key=secret)
            return session.client("s3")
        """,
        ["SG002", "SG010", "SG010"],
    ),
    "variable-service-name": (
        """\
        import boto3


        def any_client(service):
            return boto3.client(service)
        """,
        ["SG030"],
    ),
    "kwargs": (
        """\
        import boto3


        def s3(**options):
            return boto3.client("s3", **options)
        """,
        ["SG030"],
    ),
    "star-args": (
        """\
        import boto3


        def s3(*args):
            return boto3.client(*args)
        """,
        ["SG030"],
    ),
    "unknown-argument": (
        """\
        import boto3


        def s3():
            return boto3.client("s3", retries=3)
        """,
        ["SG030"],
    ),
    "import-time": (
        """\
        import boto3

        S3 = boto3.client("s3")
        """,
        ["SG031"],
    ),
    "import-time-comprehension": (
        """\
        import boto3

        CLIENTS = {name: boto3.client(name) for name in ("s3", "sqs")}
        """,
        ["SG031"],
    ),
    "default-argument": (
        """\
        import boto3


        def put(item, table=boto3.resource("dynamodb").Table("t")):
            table.put_item(Item=item)
        """,
        ["SG031"],
    ),
    "class-body": (
        """\
        import boto3


        class Store:
            s3 = boto3.client("s3")
        """,
        ["SG031"],
    ),
    "lru-cache": (
        """\
        import functools

        import boto3


        @functools.lru_cache(maxsize=None)
        def s3():
            return boto3.client("s3")
        """,
        ["SG031"],
    ),
    "functools-cache-alias": (
        """\
        from functools import cache

        import boto3


        @cache
        def s3():
            return boto3.client("s3")
        """,
        ["SG031"],
    ),
    "endpoint-url": (
        """\
        import boto3


        def s3(url):
            return boto3.client("s3", endpoint_url=url)
        """,
        ["SG032"],
    ),
    "async-credentials": (
        """\
        import aioboto3


        async def s3(key, secret):
            async with aioboto3.Session().client("s3", aws_access_key_id=key, aws_secret_access_key=secret) as client:
                return await client.list_buckets()
        """,
        ["SG005"],
    ),
    "async-session-variable-with-credentials": (
        """\
        import aioboto3


        async def s3(key, secret):
            session = aioboto3.Session(aws_access_key_id=key, aws_secret_access_key=secret)
            async with session.client("s3") as client:
                return await client.list_buckets()
        """,
        ["SG005", "SG005", "SG010"],
    ),
    "async-variable-service-name": (
        """\
        from aiobotocore.session import get_session


        async def any_client(service):
            async with get_session().create_client(service) as client:
                return client
        """,
        ["SG005"],
    ),
    "async-endpoint-url": (
        """\
        from aiobotocore.session import get_session


        async def s3(url):
            async with get_session().create_client("s3", endpoint_url=url) as client:
                return await client.list_buckets()
        """,
        ["SG005"],
    ),
    "async-outside-async-with": (
        """\
        from aiobotocore.session import get_session


        async def s3(stack):
            client = await stack.enter_async_context(get_session().create_client("s3"))
            return await client.list_buckets()
        """,
        ["SG005"],
    ),
    "async-client-kept-and-closed-by-hand": (
        """\
        from aiobotocore.session import get_session


        async def s3():
            session = get_session()
            context = session.create_client("s3")
            client = await context.__aenter__()
            try:
                return await client.list_buckets()
            finally:
                await context.__aexit__(None, None, None)
        """,
        ["SG005", "SG005"],
    ),
    "aioboto3-resource": (
        """\
        import aioboto3


        async def orders():
            async with aioboto3.Session().resource("dynamodb") as dynamodb:
                return await dynamodb.Table("orders")
        """,
        ["SG005"],
    ),
    "aiobotocore-session-arguments": (
        """\
        from aiobotocore.session import AioSession


        async def s3():
            async with AioSession(profile="ops").create_client("s3") as client:
                return await client.list_buckets()
        """,
        ["SG005"],
    ),
    "async-session-rebound": (
        """\
        import aioboto3


        async def s3(flag):
            session = aioboto3.Session()
            if flag:
                session = aioboto3.Session(region_name="us-east-1")
            async with session.client("s3") as client:
                return await client.list_buckets()
        """,
        ["SG005", "SG005", "SG005"],
    ),
    "async-session-escapes": (
        """\
        import aioboto3


        def make_session():
            return aioboto3.Session(region_name="eu-west-1")
        """,
        ["SG005"],
    ),
    "setup-default-session": (
        """\
        import boto3


        def configure():
            boto3.setup_default_session(region_name="eu-west-1")
        """,
        ["SG004"],
    ),
    "default-session-attribute": (
        """\
        import boto3


        def current():
            return boto3.DEFAULT_SESSION
        """,
        ["SG004"],
    ),
    "session-escapes": (
        """\
        import boto3


        def make_session():
            return boto3.Session(region_name="eu-west-1")
        """,
        ["SG002"],
    ),
    "session-rebound": (
        """\
        import boto3


        def s3(flag):
            session = boto3.Session()
            if flag:
                session = boto3.Session(region_name="us-east-1")
            return session.client("s3")
        """,
        ["SG002", "SG002", "SG003"],
    ),
    "session-region-from-another-scope": (
        """\
        import os

        import boto3

        _SESSION = boto3.Session(region_name=os.environ["REGION"])


        def s3():
            return _SESSION.client("s3")
        """,
        ["SG002", "SG003"],
    ),
    "uncalled-client-factory": (
        """\
        import functools

        import boto3


        def maker():
            return functools.partial(boto3.client, "s3")
        """,
        ["SG030"],
    ),
    "botocore-session-arguments": (
        """\
        import botocore.session


        def s3():
            return botocore.session.Session(profile="ops").create_client("s3")
        """,
        ["SG030"],
    ),
}


def _without_markers(text: str) -> str:
    return "".join(line for line in text.splitlines(True) if not MARKER.match(line))


# A client made once per process is marked where the path's scope needs a per-request value; a
# platform client made once is rewritten (test_rewrite_client_calls: the Lambda pattern).
ONCE_CASES = {"import-time", "import-time-comprehension", "class-body", "lru-cache",
              "functools-cache-alias"}
TENANT_PATHS = replace(ACCESSOR, scopes=(ScopeRule.parse("app/*", "tenant(tenant_id)"),))


@pytest.mark.parametrize("case", sorted(CASES))
def test_undecidable_site_is_marked_not_guessed(migrate: Migrate, case: str) -> None:
    source, codes = CASES[case]
    source = textwrap.dedent(source)
    result = migrate(source, settings=TENANT_PATHS) if case in ONCE_CASES else migrate(source)
    assert _without_markers(result.migrated) == source
    lines = result.migrated.splitlines()
    written = {c for line in lines if (m := MARKER.match(line)) for c in m.group(1).split(",")}
    assert set(codes) <= written
    for index, line in enumerate(lines):
        if MARKER.match(line):
            # One marker line per statement, carrying every code: the statement follows it.
            following = lines[index + 1]
            assert following.strip() and not following.strip().startswith("#")
            assert len(line.split(") ", 1)[1]) > 10
    todo = [s for s in result.sites if s.outcome == "todo"]
    assert sorted(s.code for s in todo if s.code) == sorted(codes)
    for code in written:
        assert "migrate" in _codes.lookup(code).tools


def test_marker_format_is_the_registry_format(migrate: Migrate) -> None:
    result = migrate("import boto3\n\nS3 = boto3.client('s3')\n", settings=TENANT_PATHS)
    expected = _codes.TODO_MARKER.format(
        code="SG031,SG001", reason="created at import time, shared by every request"
    )
    assert result.migrated == f"import boto3\n\n{expected}\nS3 = boto3.client('s3')\n"


def test_existing_marker_is_not_duplicated(migrate: Migrate) -> None:
    source = (
        "import boto3\n\n"
        "# scopeguard: TODO(SG031) reviewed, kept on purpose\n"
        "# scopeguard: TODO(SG001) reviewed\n"
        "S3 = boto3.client('s3')\n"
    )
    assert migrate(source, settings=TENANT_PATHS).migrated == source


def test_marker_above_compound_statement(migrate: Migrate) -> None:
    source = textwrap.dedent(
        """\
        import boto3


        def buckets(name):
            with boto3.client(name) as c:
                pass
        """
    )
    result = migrate(source)
    assert result.migrated.splitlines()[4].startswith("    # scopeguard: TODO(SG030,SG001) ")


def test_client_factory_as_a_type_argument_is_left_alone(migrate: Migrate) -> None:
    source = textwrap.dedent(
        """\
        from typing import Generic, TypeVar, Union

        import boto3

        T = TypeVar("T")


        class Hook(Generic[T]):
            pass


        class S3Hook(Hook[Union[boto3.client, boto3.resource]]):
            pass
        """
    )
    result = migrate(source)
    assert result.migrated == source and result.sites == []


def test_metadata_only_session_variable_is_left_alone(migrate: Migrate) -> None:
    source = textwrap.dedent(
        """\
        import boto3


        def regions():
            session = boto3.Session()
            return session.get_available_regions("ec2"), session.region_name
        """
    )
    result = migrate(source)
    assert result.migrated == source and result.sites == []


def test_session_unused_before_migration_is_marked_not_removed(migrate: Migrate) -> None:
    source = "import boto3\n\n\ndef f():\n    s = boto3.Session()\n"
    result = migrate(source)
    assert "s = boto3.Session()" in result.migrated
    assert [s.code for s in result.sites] == ["SG002"]


def test_endpoint_setting_drop_still_marks_credentials(migrate: Migrate) -> None:
    drop = MigrateSettings(factory=ACCESSOR.factory, endpoint_url="drop")
    result = migrate(
        "import boto3\n\n\ndef f(k):\n    return boto3.client('s3', endpoint_url='x', aws_access_key_id=k)\n",
        settings=drop,
    )
    assert [s.code for s in result.sites] == ["SG010"]


def test_what_the_lint_rules_still_report_is_marked_too(migrate: Migrate) -> None:
    source = textwrap.dedent(
        """\
        import boto3


        class Repo:
            def __init__(self):
                self.session = boto3.Session()

            def table(self, name):
                return self.session.resource("dynamodb").Table(name)


        def upload(session: boto3.Session, body, key):
            helper(aws_access_key_id=key)
            session.client(
                "s3",
            ).put_object(Bucket="reports", Key="r", Body=body)
        """
    )
    result = migrate(source)
    assert _without_markers(result.migrated) == source
    lines = result.migrated.splitlines()
    assert lines[9].strip().startswith("# scopeguard: TODO(SG003)")  # self.session.resource
    # helper(aws_access_key_id=) creates no AWS client: credentials for it get no marker.
    assert lines[14].strip() == "helper(aws_access_key_id=key)"
    assert lines[15].strip().startswith("# scopeguard: TODO(SG003)")  # annotated session parameter
    assert sorted(s.code for s in result.sites) == ["SG002", "SG003", "SG003"]


_SAFE = ('region_name="eu-west-1"', "config=cfg", 'api_version="2012-08-10"')
_CREDENTIALS = ("aws_access_key_id=k", "aws_secret_access_key=s", "aws_session_token=t")


@settings(max_examples=20, deadline=None)
@given(
    safe=st.lists(st.sampled_from(_SAFE), unique=True),
    secret=st.lists(st.sampled_from(_CREDENTIALS), min_size=1, unique=True),
    on_session=st.booleans(),
)
def test_credentials_anywhere_are_never_rewritten(
    safe: list[str], secret: list[str], on_session: bool
) -> None:
    if on_session:
        call = f'boto3.Session({", ".join(secret)}).client("s3", {", ".join(safe)})'
    else:
        call = f'boto3.client("s3", {", ".join([*safe, *secret])})'
    source = f"import boto3\n\n\ndef f(cfg, k, s, t):\n    return {call}\n"
    result = run_checked(source, "app/x.py", ACCESSOR)
    assert _without_markers(result.migrated) == source
    assert "SG010" in marked_codes(result.migrated)
    assert [site.outcome for site in result.sites] == ["todo"]


def test_every_migrate_code_in_the_registry_is_written_by_some_case() -> None:
    written = {code for _, codes in CASES.values() for code in codes}
    written.add("SG001")  # factory expression not bound: test_rewrite_client_calls
    written.add("SG050")  # test patches of the SDK: test_test_seam
    registered = {code for code, entry in _codes.CODES.items() if "migrate" in entry.tools}
    assert written == registered


def test_a_statement_needing_two_codes_gets_one_marker_line(migrate: Migrate) -> None:
    source = (
        "import boto3\n\n\ndef audit(k, s):\n"
        "    return boto3.client('s3', aws_access_key_id=k, aws_secret_access_key=s)\n"
    )
    result = migrate(source)
    marker = _codes.format_marker(
        ["SG010", "SG001"],
        [
            "the call sets aws_access_key_id, aws_secret_access_key; credentials belong to the "
            "factory's session (another account: factory.operator(account_id, role_name=...))"
        ],
    )
    assert result.migrated == source.replace("    return", f"    {marker}\n    return")
    assert result.markers_added == {"SG010": 1, "SG001": 1}


def test_a_later_pass_adds_its_code_to_the_line_an_earlier_one_wrote(migrate: Migrate) -> None:
    # SG001 comes from the rewrite pass, SG020 (a tenant's physical name) from the last pass.
    source = (
        "import boto3\n\n\ndef orders():\n"
        "    return boto3.resource('dynamodb').Table('t-acme-orders')\n"
    )
    lines = migrate(source).migrated.splitlines()
    assert lines[4].startswith("    # scopeguard: TODO(SG001,SG020) ")
    assert lines[5] == "    return boto3.resource('dynamodb').Table('t-acme-orders')"


def test_codes_join_a_marker_line_already_in_the_file(migrate: Migrate) -> None:
    source = (
        "import boto3\n\n\ndef audit(k):\n"
        "    # scopeguard: TODO(SG010) audit account keys, reviewed\n"
        "    return boto3.client('s3', aws_access_key_id=k)\n"
    )
    result = migrate(source)
    assert result.migrated == source.replace("TODO(SG010) audit", "TODO(SG010,SG001) audit")
    assert result.markers_added == {"SG001": 1}
