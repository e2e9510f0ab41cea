"""The fleet's credential store on a real Redis: sharing, single flight, encryption, outages.

Every test runs against a ``redis-server`` the tests start (``redis_helpers``). "Processes" in
one test are separate ``CredentialCache`` objects, each as a process has one, sharing one Redis;
the load test runs real OS processes.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from redis_helpers import RedisServer
from test_credentials import FakeClock, FakeSTS

from scopeguard import (
    ConfigurationError,
    MemoryCredentialStore,
    OperatorSettings,
    RedisCredentialStore,
    StoredCredentials,
    StoreEntryUnreadable,
)
from scopeguard._credentials import CredentialCache, store_key
from scopeguard._observe import Stats

A = "111122223333"
ROLE = "OrganizationAccountAccessRole"
KEY = bytes(range(32))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield srv
    srv.kill()


@pytest.fixture
def redis_client(server: RedisServer) -> Iterator[redis.Redis]:
    if server.process is None:  # a test killed it and failed before restarting
        server.start()
    client = server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def process(
    sts: FakeSTS, clock: FakeClock, store: Any, stats: Stats | None = None, **kwargs: Any
) -> CredentialCache:
    """One process's cache on the shared store (no jitter: tests count exact refresh points)."""
    return CredentialCache(
        lambda: sts, OperatorSettings(refresh_jitter=0), clock=clock, stats=stats or Stats(),
        store=store, **kwargs,
    )


def store_on(server: RedisServer, key: bytes = KEY) -> RedisCredentialStore:
    return RedisCredentialStore.from_url(server.url, key)


def frozen(cache: CredentialCache) -> Any:
    return cache.credentials(A, ROLE).get_frozen_credentials()


# -- sharing and the refresh window ----------------------------------------------------------------


def test_processes_share_one_assume_role_through_redis(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock)
    stats = [Stats() for _ in range(4)]
    caches = [process(sts, clock, store_on(server), s) for s in stats]
    keys = {frozen(c).access_key for c in caches}
    assert sts.count == 1 and len(keys) == 1
    assert [s.get("store.hit") for s in stats] == [0, 1, 1, 1]
    assert stats[0].get("store.put") == 1
    # The process cache stays in front: hot credentials never touch Redis again.
    before = redis_client.info("stats")["total_commands_processed"]
    for cache in caches:
        for _ in range(50):
            frozen(cache)
    after = redis_client.info("stats")["total_commands_processed"]
    assert after - before == 1  # the INFO call itself


def test_one_assume_role_per_refresh_window_for_the_fleet(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock)
    caches = [process(sts, clock, store_on(server)) for _ in range(3)]
    creds = [c.credentials(A, ROLE) for c in caches]
    for window in range(1, 4):
        clock.advance(55 * 60 + 1)
        keys = {c.get_frozen_credentials().access_key for c in creds}
        assert len(keys) == 1
        assert sts.count == 1 + window


def test_entry_ttl_is_expiry_less_the_margin(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock, granted=40 * 60)  # STS grants less than asked: expiry decides
    frozen(process(sts, clock, store_on(server)))
    (name,) = redis_client.keys("scopeguard:credentials:*")
    ttl = redis_client.pttl(name) / 1000
    assert 35 * 60 - 5 < ttl <= 35 * 60


def test_distinct_specs_never_share_an_entry(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock)
    one, two = process(sts, clock, store_on(server)), process(sts, clock, store_on(server))
    a = one.credentials(A, ROLE).get_frozen_credentials().access_key
    b = two.credentials("444455556666", ROLE).get_frozen_credentials().access_key
    c = two.credentials(A, "Other").get_frozen_credentials().access_key
    assert len({a, b, c}) == 3 and sts.count == 3
    assert len(redis_client.keys("scopeguard:credentials:*")) == 3


def test_concurrent_processes_make_one_call_via_the_lock(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock, delay=0.3)  # slow STS: every process arrives while the first calls it
    stats = [Stats() for _ in range(6)]
    caches = [process(sts, clock, store_on(server), s) for s in stats]
    got: list[str] = []
    threads = [threading.Thread(target=lambda c=c: got.append(frozen(c).access_key))
               for c in caches]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sts.count == 1 and len(set(got)) == 1 and len(got) == 6
    assert sum(s.get("store.wait") for s in stats) == 5


