"""Operator credentials: STS AssumeRole, cached per request shape and refreshed ahead of expiry.

Three objects, three lifetimes:

* ``OperatorSettings`` is configuration, fixed when the factory is built.
* ``CredentialCache`` lives as long as the factory. It owns one entry per ``AssumeRoleSpec`` (the
  full shape of an AssumeRole request) and hands out ONE ``RefreshableCredentials`` object per
  entry, so every client of an account (any region, any service) shares one credential and one
  refresh.
* The credentials object lives as long as the clients built on it. botocore asks it for keys
  before signing each request; it, in turn, asks the cache. The cache is the only place that
  decides when STS is called.

Nothing here logs, formats or raises a key, a secret or a session token. Events name the account,
the role ARN, the session name, latencies and error codes only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, Final, cast

from cachetools import LRUCache

from ._exceptions import ConfigurationError, CredentialError, InvalidScope
from ._naming import NamingPolicy
from ._observe import Stats, emit

if TYPE_CHECKING:
    import boto3
    import botocore.session
    from botocore.credentials import Credentials, RefreshableCredentials
    from types_boto3_sts.client import STSClient

__all__ = [
    "AssumeRoleSpec",
    "CredentialCache",
    "OperatorSettings",
    "make_sts_client",
    "role_session_name",
    "session_with_credentials",
]

# IAM's own alphabets (IAM API reference, "CreateRole" / STS "AssumeRole"). ASCII spelled out:
# Python's \w would also accept non-ASCII letters that IAM refuses.
_NAME_CHARS: Final = "ASCII letters, digits and _+=,.@-"
_CLASS: Final = r"A-Za-z0-9_+=,.@\-"
_ROLE_NAME_RE: Final = re.compile(rf"[{_CLASS}]{{1,64}}")
_PATH_PART_RE: Final = re.compile(rf"[{_CLASS}]+")
_SESSION_NAME_RE: Final = re.compile(rf"[{_CLASS}]{{2,64}}")
_PREFIX_RE: Final = re.compile(rf"[{_CLASS}]{{1,32}}")
_SUBJECT_RE: Final = re.compile(r"[A-Za-z0-9_+=,@\-]+")  # no ".": it marks hashed session names
_EXTERNAL_ID_RE: Final = re.compile(rf"[{_CLASS}:/]{{2,1224}}")
_SOURCE_IDENTITY_RE: Final = re.compile(rf"[{_CLASS}]{{2,64}}")
_PARTITION_RE: Final = re.compile(r"aws(-[a-z]+)*")
_REGION_RE: Final = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
_POLICY_ARN_RE: Final = re.compile(r"arn:aws(-[a-z]+)*:iam::([0-9]{12}|aws):policy/[\x21-\x7e]+")

_MIN_DURATION: Final = 900
_MAX_DURATION: Final = 43_200
_MAX_POLICY_CHARS: Final = 2048
_ACCESS_DENIED: Final = frozenset({"AccessDenied", "AccessDeniedException"})
_METHOD: Final = "scopeguard-assume-role"


def _fail(setting: str, value: object, why: str) -> ConfigurationError:
    return ConfigurationError(f"OperatorSettings.{setting}={value!r} is refused: {why}")


def _check_role_name(role_name: object, setting: str = "role_name") -> str:
    """A role name, optionally with an IAM path: ``Ops`` or ``team/ops/Ops`` (no leading ``/``)."""
    if not isinstance(role_name, str) or not role_name:
        raise _fail(setting, role_name, "give the role name, e.g. 'OrganizationAccountAccessRole'")
    *path, name = role_name.split("/")
    if not _ROLE_NAME_RE.fullmatch(name):
        raise _fail(setting, role_name, f"a role name is 1-64 characters: {_NAME_CHARS}")
    # IAM would accept "." and ".." as path segments and never resolve them; nothing downstream
    # should have to wonder whether something did, so they are refused (THREATS.md).
    if (
        any(not _PATH_PART_RE.fullmatch(p) or p in (".", "..") for p in path)
        or name in (".", "..")
        or len(role_name) - len(name) > 511
    ):
        raise _fail(
            setting,
            role_name,
            "an IAM path is written 'a/b/RoleName': no leading or doubled '/', no '.' or '..' "
            f"segments, segments of {_NAME_CHARS}, at most 512 characters",
        )
    return role_name


@dataclass(frozen=True, slots=True)
class OperatorSettings:
    """How operator scopes assume roles in other accounts of the Organization.

    Validated on construction; an instance that exists is usable.

    Timing, all in seconds: credentials are cached for ``min(ttl_seconds, expiry - margin_seconds)``
    after each AssumeRole, then refreshed. During an STS outage, credentials that still have more
    than ``margin_seconds`` left keep being served, and STS is retried at most once per
    ``retry_interval_seconds`` per role. Raise ``duration_seconds`` above ``ttl_seconds +
    margin_seconds`` to get such an outage allowance: with the defaults there is none.
    """

    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    source_identity: str | None = None
    session_name_prefix: str = "scopeguard"
    duration_seconds: int = 3600
    ttl_seconds: int = 55 * 60
    margin_seconds: int = 5 * 60
    sts_region: str | None = None
    denied_ttl_seconds: int = 60
    max_cached: int = 1024
    retry_interval_seconds: int = 30

    def __post_init__(self) -> None:
        _check_role_name(self.role_name)
        if self.external_id is not None and not _EXTERNAL_ID_RE.fullmatch(self.external_id):
            raise _fail("external_id", "…", f"2-1224 characters: {_NAME_CHARS}:/")
        if self.source_identity is not None and (
            not _SOURCE_IDENTITY_RE.fullmatch(self.source_identity)
            or self.source_identity.lower().startswith("aws:")
        ):
            raise _fail(
                "source_identity",
                self.source_identity,
                f"2-64 characters: {_NAME_CHARS}, not starting with 'aws:'",
            )
        if not isinstance(self.session_name_prefix, str) or not _PREFIX_RE.fullmatch(
            self.session_name_prefix
        ):
            raise _fail(
                "session_name_prefix",
                self.session_name_prefix,
                f"1-32 characters: {_NAME_CHARS} (the account ID and a separator follow it)",
            )
        for name in (
            "duration_seconds",
            "ttl_seconds",
            "margin_seconds",
            "denied_ttl_seconds",
            "max_cached",
            "retry_interval_seconds",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise _fail(name, value, "give a whole number")
        # botocore refreshes RefreshableCredentials when fewer than 15 minutes (its advisory
        # window) remain. A credential that lives 900 s or less is born inside that window, so
        # every request made with it under botocore's defaults would call AssumeRole again. The
        # credentials this module builds use windows derived from the margin instead (see
        # CredentialCache._new_credentials), but a 15-minute session leaves at most ten minutes of
        # use per STS call and invites exactly that storm wherever the keys are handed to plain
        # botocore code. Refuse it rather than tune around it.
        if not _MIN_DURATION < self.duration_seconds <= _MAX_DURATION:
            raise _fail(
                "duration_seconds",
                self.duration_seconds,
                f"must be above {_MIN_DURATION} (botocore's advisory refresh window: shorter "
                f"sessions are refreshed on every request) and at most {_MAX_DURATION}",
            )
        if self.ttl_seconds <= 0:
            raise _fail("ttl_seconds", self.ttl_seconds, "must be positive")
        if self.margin_seconds < 60:
            raise _fail(
                "margin_seconds",
                self.margin_seconds,
                "must be at least 60: it absorbs clock skew and requests in flight at expiry",
            )
        lifetime = min(self.ttl_seconds, self.duration_seconds - self.margin_seconds)
        if lifetime < 300:
            raise _fail(
                "margin_seconds",
                self.margin_seconds,
                f"with ttl_seconds={self.ttl_seconds} and duration_seconds="
                f"{self.duration_seconds} credentials would be reused for only {lifetime} s; "
                "keep min(ttl, duration - margin) at 300 s or more",
            )
        if self.sts_region is not None and not _REGION_RE.fullmatch(self.sts_region):
            raise _fail("sts_region", self.sts_region, "give a region code such as 'eu-west-1'")
        if not 30 <= self.denied_ttl_seconds <= 120:
            raise _fail(
                "denied_ttl_seconds",
                self.denied_ttl_seconds,
                "AccessDenied is remembered for 30-120 s: long enough to spare STS, short "
                "enough that a fixed trust policy is picked up quickly",
            )
        if self.max_cached < 1:
            raise _fail("max_cached", self.max_cached, "the cache must hold at least one role")
        if not 1 <= self.retry_interval_seconds <= self.margin_seconds:
            raise _fail(
                "retry_interval_seconds",
                self.retry_interval_seconds,
                f"must be between 1 and margin_seconds ({self.margin_seconds})",
            )

    @property
    def lifetime_seconds(self) -> int:
        """How long one AssumeRole is reused when STS grants the full requested duration."""
        return min(self.ttl_seconds, self.duration_seconds - self.margin_seconds)


def role_session_name(prefix: str, subject: str) -> str:
    """The deterministic RoleSessionName CloudTrail shows for ``subject`` (an account, a tenant).

    ``prefix-subject`` when it fits in 64 characters, which it always does for a 12-digit account
    and a valid prefix. Longer subjects keep a readable head and gain a hash of the whole subject
    after a ``.``; subjects may not contain ``.``, so for one prefix the readable and hashed forms
    never meet and the mapping stays injective (up to a 96-bit hash collision).
    """
    if not _PREFIX_RE.fullmatch(prefix):
        raise ConfigurationError(f"session name prefix {prefix!r}: 1-32 characters: {_NAME_CHARS}")
    if not _SUBJECT_RE.fullmatch(subject):
        raise InvalidScope(f"session subject {subject!r}: {_NAME_CHARS} except '.'")
    name = f"{prefix}-{subject}"
    if len(name) <= 64:
        return name
    digest = hashlib.sha256(subject.encode()).hexdigest()[:24]
    head = 64 - len(prefix) - 1 - 1 - len(digest)
    return f"{prefix}-{subject[:head]}.{digest}"


def _canonical_policy(policy: Mapping[str, Any] | str) -> str:
    try:
        data = json.loads(policy) if isinstance(policy, str) else policy
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"session policy is not JSON: {exc}") from None
    if len(text) > _MAX_POLICY_CHARS:
        raise ConfigurationError(
            f"session policy is {len(text)} characters once compacted; STS accepts "
            f"{_MAX_POLICY_CHARS}: split the scope or use managed policy ARNs"
        )
    return text


@dataclass(frozen=True, slots=True)
class AssumeRoleSpec:
    """The complete shape of one AssumeRole request: the credential cache's key.

    Every input that changes the credentials STS returns is a field, so two specs compare equal
    only when the credentials they would produce are interchangeable: the role ARN (partition,
    account, path and name), session name, external ID, source identity, session policy (kept in
    canonical JSON, compared by content), managed policy ARNs, session tags and transitive tag
    keys, duration, the STS region and endpoint asked, and the source principal asking. Leaving
    any of these out would let two different requests share one credential, for instance a
    tenant's narrowly scoped session reusing an operator's unscoped one.

    ``assume_role_kwargs()`` is the exact request; nothing else is sent.
    """

    role_arn: str
    role_session_name: str
    duration_seconds: int
    external_id: str | None = None
    source_identity: str | None = None
    policy: str | None = field(default=None, repr=False)
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    transitive_tag_keys: tuple[str, ...] = ()
    sts_region: str | None = None
    sts_endpoint: str | None = None
    # A CredentialCache is bound to one STS client and thus one base identity, so it leaves this
    # empty. Anything sharing specs across base identities must set it (e.g. the caller's ARN).
    source_principal: str = ""

    def __post_init__(self) -> None:
        parts = self.role_arn.split(":", 5)
        if (
            len(parts) != 6
            or parts[0] != "arn"
            or not _PARTITION_RE.fullmatch(parts[1])
            or parts[2:4] != ["iam", ""]
            or not parts[5].startswith("role/")
        ):
            raise ConfigurationError(f"{self.role_arn!r} is not an IAM role ARN")
        NamingPolicy.account(parts[4])
        _check_role_name(parts[5].removeprefix("role/"), "role ARN")
        if not _SESSION_NAME_RE.fullmatch(self.role_session_name):
            raise ConfigurationError(
                f"RoleSessionName {self.role_session_name!r}: 2-64 characters: {_NAME_CHARS}"
            )
        if not _MIN_DURATION <= self.duration_seconds <= _MAX_DURATION:
            raise ConfigurationError(f"DurationSeconds {self.duration_seconds}: 900-43200")
        if self.policy is not None and _canonical_policy(self.policy) != self.policy:
            raise ConfigurationError(
                "session policy must be canonical JSON: build the spec with AssumeRoleSpec.create"
            )
        if len(self.policy_arns) > 10 or not all(
            _POLICY_ARN_RE.fullmatch(a) for a in self.policy_arns
        ):
            raise ConfigurationError("policy_arns: at most 10 IAM managed policy ARNs")
        keys = [k for k, _ in self.tags]
        if (
            len(self.tags) > 50
            or list(self.tags) != sorted(self.tags)
            or len({k.lower() for k in keys}) != len(keys)
            or not all(1 <= len(k) <= 128 and len(v) <= 256 for k, v in self.tags)
        ):
            raise ConfigurationError(
                "tags: at most 50, keys unique ignoring case, sorted; build with create()"
            )
        if not set(self.transitive_tag_keys) <= set(keys) or list(
            self.transitive_tag_keys
        ) != sorted(set(self.transitive_tag_keys)):
            raise ConfigurationError("transitive_tag_keys must be sorted keys of tags")

    @classmethod
    def create(
        cls,
        *,
        account_id: str,
        role_name: str,
        session_name: str,
        duration_seconds: int,
        partition: str = "aws",
        external_id: str | None = None,
        source_identity: str | None = None,
        policy: Mapping[str, Any] | str | None = None,
        policy_arns: Iterable[str] = (),
        tags: Mapping[str, str] | Iterable[tuple[str, str]] = (),
        transitive_tag_keys: Iterable[str] = (),
        sts_region: str | None = None,
        sts_endpoint: str | None = None,
        source_principal: str = "",
    ) -> AssumeRoleSpec:
        """Validate the parts and build the spec, canonicalising the policy and tag order.

        Order carries no meaning to STS for tags, tag keys or policy ARNs, and JSON object key
        order none for IAM, so those are sorted: equal requests get equal keys.
        """
        if not _PARTITION_RE.fullmatch(partition):
            raise ConfigurationError(f"partition {partition!r} is not an AWS partition name")
        NamingPolicy.account(account_id)
        _check_role_name(role_name)
        pairs = tags.items() if isinstance(tags, Mapping) else tags
        return cls(
            role_arn=f"arn:{partition}:iam::{account_id}:role/{role_name}",
            role_session_name=session_name,
            duration_seconds=duration_seconds,
            external_id=external_id,
            source_identity=source_identity,
            policy=None if policy is None else _canonical_policy(policy),
            policy_arns=tuple(sorted(set(policy_arns))),
            tags=tuple(sorted(pairs)),
            transitive_tag_keys=tuple(sorted(set(transitive_tag_keys))),
            sts_region=sts_region,
            sts_endpoint=sts_endpoint,
            source_principal=source_principal,
        )

    @property
    def partition(self) -> str:
        return self.role_arn.split(":", 2)[1]

    @property
    def account_id(self) -> str:
        return self.role_arn.split(":", 5)[4]

    @property
    def policy_sha256(self) -> str | None:
        """Hash of the canonical session policy, for logs and audit (the policy can be 2 KB)."""
        return None if self.policy is None else hashlib.sha256(self.policy.encode()).hexdigest()

    def assume_role_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``sts.assume_role``: exactly what this spec stands for."""
        kwargs: dict[str, Any] = {
            "RoleArn": self.role_arn,
            "RoleSessionName": self.role_session_name,
            "DurationSeconds": self.duration_seconds,
        }
        if self.external_id is not None:
            kwargs["ExternalId"] = self.external_id
        if self.source_identity is not None:
            kwargs["SourceIdentity"] = self.source_identity
        if self.policy is not None:
            kwargs["Policy"] = self.policy
        if self.policy_arns:
            kwargs["PolicyArns"] = [{"arn": a} for a in self.policy_arns]
        if self.tags:
            kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in self.tags]
        if self.transitive_tag_keys:
            kwargs["TransitiveTagKeys"] = list(self.transitive_tag_keys)
        return kwargs


