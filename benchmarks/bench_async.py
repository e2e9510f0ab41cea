"""Async (aiobotocore) client costs, measured side by side in one run.

    pip install -e ".[async]"
    python benchmarks/bench_async.py            # full run (~1 min on 2 cores)
    python benchmarks/bench_async.py --quick    # smaller counts, same ratios

1. Acquiring a client: cached ``await factory.tenant(t).async_client("dynamodb")`` vs the
   aiobotocore idiom ``async with session.create_client("dynamodb")`` per request (on a reused
   session).
2. Guard overhead per call: the same operation on a raw aiobotocore client and a scoped one, both
   answered by a canned response at ``before-send`` (serialisation, signing, parsing and the
   guard run; no network). Interleaved rounds; the median of per-round differences to the raw
   client, as in bench_factory.py.
3. 2,000 concurrent tasks over 200 tenants on one loop: clients built and time per task.

Nothing is asserted: tests assert counts; this prints measurements for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import boto3
from aiobotocore.awsrequest import AioAWSResponse
from aiobotocore.session import AioSession

sys.path.insert(0, ".")
import bench_factory  # noqa: E402  (benchmarks/ is on sys.path as the script's directory)
import scopeguard  # noqa: E402

KEYS = bench_factory.KEYS
JSON = "application/x-amz-json-1.0"


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    async def read(self) -> bytes:
        return self._body


def canned(client: Any, body: bytes, content_type: str) -> None:
    """Answer every request of ``client`` with ``body`` right before it would be sent."""

    def respond(request: Any, **_: Any) -> AioAWSResponse:
        return AioAWSResponse(request.url, 200, {"content-type": content_type}, _Raw(body))

    # Last: the guard's own before-send check (URL and body as approved at signing) runs first.
    client.meta.events.register_last("before-send", respond)


def raw_session() -> AioSession:
    session = AioSession()
    session.set_credentials(KEYS["aws_access_key_id"], KEYS["aws_secret_access_key"])
    return session


async def per_call(fn: Callable[[], Awaitable[object]], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        await fn()
    return (time.perf_counter() - start) / n


async def cpu_per_call(fn: Callable[[], Awaitable[object]], n: int) -> float:
    """CPU time of this process per call, as bench_factory.cpu_per_call (no network here: the
    canned response is returned in-process, so CPU time is the whole cost)."""
    start = time.process_time()
    for _ in range(n):
        await fn()
    return (time.process_time() - start) / n


async def bench_acquire(quick: bool) -> dict[str, float]:
    factory = scopeguard.ClientFactory(session=boto3.Session(**KEYS), account_id="123456789012")
    session = raw_session()

    async def create_per_request() -> None:
        async with session.create_client("dynamodb", region_name="eu-west-1"):
            pass

    async def cached() -> None:
        await factory.tenant("acme").async_client("dynamodb")

    async with factory:
        await create_per_request()
        await cached()
        fresh = await per_call(create_per_request, 10 if quick else 40)
        hit = await per_call(cached, 20_000)
    return {"create_client_s": fresh, "factory_cached_s": hit, "ratio": fresh / hit}


# The same operations, canned responses and parameters as the sync benchmark, so the two
# overhead tables compare directly.
OPERATIONS = dict(bench_factory.OPERATIONS)


async def bench_guard(quick: bool) -> dict[str, dict[str, float]]:
    factory = scopeguard.ClientFactory(session=boto3.Session(**KEYS), account_id="123456789012")
    session = raw_session()
    results: dict[str, dict[str, float]] = {}
    n, rounds = (100, 5) if quick else (100, 41)
    async with factory:
        for label, (service, method, body, ctype, scoped_params, raw_params) in \
                OPERATIONS.items():
            async with session.create_client(service, region_name="eu-west-1") as raw:
                scoped = await factory.tenant("acme").async_client(service)
                canned(raw, body, ctype)
                canned(scoped, body, ctype)
                calls = {
                    "raw": lambda c=raw, p=raw_params: getattr(c, method)(**p),
                    "scoped": lambda c=scoped, p=scoped_params: getattr(c, method)(**p),
                }
                times: dict[str, list[float]] = {name: [] for name in calls}
                for fn in calls.values():
                    await fn()
                for _ in range(rounds):
                    for name, fn in calls.items():
                        times[name].append(await cpu_per_call(fn, n))
                # Median of the per-round differences to the raw client, as in
                # bench_factory.py: the minimum of each side alone swung the overhead between
                # -27% and +26% under load; a round's two variants run back to back, so load
                # hits them alike and cancels out of their difference.
                r = statistics.median(times["raw"])
                s = r + statistics.median([v - w for v, w in zip(times["scoped"], times["raw"],
                                                                 strict=True)])
                results[label] = {"raw_us": r * 1e6, "scoped_us": s * 1e6,
                                  "overhead_pct": (s / r - 1) * 100}
    return results


async def bench_tasks(quick: bool) -> dict[str, float]:
    tenants, per_tenant = (50, 5) if quick else (200, 10)
    factory = scopeguard.ClientFactory(session=boto3.Session(**KEYS), account_id="123456789012")

    async def task(tenant: str) -> None:
        ddb = await factory.tenant(tenant).async_client("dynamodb")
        canned_once(ddb)
        await ddb.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})

    canned_clients: set[int] = set()

    def canned_once(client: Any) -> None:
        # One shared event system under every scope: register the canned response once.
        if not canned_clients:
            canned(client, b'{"Item": {"pk": {"S": "o-1"}}}', JSON)
            canned_clients.add(1)

    async with factory:
        start = time.perf_counter()
        await asyncio.gather(*(task(f"t{i}") for i in range(tenants) for _ in range(per_tenant)))
        elapsed = time.perf_counter() - start
        stats = factory.stats()
    return {"tasks": tenants * per_tenant, "tenants": tenants,
            "per_task_s": elapsed / (tenants * per_tenant),
            "shared_clients_built": stats["async.clients.created"],
            "scoped_instances": stats["async.scoped.miss"]}


async def run(quick: bool) -> dict[str, Any]:
    return {"acquire": await bench_acquire(quick), "guard": await bench_guard(quick),
            "tasks": await bench_tasks(quick)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = asyncio.run(run(args.quick))
    if args.json:
        print(json.dumps(results, indent=2))
        return
    import aiobotocore
    import botocore

    print(f"# {platform.platform()}, Python {platform.python_version()}, "
          f"aiobotocore {aiobotocore.__version__}, botocore {botocore.__version__}")
    acquire = results["acquire"]
    print("\n## Acquiring an async client")
    print(f"async with session.create_client() per request: "
          f"{acquire['create_client_s'] * 1e3:.2f} ms")
    print(f"cached factory.tenant(t).async_client():        "
          f"{acquire['factory_cached_s'] * 1e6:.2f} µs  ({acquire['ratio']:,.0f}x faster)")
    print("\n## Guard overhead per async call (canned responses, median of per-round "
          "differences)")
    print("| operation | raw aiobotocore µs | scoped µs | overhead |")
    print("|---|---:|---:|---:|")
    for label, row in results["guard"].items():
        print(f"| {label} | {row['raw_us']:.0f} | {row['scoped_us']:.0f} | "
              f"{row['overhead_pct']:+.1f}% |")
    tasks = results["tasks"]
    print(f"\n## {tasks['tasks']:,} concurrent tasks over {tasks['tenants']} tenants, one loop")
    print(f"shared clients built: {tasks['shared_clients_built']}, scoped instances: "
          f"{tasks['scoped_instances']}, {tasks['per_task_s'] * 1e6:.0f} µs per task")


if __name__ == "__main__":
    main()