def test_a_dead_lock_holder_costs_one_call_never_a_failure(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    store = store_on(server)
    sts = FakeSTS(clock)
    # A process took the lock and died before writing (its lock outlives it until timeout).
    assert store.lock(store_key(process(sts, clock, store).spec(A, ROLE)), 30) is not None
    stats = Stats()
    cache = process(sts, clock, store, stats, store_wait_seconds=0.2)
    assert frozen(cache).access_key and sts.count == 1
    assert stats.get("store.wait_timeout") == 1


# -- encryption ------------------------------------------------------------------------------------


def test_entries_are_encrypted_and_nothing_secret_is_logged(
    server: RedisServer,
    redis_client: redis.Redis,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="scopeguard")
    sts = FakeSTS(clock)
    store = store_on(server)
    creds = frozen(process(sts, clock, store))
    assert frozen(process(sts, clock, store_on(server))).secret_key == creds.secret_key
    (name,) = redis_client.keys("scopeguard:credentials:*")
    raw = redis_client.get(name)
    assert raw is not None
    for secret in (creds.access_key, creds.secret_key, creds.token, A, ROLE):
        assert secret.encode() not in raw and secret.encode() not in name
    text = caplog.text + repr(store) + repr(store.get(name.decode().rsplit(":", 1)[1]))
    for secret in (creds.access_key, creds.secret_key, creds.token, KEY.hex()):
        assert secret not in text


def test_a_process_with_another_key_cannot_read_and_does_not_collide(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock)
    frozen(process(sts, clock, store_on(server)))
    frozen(process(sts, clock, store_on(server, key=os.urandom(32))))
    assert sts.count == 2
    assert len(redis_client.keys("scopeguard:credentials:*")) == 2


@pytest.mark.parametrize("key", [b"", b"short", "x" * 32, bytes(31)])
def test_bad_encryption_keys_are_refused_without_echoing_them(
    server: RedisServer, key: Any
) -> None:
    with pytest.raises(ConfigurationError) as info:
        RedisCredentialStore(server.client(), key)
    assert repr(key) not in str(info.value) or key == b""


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # one bit of the tag
        lambda blob: blob[:5],  # truncated
        lambda blob: b"not even ciphertext at all, just garbage bytes",
    ],
)
def test_a_corrupted_entry_is_a_miss_that_gets_overwritten(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock, damage: Any
) -> None:
    sts = FakeSTS(clock)
    first = frozen(process(sts, clock, store_on(server)))
    (name,) = redis_client.keys("scopeguard:credentials:*")
    redis_client.set(name, damage(redis_client.get(name)), keepttl=True)
    with pytest.raises(StoreEntryUnreadable, match="cannot be read") as info:
        store_on(server).get(name.decode().rsplit(":", 1)[1])
    assert first.secret_key not in str(info.value)
    stats = Stats()
    second = frozen(process(sts, clock, store_on(server), stats))
    assert sts.count == 2 and second.access_key != first.access_key
    assert stats.get("store.unreadable") >= 1 and stats.get("store.put") == 1
    # Overwritten: the next process reads it again.
    assert frozen(process(sts, clock, store_on(server))).access_key == second.access_key
    assert sts.count == 2


