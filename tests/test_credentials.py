"""Operator credentials: settings, the AssumeRole spec (cache key), the cache and derived sessions.

Reliability rules of THREATS.md are tested by number, with a fake clock and a counted fake STS.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import ClientError
from hypothesis import given
from hypothesis import strategies as st

from scopeguard import ConfigurationError, CredentialError, InvalidScope, OperatorSettings
from scopeguard._assume_role import AssumeRoleSpec, role_session_name
from scopeguard._credentials import CredentialCache
from scopeguard._observe import Stats
from scopeguard._sessions import _derived_session, make_sts_client, session_with_credentials

A = "111122223333"
B = "444455556666"
ROLE = "OrganizationAccountAccessRole"
START = 1_800_000_000.0


class FakeClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeSTS:
    """Counts AssumeRole calls; each success returns new keys valid for ``granted`` seconds."""

    def __init__(self, clock: FakeClock, granted: float | None = None, delay: float = 0.0) -> None:
        self.clock = clock
        self.granted = granted
        self.delay = delay
        self.calls: list[dict[str, Any]] = []
        self.issued_at: list[float] = []
        self.error: Exception | None = None
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        return len(self.calls)

    def assume_role(self, **kwargs: Any) -> dict[str, Any]:
        with self._lock:
            self.calls.append(kwargs)
            self.issued_at.append(self.clock())
            n = len(self.calls)
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        lifetime = self.granted if self.granted is not None else kwargs["DurationSeconds"]
        return {
            "Credentials": {
                "AccessKeyId": f"ASIAFAKE{n:012d}",
                "SecretAccessKey": f"very-secret-{n}-{kwargs['RoleArn']}",
                "SessionToken": f"session-token-{n}",
                "Expiration": datetime.fromtimestamp(self.clock() + lifetime, timezone.utc),
            }
        }


def client_error(code: str, status: int) -> ClientError:
    response: Any = {
        "Error": {"Code": code, "Message": f"{code} for test"},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(response, "AssumeRole")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sts(clock: FakeClock) -> FakeSTS:
    return FakeSTS(clock)


def make_cache(
    sts: FakeSTS, clock: FakeClock, stats: Stats | None = None, **settings: Any
) -> CredentialCache:
    # Exact refresh points: the jitter has tests of its own (test_refresh_jitter_*).
    settings.setdefault("refresh_jitter", 0)
    return CredentialCache(lambda: sts, OperatorSettings(**settings), clock=clock, stats=stats)


def keys(creds: RefreshableCredentials) -> str:
    return str(creds.get_frozen_credentials().access_key)


# -- OperatorSettings ------------------------------------------------------------------------------


def test_default_settings_are_valid() -> None:
    s = OperatorSettings()
    assert (s.ttl_seconds, s.margin_seconds, s.lifetime_seconds) == (3300, 300, 3300)


@pytest.mark.parametrize("duration", [600, 899, 900])
def test_rule3_duration_at_or_below_botocore_advisory_window_is_refused(duration: int) -> None:
    with pytest.raises(ConfigurationError, match="advisory"):
        OperatorSettings(duration_seconds=duration)


@pytest.mark.parametrize(
    "field, value",
    [
        ("role_name", ""),
        ("role_name", "/leading"),
        ("role_name", "a//b"),
        ("role_name", "x" * 65),
        ("role_name", "rôle"),
        ("external_id", "a"),
        ("source_identity", "aws:me"),
        ("session_name_prefix", "p" * 33),
        ("session_name_prefix", "has space"),
        ("duration_seconds", 43_201),
        ("duration_seconds", 3600.0),
        ("ttl_seconds", 0),
        ("margin_seconds", 10),
        ("margin_seconds", 3500),
        ("sts_region", "EU"),
        ("denied_ttl_seconds", 10),
        ("denied_ttl_seconds", 300),
        ("max_cached", 0),
        ("retry_interval_seconds", 0),
        ("refresh_jitter", 0.6),
        ("refresh_jitter", -0.1),
        ("refresh_jitter", True),
    ],
)
def test_settings_refuse_invalid_values_with_the_setting_named(field: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=f"OperatorSettings.{field}"):
        OperatorSettings(**{field: value})


def test_external_id_never_appears_in_the_refusal() -> None:
    with pytest.raises(ConfigurationError) as info:
        OperatorSettings(external_id="x" * 2000)
    assert "xxxx" not in str(info.value)


# -- AssumeRoleSpec and session names --------------------------------------------------------------


def test_spec_builds_role_arn_and_auditable_session_name(sts: FakeSTS, clock: FakeClock) -> None:
    cache = CredentialCache(
        lambda: sts, OperatorSettings(session_name_prefix="ops"), partition="aws-cn", clock=clock
    )
    spec = cache.spec(A, "team/admin/Auditor")
    assert spec.role_arn == f"arn:aws-cn:iam::{A}:role/team/admin/Auditor"
    assert spec.role_session_name == f"ops-{A}"
    assert (spec.partition, spec.account_id) == ("aws-cn", A)


def test_settings_reach_the_assume_role_request(sts: FakeSTS, clock: FakeClock) -> None:
    settings: dict[str, Any] = dict(
        external_id="ext-123", source_identity="ops-bot", duration_seconds=7200
    )
    make_cache(sts, clock, **settings).credentials(A, ROLE)
    assert sts.calls == [
        {
            "RoleArn": f"arn:aws:iam::{A}:role/{ROLE}",
            "RoleSessionName": f"scopeguard-{A}",
            "DurationSeconds": 7200,
            "ExternalId": "ext-123",
            "SourceIdentity": "ops-bot",
        }
    ]


def test_unknown_partition_and_bad_role_names_are_refused(sts: FakeSTS, clock: FakeClock) -> None:
    with pytest.raises(ConfigurationError, match="partition"):
        CredentialCache(lambda: sts, OperatorSettings(), partition="azure")
    with pytest.raises(ConfigurationError, match="role"):
        make_cache(sts, clock).credentials(A, "../Admin")
    assert sts.count == 0


@pytest.mark.parametrize("account", ["", "11112222333", "1111222233334", "11112222333x", "١" * 12])
def test_malformed_account_ids_are_refused(sts: FakeSTS, clock: FakeClock, account: str) -> None:
    with pytest.raises(InvalidScope):
        make_cache(sts, clock).credentials(account, ROLE)
    assert sts.count == 0


def test_assume_role_kwargs_are_exactly_the_spec() -> None:
    spec = AssumeRoleSpec.create(
        account_id=A,
        role_name="Vend",
        session_name="t-acme",
        duration_seconds=3600,
        external_id="ext-1",
        source_identity="alice",
        policy={"Version": "2012-10-17", "Statement": []},
        policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        tags={"tenant": "acme", "env": "prod"},
        transitive_tag_keys=["tenant"],
    )
    assert spec.assume_role_kwargs() == {
        "RoleArn": f"arn:aws:iam::{A}:role/Vend",
        "RoleSessionName": "t-acme",
        "DurationSeconds": 3600,
        "ExternalId": "ext-1",
        "SourceIdentity": "alice",
        "Policy": '{"Statement":[],"Version":"2012-10-17"}',
        "PolicyArns": [{"arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}],
        "Tags": [{"Key": "env", "Value": "prod"}, {"Key": "tenant", "Value": "acme"}],
        "TransitiveTagKeys": ["tenant"],
    }
    assert spec.policy_sha256 is not None and "Statement" not in repr(spec)


def test_policy_key_order_does_not_change_the_key_but_content_does() -> None:
    def spec(policy: Any) -> AssumeRoleSpec:
        return AssumeRoleSpec.create(
            account_id=A, role_name="R", session_name="s-1", duration_seconds=3600, policy=policy
        )

    assert spec({"a": 1, "b": 2}) == spec('{"b": 2, "a": 1}')
    assert spec({"a": 1}) != spec({"a": 2})


def test_oversized_policy_and_duplicate_tags_are_refused() -> None:
    with pytest.raises(ConfigurationError, match="2048"):
        AssumeRoleSpec.create(
            account_id=A, role_name="R", session_name="s-1", duration_seconds=3600,
            policy={"x": "y" * 2100},
        )  # fmt: skip
    with pytest.raises(ConfigurationError, match="tags"):
        AssumeRoleSpec.create(
            account_id=A, role_name="R", session_name="s-1", duration_seconds=3600,
            tags=[("Env", "a"), ("env", "b")],
        )  # fmt: skip


_SUBJECTS = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+=,@-",
    min_size=1,
    max_size=120,
)


@given(st.lists(_SUBJECTS, min_size=2, max_size=20, unique=True))
def test_session_names_are_valid_deterministic_and_injective(subjects: list[str]) -> None:
    names = [role_session_name("scopeguard-operator", s) for s in subjects]
    assert len(set(names)) == len(subjects)
    for subject, name in zip(subjects, names, strict=True):
        assert 2 <= len(name) <= 64 and name == role_session_name("scopeguard-operator", subject)


def test_session_subject_with_the_hash_marker_is_refused() -> None:
    with pytest.raises(InvalidScope):
        role_session_name("p", "a.b")


# -- the cache: reliability rules 1-10 -------------------------------------------------------------


def test_first_use_assumes_role_then_serves_from_cache(sts: FakeSTS, clock: FakeClock) -> None:
    stats = Stats()
    cache = make_cache(sts, clock, stats)
    first = cache.credentials(A, ROLE)
    for _ in range(100):
        assert cache.credentials(A, ROLE) is first
        first.get_frozen_credentials()
    assert sts.count == 1
    assert sts.calls[0] == {
        "RoleArn": f"arn:aws:iam::{A}:role/{ROLE}",
        "RoleSessionName": f"scopeguard-{A}",
        "DurationSeconds": 3600,
    }
    assert stats.get("credentials.miss") == 1 and stats.get("credentials.hit") == 100


def test_rule1_ttl_is_configured_ttl_when_sts_grants_the_full_duration(
    sts: FakeSTS, clock: FakeClock
) -> None:
    cache = make_cache(sts, clock, duration_seconds=12 * 3600)
    cache.credentials(A, ROLE)
    clock.advance(55 * 60)
    cache.credentials(A, ROLE)
    assert sts.count == 1
    clock.advance(1)
    cache.credentials(A, ROLE)
    assert sts.count == 2


def test_rule1_ttl_is_expiry_minus_margin_when_sts_grants_less(clock: FakeClock) -> None:
    sts = FakeSTS(clock, granted=20 * 60)  # e.g. role chaining caps the session
    cache = make_cache(sts, clock)
    creds = cache.credentials(A, ROLE)
    clock.advance(15 * 60)
    assert cache.credentials(A, ROLE) is creds and sts.count == 1
    clock.advance(1)
    cache.credentials(A, ROLE)
    assert sts.count == 2


def test_rule1_clock_behind_sts_cannot_stretch_the_lifetime(clock: FakeClock) -> None:
    sts = FakeSTS(clock, granted=3 * 3600)  # Expiration looks 3 h away; we asked for 1 h
    cache = make_cache(sts, clock, ttl_seconds=12 * 3600)
    cache.credentials(A, ROLE)
    clock.advance(3600 - 300 + 1)
    cache.credentials(A, ROLE)
    assert sts.count == 2


def test_rule2_refresh_happens_ahead_of_expiry_and_never_with_less_than_margin(
    sts: FakeSTS, clock: FakeClock
) -> None:
    cache = make_cache(sts, clock)
    creds = cache.credentials(A, ROLE)
    old = keys(creds)
    # One hour credentials, 5 minute margin: refreshed at 55 min, by whoever asks first.
    clock.advance(55 * 60)
    assert keys(creds) == old and sts.count == 1
    clock.advance(1)
    assert keys(creds) != old and sts.count == 2
    assert cache.credentials(A, ROLE) is creds and sts.count == 2


def test_rule2_client_never_signs_with_expired_keys(sts: FakeSTS, clock: FakeClock) -> None:
    cache = make_cache(sts, clock)
    creds = cache.credentials(A, ROLE)
    base = botocore.session.get_session()
    session = session_with_credentials(base, creds)
    client: Any = session.create_client("sqs", region_name="eu-west-1")
    signed_with: list[str] = []

    class Sent(Exception):
        pass

    def capture(request: Any, **_: Any) -> None:
        signed_with.append(request.headers["Authorization"].decode().split("Credential=")[1][:20])
        raise Sent

    client.meta.events.register("before-send", capture)

    def call() -> str:
        with pytest.raises(Sent):
            client.list_queues()
        return signed_with[-1]

    signatures = [(clock(), call())]
    for _ in range(3 * 60):  # three hours, one request a minute
        clock.advance(60)
        signatures.append((clock(), call()))
    issued_at = {f"ASIAFAKE{n:012d}": t for n, t in enumerate(sts.issued_at, start=1)}
    for signed_at, key in signatures:
        # Never signed with less than the margin left on the key's one-hour lifetime.
        assert issued_at[key] <= signed_at <= issued_at[key] + 3600 - 300
    assert sts.count == 4  # at 0, 56, 112 and 168 minutes


def test_rule3_no_refresh_inside_botocores_default_windows(sts: FakeSTS, clock: FakeClock) -> None:
    stats = Stats()
    cache = make_cache(sts, clock, stats)
    creds = cache.credentials(A, ROLE)
    clock.advance(50 * 60)  # inside botocore's default 15 min advisory / 10 min mandatory windows
    for _ in range(1000):
        creds.get_frozen_credentials()
    assert sts.count == 1
    assert stats.get("credentials.hit") == 0  # botocore did not even ask the cache


def test_rule4_fifty_concurrent_first_uses_make_one_assume_role(clock: FakeClock) -> None:
    sts = FakeSTS(clock, delay=0.05)
    cache = make_cache(sts, clock)
    barrier = threading.Barrier(50)
    got: list[RefreshableCredentials] = []

    def worker() -> None:
        barrier.wait()
        got.append(cache.credentials(A, ROLE))

    threads = [threading.Thread(target=worker) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sts.count == 1
    assert len(got) == 50 and all(c is got[0] for c in got)


def test_rule4_concurrent_refresh_through_shared_object_makes_one_call(clock: FakeClock) -> None:
    sts = FakeSTS(clock, delay=0.02)
    creds = make_cache(sts, clock).credentials(A, ROLE)
    clock.advance(3301)
    threads = [threading.Thread(target=creds.get_frozen_credentials) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sts.count == 2


_BASE: dict[str, Any] = dict(
    account_id=A, role_name="R", session_name="s-1", duration_seconds=3600
)
_VARIANTS: list[dict[str, Any]] = [
    {},
    {"partition": "aws-us-gov"},
    {"account_id": B},
    {"role_name": "R2"},
    {"role_name": "path/R"},
    {"session_name": "s-2"},
    {"external_id": "ext-a"},
    {"external_id": "ext-b"},
    {"source_identity": "alice"},
    {"policy": {"Statement": []}},
    {"policy": {"Statement": [{"Effect": "Deny"}]}},
    {"policy_arns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]},
    {"tags": {"tenant": "acme"}},
    {"tags": {"tenant": "acme"}, "transitive_tag_keys": ["tenant"]},
    {"tags": {"tenant": "globex"}},
    {"duration_seconds": 7200},
    {"sts_region": "eu-west-1"},
    {"sts_region": "us-east-1"},
    {"sts_endpoint": "http://127.0.0.1:5000"},
    {"source_principal": "arn:aws:iam::999988887777:role/other-base"},
]


def test_rule5_every_input_changes_the_key_and_distinct_keys_never_share(
    sts: FakeSTS, clock: FakeClock
) -> None:
    cache = make_cache(sts, clock)
    specs = [AssumeRoleSpec.create(**{**_BASE, **v}) for v in _VARIANTS]
    assert len(set(specs)) == len(specs)
    creds = [cache.credentials_for(s) for s in specs]
    assert len({id(c) for c in creds}) == len({keys(c) for c in creds}) == len(specs)
    assert sts.count == len(specs)
    assert all(cache.credentials_for(s) is c for s, c in zip(specs, creds, strict=True))
    assert sts.count == len(specs)


def test_rule5_accounts_and_roles_get_their_own_credentials(
    sts: FakeSTS, clock: FakeClock
) -> None:
    cache = make_cache(sts, clock)
    pairs = [(A, "R1"), (A, "R2"), (B, "R1"), (B, "R2")]
    got = {p: cache.credentials(*p) for p in pairs}
    for (account, role), creds in got.items():
        secret = creds.get_frozen_credentials().secret_key
        assert str(secret).endswith(f"arn:aws:iam::{account}:role/{role}")
    assert sts.count == 4


def test_rule6_sts_client_has_bounded_retries_timeouts_and_regional_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_STS_REGIONAL_ENDPOINTS", "legacy")  # must not win
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://sts.attacker.example")  # nor this
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://all.attacker.example")  # nor this
    session = boto3.Session(region_name="us-east-1")
    client = make_sts_client(session, region=None, endpoint_url=None)
    config: Any = client.meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 4}
    assert config.connect_timeout <= 2 and config.read_timeout <= 5
    assert client.meta.endpoint_url == "https://sts.us-east-1.amazonaws.com"
    assert make_sts_client(session, region="eu-west-1", endpoint_url=None).meta.endpoint_url == (
        "https://sts.eu-west-1.amazonaws.com"
    )
    local = make_sts_client(session, region=None, endpoint_url="http://127.0.0.1:4566")
    assert local.meta.endpoint_url == "http://127.0.0.1:4566"


def test_rule6_sts_client_without_region_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(ConfigurationError, match="region"):
        make_sts_client(boto3.Session(), region=None, endpoint_url=None)


def test_rule7_outage_serves_valid_credentials_and_rate_limits_sts(clock: FakeClock) -> None:
    sts = FakeSTS(clock)
    stats = Stats()
    cache = make_cache(sts, clock, stats, duration_seconds=2 * 3600, retry_interval_seconds=30)
    creds = cache.credentials(A, ROLE)
    old = keys(creds)
    clock.advance(55 * 60)
    sts.error = client_error("Throttling", 400)
    for _ in range(600):  # ten minutes of requests, one per second, on the shared object
        assert keys(creds) == old
        assert cache.credentials(A, ROLE) is creds
        clock.advance(1)
    assert 1 + 600 // 30 <= sts.count <= 1 + 600 // 30 + 1
    assert stats.get("credentials.stale") > 0
    sts.error = None
    clock.advance(30)
    assert keys(creds) != old


def test_rule7_outage_past_expiry_minus_margin_fails_closed(clock: FakeClock) -> None:
    sts = FakeSTS(clock)
    cache = make_cache(sts, clock, duration_seconds=2 * 3600)
    creds = cache.credentials(A, ROLE)
    sts.error = client_error("ServiceUnavailable", 503)
    clock.advance(2 * 3600 - 300 + 1)
    with pytest.raises(CredentialError, match="ServiceUnavailable"):
        creds.get_frozen_credentials()
    with pytest.raises(CredentialError):
        cache.credentials(A, ROLE)


def test_rule8_access_denied_is_remembered_briefly(sts: FakeSTS, clock: FakeClock) -> None:
    cache = make_cache(sts, clock, denied_ttl_seconds=60)
    sts.error = client_error("AccessDenied", 403)
    for _ in range(20):
        with pytest.raises(CredentialError, match="AccessDenied.*trust policy"):
            cache.credentials(A, ROLE)
        clock.advance(2)
    assert sts.count == 1
    clock.advance(21)
    sts.error = None
    cache.credentials(A, ROLE)
    assert sts.count == 2


@pytest.mark.parametrize(
    "error", [client_error("Throttling", 400), client_error("InternalFailure", 500), OSError()]
)
def test_rule8_throttling_and_server_errors_are_not_remembered(
    sts: FakeSTS, clock: FakeClock, error: Exception
) -> None:
    cache = make_cache(sts, clock)
    sts.error = error
    for _ in range(3):
        with pytest.raises(CredentialError):
            cache.credentials(A, ROLE)
    assert sts.count == 3
    sts.error = None
    cache.credentials(A, ROLE)
    assert sts.count == 4


def test_credentials_shorter_than_the_margin_are_refused(clock: FakeClock) -> None:
    sts = FakeSTS(clock, granted=300)
    cache = make_cache(sts, clock)
    with pytest.raises(CredentialError, match="valid for 300 s"):
        cache.credentials(A, ROLE)


def test_rule8_waiters_share_the_failure_of_the_flight_they_waited_on(clock: FakeClock) -> None:
    sts = FakeSTS(clock, delay=0.05)
    sts.error = client_error("Throttling", 400)
    cache = make_cache(sts, clock)
    barrier = threading.Barrier(20)
    errors: list[Exception] = []

    def worker() -> None:
        barrier.wait()
        try:
            cache.credentials(A, ROLE)
        except CredentialError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 20 and sts.count < 20


def test_rule9_lru_bound_evicts_and_never_crosses_keys(sts: FakeSTS, clock: FakeClock) -> None:
    stats = Stats()
    cache = make_cache(sts, clock, stats, max_cached=2)
    accounts = [f"{n:012d}" for n in range(1, 6)]
    for account in accounts:
        cache.credentials(account, ROLE)
    assert len(cache) == 2 and stats.get("credentials.evicted") == 3
    for account in accounts:
        secret = cache.credentials(account, ROLE).get_frozen_credentials().secret_key
        assert str(secret).endswith(f"arn:aws:iam::{account}:role/{ROLE}")


def test_rule10_invalidate_one_account_or_all(sts: FakeSTS, clock: FakeClock) -> None:
    cache = make_cache(sts, clock)
    a, b = cache.credentials(A, ROLE), cache.credentials(B, ROLE)
    a_keys, b_keys = keys(a), keys(b)
    assert cache.invalidate(A) == 1
    # A client holding the dropped object does not keep the old keys: it re-assumes at once.
    assert keys(a) != a_keys and keys(b) == b_keys and sts.count == 3
    assert cache.invalidate() == 2
    cache.credentials(B, ROLE)
    assert sts.count == 4
    with pytest.raises(InvalidScope):
        cache.invalidate("not-an-account")


def test_rule10_invalidate_forgets_a_cached_access_denied(sts: FakeSTS, clock: FakeClock) -> None:
    cache = make_cache(sts, clock)
    sts.error = client_error("AccessDenied", 403)
    with pytest.raises(CredentialError):
        cache.credentials(A, ROLE)
    sts.error = None
    cache.invalidate(A)
    cache.credentials(A, ROLE)
    assert sts.count == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork only")
def test_rule11_child_after_fork_never_inherits_held_locks_or_the_sts_client(
    sts: FakeSTS, clock: FakeClock
) -> None:
    built: list[FakeSTS] = []

    def new_sts() -> FakeSTS:
        built.append(sts)
        return sts

    cache = CredentialCache(new_sts, OperatorSettings(), clock=clock)
    creds = cache.credentials(A, ROLE)
    entry = cache._entries[cache.spec(A, ROLE)]
    # A parent thread is mid-flight: the key's lock and the cache lock are held at fork time.
    entry.lock.acquire()
    cache._lock.acquire()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                signal.alarm(5)  # a deadlock fails the test instead of hanging it
                clock.advance(3301)
                fresh = creds.get_frozen_credentials().access_key
                cache.credentials(B, ROLE)
                state = (fresh, sts.count, len(built))
                code = 0 if state == ("ASIAFAKE000000000002", 3, 2) else 2
            finally:
                os._exit(code)
    finally:
        cache._lock.release()
        entry.lock.release()
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert sts.count == 1  # the child's calls happened in the child only


def test_rule12_32_threads_mixed_accounts_never_cross(clock: FakeClock) -> None:
    sts = FakeSTS(clock)
    cache = make_cache(sts, clock, max_cached=6)  # churn: 16 keys through 6 slots
    pairs = [(f"{n:012d}", role) for n in range(1, 9) for role in ("R1", "R2")]
    crossed: list[tuple[str, str, str]] = []
    barrier = threading.Barrier(32)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(300):
            account, role = pairs[(n * 7 + i) % len(pairs)]
            if n == 0:
                clock.advance(20)  # 100 simulated minutes over the run: refreshes under load
            secret = str(cache.credentials(account, role).get_frozen_credentials().secret_key)
            if not secret.endswith(f"arn:aws:iam::{account}:role/{role}"):
                crossed.append((account, role, secret))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert crossed == []
    assert len(cache) == 6


# -- observability ---------------------------------------------------------------------------------


def test_events_and_errors_never_contain_a_credential(
    sts: FakeSTS, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stats = Stats()
    cache = make_cache(sts, clock, stats, duration_seconds=7200)
    creds = cache.credentials(A, ROLE)
    assert cache.credentials(A, ROLE) is creds
    secrets = {creds.get_frozen_credentials().secret_key, creds.get_frozen_credentials().token}
    clock.advance(3301)
    sts.error = client_error("Throttling", 400)
    creds.get_frozen_credentials()
    sts.error = client_error("AccessDenied", 403)
    clock.advance(7200)
    with pytest.raises(CredentialError) as info:
        cache.credentials(A, ROLE)
    cache.invalidate()
    sts.error = None
    cache.credentials(A, ROLE)
    secrets |= {creds.get_frozen_credentials().secret_key, creds.get_frozen_credentials().token}
    events = [r.scopeguard for r in caplog.records if hasattr(r, "scopeguard")]
    names = {e["event"] for e in events}
    assert {"sts.assume_role", "credentials.hit", "credentials.stale"} <= names
    assert all(isinstance(e["ms"], float) for e in events if e["event"] == "sts.assume_role")
    text = caplog.text + repr(events) + str(info.value) + repr(stats.snapshot())
    text += repr(cache.spec(A, ROLE)) + repr(cache._entries[cache.spec(A, ROLE)].material)
    for secret in secrets:
        assert secret and secret not in text


# -- botocore sessions and moto --------------------------------------------------------------------


def test_session_with_credentials_shares_loader_and_config(sts: FakeSTS, clock: FakeClock) -> None:
    base = boto3.Session(region_name="ap-southeast-2")._session
    creds = make_cache(sts, clock).credentials(A, ROLE)
    derived = session_with_credentials(base, creds)
    assert derived.get_component("data_loader") is base.get_component("data_loader")
    assert derived.get_credentials() is creds
    assert derived.create_client("s3").meta.region_name == "ap-southeast-2"


class _SubclassedSession(botocore.session.Session):
    """Stands in for aiobotocore's AioSession: a subclass with botocore's constructor."""


def test_derived_session_builds_the_given_session_class_configured_like_base(
    sts: FakeSTS, clock: FakeClock
) -> None:
    base = boto3.Session(region_name="ap-southeast-2")._session
    creds = make_cache(sts, clock).credentials(A, ROLE)
    derived = _derived_session(base, lambda: creds, session_cls=_SubclassedSession)
    assert type(derived) is _SubclassedSession
    assert derived.get_component("data_loader") is base.get_component("data_loader")
    assert derived.get_credentials() is creds
    assert derived.create_client("s3").meta.region_name == "ap-southeast-2"
    assert type(_derived_session(base, lambda: creds)) is botocore.session.Session


@pytest.fixture
def moto_aws() -> Iterator[None]:
    from moto import mock_aws

    with mock_aws():
        yield


def test_assume_role_against_moto_and_transparent_refresh(moto_aws: None) -> None:
    now = [time.time()]
    stats = Stats()
    session = boto3.Session(region_name="eu-west-1")
    cache = CredentialCache(
        lambda: make_sts_client(session, region=None, endpoint_url=None),
        OperatorSettings(session_name_prefix="ops", ttl_seconds=600),
        clock=lambda: now[0],
        stats=stats,
    )
    creds = cache.credentials(A, "Auditor")
    client = boto3.Session(botocore_session=session_with_credentials(session._session, creds))
    sts_in_a: Callable[[], Any] = client.client("sts").get_caller_identity
    identity = sts_in_a()
    assert identity["Account"] == A
    assert identity["Arn"] == f"arn:aws:sts::{A}:assumed-role/Auditor/ops-{A}"
    first = creds.get_frozen_credentials().access_key
    now[0] += 601
    assert sts_in_a()["Account"] == A
    assert creds.get_frozen_credentials().access_key != first
    assert stats.get("sts.assume_role") == 2


# -- refresh jitter ----------------------------------------------------------------------------------


def _fleet_refreshes(clock: FakeClock, jitter: float, keys: int = 200) -> list[float]:
    """``keys`` roles fetched in the same second, then used every 30 s for two hours: the
    simulated seconds (from the start) of every AssumeRole after the first round."""
    sts = FakeSTS(clock)
    cache = CredentialCache(
        lambda: sts, OperatorSettings(refresh_jitter=jitter), clock=clock,
        jitter_random=random.Random(5).random,
    )
    accounts = [f"{100000000000 + i}" for i in range(keys)]
    creds = [cache.credentials(a, ROLE) for a in accounts]
    start = clock()
    for _ in range(2 * 120):
        clock.advance(30)
        for c in creds:
            c.get_frozen_credentials()
    assert sts.count > keys
    return [t - start for t in sts.issued_at[keys:]]


def test_refresh_jitter_spreads_a_fleet_started_together(clock: FakeClock) -> None:
    burst = _fleet_refreshes(FakeClock(), jitter=0)
    # Without jitter: every role refreshes in the same 30 s step, twice in two hours.
    assert len(set(burst)) == 2
    spread = _fleet_refreshes(clock, jitter=0.1)
    first_round = [t for t in spread if t <= 55 * 60]
    assert len(first_round) == 200
    per_minute = [sum(1 for t in first_round if m * 60 < t <= (m + 1) * 60) for m in range(60)]
    # 10% of 55 minutes is 5.5 minutes: about 36 calls a minute instead of 200 in one step.
    assert max(per_minute) <= 60
    assert sum(1 for n in per_minute if n) >= 5


def test_refresh_jitter_only_moves_refreshes_earlier(clock: FakeClock) -> None:
    refreshes = _fleet_refreshes(clock, jitter=0.5)
    first_round = [t for t in refreshes if t <= 55 * 60]
    assert len(first_round) == 200
    # Never later than the lifetime's end (expiry - margin), never earlier than half of it.
    assert min(first_round) >= 27.5 * 60 and max(first_round) <= 55 * 60


def test_refreshed_credentials_never_have_less_than_the_margin_left(clock: FakeClock) -> None:
    sts = FakeSTS(clock)
    cache = CredentialCache(
        lambda: sts, OperatorSettings(refresh_jitter=0.5), clock=clock,
        jitter_random=random.Random(11).random,
    )
    creds = cache.credentials(A, ROLE)
    seen: dict[str, float] = {}
    for _ in range(5 * 3600 // 7):
        clock.advance(7)
        key = keys(creds)
        issued = sts.issued_at[int(key.removeprefix("ASIAFAKE")) - 1]
        assert clock() <= issued + 3600 - 300  # within expiry - margin
        seen.setdefault(key, clock())
    assert len(seen) >= 6  # refreshed every 27.5-55 minutes over five hours
