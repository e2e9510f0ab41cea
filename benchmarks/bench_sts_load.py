"""STS load model: AssumeRole calls per hour for N tenants x M processes, scoped credentials on.

    python benchmarks/bench_sts_load.py [--tenants 200] [--processes 4] [--hours 3]

Each simulated process has its own ``CredentialCache`` (caches are per process), asking for a
random tenant's scoped credentials (session policy and tags included) every simulated second for
``--hours`` hours on a fake clock. STS is a counting fake whose grants last DurationSeconds on the
same clock. Prints AssumeRole calls in total, per hour, and per tenant-process: with the default
55-minute lifetime each (tenant, process) pair costs one call per 55 minutes it is active,
against one per request without a cache.
"""

from __future__ import annotations

import argparse
import math
import random
import time

from bench_operator import Clock, CountingSTS

from scopeguard import NamingPolicy, OperatorSettings, TenantRoleSettings
from scopeguard._credentials import CredentialCache
from scopeguard._policy import scoped_spec


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--hours", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    clock = Clock()
    sts = CountingSTS(clock)
    naming = NamingPolicy()
    settings = TenantRoleSettings(role_name="TenantAccess")
    caches = [CredentialCache(lambda: sts, OperatorSettings(), clock=clock)
              for _ in range(args.processes)]
    specs = [scoped_spec(settings, naming, naming.tenant(f"t{i}"), account_id="123456789012")
             for i in range(args.tenants)]
    seconds = int(args.hours * 3600)
    requests = 0
    started = time.perf_counter()
    for _ in range(seconds):
        clock.now += 1
        for cache in caches:
            creds = cache.credentials_for(rng.choice(specs))
            creds.get_frozen_credentials()
            requests += 1
    elapsed = time.perf_counter() - started
    pairs = args.tenants * args.processes
    print(f"{args.tenants} tenants x {args.processes} processes, {args.hours:g} simulated hours, "
          f"{requests:,} credential requests ({elapsed:.1f} s real)")
    print(f"  AssumeRole calls: {sts.calls:,} total, {sts.calls / args.hours:,.0f} per hour, "
          f"{sts.calls / pairs:.2f} per tenant-process (expected at most {math.ceil(args.hours * 60 / 55)}: one per 55-minute lifetime)")
    print(f"  without a cache: {requests:,} calls ({requests / max(sts.calls, 1):,.0f}x more)")


if __name__ == "__main__":
    main()
