"""Async (aiobotocore) clients: same scopes, same guard, one pool per event loop.

aiobotocore talks HTTP through aiohttp, which moto's in-process mock does not intercept, so every
test here runs against moto's HTTP server and counts requests there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest

from scopeguard import (
    ClientFactory,
    ConfigurationError,
    OperatorSettings,
    ScopeViolation,
    TenantRoleSettings,
)
from scopeguard.testing import MotoServer, test_session

T = TypeVar("T")


def run(factory: ClientFactory, body: Callable[[], Awaitable[T]]) -> T:
    """Run ``body`` on a fresh loop and close the factory's async clients before the loop ends."""

    async def main() -> T:
        async with factory:
            return await body()

    return asyncio.run(main())


@pytest.fixture
def server(scopeguard_server: MotoServer) -> Iterator[MotoServer]:
    yield scopeguard_server
    scopeguard_server.reset()


@pytest.fixture
def factory(server: MotoServer) -> ClientFactory:
    return ClientFactory(session=test_session(), endpoint_url=server.endpoint_url,
                         account_id="123456789012")


def _is_open(client: Any) -> bool:
    # aiobotocore's AIOHTTPSession keeps its aiohttp sessions here while entered.
    return client._endpoint.http_session._sessions is not None


def _raw(server: MotoServer, service: str) -> Any:
    """A plain boto3 client on the emulator, to set up and inspect state outside any scope."""
    return test_session().client(service, endpoint_url=server.endpoint_url)  # noqa: SG001


def _create_table(factory: ClientFactory, tenant: str, logical: str = "orders") -> None:
    factory.tenant(tenant).client("dynamodb").create_table(
        TableName=logical,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_tenant_names_are_rewritten_and_requests_reach_the_emulator(
    factory: ClientFactory, server: MotoServer
) -> None:
    _create_table(factory, "acme")

    async def body() -> Any:
        ddb = await factory.tenant("acme").async_client("dynamodb")
        await ddb.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
        return await ddb.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})

    before = server.requests
    item = run(factory, body)
    assert item["Item"] == {"pk": {"S": "o-1"}}
    assert server.requests - before == 2
    # Written where the tenant's physical name says, seen by a sync client too.
    sync = factory.tenant("acme").client("dynamodb")
    assert sync.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"]


@pytest.mark.parametrize(
    ("service", "call"),
    [
        ("dynamodb", lambda c: c.get_item(TableName="t-globex-orders", Key={"pk": {"S": "x"}})),
        ("dynamodb", lambda c: c.get_item(
            TableName="arn:aws:dynamodb:us-east-1:123456789012:table/t-globex-orders",
            Key={"pk": {"S": "x"}})),
        ("dynamodb", lambda c: c.execute_statement(Statement='SELECT * FROM "t-globex-orders"')),
        ("s3", lambda c: c.get_object(Bucket="t-globex-uploads", Key="a")),
        ("sqs", lambda c: c.send_message(
            QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/t-globex-jobs",
            MessageBody="x")),
        ("sns", lambda c: c.publish(
            TopicArn="arn:aws:sns:us-east-1:123456789012:t-globex-events", Message="x")),
        ("secretsmanager", lambda c: c.get_secret_value(SecretId="t-globex-db")),
    ],
)
def test_out_of_scope_requests_are_refused_before_sending(
    factory: ClientFactory, server: MotoServer, service: str,
    call: Callable[[Any], Awaitable[Any]],
) -> None:
    async def body() -> None:
        client = await factory.tenant("acme").async_client(service)
        before = server.requests
        with pytest.raises(ScopeViolation) as info:
            await call(client)
        assert info.value.scope == "tenant:acme"
        assert server.requests == before

    run(factory, body)
    assert factory.stats()["refusals"] == 1