@dataclass(frozen=True, slots=True)
class _Material:
    """One AssumeRole result and the three instants the cache derives from it (clock seconds)."""

    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    token: str = field(repr=False)
    expiry: float
    # Both bounds are inclusive, as botocore's refresh_needed is: at exactly refresh_at the
    # credentials are still fresh, and at exactly serve_until they still have the full margin.
    refresh_at: float  # fresh until here: min(fetched + ttl, expiry - margin)
    serve_until: float  # expiry - margin: never handed out past this, even during an outage


class _Entry:
    """Mutable state of one cache key. ``lock`` is the key's single-flight lock: whoever holds it
    is the only thread that may call STS for this key; everyone else waits on it, then reads the
    outcome. Readers on the hit path read ``material`` without the lock: it is replaced whole
    (one reference store), never mutated."""

    __slots__ = (
        "attempts",
        "creds",
        "denied_until",
        "last_attempt",
        "last_error",
        "lock",
        "material",
        "spec",
    )

    def __init__(self, spec: AssumeRoleSpec) -> None:
        self.spec = spec
        self.lock = threading.Lock()
        self.material: _Material | None = None
        self.creds: RefreshableCredentials | None = None
        self.attempts = 0  # completed STS attempts, successful or not
        self.last_attempt = -math.inf
        self.last_error: str | None = None
        self.denied_until = -math.inf


