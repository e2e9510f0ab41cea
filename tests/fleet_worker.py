"""One process of a simulated fleet, run by ``test_credential_store`` as a real OS process.

    python tests/fleet_worker.py REDIS_URL STS_ENDPOINT TENANTS SEED [WORKERS]

Waits at a barrier in Redis until all WORKERS processes are ready, then asks its own
``CredentialCache`` (on the shared ``RedisCredentialStore``, with a real botocore STS client
against the emulator) for every tenant's scoped credentials, in an order shuffled by SEED. Prints
JSON: the access key each tenant got, and the cache's counters.
"""

from __future__ import annotations

import json
import random
import sys
import time

import boto3
import redis

from scopeguard import NamingPolicy, OperatorSettings, RedisCredentialStore, TenantRoleSettings
from scopeguard._credentials import CredentialCache
from scopeguard._observe import Stats
from scopeguard._policy import scoped_spec
from scopeguard._sessions import make_sts_client

KEY = bytes(range(32))
ACCOUNT = "123456789012"


def main() -> None:
    redis_url, sts_endpoint, tenants, seed = sys.argv[1:5]
    workers = int(sys.argv[5]) if len(sys.argv) > 5 else 8
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="eu-west-1"
    )
    stats = Stats()
    cache = CredentialCache(
        lambda: make_sts_client(session, region="eu-west-1", endpoint_url=sts_endpoint),
        OperatorSettings(),
        stats=stats,
        max_cached=10_000,
        store=RedisCredentialStore.from_url(redis_url, KEY),
    )
    naming = NamingPolicy()
    settings = TenantRoleSettings(role_name="TenantAccess")
    ids = [f"t{i}" for i in range(int(tenants))]
    random.Random(int(seed)).shuffle(ids)
    specs = {
        t: scoped_spec(settings, naming, naming.tenant(t), account_id=ACCOUNT,
                       sts_region="eu-west-1", sts_endpoint=sts_endpoint)
        for t in ids
    }
    gate = redis.Redis.from_url(redis_url)
    gate.incr("fleet-worker-barrier")
    while int(gate.get("fleet-worker-barrier") or 0) < workers:
        time.sleep(0.01)
    keys = {}
    for tenant in ids:
        keys[tenant] = cache.credentials_for(specs[tenant]).get_frozen_credentials().access_key
    json.dump({"keys": keys, "stats": stats.snapshot()}, sys.stdout)


if __name__ == "__main__":
    main()