def test_concurrent_tasks_of_different_tenants_never_cross(
    factory: ClientFactory, server: MotoServer
) -> None:
    tenants = [f"tenant{i}" for i in range(8)]
    for tenant in tenants:
        _create_table(factory, tenant)

    async def write(tenant: str, n: int) -> None:
        ddb = await factory.tenant(tenant).async_client("dynamodb")
        # Yield between acquisition and call so tasks interleave on the shared client.
        await asyncio.sleep(0)
        await ddb.put_item(TableName="orders", Item={"pk": {"S": f"{tenant}-{n}"}})

    async def body() -> None:
        await asyncio.gather(*(write(t, n) for n in range(12) for t in tenants))

    run(factory, body)
    sync = _raw(server, "dynamodb")
    for tenant in tenants:
        items = sync.scan(TableName=f"t-{tenant}-orders")["Items"]
        assert sorted(i["pk"]["S"] for i in items) == sorted(f"{tenant}-{n}" for n in range(12))
    stats = factory.stats()
    assert stats["async.clients.created"] == 1  # one shared client for all eight tenants
    assert stats["async.scoped.miss"] == len(tenants)


def test_gathered_calls_of_two_scopes_on_one_shared_client(
    factory: ClientFactory, server: MotoServer
) -> None:
    _create_table(factory, "acme")
    _create_table(factory, "globex")

    async def body() -> list[Any]:
        acme = await factory.tenant("acme").async_client("dynamodb")
        globex = await factory.tenant("globex").async_client("dynamodb")
        return await asyncio.gather(
            acme.put_item(TableName="orders", Item={"pk": {"S": "a"}}),
            globex.put_item(TableName="orders", Item={"pk": {"S": "g"}}),
            globex.get_item(TableName="t-acme-orders", Key={"pk": {"S": "a"}}),
            return_exceptions=True,
        )

    results = run(factory, body)
    assert isinstance(results[2], ScopeViolation)
    sync = _raw(server, "dynamodb")
    assert [i["pk"]["S"] for i in sync.scan(TableName="t-acme-orders")["Items"]] == ["a"]
    assert [i["pk"]["S"] for i in sync.scan(TableName="t-globex-orders")["Items"]] == ["g"]


def test_async_with_form_and_closing_a_scoped_client_keeps_the_pool_open(
    factory: ClientFactory,
) -> None:
    _create_table(factory, "acme")

    async def body() -> Any:
        async with factory.tenant("acme").async_client("dynamodb") as ddb:
            await ddb.put_item(TableName="orders", Item={"pk": {"S": "1"}})
        await ddb.close()
        # Another scope on the same shared client still has its connections.
        other = await factory.tenant("acme").async_client("dynamodb")
        assert other is ddb
        return await other.get_item(TableName="orders", Key={"pk": {"S": "1"}})

    assert run(factory, body)["Item"]


def test_presigned_urls_are_checked(factory: ClientFactory, server: MotoServer) -> None:
    async def body() -> str:
        s3 = await factory.tenant("acme").async_client("s3")
        before = server.requests
        with pytest.raises(ScopeViolation):
            await s3.generate_presigned_url(
                "get_object", Params={"Bucket": "t-globex-uploads", "Key": "a"})
        assert server.requests == before
        url: str = await s3.generate_presigned_url(
            "get_object", Params={"Bucket": "uploads", "Key": "a b/c"})
        return url

    assert "t-acme-uploads" in run(factory, body)


def test_paginators_and_waiters_go_through_the_guard(
    factory: ClientFactory, server: MotoServer
) -> None:
    raw = _raw(server, "s3")
    raw.create_bucket(Bucket="t-acme-uploads", CreateBucketConfiguration={
        "LocationConstraint": raw.meta.region_name})
    for n in range(5):
        raw.put_object(Bucket="t-acme-uploads", Key=f"k{n}", Body=b"")

    async def body() -> list[str]:
        s3 = await factory.tenant("acme").async_client("s3")
        await s3.get_waiter("bucket_exists").wait(Bucket="uploads")
        keys: list[str] = []
        async for page in s3.get_paginator("list_objects_v2").paginate(
            Bucket="uploads", PaginationConfig={"PageSize": 2}
        ):
            keys += [o["Key"] for o in page.get("Contents", [])]
        before = server.requests
        with pytest.raises(ScopeViolation):
            async for _ in s3.get_paginator("list_objects_v2").paginate(
                Bucket="t-globex-uploads"
            ):
                pass
        assert server.requests == before
        return keys

    assert run(factory, body) == [f"k{n}" for n in range(5)]


def test_a_request_that_skips_the_scope_handle_is_refused(
    factory: ClientFactory, server: MotoServer
) -> None:
    async def body() -> None:
        acme = await factory.tenant("acme").async_client("dynamodb")
        # The shared client underneath, called without a scope: the guard hook sees no scope.
        shared = type(acme).__mro__[1]
        before = server.requests
        with pytest.raises(ScopeViolation, match="did not come through a scope handle"):
            await shared._make_api_call(acme, "ListTables", {})
        assert server.requests == before

    run(factory, body)