class _EntryLRU(LRUCache[AssumeRoleSpec, _Entry]):
    """cachetools' LRU, reporting evictions (only ``popitem`` evicts; ``pop`` is invalidation)."""

    def __init__(self, maxsize: int, on_evict: Callable[[AssumeRoleSpec], None]) -> None:
        super().__init__(maxsize=maxsize)
        self._on_evict = on_evict

    def popitem(self) -> tuple[AssumeRoleSpec, _Entry]:
        key, value = super().popitem()
        self._on_evict(key)
        return key, value


class CredentialCache:
    """Assumed-role credentials per ``AssumeRoleSpec``. Lives as long as the factory.

    ``credentials(account_id, role_name)`` returns the key's one shared ``RefreshableCredentials``;
    build any number of clients on it. Thread-safe. STS is called at most once per key at a time
    (single flight), at most once per ``lifetime`` while STS is healthy, at most once per
    ``retry_interval_seconds`` while it is failing, and not at all for ``denied_ttl_seconds``
    after an AccessDenied.

    ``sts_client`` builds the STS client on first need (``make_sts_client`` in production, any
    object with ``assume_role(**kwargs)`` in tests); it is called once, and once more in a forked
    child. ``clock`` (epoch seconds) drives every lifetime and botocore's refresh decisions on the
    credentials handed out. ``stats`` counts ``credentials.hit`` / ``.miss`` / ``.stale`` /
    ``.denied`` / ``.evicted`` / ``.invalidated`` and ``sts.assume_role`` / ``.failed``.
    """

    def __init__(
        self,
        sts_client: Callable[[], Any],
        settings: OperatorSettings,
        *,
        partition: str = "aws",
        clock: Callable[[], float] = time.time,
        stats: Stats | None = None,
    ) -> None:
        if not _PARTITION_RE.fullmatch(partition):
            raise ConfigurationError(f"partition {partition!r} is not an AWS partition name")
        self.settings = settings
        self.partition = partition
        self.stats = stats if stats is not None else Stats()
        self._clock = clock
        self._sts_factory = sts_client
        self._sts: Any = None
        self._sts_lock = threading.Lock()
        # _lock guards the two LRU maps' bookkeeping (cachetools caches are not thread-safe). It
        # is held for dictionary operations only, never across an STS call or a key's lock, so a
        # slow AssumeRole for one account never delays another account's cache hit.
        self._lock = threading.Lock()
        self._entries = _EntryLRU(settings.max_cached, self._evicted)
        self._specs: LRUCache[tuple[str, str], AssumeRoleSpec] = LRUCache(settings.max_cached)
        _LIVE_CACHES.add(self)

    # -- public ---------------------------------------------------------------------------------

    def spec(self, account_id: str, role_name: str) -> AssumeRoleSpec:
        """The AssumeRole request this cache makes for ``role_name`` in ``account_id``."""
        with self._lock:
            spec = self._specs.get((account_id, role_name))
        if spec is not None:
            return spec
        NamingPolicy.account(account_id)
        client = self._sts_client()
        meta = getattr(client, "meta", None)
        s = self.settings
        spec = AssumeRoleSpec.create(
            partition=self.partition,
            account_id=account_id,
            role_name=role_name,
            session_name=role_session_name(s.session_name_prefix, account_id),
            duration_seconds=s.duration_seconds,
            external_id=s.external_id,
            source_identity=s.source_identity,
            sts_region=getattr(meta, "region_name", None) or s.sts_region,
            sts_endpoint=getattr(meta, "endpoint_url", None),
        )
        with self._lock:
            self._specs[(account_id, role_name)] = spec
        return spec

    def credentials(self, account_id: str, role_name: str) -> RefreshableCredentials:
        """The shared, self-refreshing credentials for ``role_name`` in ``account_id``.

        Calls STS only on first use, after the cached lifetime, or after ``invalidate``. Raises
        ``CredentialError`` when STS refuses or fails and nothing valid is cached, and
        ``InvalidScope`` / ``ConfigurationError`` for a malformed account ID or role name.
        """
        return self.credentials_for(self.spec(account_id, role_name))

    def credentials_for(self, spec: AssumeRoleSpec) -> RefreshableCredentials:
        """As ``credentials``, for any spec (session policies and tags included)."""
        entry = self._entry(spec)
        material, creds = entry.material, entry.creds
        if material is not None and creds is not None and self._clock() <= material.refresh_at:
            self.stats.incr("credentials.hit")
            emit("credentials.hit", role_arn=spec.role_arn, session=spec.role_session_name)
            return creds
        material = self._obtain(entry)
        with entry.lock:
            if entry.creds is None:
                entry.creds = self._new_credentials(spec, material)
            return entry.creds

    def invalidate(self, account_id: str | None = None) -> int:
        """Drop one account's cached credentials (every role and spec), or all; return how many.

        Clients already holding a dropped credential are not broken: their next request asks the
        cache, which calls STS afresh. A cached AccessDenied is forgotten too, so invalidating
        after fixing a trust policy retries at once.
        """
        if account_id is not None:
            NamingPolicy.account(account_id)
        with self._lock:
            keys = [k for k in self._entries if account_id is None or k.account_id == account_id]
            dropped = [self._entries.pop(k) for k in keys]
        for entry in dropped:
            if entry.creds is not None:
                _expire_now(entry.creds)
        self.stats.incr("credentials.invalidated", len(dropped))
        emit("credentials.invalidated", account=account_id or "*", count=len(dropped))
        return len(dropped)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    # -- internals ------------------------------------------------------------------------------

    def _sts_client(self) -> Any:
        if self._sts is None:
            with self._sts_lock:
                if self._sts is None:
                    self._sts = self._sts_factory()
        return self._sts

    def _entry(self, spec: AssumeRoleSpec) -> _Entry:
        with self._lock:
            entry = self._entries.get(spec)
            if entry is None:
                # If this key was evicted while a thread was mid-refresh on the old entry, the
                # new entry refreshes on its own: at worst one extra AssumeRole under churn
                # beyond max_cached, never a credential crossing keys.
                entry = self._entries[spec] = _Entry(spec)
            return entry

    def _evicted(self, spec: AssumeRoleSpec) -> None:
        self.stats.incr("credentials.evicted")
        emit("credentials.evicted", role_arn=spec.role_arn, session=spec.role_session_name)

    def _obtain(self, entry: _Entry) -> _Material:
        """Fresh material for ``entry``, calling STS only if this thread wins the key's flight."""
        spec, s = entry.spec, self.settings
        seen = entry.attempts
        with entry.lock:
            now = self._clock()
            held = entry.material
            if held is not None and now <= held.refresh_at:
                # Another thread refreshed while we waited for the lock: the single flight.
                self.stats.incr("credentials.hit")
                return held
            # Past its lifetime but still more than the margin away from expiry: usable if STS
            # cannot give us better (rule 7).
            servable = held if held is not None and now <= held.serve_until else None
            if servable is not None and (
                entry.attempts != seen
                or now < entry.denied_until
                or now - entry.last_attempt < s.retry_interval_seconds
            ):
                # STS just failed (in the flight we waited on) or was tried too recently.
                return self._stale(entry, servable, now)
            if servable is None and now < entry.denied_until:
                self.stats.incr("credentials.denied")
                raise CredentialError(entry.last_error or f"AssumeRole {spec.role_arn} denied")
            if servable is None and entry.attempts != seen and entry.last_error is not None:
                # The flight we waited on failed; share its outcome instead of starting another.
                raise CredentialError(entry.last_error)
            entry.last_attempt = now
            self.stats.incr("credentials.miss")
            try:
                material = self._assume(spec)
            except Exception as exc:
                entry.attempts += 1
                entry.last_error = self._describe_failure(entry, exc, now)
                if servable is not None:
                    return self._stale(entry, servable, now)
                raise CredentialError(entry.last_error) from exc
            entry.attempts += 1
            entry.last_error = None
            entry.denied_until = -math.inf
            entry.material = material
            return material

    def _stale(self, entry: _Entry, held: _Material, now: float) -> _Material:
        self.stats.incr("credentials.stale")
        emit(
            "credentials.stale",
            logging.WARNING,
            role_arn=entry.spec.role_arn,
            serve_for_s=round(held.serve_until - now, 1),
            last_error=entry.last_error,
        )
        return held

    def _describe_failure(self, entry: _Entry, exc: Exception, now: float) -> str:
        code, message = _error_code(exc)
        text = f"AssumeRole {entry.spec.role_arn} failed: {code}: {message}"
        if code in _ACCESS_DENIED:
            # A refusal is an answer, not an outage: asking again within seconds gets the same
            # answer and burns STS quota shared by the whole account. Throttling and 5xx are
            # transient and never remembered beyond the flight that saw them.
            ttl = self.settings.denied_ttl_seconds
            entry.denied_until = now + ttl
            text += (
                f" (check the role's trust policy and ExternalId; not retried for {ttl} s, "
                "or call invalidate() after fixing it)"
            )
        return text

    def _assume(self, spec: AssumeRoleSpec) -> _Material:
        client = self._sts_client()
        started = self._clock()
        t0 = time.perf_counter()
        try:
            response = client.assume_role(**spec.assume_role_kwargs())
        except Exception as exc:
            ms = round((time.perf_counter() - t0) * 1000, 1)
            self.stats.incr("sts.assume_role.failed")
            emit(
                "sts.assume_role",
                logging.WARNING,
                role_arn=spec.role_arn,
                session=spec.role_session_name,
                ms=ms,
                outcome="error",
                code=_error_code(exc)[0],
            )
            raise
        ms = round((time.perf_counter() - t0) * 1000, 1)
        c = response["Credentials"]
        # Trust the shorter of STS's Expiration and our own start + duration: if the local clock
        # runs behind STS's, Expiration alone would look later than it really is.
        expiry = min(_epoch(c["Expiration"]), started + spec.duration_seconds)
        s = self.settings
        serve_until = expiry - s.margin_seconds
        if serve_until <= started:
            # Nothing we could hand out: fail like any STS error (never cached, retried later).
            self.stats.incr("sts.assume_role.failed")
            raise CredentialError(
                f"AssumeRole {spec.role_arn} returned credentials valid for "
                f"{expiry - started:.0f} s, not more than the {s.margin_seconds} s margin"
            )
        material = _Material(
            access_key=c["AccessKeyId"],
            secret_key=c["SecretAccessKey"],
            token=c["SessionToken"],
            expiry=expiry,
            refresh_at=min(started + s.ttl_seconds, serve_until),
            serve_until=serve_until,
        )
        self.stats.incr("sts.assume_role")
        emit(
            "sts.assume_role",
            logging.INFO,
            role_arn=spec.role_arn,
            session=spec.role_session_name,
            ms=ms,
            outcome="ok",
            expires_in_s=round(expiry - started),
            cached_for_s=round(material.refresh_at - started),
        )
        return material

    def _metadata(self, material: _Material) -> dict[str, Any]:
        """What the credentials object is told, in botocore's ``refresh_using`` format.

        ``expiry_time`` is not STS's Expiration: it is the instant botocore must next consult the
        cache, plus the margin (see ``_new_credentials``). For fresh material that instant is the
        cache's refresh point; for material served through an outage it is the next permitted
        retry, and never later than ``serve_until``.
        """
        now = self._clock()
        if now <= material.refresh_at:
            ask_at = material.refresh_at
        else:
            ask_at = min(now + self.settings.retry_interval_seconds, material.serve_until)
        return {
            "access_key": material.access_key,
            "secret_key": material.secret_key,
            "token": material.token,
            "expiry_time": _iso(ask_at + self.settings.margin_seconds),
        }

    def _refresh(self, spec: AssumeRoleSpec) -> dict[str, Any]:
        # botocore calls this holding the credentials object's own refresh lock; it then takes the
        # key's lock in _obtain. Nothing takes them in the other order (invalidate releases the
        # cache lock before touching a credentials object), so the two cannot deadlock.
        return self._metadata(self._obtain(self._entry(spec)))

    def _new_credentials(self, spec: AssumeRoleSpec, material: _Material) -> RefreshableCredentials:
        from botocore.credentials import RefreshableCredentials

        # botocore refreshes a RefreshableCredentials when less than its advisory window (15 min
        # by default) remains before expiry, and then, if the refresh fails, keeps signing with
        # the old keys until its mandatory window (10 min). Left at those defaults on a cache
        # whose lifetime ends 5 min before expiry, botocore would call refresh_using on every
        # request from minute 45 on, and would swallow refresh errors we want surfaced.
        #
        # So both windows equal the margin, and the expiry the object holds is "the instant to
        # ask the cache again" + margin (see _metadata). botocore therefore asks exactly when the
        # cache's lifetime ends, always in blocking (mandatory) mode: one thread refreshes while
        # the others wait, and an error reaches the caller instead of a silent retry on the next
        # request. The cache alone decides whether that ask becomes an STS call, a served
        # still-valid credential during an outage, or a CredentialError. A client built on this
        # object therefore never signs with keys past expiry - margin.
        window = self.settings.margin_seconds
        metadata = self._metadata(material)
        return RefreshableCredentials(
            access_key=metadata["access_key"],
            secret_key=metadata["secret_key"],
            token=metadata["token"],
            expiry_time=datetime.fromisoformat(metadata["expiry_time"]),
            refresh_using=partial(self._refresh, spec),
            method=_METHOD,
            time_fetcher=self._now,
            advisory_timeout=window,
            mandatory_timeout=window,
            account_id=spec.account_id,
        )

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), timezone.utc)

    def _after_fork_in_child(self) -> None:
        # fork() copies every lock in whatever state some parent thread left it, and that thread
        # does not exist in the child: a lock held mid-AssumeRole would never be released. So
        # the child gets fresh locks, and a fresh STS client, since the parent's connection pool
        # shares its sockets with the parent. Cached keys are plain strings and stay valid.
        self._lock = threading.Lock()
        self._sts_lock = threading.Lock()
        self._sts = None
        for entry in list(self._entries.values()):
            entry.lock = threading.Lock()
            if entry.creds is not None:
                # botocore's own lock on the shared credentials object, same reasoning.
                setattr(entry.creds, "_refresh_lock", threading.Lock())  # noqa: B010


