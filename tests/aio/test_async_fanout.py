"""async_for_each_account: the Organization's accounts on one event loop, bounded concurrency,
one result or error per account, credentials assumed once per account."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from scopeguard import ClientFactory, ConfigurationError, InvalidScope, OperatorScope
from scopeguard.testing import MotoServer, test_session


@pytest.fixture
def factory(scopeguard_server: MotoServer) -> Any:
    yield ClientFactory(session=test_session(), endpoint_url=scopeguard_server.endpoint_url)
    scopeguard_server.reset()


async def caller_account(scope: OperatorScope) -> str:
    sts = await scope.async_client("sts")
    account: str = (await sts.get_caller_identity())["Account"]
    return account


def test_every_member_account_of_the_organization_gets_one_result(factory: ClientFactory) -> None:
    org = factory.platform().client("organizations")
    org.create_organization(FeatureSet="ALL")
    for name in ("billing", "analytics", "search"):
        org.create_account(AccountName=name, Email=f"{name}@example.com")

    async def body() -> Any:
        async with factory:
            first = await factory.async_for_each_account(caller_account)
            # A second pass reuses every account's cached credentials and client.
            second = await factory.async_for_each_account(caller_account)
            return first, second

    first, second = asyncio.run(body())
    accounts = [r.account_id for r in first]
    assert len(accounts) == 3 and accounts == sorted(accounts)
    assert [r.unwrap() for r in first] == accounts == [r.unwrap() for r in second]
    stats = factory.stats()
    assert stats["sts.assume_role"] == 3
    assert stats["async.clients.created"] == 3


def test_failures_stay_with_their_account_and_order_is_the_callers(
    factory: ClientFactory,
) -> None:
    async def flaky(scope: OperatorScope) -> str:
        if scope.scope.id == "444455556666":
            raise RuntimeError("no role here")
        return await caller_account(scope)

    async def body() -> Any:
        async with factory:
            return await factory.async_for_each_account(
                flaky, accounts=["444455556666", "bad", "111122223333", "444455556666"])

    results = asyncio.run(body())
    assert [r.account_id for r in results] == ["444455556666", "bad", "111122223333"]
    assert isinstance(results[0].error, RuntimeError)
    assert isinstance(results[1].error, InvalidScope)
    assert results[2].value == "111122223333"


def test_concurrency_is_bounded(factory: ClientFactory) -> None:
    running = 0
    peak = 0

    async def tracked(scope: OperatorScope) -> str:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        try:
            await asyncio.sleep(0.01)
            return scope.scope.id
        finally:
            running -= 1

    accounts = [f"{n:012d}" for n in range(100000000001, 100000000011)]

    async def body() -> Any:
        return await factory.async_for_each_account(tracked, accounts=accounts,
                                                    max_concurrency=3)

    results = asyncio.run(body())
    assert [r.value for r in results] == accounts
    assert peak == 3


@pytest.mark.parametrize("bad", [0, -1, True, 2.5])
def test_a_bad_bound_is_refused_before_any_call(factory: ClientFactory, bad: Any) -> None:
    with pytest.raises(ConfigurationError, match="max_concurrency"):
        asyncio.run(factory.async_for_each_account(caller_account, accounts=["111122223333"],
                                                   max_concurrency=bad))
    assert factory.stats().get("sts.assume_role", 0) == 0