def test_an_entry_moved_to_another_key_does_not_decrypt(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    # The Redis key is the AEAD's associated data: one key's entry copied under another key's
    # name (someone with write access to Redis) is refused, not served as that key's.
    sts = FakeSTS(clock)
    store = store_on(server)
    one, other = process(sts, clock, store), process(sts, clock, store)
    frozen(one)
    other.credentials("444455556666", ROLE).get_frozen_credentials()
    names = redis_client.keys("scopeguard:credentials:*")
    victim = next(n for n in names if n.decode().endswith(store_key(one.spec(A, ROLE))))
    source = next(n for n in names if n != victim)
    redis_client.set(victim, redis_client.get(source))
    with pytest.raises(StoreEntryUnreadable):
        store.get(victim.decode().rsplit(":", 1)[1])


# -- outages ---------------------------------------------------------------------------------------


def test_redis_down_falls_back_to_sts_counted_and_logged(
    server: RedisServer,
    redis_client: redis.Redis,
    clock: FakeClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sts = FakeSTS(clock)
    stats = Stats()
    cache = process(sts, clock, store_on(server), stats, store_retry_seconds=60)
    server.kill()
    try:
        with caplog.at_level(logging.WARNING, logger="scopeguard"):
            assert frozen(cache).access_key
            assert cache.credentials("444455556666", ROLE).get_frozen_credentials().access_key
        assert sts.count == 2
        # One error, then the store is skipped while it is presumed down: each miss costs STS's
        # latency, not a connection timeout too.
        assert stats.get("store.errors") == 1 and stats.get("store.skipped") == 1
        assert "store.unavailable" in caplog.text
    finally:
        server.start()


def test_redis_killed_and_restarted_mid_run_fails_no_request(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock)
    stats = [Stats() for _ in range(3)]
    caches = [process(sts, clock, store_on(server), s, store_retry_seconds=0.05) for s in stats]
    accounts = [f"1111222233{i:02d}" for i in range(20)]

    def round_of_requests() -> None:
        for cache in caches:
            for account in accounts:
                assert cache.credentials(account, ROLE).get_frozen_credentials().access_key

    round_of_requests()
    assert sts.count == 20  # one per account for the three processes
    clock.advance(55 * 60 + 1)
    server.kill()
    try:
        round_of_requests()  # every process refreshes on its own: STS serves, nothing fails
    finally:
        server.start()
    assert 20 < sts.count <= 20 + 3 * 20
    assert sum(s.get("store.errors") for s in stats) >= 1
    during_outage = sts.count
    threading.Event().wait(0.1)  # past store_retry_seconds
    clock.advance(55 * 60 + 1)
    round_of_requests()  # the restarted (empty) Redis is used again: one call per account
    assert sts.count == during_outage + 20
    assert sum(s.get("store.hit") for s in stats) >= 40


def test_redis_slower_than_its_timeout_counts_as_down(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock)
    stats = Stats()
    cache = process(sts, clock, store_on(server), stats)
    # CLIENT PAUSE holds every command for 1 s: past the store client's 0.25 s socket timeout.
    server.client().client_pause(1000)
    try:
        threading.Event().wait(0.1)
        assert frozen(cache).access_key and sts.count == 1
        assert stats.get("store.errors") == 1, stats.snapshot()
    finally:
        server.client().client_unpause()


def test_invalidate_drops_the_fleet_entry_too(
    server: RedisServer, redis_client: redis.Redis, clock: FakeClock
) -> None:
    sts = FakeSTS(clock)
    cache = process(sts, clock, store_on(server))
    frozen(cache)
    assert cache.invalidate(A) == 1
    assert redis_client.keys("scopeguard:credentials:*") == []
    frozen(process(sts, clock, store_on(server)))
    assert sts.count == 2


# -- the store protocol ----------------------------------------------------------------------------


def test_memory_store_implements_the_protocol_with_expiry_and_lock(clock: FakeClock) -> None:
    store = MemoryCredentialStore(clock)
    item = StoredCredentials("AK", "SK", "TK", issued_at=clock(), expiry=clock() + 3600)
    store.put("k", item, 10)
    assert store.get("k") == item and "SK" not in repr(item)
    clock.advance(10)
    assert store.get("k") is None
    held = store.lock("k", 5)
    assert held is not None and store.lock("k", 5) is None
    held.release()
    assert store.lock("k", 5) is not None
    clock.advance(5)
    assert store.lock("k", 5) is not None  # the holder's lease ran out


def test_two_processes_on_a_memory_store_share(clock: FakeClock) -> None:
    sts = FakeSTS(clock)
    store = MemoryCredentialStore(clock)
    assert frozen(process(sts, clock, store)).access_key == frozen(
        process(sts, clock, store)).access_key
    assert sts.count == 1


def test_a_store_without_the_protocol_is_refused(clock: FakeClock) -> None:
    with pytest.raises(ConfigurationError, match="CredentialStore"):
        process(FakeSTS(clock), clock, object())


# -- the fleet, as real processes --------------------------------------------------------------------

WORKER = Path(__file__).with_name("fleet_worker.py")


@pytest.mark.slow
def test_8_processes_x_500_tenants_cold_make_exactly_500_assume_role_calls(
    server: RedisServer, redis_client: redis.Redis
) -> None:
    from scopeguard.testing import MotoServer

    tenants = 500
    with MotoServer() as moto:
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
        workers = [
            subprocess.Popen(
                [sys.executable, str(WORKER), server.url, moto.endpoint_url, str(tenants),
                 str(seed)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
            )
            for seed in range(8)
        ]
        results = []
        for worker in workers:
            out, err = worker.communicate(timeout=600)
            assert worker.returncode == 0, err.decode()[-3000:]
            results.append(json.loads(out))
        # Every request that reached the emulator was an AssumeRole of some worker.
        assert moto.requests == tenants
    keys = [r["keys"] for r in results]
    assert all(k == keys[0] for k in keys) and len(set(keys[0].values())) == tenants
    assert sum(r["stats"].get("sts.assume_role", 0) for r in results) == tenants
    assert sum(r["stats"].get("store.errors", 0) for r in results) == 0


def test_factories_of_two_processes_share_scoped_credentials_through_redis(
    server: RedisServer, redis_client: redis.Redis
) -> None:
    from scopeguard import ClientFactory, TenantRoleSettings
    from scopeguard.testing import MotoServer, test_session

    with MotoServer() as moto:
        factories = [
            ClientFactory(
                session=test_session(), endpoint_url=moto.endpoint_url, account_id="123456789012",
                scoped_credentials=TenantRoleSettings(role_name="TenantAccess"),
                credential_store=RedisCredentialStore.from_url(server.url, KEY),
            )
            for _ in range(2)
        ]
        factories[0].tenant("acme").client("sqs").create_queue(QueueName="jobs")
        before = moto.requests
        url = factories[1].tenant("acme").client("sqs").get_queue_url(QueueName="jobs")
        assert url["QueueUrl"].endswith("/t-acme-jobs")
        assert moto.requests == before + 1  # GetQueueUrl only: no AssumeRole for the second
    assert factories[0].stats()["sts.assume_role"] == 1
    assert factories[1].stats()["store.hit"] == 1 and "sts.assume_role" not in factories[1].stats()