_LIVE_CACHES: Final[weakref.WeakSet[CredentialCache]] = weakref.WeakSet()


def _reset_caches_after_fork() -> None:
    for cache in list(_LIVE_CACHES):
        cache._after_fork_in_child()


if hasattr(os, "register_at_fork"):  # POSIX only; there is no fork() to survive elsewhere
    os.register_at_fork(after_in_child=_reset_caches_after_fork)


def _expire_now(creds: RefreshableCredentials) -> None:
    """Make ``creds`` ask its refresh callback before the next signature.

    botocore offers no public way to do this; ``_refresh_lock`` and ``_expiry_time`` are the
    attributes its own ``_protected_refresh`` uses, taken under the same lock so a refresh in
    progress is not torn.
    """
    lock: threading.Lock = getattr(creds, "_refresh_lock")  # noqa: B009
    fetch: Callable[[], datetime] = getattr(creds, "_time_fetcher")  # noqa: B009
    with lock:
        setattr(creds, "_expiry_time", fetch())  # noqa: B010


def _epoch(value: object) -> float:
    if isinstance(value, datetime):
        when = value
    elif isinstance(value, str):
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    else:
        raise CredentialError(f"AssumeRole returned an unreadable Expiration of type {type(value)}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat()


def _error_code(exc: BaseException) -> tuple[str, str]:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        error = response.get("Error") or {}
        return str(error.get("Code", type(exc).__name__)), str(error.get("Message", ""))
    return type(exc).__name__, str(exc)


# -- botocore sessions and the STS client --------------------------------------------------------


class _FixedCredentialProvider:
    """A botocore ``credential_provider`` component that resolves to one credentials object."""

    def __init__(self, load: Callable[[], Credentials | None]) -> None:
        self._load = load

    def load_credentials(self) -> Credentials | None:
        return self._load()


def _derived_session(
    base: botocore.session.Session, load: Callable[[], Credentials | None]
) -> botocore.session.Session:
    import botocore.session

    session = botocore.session.Session()
    # Same configuration as base: profile, region and anything set via set_config_variable (the
    # file and environment layers are read the same way by construction).
    for name, value in base.instance_variables().items():
        session.set_config_variable(name, value)
    session.set_default_client_config(base.get_default_client_config())
    session.user_agent_name = base.user_agent_name
    session.user_agent_version = base.user_agent_version
    session.user_agent_extra = base.user_agent_extra
    # One loader for every session: service models are parsed once per process, not per account.
    session.register_component("data_loader", base.get_component("data_loader"))
    session.register_component("credential_provider", _FixedCredentialProvider(load))
    return session


def session_with_credentials(
    base: botocore.session.Session, credentials: Credentials
) -> botocore.session.Session:
    """A botocore session configured like ``base`` whose clients sign with ``credentials``.

    It shares ``base``'s data loader (service models are loaded once) and copies its
    configuration; its only credential is the given object, so a ``RefreshableCredentials`` from
    ``CredentialCache`` keeps refreshing for every client created on it. Wrap it in
    ``boto3.Session(botocore_session=...)`` for the resource API and the S3 transfer methods.
    """
    return _derived_session(base, lambda: credentials)


def make_sts_client(
    session: boto3.Session, *, region: str | None, endpoint_url: str | None
) -> STSClient:
    """The STS client the credential cache calls: bounded retries and timeouts, regional endpoint.

    Standard retry mode with 4 attempts total backs off on throttling and 5xx without piling up
    behind a dead endpoint; 2 s to connect and 5 s to read bound the worst single call to about
    half a minute. The regional endpoint (``sts.<region>.amazonaws.com``) is forced on a private
    copy of the session, whatever ``AWS_STS_REGIONAL_ENDPOINTS`` says: the legacy global endpoint
    is a single-region dependency. ``endpoint_url`` (moto, LocalStack) wins over both;
    endpoint overrides from the environment and config file are ignored.
    """
    from botocore.config import Config

    base = session._session  # boto3 has no public accessor for its botocore session
    region = region or base.get_config_variable("region")
    if not region:
        raise ConfigurationError(
            "STS needs a region for its regional endpoint: set OperatorSettings.sts_region "
            "or the session's region_name"
        )
    sts_session = _derived_session(base, base.get_credentials)
    sts_session.set_config_variable("sts_regional_endpoints", "regional")
    # AWS_ENDPOINT_URL(_STS) and endpoint_url in the config file would let anything that can set
    # the environment route AssumeRole to a server of its choosing, which could answer with
    # credentials of its choosing. Only the explicit endpoint_url counts. (Passed through a dict:
    # botocore-stubs do not know this Config option yet.)
    pinned: dict[str, Any] = {"ignore_configured_endpoint_urls": True}
    config = Config(
        retries={"mode": "standard", "total_max_attempts": 4},
        connect_timeout=2,
        read_timeout=5,
        **pinned,
    )
    client = sts_session.create_client(
        "sts", region_name=region, endpoint_url=endpoint_url, config=config
    )
    return cast("STSClient", client)
