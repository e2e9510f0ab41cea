"""The fleet: STS load with and without the shared store, a miss served from Redis, a new tenant.

    python benchmarks/bench_fleet.py [--tenants 500] [--processes 8] [--hours 3]

1. STS model. ``--processes`` caches (one per simulated process) serve scoped credentials for
   ``--tenants`` tenants, every tenant asked by every process each simulated minute, on a fake
   clock, with a counting fake STS: without a store, with a shared store (the in-process
   ``MemoryCredentialStore`` on the same fake clock: Redis expires entries in real time), and
   each with and without refresh jitter. Prints AssumeRole calls per hour and the peak calls in
   one simulated minute.
2. A process cache miss served from Redis (a ``redis-server`` this script starts) against the
   same miss served by STS (moto's server in this process: a lower bound for real STS, which
   answers in 20-200 ms). Median of per-miss times.
3. A new tenant's first client, its credentials already cached: plain tenant scope; scoped
   credentials as before (a derived botocore session and a client per tenant); a hand-written
   token vending machine (a boto3 session on the tenant's keys); scoped credentials now (a
   per-scope instance of one shared client). Time (median) and memory (tracemalloc, per tenant,
   clients kept alive).
4. The same for async clients (with ``.[async]`` installed): an aiobotocore session and client
   per scoped tenant, as before, against a per-scope instance of one shared async client.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import tracemalloc
from typing import Any

import boto3
from bench_operator import Clock, CountingSTS

from scopeguard import (
    ClientFactory,
    MemoryCredentialStore,
    NamingPolicy,
    OperatorSettings,
    RedisCredentialStore,
    TenantRoleSettings,
)
from scopeguard._credentials import CredentialCache
from scopeguard._policy import scoped_spec
from scopeguard._sessions import make_sts_client
from scopeguard.testing import MotoServer

ACCOUNT = "123456789012"


def sts_model(tenants: int, processes: int, hours: float, store: bool, jitter: float) -> None:
    clock = Clock()
    sts = CountingSTS(clock)
    shared = MemoryCredentialStore(clock) if store else None
    rng = random.Random(3)
    caches = [
        CredentialCache(lambda: sts, OperatorSettings(refresh_jitter=jitter), clock=clock,
                        max_cached=tenants, store=shared, jitter_random=rng.random)
        for _ in range(processes)
    ]
    naming, settings = NamingPolicy(), TenantRoleSettings(role_name="TenantAccess")
    specs = [scoped_spec(settings, naming, naming.tenant(f"t{i}"), account_id=ACCOUNT)
             for i in range(tenants)]
    per_minute = []
    for _ in range(int(hours * 60)):
        clock.now += 60
        before = sts.calls
        for cache in caches:
            for spec in specs:
                cache.credentials_for(spec).get_frozen_credentials()
        per_minute.append(sts.calls - before)
    label = f"{'shared store' if store else 'no store':12} jitter {jitter:<4}"
    # The first minute is the cold start (every key, unavoidably); refreshes come after it.
    print(f"  {label}: {sts.calls:>6,} AssumeRole in {hours:g} h ({sts.calls / hours:>8,.0f}/h), "
          f"cold start {per_minute[0]:>5,}, peak refresh minute {max(per_minute[1:]):>5,}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def miss_cost(samples: int) -> None:
    binary = shutil.which("redis-server")
    if binary is None:
        print("  redis-server not installed: skipped")
        return
    port = free_port()
    workdir = tempfile.mkdtemp()
    server = subprocess.Popen([binary, "--port", str(port), "--save", "", "--dir", workdir],
                              stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        url = f"redis://127.0.0.1:{port}/0"
        key = bytes(range(32))
        session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench",
                                region_name="eu-west-1")
        naming, settings = NamingPolicy(), TenantRoleSettings(role_name="TenantAccess")
        with MotoServer() as moto:
            specs = [scoped_spec(settings, naming, naming.tenant(f"t{i}"), account_id=ACCOUNT,
                                 sts_region="eu-west-1", sts_endpoint=moto.endpoint_url)
                     for i in range(samples)]

            def cache(store: Any) -> CredentialCache:
                return CredentialCache(
                    lambda: make_sts_client(session, region="eu-west-1",
                                            endpoint_url=moto.endpoint_url),
                    OperatorSettings(), max_cached=samples * 2, store=store)

            def timed(c: CredentialCache) -> list[float]:
                out = []
                for spec in specs:
                    t0 = time.perf_counter()
                    c.credentials_for(spec)
                    out.append(time.perf_counter() - t0)
                return out

            timed(cache(None))  # warm botocore's STS client and moto
            from_sts = timed(cache(None))
            timed(cache(RedisCredentialStore.from_url(url, key)))  # fills Redis
            from_redis = timed(cache(RedisCredentialStore.from_url(url, key)))
        sts_ms = statistics.median(from_sts) * 1000
        redis_ms = statistics.median(from_redis) * 1000
        print(f"  miss served by STS (moto, local): {sts_ms:.2f} ms")
        print(f"  miss served by Redis (GET + AES-GCM open): {redis_ms:.3f} ms "
              f"({sts_ms / redis_ms:.0f}x cheaper than moto; real STS is 20-200 ms)")
    finally:
        server.kill()
        server.wait()


def new_tenant_cost(tenants: int) -> None:
    """A new tenant's first DynamoDB client, its credentials already cached (STS excluded: it
    is the same AssumeRole in every variant, and moto's latency is not STS's)."""
    with MotoServer() as moto:
        session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench",
                                region_name="eu-west-1")

        def factory(scoped: bool) -> ClientFactory:
            return ClientFactory(
                session=session, endpoint_url=moto.endpoint_url, account_id=ACCOUNT,
                scoped_credentials=TenantRoleSettings(role_name="TenantAccess") if scoped
                else None)

        plain, scoped = factory(False), factory(True)
        for f in (plain, scoped):
            f.tenant("warm").client("dynamodb")
        options = scoped._client_options("dynamodb", {})[2]

        def shared_client(f: ClientFactory, t: str) -> Any:
            return f.tenant(t).client("dynamodb")

        def per_tenant_client(f: ClientFactory, t: str) -> Any:
            # What each new scoped tenant cost before: a derived botocore session and a client.
            return f._vended_session(f.naming.tenant(t)).create_client("dynamodb", **options)

        def hand_written(f: ClientFactory, t: str) -> Any:
            # A token vending machine written by hand: a client per tenant on the tenant's keys,
            # from one reused boto3 session.
            keys = f._scope_credentials(f.naming.tenant(t)).get_frozen_credentials()
            return session.client("dynamodb", aws_access_key_id=keys.access_key,
                                  aws_secret_access_key=keys.secret_key,
                                  aws_session_token=keys.token, endpoint_url=moto.endpoint_url)

        variants = [
            ("plain tenant scope", plain, shared_client, "p"),
            ("scoped, before: session + client per tenant", scoped, per_tenant_client, "b"),
            ("hand-written token vending machine", scoped, hand_written, "h"),
            ("scoped, now: shared client", scoped, shared_client, "n"),
        ]
        results = {}
        for name, f, build, tag in variants:
            timed_ids = [f"{tag}t{i}" for i in range(tenants)]
            traced_ids = [f"{tag}m{i}" for i in range(tenants)]
            if f is scoped:
                for t in timed_ids + traced_ids:  # credentials cached first: STS is not measured
                    f._scope_credentials(f.naming.tenant(t))
            keep, times = [], []
            for t in timed_ids:
                t0 = time.perf_counter()
                keep.append(build(f, t))
                times.append(time.perf_counter() - t0)
            # Memory in a second pass: tracemalloc slows allocation-heavy code several times.
            tracemalloc.start()
            before = tracemalloc.get_traced_memory()[0]
            for t in traced_ids:
                keep.append(build(f, t))
            per_tenant = (tracemalloc.get_traced_memory()[0] - before) / tenants
            tracemalloc.stop()
            results[name] = (statistics.median(times), per_tenant)
        # What a scoped tenant keeps besides its client: its cached credential (cache entry,
        # RefreshableCredentials, spec with its session policy), STS's response parsing freed.
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for i in range(tenants):
            scoped._scope_credentials(scoped.naming.tenant(f"c{i}"))
        credential = (tracemalloc.get_traced_memory()[0] - before) / tenants
        tracemalloc.stop()
        now = results["scoped, now: shared client"]
        for name, (t, mem) in results.items():
            print(f"  {name:45}: {t * 1000:8.3f} ms  {mem / 1024:7.1f} KiB per tenant  "
                  f"({t / now[0]:6.1f}x time, {mem / now[1]:6.1f}x memory of now)")
        print(f"  plus, for every scoped tenant, its cached credential: {credential / 1024:.1f} KiB")


async def _measure(build: Any, ids: list[str], keep: list[Any]) -> float:
    """Median seconds of ``await build(t)`` over ``ids`` (clients kept in ``keep``)."""
    times = []
    for t in ids:
        t0 = time.perf_counter()
        keep.append(await build(t))
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def new_async_tenant_cost(tenants: int) -> None:
    """Section 3 for async clients: what a new scoped tenant's first client costs."""
    if importlib.util.find_spec("aiobotocore") is None:
        print("  skipped: pip install -e '.[async]' to measure async clients")
        return
    from aiobotocore.session import AioSession

    from scopeguard._async import _SyncBackedCredentials
    from scopeguard._sessions import _derived_session

    with MotoServer() as moto:
        session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench",
                                region_name="eu-west-1")
        f = ClientFactory(session=session, endpoint_url=moto.endpoint_url, account_id=ACCOUNT,
                          scoped_credentials=TenantRoleSettings(role_name="TenantAccess"))

        async def run() -> None:
            async with f:
                await f.tenant("warm").async_client("dynamodb")
                options = f._client_options("dynamodb", {})[2]

                async def per_tenant(t: str) -> Any:
                    # What each new scoped tenant cost before: an AioSession on the tenant's
                    # credentials, and an aiobotocore client with its own connection pool.
                    derived = _derived_session(f._session._session, lambda: None,
                                               session_cls=AioSession)
                    derived._credentials = _SyncBackedCredentials(
                        f._scope_credentials(f.naming.tenant(t)))
                    return await derived.create_client("dynamodb", **options).__aenter__()

                async def shared(t: str) -> Any:
                    return await f.tenant(t).async_client("dynamodb")

                results = {}
                for name, build, tag in (("scoped, before: client per tenant", per_tenant, "b"),
                                         ("scoped, now: shared client", shared, "n")):
                    timed_ids = [f"{tag}t{i}" for i in range(tenants)]
                    traced_ids = [f"{tag}m{i}" for i in range(tenants)]
                    for t in timed_ids + traced_ids:  # STS is not measured
                        f._scope_credentials(f.naming.tenant(t))
                    keep: list[Any] = []
                    median = await _measure(build, timed_ids, keep)
                    tracemalloc.start()
                    before = tracemalloc.get_traced_memory()[0]
                    await _measure(build, traced_ids, keep)
                    per_tenant_memory = (tracemalloc.get_traced_memory()[0] - before) / tenants
                    tracemalloc.stop()
                    results[name] = (median, per_tenant_memory)
                    if build is per_tenant:
                        for client in keep:
                            await client.__aexit__(None, None, None)
                now = results["scoped, now: shared client"]
                for name, (t, mem) in results.items():
                    print(f"  {name:45}: {t * 1000:8.3f} ms  {mem / 1024:7.1f} KiB per tenant  "
                          f"({t / now[0]:6.1f}x time, {mem / now[1]:6.1f}x memory of now)")

        asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=500)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    print(f"1. STS model: {args.tenants} tenants x {args.processes} processes, every tenant "
          f"asked by every process each minute, {args.hours:g} simulated hours")
    for store in (False, True):
        for jitter in (0.0, 0.1):
            sts_model(args.tenants, args.processes, args.hours, store, jitter)
    print(f"2. Process cache miss, {args.samples} tenants")
    miss_cost(args.samples)
    print("3. New tenant's first DynamoDB client (credentials cached), median of 100 tenants")
    new_tenant_cost(100)
    print("4. New tenant's first async DynamoDB client (credentials cached), median of 100 tenants")
    new_async_tenant_cost(100)


if __name__ == "__main__":
    main()
