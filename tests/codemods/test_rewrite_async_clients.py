"""RewriteClientCalls on aioboto3/aiobotocore: a client used as ``async with ... as client:``
becomes ``async with factory.<scope>.async_client(...) as client:``.

Every case goes through ``migrate_source`` (all the passes, the lint safety net included), and the
fixtures assert that the output compiles and that a second run leaves it unchanged. The sites that
stay as they are, with their SG005 marker, are in ``test_todo_markers.CASES``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scopeguard.codemods import FileResult, MigrateSettings, ScopeRule

from codemod_support import ACCESSOR, marked_codes, run_checked

Check = Callable[..., FileResult]

lint_rules = pytest.importorskip("scopeguard.lint_rules")


def test_chained_aiobotocore_session_becomes_async_client(assert_migrates: Check) -> None:
    result = assert_migrates(
        """\
        import aiobotocore.session


        async def send(region, body):
            async with aiobotocore.session.get_session().create_client("sqs", region_name=region) as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
        """\
        from myapp.aws import get_factory


        async def send(region, body):
            async with get_factory().platform().async_client("sqs", region_name=region) as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
    )
    assert [s.outcome for s in result.sites] == ["rewritten"]


def test_get_session_variable_is_removed_with_its_import(assert_migrates: Check) -> None:
    result = assert_migrates(
        """\
        import json

        from aiobotocore.session import get_session


        async def send(body):
            session = get_session()
            async with session.create_client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=json.dumps(body))
        """,
        """\
        import json

        from myapp.aws import get_factory


        async def send(body):
            async with get_factory().platform().async_client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=json.dumps(body))
        """,
    )
    assert result.sessions_removed == 1


def test_aio_session_variable_is_folded_in(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        from aiobotocore.session import AioSession


        async def publish(body):
            session = AioSession()
            async with session.create_client("sns", region_name="eu-west-1") as sns:
                await sns.publish(TopicArn="events", Message=body)
        """,
        """\
        from myapp.aws import get_factory


        async def publish(body):
            async with get_factory().platform().async_client("sns", region_name="eu-west-1") as sns:
                await sns.publish(TopicArn="events", Message=body)
        """,
    )


def test_chained_aioboto3_session_region_moves_to_the_client(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import aioboto3


        async def head(region, key):
            async with aioboto3.Session(region_name=region).client("s3") as s3:
                return await s3.head_object(Bucket="reports", Key=key)
        """,
        """\
        from myapp.aws import get_factory


        async def head(region, key):
            async with get_factory().platform().async_client("s3", region_name=region) as s3:
                return await s3.head_object(Bucket="reports", Key=key)
        """,
    )


def test_aioboto3_session_variable_serves_every_item_of_one_async_with(
    assert_migrates: Check,
) -> None:
    result = assert_migrates(
        """\
        import aioboto3
        from aiobotocore.config import AioConfig


        async def forward(key):
            session = aioboto3.Session(region_name="eu-west-1")
            async with session.client("s3") as s3, session.client("sqs", config=AioConfig()) as sqs:
                body = await (await s3.get_object(Bucket="in", Key=key))["Body"].read()
                await sqs.send_message(QueueUrl="out", MessageBody=body.decode())
        """,
        """\
        from aiobotocore.config import AioConfig

        from myapp.aws import get_factory


        async def forward(key):
            async with get_factory().platform().async_client("s3", region_name="eu-west-1") as s3, get_factory().platform().async_client("sqs", config=AioConfig(), region_name="eu-west-1") as sqs:
                body = await (await s3.get_object(Bucket="in", Key=key))["Body"].read()
                await sqs.send_message(QueueUrl="out", MessageBody=body.decode())
        """,
    )
    assert [s.outcome for s in result.sites] == ["rewritten", "rewritten"]


def test_session_still_needed_is_kept_with_its_reason(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import aioboto3


        async def orders(key):
            session = aioboto3.Session()
            async with session.client("s3") as s3:
                await s3.head_object(Bucket="orders", Key=key)
            async with session.resource("dynamodb") as dynamodb:
                table = await dynamodb.Table("orders")
                return await table.get_item(Key={"pk": key})
        """,
        """\
        import aioboto3

        from myapp.aws import get_factory


        async def orders(key):
            # scopeguard: TODO(SG005) async session still needed (returned, passed on, or a client left as is); ask a scope handle for async_client() instead
            session = aioboto3.Session()
            async with get_factory().platform().async_client("s3") as s3:
                await s3.head_object(Bucket="orders", Key=key)
            # scopeguard: TODO(SG005) aioboto3 resources have no factory equivalent; scope handles have async_client() only
            async with session.resource("dynamodb") as dynamodb:
                table = await dynamodb.Table("orders")
                return await table.get_item(Key={"pk": key})
        """,
    )


def test_public_module_async_session_is_kept_and_marked(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        from aiobotocore.session import get_session

        SESSION = get_session()


        async def send(body):
            async with SESSION.create_client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
        """\
        from aiobotocore.session import get_session

        from myapp.aws import get_factory

        # scopeguard: TODO(SG005) session 'SESSION' kept: other modules may import it; inject the factory there and delete it
        SESSION = get_session()


        async def send(body):
            async with get_factory().platform().async_client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
    )


def test_private_module_async_session_is_removed_once_unused(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import aioboto3

        _SESSION = aioboto3.Session()


        async def send(body):
            async with _SESSION.client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
        """\
        from myapp.aws import get_factory


        async def send(body):
            async with get_factory().platform().async_client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
    )


