"""Scope tracking through async clients under concurrency: several tenants' tasks gathered on
one shared aiobotocore client per service, suspended inside their calls, cancelled and timed
out in the middle of them, with refusals in between.

Every request is recorded as it leaves (the last ``before-send`` handler) with the tenant the
task is acting as, and counted at moto's server: each must name only that tenant's resources
and, with scoped credentials, be signed with its keys.
"""

from __future__ import annotations

import asyncio
import collections
import contextvars
import random
from collections.abc import Iterator
from typing import Any

import pytest

from guard_helpers import seed_tenant

from scopeguard import ClientFactory, ScopeViolation, TenantRoleSettings
from scopeguard.testing import MotoServer, test_session

TENANTS = ("acme", "globex", "initech")
SERVICES = ("dynamodb", "s3", "sns")


@pytest.fixture
def server(scopeguard_server: MotoServer) -> Iterator[MotoServer]:
    yield scopeguard_server
    scopeguard_server.reset()


def _access_key(request: Any) -> str:
    authorization = request.headers["Authorization"]
    text = authorization.decode() if isinstance(authorization, bytes) else authorization
    return str(text.split("Credential=")[1].split("/")[0])


@pytest.mark.parametrize("scoped_credentials", [False, True], ids=["base", "scoped-credentials"])
def test_gathered_tenants_cancelled_mid_call_send_only_their_own_names(
    server: MotoServer, scoped_credentials: bool,
) -> None:
    options: dict[str, Any] = {}
    if scoped_credentials:
        options = {"scoped_credentials": TenantRoleSettings(role_name="TenantAccess",
                                                            services=SERVICES)}
    factory = ClientFactory(session=test_session("eu-west-1"), endpoint_url=server.endpoint_url,
                            account_id="123456789012", **options)
    for tenant in TENANTS:
        seed_tenant(factory.tenant(tenant))
    keys: dict[str, str] = {}
    if scoped_credentials:
        cache = factory._credentials()
        keys = {t: cache.credentials_for(factory._scoped_spec(factory.naming.tenant(t)))
                .get_frozen_credentials().access_key for t in TENANTS}
    acting: contextvars.ContextVar[str | None] = contextvars.ContextVar("acting", default=None)
    stuck: contextvars.ContextVar[bool] = contextvars.ContextVar("stuck", default=False)
    crossed: list[tuple[str | None, str]] = []
    sent: collections.Counter[str] = collections.Counter()
    never = asyncio.Event  # made on the loop below

    def record(request: Any, **_: Any) -> None:
        tenant = acting.get()
        body = request.body
        text = f"{request.url} {body.decode() if isinstance(body, bytes) else body or ''}"
        if tenant is None or {t for t in TENANTS if f"t-{t}-" in text} != {tenant}:
            crossed.append((tenant, text[:160]))
        elif scoped_credentials and _access_key(request) != keys[tenant]:
            crossed.append((tenant, "signed with another scope's keys"))
        sent[tenant or "?"] += 1

    async def body() -> collections.Counter[str]:
        blocked = never()

        async def suspend(**_: Any) -> None:
            # A suspension point inside every call, after the parameter check approved it; a
            # call marked stuck waits here until wait_for cancels it.
            await asyncio.sleep(0)
            if stuck.get():
                await blocked.wait()

        clients = {t: {s: await factory.tenant(t).async_client(s) for s in SERVICES}
                   for t in TENANTS}
        for service in SERVICES:
            events = clients["acme"][service].meta.events
            events.register_last(f"before-send.{service}", record)
            events.register(f"before-sign.{service}", suspend)
            events.register(f"before-parameter-build.{service}", suspend)

        async def one(i: int) -> str:
            tenant, other = TENANTS[i % 3], TENANTS[(i + 1) % 3]
            acting.set(tenant)
            mine = clients[tenant]
            kind = random.Random(i).randrange(6)
            try:
                if kind == 0:
                    await mine["dynamodb"].put_item(TableName="orders",
                                                    Item={"pk": {"S": str(i)}})
                elif kind == 1:
                    await mine["s3"].put_object(Bucket="files", Key=f"k{i}", Body=b"x")
                elif kind == 2:
                    await mine["sns"].get_topic_attributes(
                        TopicArn=f"arn:aws:sns:eu-west-1:123456789012:t-{tenant}-news")
                elif kind == 3:
                    await mine["dynamodb"].get_item(TableName=f"t-{other}-orders",
                                                    Key={"pk": {"S": "1"}})
                elif kind == 4:
                    # Approved, then cancelled inside the call; the next call of this task
                    # (another tenant's handle) must not run under what it left behind.
                    stuck.set(True)
                    try:
                        await asyncio.wait_for(mine["dynamodb"].get_item(
                            TableName="orders", Key={"pk": {"S": "1"}}), timeout=0.05)
                    except asyncio.TimeoutError:
                        pass
                    stuck.set(False)
                    await clients[other]["s3"].get_object(Bucket=f"t-{tenant}-files", Key="k")
                else:
                    async for _page in mine["s3"].get_paginator("list_objects_v2").paginate(
                            Bucket="files"):
                        pass
                return "sent"
            except ScopeViolation:
                return "refused"

        outcomes = collections.Counter(await asyncio.gather(*(one(i) for i in range(240))))
        await factory.aclose()
        return outcomes

    before = server.requests
    outcomes = asyncio.run(body())
    kinds = collections.Counter(random.Random(i).randrange(6) for i in range(240))
    assert crossed == []
    assert outcomes == {"sent": kinds[0] + kinds[1] + kinds[2] + kinds[5],
                        "refused": kinds[3] + kinds[4]}
    # One request per sending call (the paginator's bucket holds one page): nothing refused,
    # cancelled or timed out reached the emulator.
    assert server.requests - before == sum(sent.values()) == outcomes["sent"]
    assert set(sent) == set(TENANTS)