def test_one_pool_per_event_loop_and_aclose_closes_it(factory: ClientFactory) -> None:
    seen: list[Any] = []

    async def body() -> None:
        ddb = await factory.platform().async_client("dynamodb")
        await ddb.list_tables()
        seen.append(ddb)

    run(factory, body)
    run(factory, body)
    assert seen[0] is not seen[1]
    assert factory.stats()["async.clients.created"] == 2
    for client in seen:
        assert not _is_open(client)  # closed by aclose()


def test_invalidate_retires_async_clients_and_aclose_closes_them(factory: ClientFactory) -> None:
    async def body() -> tuple[Any, Any]:
        first = await factory.tenant("acme").async_client("dynamodb")
        await first.describe_limits()
        factory.invalidate(tenant="acme")
        second = await factory.tenant("acme").async_client("dynamodb")
        await second.describe_limits()
        # In-flight users of the retired client are not cut off until aclose() or the grace.
        assert _is_open(first)
        return first, second

    first, second = run(factory, body)
    assert first is not second
    assert not _is_open(first)
    assert not _is_open(second)


def test_operator_credentials_are_assumed_once_and_off_the_loop(
    server: MotoServer,
) -> None:
    factory = ClientFactory(session=test_session(), endpoint_url=server.endpoint_url,
                            operator=OperatorSettings(role_name="Ops"))
    loop_threads: set[int] = set()

    async def body() -> None:
        import threading

        loop_threads.add(threading.get_ident())
        clients = await asyncio.gather(
            *(factory.operator("210987654321").async_client("sqs") for _ in range(20)))
        assert len({id(c) for c in clients}) == 1
        await clients[0].list_queues()
        before = server.requests
        with pytest.raises(ScopeViolation):
            await clients[0].send_message(
                QueueUrl="https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                MessageBody="x")
        assert server.requests == before

    run(factory, body)
    stats = factory.stats()
    assert stats["sts.assume_role"] == 1
    assert stats["async.clients.created"] == 1


def test_scoped_credentials_sign_async_requests_with_the_scopes_role(
    server: MotoServer,
) -> None:
    settings = TenantRoleSettings(role_arn="arn:aws:iam::123456789012:role/tenant-access",
                                  services=("dynamodb",))
    factory = ClientFactory(session=test_session(), endpoint_url=server.endpoint_url,
                            account_id="123456789012", scoped_credentials=settings)
    _create_table(factory, "acme")

    signed: list[str] = []

    async def body() -> None:
        ddb = await factory.tenant("acme").async_client("dynamodb")
        ddb.meta.events.register("before-send.dynamodb", lambda request, **_: signed.append(
            _access_key(request)))
        await ddb.put_item(TableName="orders", Item={"pk": {"S": "1"}})
        with pytest.raises(ConfigurationError, match="not in TenantRoleSettings.services"):
            await factory.tenant("acme").async_client("s3")

    run(factory, body)
    base = factory._session.get_credentials().get_frozen_credentials()
    assert signed and signed[0] != base.access_key  # assumed-role credentials, not the base ones
    assert factory.stats()["sts.assume_role"] == 1


def _access_key(request: Any) -> str:
    authorization = request.headers["Authorization"]
    text = authorization.decode() if isinstance(authorization, bytes) else authorization
    return str(text.split("Credential=")[1].split("/")[0])


def test_scoped_tenants_share_async_clients_and_sign_with_their_own_keys(
    server: MotoServer,
) -> None:
    from scopeguard import CredentialError

    settings = TenantRoleSettings(role_name="TenantAccess", services=("dynamodb",))
    factory = ClientFactory(session=test_session(), endpoint_url=server.endpoint_url,
                            account_id="123456789012", scoped_credentials=settings)
    tenants = [f"t{i}" for i in range(5)]
    for tenant in tenants:
        _create_table(factory, tenant)
    seen: list[tuple[str, str]] = []

    def capture(request: Any, **_: Any) -> None:
        import json

        seen.append((json.loads(request.body)["TableName"], _access_key(request)))

    async def body() -> None:
        clients = {t: await factory.tenant(t).async_client("dynamodb") for t in tenants}
        shared = {id(c.meta.events) for c in clients.values()}
        assert len(shared) == 1  # one aiobotocore client behind every tenant's instance
        next(iter(clients.values())).meta.events.register("before-send.dynamodb", capture)
        # Interleaved in one loop: every request signs with its own tenant's keys.
        await asyncio.gather(*(clients[t].describe_table(TableName="orders")
                               for t in tenants * 4))
        # Outside a scope's call the shared client has no keys to sign with.
        signer_credentials = next(iter(clients.values()))._request_signer._credentials
        with pytest.raises(CredentialError, match="no scope is calling"):
            await signer_credentials.get_frozen_credentials()

    run(factory, body)
    assert len(seen) == 20
    keys: dict[str, set[str]] = {}
    for table, key in seen:
        keys.setdefault(table, set()).add(key)
    assert sorted(keys) == sorted(f"t-{t}-orders" for t in tenants)
    assert all(len(k) == 1 for k in keys.values())
    assert len(set().union(*keys.values())) == len(tenants)  # five tenants, five keys
    stats = factory.stats()
    assert stats["async.clients.created"] == 1 and stats["sts.assume_role"] == len(tenants)


def test_the_account_is_resolved_off_the_loop_once(server: MotoServer) -> None:
    factory = ClientFactory(session=test_session(), endpoint_url=server.endpoint_url)

    async def body() -> None:
        for tenant in ("acme", "globex"):
            sqs = await factory.tenant(tenant).async_client("sqs")
            before = server.requests
            with pytest.raises(ScopeViolation, match="account"):
                await sqs.send_message(
                    QueueUrl="https://sqs.us-east-1.amazonaws.com/999999999999/t-acme-jobs",
                    MessageBody="x")
            assert server.requests == before

    run(factory, body)
    assert factory.stats()["sts.get_caller_identity"] == 1


def test_client_options_are_validated_like_sync_clients(factory: ClientFactory) -> None:
    async def body() -> None:
        with pytest.raises(ConfigurationError, match="endpoint_url"):
            await factory.tenant("acme").async_client("s3", endpoint_url="http://evil")

    run(factory, body)


@pytest.mark.parametrize("hostile_is_async", [False, True])
def test_body_rewritten_after_the_parameter_check_is_refused_at_signing(
    factory: ClientFactory, server: MotoServer, hostile_is_async: bool
) -> None:
    # aiobotocore awaits coroutine handlers: a hostile one of either kind meets the same check.
    def rewrite(request: Any) -> None:
        request.data = request.body.replace(b"t-acme-orders", b"t-globex-orders")

    async def tamper_async(request: Any, **_: Any) -> None:
        rewrite(request)

    def tamper(request: Any, **_: Any) -> None:
        rewrite(request)

    async def body() -> None:
        ddb = await factory.tenant("acme").async_client("dynamodb")
        ddb.meta.events.register_first("before-sign.dynamodb",
                                       tamper_async if hostile_is_async else tamper)
        before = server.requests
        with pytest.raises(ScopeViolation, match="tenant:globex"):
            await ddb.get_item(TableName="orders", Key={"pk": {"S": "x"}})
        assert server.requests == before

    run(factory, body)


def test_unregistering_the_guard_hook_is_refused_at_signing(
    factory: ClientFactory, server: MotoServer
) -> None:
    async def body() -> None:
        ddb = await factory.tenant("acme").async_client("dynamodb")
        ddb.meta.events.unregister("before-parameter-build.dynamodb",
                                   unique_id="scopeguard-params-dynamodb")
        before = server.requests
        with pytest.raises(ScopeViolation, match="did not come through a scope handle"):
            await ddb.get_item(TableName="t-globex-orders", Key={"pk": {"S": "x"}})
        assert server.requests == before

    run(factory, body)


def test_invalidate_while_a_client_is_being_built_caches_nothing_stale(
    factory: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = factory._sync_credentials

    def slow_credentials(scope: Any) -> Any:
        # Another thread invalidates the factory while this scope's credentials are resolved.
        factory.invalidate()
        return original(scope)

    monkeypatch.setattr(factory, "_sync_credentials", slow_credentials)

    async def body() -> tuple[Any, Any]:
        first = await factory.tenant("acme").async_client("dynamodb")
        monkeypatch.setattr(factory, "_sync_credentials", original)
        second = await factory.tenant("acme").async_client("dynamodb")
        await first.describe_limits()  # the call that raced still works
        return first, second

    first, second = run(factory, body)
    assert first is not second
    assert factory.stats()["async.clients.created"] == 2
    assert not _is_open(first) and not _is_open(second)


def test_s3_and_sns_traffic_passes_the_signing_checks(
    factory: ClientFactory, server: MotoServer
) -> None:
    keys = ["plain.txt", "with space/and+plus.txt", "ünïcödé/€.bin", "a/b/c?x=1#y"]

    async def body() -> tuple[list[str], str]:
        s3 = await factory.tenant("acme").async_client("s3")
        await s3.create_bucket(Bucket="uploads", CreateBucketConfiguration={
            "LocationConstraint": "eu-west-1"})
        for key in keys:
            await s3.put_object(Bucket="uploads", Key=key, Body=key.encode())
        got = await s3.get_object(Bucket="uploads", Key=keys[2])
        async with got["Body"] as stream:
            assert await stream.read() == keys[2].encode()
        await s3.copy_object(Bucket="uploads", Key="copy.txt",
                             CopySource={"Bucket": "uploads", "Key": keys[1]})
        listed = await s3.list_objects_v2(Bucket="uploads")
        sns = await factory.tenant("acme").async_client("sns")
        topic = (await sns.create_topic(Name="events"))["TopicArn"]
        await sns.publish(TopicArn=topic, Message="hello")
        return [o["Key"] for o in listed["Contents"]], topic

    listed, topic = run(factory, body)
    assert sorted(listed) == sorted([*keys, "copy.txt"])
    assert topic.endswith(":t-acme-events")
    assert _raw(server, "s3").list_objects_v2(Bucket="t-acme-uploads")["KeyCount"] == len(keys) + 1


def test_clients_of_different_accounts_are_built_in_parallel(
    server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    factory = ClientFactory(session=test_session(), endpoint_url=server.endpoint_url)
    original = factory._sync_credentials
    # Each credential resolution waits for the other: if builds were serialised on the loop,
    # the barrier would break instead of releasing both.
    barrier = threading.Barrier(2, timeout=10)

    def rendezvous(scope: Any) -> Any:
        barrier.wait()
        return original(scope)

    monkeypatch.setattr(factory, "_sync_credentials", rendezvous)

    async def body() -> list[Any]:
        return await asyncio.gather(factory.operator("111122223333").async_client("sqs"),
                                    factory.operator("444455556666").async_client("sqs"))

    first, second = run(factory, body)
    assert first.scope.id == "111122223333" and second.scope.id == "444455556666"
    assert factory.stats()["sts.assume_role"] == 2


def test_expiring_credentials_are_refreshed_in_a_worker_thread() -> None:
    import threading

    from botocore.credentials import ReadOnlyCredentials

    from scopeguard._async import _SyncBackedCredentials

    class Expiring:
        """Sync credentials that always need a refresh and record where they are refreshed."""

        def __init__(self) -> None:
            self.threads: list[int] = []

        def refresh_needed(self) -> bool:
            return True

        def get_frozen_credentials(self) -> ReadOnlyCredentials:
            self.threads.append(threading.get_ident())
            return ReadOnlyCredentials(f"AKIA{len(self.threads)}", "secret", "token", "123456789012")

    sync = Expiring()
    adapter = _SyncBackedCredentials(sync)  # type: ignore[arg-type]

    async def body() -> tuple[int, Any]:
        return threading.get_ident(), await adapter.get_frozen_credentials()

    loop_thread, frozen = asyncio.run(body())
    assert frozen.access_key == "AKIA2"  # refreshed, not the value resolved at construction
    assert sync.threads[-1] != loop_thread
    assert adapter.get_account_id() == "123456789012"


def test_async_service_errors_name_the_physical_resource(factory: ClientFactory) -> None:
    async def body() -> list[str]:
        async with factory.tenant("acme").async_client("dynamodb") as client:
            try:
                await client.describe_table(TableName="missing")
            except client.exceptions.ResourceNotFoundException as exc:
                return list(exc.__notes__)
        raise AssertionError("DescribeTable on a missing table succeeded")

    notes = run(factory, body)
    assert notes == ["scopeguard: tenant:acme: TableName 'missing' -> 't-acme-missing'"]