def test_function_local_import_gets_a_local_factory_import(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        async def handler(event):
            import aioboto3

            async with aioboto3.Session().client("lambda") as aws_lambda:
                return await aws_lambda.invoke(FunctionName="worker")
        """,
        """\
        async def handler(event):
            from myapp.aws import get_factory

            async with get_factory().platform().async_client("lambda") as aws_lambda:
                return await aws_lambda.invoke(FunctionName="worker")
        """,
    )


def test_tenant_scope_is_chosen_by_path_glob(assert_migrates: Check) -> None:
    tenant = MigrateSettings(
        factory=ACCESSOR.factory,
        scopes=(ScopeRule.parse("app/tenants/*", "tenant(request.tenant_id)"),),
    )
    assert_migrates(
        """\
        from aiobotocore.session import get_session


        async def orders(request):
            async with get_session().create_client("dynamodb") as dynamodb:
                return await dynamodb.get_item(TableName="orders", Key={})
        """,
        """\
        from myapp.aws import get_factory


        async def orders(request):
            async with get_factory().tenant(request.tenant_id).async_client("dynamodb") as dynamodb:
                return await dynamodb.get_item(TableName="orders", Key={})
        """,
        path="app/tenants/orders.py",
        settings=tenant,
    )


def test_endpoint_url_is_dropped_when_configured_so(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import aioboto3


        async def buckets(url):
            async with aioboto3.Session().client("s3", endpoint_url=url) as s3:
                return await s3.list_buckets()
        """,
        """\
        from myapp.aws import get_factory


        async def buckets(url):
            async with get_factory().platform().async_client("s3") as s3:
                return await s3.list_buckets()
        """,
        settings=MigrateSettings(factory=ACCESSOR.factory, endpoint_url="drop"),
    )


def test_sync_and_async_sites_in_one_module(assert_migrates: Check) -> None:
    assert_migrates(
        """\
        import aioboto3
        import boto3


        def sync_queue():
            return boto3.client("sqs")


        async def async_queue(body):
            async with aioboto3.Session().client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
        """\
        from myapp.aws import get_factory


        def sync_queue():
            return get_factory().platform().client("sqs")


        async def async_queue(body):
            async with get_factory().platform().async_client("sqs") as sqs:
                await sqs.send_message(QueueUrl="jobs", MessageBody=body)
        """,
    )


_REWRITTEN = {
    "chained": 'async with get_session().create_client("s3") as s3:',
    "variable": 'session = get_session()\n    async with session.create_client("s3") as s3:',
    "aioboto3": 'async with aioboto3.Session().client("s3") as s3:',
}


@pytest.mark.parametrize("case", sorted(_REWRITTEN))
def test_rewritten_module_has_no_lint_finding_at_all(case: str, tmp_path: Path) -> None:
    source = (
        "import aioboto3\nfrom aiobotocore.session import get_session\n\n\n"
        f"async def f():\n    {_REWRITTEN[case]}\n        return await s3.list_buckets()\n"
    )
    target = tmp_path / "module.py"
    target.write_text(run_checked(source, "app/module.py", ACCESSOR).migrated)
    result = lint_rules.check_file(target)
    assert result.reported == []
    assert result.factory_sites == 1


_OPTIONS = {
    "region_name": '"eu-west-1"',
    "config": "cfg",
    "api_version": '"2012-08-10"',
    "use_ssl": "False",
    "verify": '"/ca.pem"',
}
_CREDENTIALS = ("aws_access_key_id=k", "aws_secret_access_key=s", "aws_session_token=t")


@settings(max_examples=20, deadline=None)
@given(
    options=st.lists(st.sampled_from(sorted(_OPTIONS)), unique=True),
    aioboto3=st.booleans(),
)
def test_every_combination_of_scope_options_is_carried_verbatim(
    options: list[str], aioboto3: bool
) -> None:
    arguments = "".join(f", {name}={_OPTIONS[name]}" for name in options)
    if aioboto3:
        imports, creator = "import aioboto3", "aioboto3.Session().client"
    else:
        imports = "from aiobotocore.session import get_session"
        creator = "get_session().create_client"
    source = (
        f"{imports}\n\n\n"
        f'async def f(cfg):\n    async with {creator}("dynamodb"{arguments}) as c:\n'
        "        return c\n"
    )
    result = run_checked(source, "app/x.py", ACCESSOR)
    assert f'async with get_factory().platform().async_client("dynamodb"{arguments}) as c:' in (
        result.migrated
    )
    assert "aioboto3" not in result.migrated and "aiobotocore" not in result.migrated


@settings(max_examples=20, deadline=None)
@given(
    secret=st.lists(st.sampled_from(_CREDENTIALS), min_size=1, unique=True),
    on_session=st.booleans(),
)
def test_credentials_anywhere_are_never_rewritten(secret: list[str], on_session: bool) -> None:
    keys = ", ".join(secret)
    if on_session:
        call = f'aioboto3.Session({keys}).client("s3")'
    else:
        call = f'aioboto3.Session().client("s3", {keys})'
    source = (
        f"import aioboto3\n\n\nasync def f(k, s, t):\n    async with {call} as c:\n        return c\n"
    )
    result = run_checked(source, "app/x.py", ACCESSOR)
    code = [line for line in result.migrated.splitlines() if not line.lstrip().startswith("#")]
    assert not any("async_client" in line for line in code)
    # Keys with a session token are a tenant's STS credentials: the marker says what to write.
    expected = "per-tenant STS credentials" if "aws_session_token=t" in secret else "the "
    assert "# scopeguard: TODO(SG005,SG010) " in result.migrated
    assert expected in result.migrated
    assert marked_codes(result.migrated) == ["SG005", "SG010"]  # one marker line, both codes
    assert [(site.outcome, site.code) for site in result.sites] == [("todo", "SG005")]

