"""Async clients get the same hardening as sync ones: copy first (a change to the caller's objects
after approval changes nothing sent), strict grammars, S3 ``ExpectedBucketOwner``, and no change
after signing. Run against moto's server (aiohttp is not intercepted in-process)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from guard_helpers import seed_pooled_sessions

from scopeguard import ClientFactory, NamingPolicy, PooledTable, ScopeViolation
from scopeguard._guard import checks
from scopeguard.testing import MotoServer, test_session

T = TypeVar("T")


def run(factory: ClientFactory, body: Callable[[], Awaitable[T]]) -> T:
    async def main() -> T:
        async with factory:
            return await body()

    return asyncio.run(main())


@pytest.fixture
def server(scopeguard_server: MotoServer) -> MotoServer:
    yield scopeguard_server  # type: ignore[misc]
    scopeguard_server.reset()


@pytest.fixture
def factory(server: MotoServer) -> ClientFactory:
    factory = ClientFactory(session=test_session(), endpoint_url=server.endpoint_url,
                            account_id="123456789012",
                            naming=NamingPolicy(pooled_tables={"sessions": PooledTable("pk")}))
    platform = factory.platform().client("dynamodb")
    seed_pooled_sessions(platform)
    return factory


def test_a_change_to_the_callers_objects_after_approval_changes_nothing_sent(
    factory: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = {"pk": {"S": "t-acme/s1"}}
    original = checks.ScopeGuard.check

    def check_then_strike(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        key["pk"] = {"S": "t-globex/s1"}

    monkeypatch.setattr(checks.ScopeGuard, "check", check_then_strike)

    async def body() -> Any:
        ddb = await factory.tenant("acme").async_client("dynamodb")
        return await ddb.transact_get_items(
            TransactItems=[{"Get": {"TableName": "sessions", "Key": key}}])

    result = run(factory, body)
    assert [r["Item"]["owner"] for r in result["Responses"]] == [{"S": "acme"}]


@pytest.mark.parametrize("statement", ['SELECT * FROM "sessions" -- x',
                                       'SELECT * FROM "a", "t-globex-orders"'])
def test_statements_outside_the_grammar_are_refused(factory: ClientFactory, server: MotoServer,
                                                    statement: str) -> None:
    async def body() -> None:
        ddb = await factory.platform().async_client("dynamodb")
        before = server.requests
        with pytest.raises(ScopeViolation, match="cannot read the PartiQL statement"):
            await ddb.execute_statement(Statement=statement)
        assert server.requests == before

    run(factory, body)


def test_s3_requests_carry_the_expected_bucket_owner(factory: ClientFactory) -> None:
    factory.tenant("acme").client("s3").create_bucket(
        Bucket="files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    owners: list[str] = []

    async def body() -> None:
        s3 = await factory.tenant("acme").async_client("s3")

        def capture(request: Any, **_: Any) -> None:
            owners.append(str(request.headers.get("x-amz-expected-bucket-owner")))

        s3.meta.events.register("before-send", capture, unique_id="test-async-owner")
        try:
            await s3.put_object(Bucket="files", Key="a", Body=b"x")
            got = await s3.get_object(Bucket="files", Key="a")
            async with got["Body"] as stream:  # read and release the pooled connection
                assert await stream.read() == b"x"
        finally:
            s3.meta.events.unregister("before-send", unique_id="test-async-owner")

    run(factory, body)
    assert [o.removeprefix("b'").removesuffix("'") for o in owners] == ["123456789012"] * 2


def test_a_body_rewritten_after_signing_is_refused(factory: ClientFactory,
                                                   server: MotoServer) -> None:
    def retarget(request: Any, operation_name: str, **_: Any) -> None:
        if operation_name == "GetItem":
            request.data = request.data.replace(b"t-acme/s1", b"t-globex/s1")

    async def body() -> None:
        ddb = await factory.tenant("acme").async_client("dynamodb")
        ddb.meta.events.register("request-created", retarget, unique_id="test-async-after")
        before = server.requests
        try:
            with pytest.raises(ScopeViolation, match="changed after it was checked"):
                await ddb.get_item(TableName="sessions", Key={"pk": {"S": "t-acme/s1"}})
        finally:
            ddb.meta.events.unregister("request-created", unique_id="test-async-after")
        assert server.requests == before

    run(factory, body)
