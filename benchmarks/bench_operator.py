"""Operator credential cache under contention: 50 threads x 1,000 acquisitions -> 1 AssumeRole.

    python benchmarks/bench_operator.py [--threads 50] [--per-thread 1000]

Phase 1's STS is a real botocore STS client whose ``Stubber`` holds exactly one AssumeRole
response: a second call fails the run. Phase 2 uses a counting fake STS whose grants follow the
simulated clock. No network, no credentials.

Phase 1: every thread calls ``cache.credentials(account, role)`` and reads the frozen keys (what
botocore does before signing) within one cache lifetime.
Phase 2: the same load while a fake clock advances three simulated hours (thread 0 moves it a
little before each of its acquisitions): the cache must refresh once every ~55 minutes, however
many threads are asking at that instant: 4 AssumeRole calls in all.
"""

from __future__ import annotations

import argparse
import os
import platform
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
from botocore.stub import Stubber

from scopeguard import OperatorSettings
from scopeguard._credentials import CredentialCache
from scopeguard._observe import Stats

ACCOUNT = "111122223333"
ROLE = "OrganizationAccountAccessRole"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def stubbed_sts(responses: int = 1) -> tuple[Any, Stubber]:
    """A real botocore STS client whose Stubber holds exactly ``responses`` AssumeRole responses."""
    client = botocore.session.get_session().create_client(
        "sts",
        region_name="eu-west-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )
    stubber = Stubber(client)
    for _ in range(responses):
        stubber.add_response(
            "assume_role",
            {
                "Credentials": {
                    "AccessKeyId": "ASIABENCH00000000001",
                    "SecretAccessKey": "x" * 40,
                    "SessionToken": "t" * 64,
                    "Expiration": datetime.now(timezone.utc) + timedelta(hours=1),
                }
            },
        )
    stubber.activate()
    return client, stubber


class CountingSTS:
    """Phase 2's STS: counts calls; each grant lasts DurationSeconds on the simulated clock."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.calls = 0
        self._lock = threading.Lock()

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            self.calls += 1
            n = self.calls
        expiration = self.clock.now + kwargs["DurationSeconds"]
        return {
            "Credentials": {
                "AccessKeyId": f"ASIABENCH{n:011d}",
                "SecretAccessKey": "x" * 40,
                "SessionToken": "t" * 64,
                "Expiration": datetime.fromtimestamp(expiration, timezone.utc),
            }
        }


def hammer(
    cache: CredentialCache, threads: int, per_thread: int, tick: Callable[[], None] | None = None
) -> float:
    """Run the load; ``tick``, if given, is called by thread 0 before each of its acquisitions."""
    barrier = threading.Barrier(threads + 1)
    errors: list[BaseException] = []

    def worker(tick: Callable[[], None] | None) -> None:
        barrier.wait()
        try:
            for _ in range(per_thread):
                if tick is not None:
                    tick()
                cache.credentials(ACCOUNT, ROLE).get_frozen_credentials()
        except BaseException as exc:  # reported after the run
            errors.append(exc)

    ticks = [tick] + [None] * (threads - 1)
    pool = [threading.Thread(target=worker, args=(t,)) for t in ticks]
    for t in pool:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


def single_thread_ratio(n: int = 2000) -> None:
    """One cached acquisition vs one AssumeRole through botocore with no network (a lower bound:
    a real AssumeRole adds a TLS round trip to STS, typically 20-200 ms)."""
    client, _ = stubbed_sts(responses=n // 10)
    kwargs = {"RoleArn": f"arn:aws:iam::{ACCOUNT}:role/{ROLE}", "RoleSessionName": "bench"}
    started = time.perf_counter()
    for _ in range(n // 10):
        client.assume_role(**kwargs)
    stubbed = (time.perf_counter() - started) / (n // 10)
    cache = CredentialCache(lambda: stubbed_sts()[0], OperatorSettings())
    cache.credentials(ACCOUNT, ROLE)
    started = time.perf_counter()
    for _ in range(n):
        cache.credentials(ACCOUNT, ROLE).get_frozen_credentials()
    cached = (time.perf_counter() - started) / n
    print("single thread:")
    print(f"  stubbed AssumeRole (botocore pipeline, no network): {stubbed * 1e6:8.1f} us")
    print(f"  cached acquisition + frozen keys:                   {cached * 1e6:8.1f} us")
    print(f"  ratio: {stubbed / cached:,.0f}x faster than even a network-free AssumeRole")


def phase1(threads: int, per_thread: int) -> None:
    clock, stats = Clock(), Stats()
    client, stubber = stubbed_sts()
    cache = CredentialCache(lambda: client, OperatorSettings(), clock=clock, stats=stats)
    elapsed = hammer(cache, threads, per_thread)
    total = threads * per_thread
    calls = stats.get("sts.assume_role")
    print(f"phase 1: {threads} threads x {per_thread} acquisitions = {total}")
    print(f"  AssumeRole calls: {calls} (expected 1)")
    print(f"  wall time: {elapsed:.3f} s, throughput: {total / elapsed:,.0f} acquisitions/s,")
    print(f"  {elapsed / total * 1e6:.2f} us per acquisition (all threads, GIL-bound)")
    assert calls == 1, calls
    stubber.assert_no_pending_responses()


def phase2(threads: int, per_thread: int) -> None:
    clock, stats = Clock(), Stats()
    sts = CountingSTS(clock)
    cache = CredentialCache(lambda: sts, OperatorSettings(), clock=clock, stats=stats)
    cache.credentials(ACCOUNT, ROLE)  # the first AssumeRole at minute 0, before the clock runs
    step = 3 * 3600 / per_thread

    def tick() -> None:
        # Thread 0 moves the clock: three simulated hours over its run while 49 threads keep
        # asking at whatever instant they see. Every refresh point is crossed by at least one
        # acquisition (thread 0's own), so the expected count does not depend on scheduling.
        clock.now += step

    elapsed = hammer(cache, threads, per_thread, tick)
    calls = stats.get("sts.assume_role")
    print(f"phase 2: same load over 3 simulated hours ({elapsed:.3f} s wall)")
    print(f"  AssumeRole calls: {calls} (expected 4: at 0 min, then every ~55 min)")
    assert calls == sts.calls == 4, (calls, sts.calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=50)
    parser.add_argument("--per-thread", type=int, default=1000)
    args = parser.parse_args()
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    single_thread_ratio()
    phase1(args.threads, args.per_thread)
    phase2(args.threads, args.per_thread)


if __name__ == "__main__":
    main()