def test_async_and_sync_clients_read_the_guard_cache_under_the_factory_lock(
    server: MotoServer,
) -> None:
    # The factory's LRU caches are not thread-safe (a get reorders them), and async clients
    # ask for guards from their event loops' threads while sync clients ask from others:
    # unlocked, their bookkeeping broke under load until every new scope's lookup raised
    # KeyError. Every access to the guard cache, on both paths, must hold the factory lock.
    from scopeguard._factory import _CountingLRU

    factory = ClientFactory(session=test_session("eu-west-1"), endpoint_url=server.endpoint_url,
                            account_id="123456789012", max_scoped_clients=2)
    unlocked: list[str] = []

    class Checked(_CountingLRU):
        def __getitem__(self, key: Any) -> Any:
            if not factory._lock._is_owned():  # type: ignore[attr-defined]
                unlocked.append(f"read {key}")
            return super().__getitem__(key)

        def __setitem__(self, key: Any, value: Any) -> None:
            if not factory._lock._is_owned():  # type: ignore[attr-defined]
                unlocked.append(f"write {key}")
            super().__setitem__(key, value)

    factory._guards = Checked(2, factory._stats, "guards")

    async def body() -> list[str]:
        scopes = []
        for tenant in TENANTS * 2:  # more scopes than the cache holds: evictions too
            client = await factory.tenant(tenant).async_client("dynamodb")
            scopes.append(client.scope.id)
            await asyncio.to_thread(factory.tenant(tenant).client, "dynamodb")
        factory.invalidate(tenant="acme")
        scopes.append((await factory.tenant("acme").async_client("sqs")).scope.id)
        await factory.aclose()
        return scopes

    assert asyncio.run(body()) == [*TENANTS, *TENANTS, "acme"]
    assert unlocked == []
    assert factory.stats()["guards.evicted"] >= 4
