"""The credential cache: STS AssumeRole per ``AssumeRoleSpec``, refreshed ahead of expiry.

Two objects, two lifetimes (the settings it runs on and the specs it is keyed by are in
``_assume_role``):

* ``CredentialCache`` lives as long as the factory. It owns one entry per ``AssumeRoleSpec`` (the
  full shape of an AssumeRole request) and hands out ONE ``RefreshableCredentials`` object per
  entry, so every client of an account (any region, any service) shares one credential and one
  refresh.
* The credentials object lives as long as the clients built on it. botocore asks it for keys
  before signing each request; it, in turn, asks the cache. The cache is the only place that
  decides when STS is called.

With a ``CredentialStore`` (``_store``, through ``_fleet``), a process miss reads the fleet's
store before STS, and the process that calls STS does so under the store's lock and writes the
result back: one AssumeRole per key per refresh window for the whole fleet. The process cache
stays in front, so a hit never touches the store.

Nothing here logs, formats or raises a key, a secret or a session token. Events name the account,
the role ARN, the session name, latencies and error codes only.
"""

from __future__ import annotations

import logging
import math
import os
import random
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from cachetools import LRUCache

from .._assume_role import _PARTITION_RE, AssumeRoleSpec, OperatorSettings, role_session_name
from .._exceptions import ConfigurationError, CredentialError
from .._naming import NamingPolicy
from .._observe import Stats, emit
from ._fleet import FleetLevel
from ._fleet import Material as _Material
from ._store import CredentialStore, StoredCredentials, store_key

if TYPE_CHECKING:
    from botocore.credentials import RefreshableCredentials

__all__ = ["CredentialCache"]

_ACCESS_DENIED: Final = frozenset({"AccessDenied", "AccessDeniedException"})
_METHOD: Final = "scopeguard-assume-role"


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
        "store_key",
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
        self.store_key: str | None = None


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
    ``.denied`` / ``.evicted`` / ``.invalidated`` and ``sts.assume_role`` / ``.failed``, and with a
    store ``store.hit`` / ``.miss`` / ``.put`` / ``.wait`` / ``.wait_timeout`` / ``.unreadable`` /
    ``.errors`` / ``.skipped``.

    ``max_cached`` bounds the entries (default ``settings.max_cached``). ``store`` is the fleet's
    shared second level (see ``_store``); while it fails, the cache skips it for
    ``store_retry_seconds`` and calls STS directly. A process that finds another holding a key's
    store lock waits up to ``store_wait_seconds`` for its result, then calls STS itself: a
    holder that died or hangs costs one extra AssumeRole, never a failed request.
    ``jitter_random`` (a ``random.random``) draws the refresh jitter.
    """

    def __init__(
        self,
        sts_client: Callable[[], Any],
        settings: OperatorSettings,
        *,
        partition: str = "aws",
        clock: Callable[[], float] = time.time,
        stats: Stats | None = None,
        max_cached: int | None = None,
        store: CredentialStore | None = None,
        store_wait_seconds: float = 10.0,
        store_retry_seconds: float = 5.0,
        jitter_random: Callable[[], float] = random.random,
    ) -> None:
        if not _PARTITION_RE.fullmatch(partition):
            raise ConfigurationError(f"partition {partition!r} is not an AWS partition name")
        if store is not None and not isinstance(store, CredentialStore):
            raise ConfigurationError(
                "store must implement scopeguard.CredentialStore (get, put, delete, lock)"
            )
        size = settings.max_cached if max_cached is None else max_cached
        if size < 1:
            raise ConfigurationError(f"max_cached={size}: the cache must hold at least one key")
        self._random = jitter_random
        self.settings = settings
        self.partition = partition
        self.stats = stats if stats is not None else Stats()
        self._clock = clock
        self._sts_factory = sts_client
        self._sts: Any = None
        self._sts_lock = threading.Lock()
        self._fleet = None if store is None else FleetLevel(
            store,
            stats=self.stats,
            clock=clock,
            assume=self._assume,
            material=self._material,
            wait_seconds=store_wait_seconds,
            retry_seconds=store_retry_seconds,
        )
        # _lock guards the two LRU maps' bookkeeping (cachetools caches are not thread-safe). It
        # is held for dictionary operations only, never across an STS call or a key's lock, so a
        # slow AssumeRole for one account never delays another account's cache hit.
        self._lock = threading.Lock()
        self._entries = _EntryLRU(size, self._evicted)
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
            emit("credentials.hit", role_arn=spec.role_arn, session=spec.role_session_name,
                 kind=_kind(spec))
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
            if self._fleet is not None and entry.store_key is not None:
                # The fleet's copy too: invalidate() after a trust-policy fix or a suspected leak
                # must not be undone by the next read from the store.
                self._fleet.delete(entry.store_key, entry.spec)
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
            emit("credentials.miss", role_arn=spec.role_arn, session=spec.role_session_name,
                 kind=_kind(spec))
            try:
                material = self._fetch(entry)
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

    # -- the fleet's store ----------------------------------------------------------------------

    def _fetch(self, entry: _Entry) -> _Material:
        """Fresh material for ``entry``: from the fleet's store when there is one, else STS."""
        if self._fleet is None:
            return self._assume(entry.spec)
        if entry.store_key is None:
            entry.store_key = store_key(entry.spec)
        return self._fleet.fetch(entry.spec, entry.store_key)

    def _material(self, stored: StoredCredentials) -> _Material:
        """The cache's instants for ``stored``, by this process's settings and jitter.

        Jitter moves the refresh point earlier only, by up to ``refresh_jitter`` of the lifetime:
        processes and keys fetched in the same second then refresh over minutes instead of in
        one burst of processes x keys calls (STS's request rate is per account and Region), and
        no credential is handed out with less than the margin left.
        """
        s = self.settings
        serve_until = stored.expiry - s.margin_seconds
        end = min(stored.issued_at + s.ttl_seconds, serve_until)
        jitter = (end - stored.issued_at) * s.refresh_jitter * self._random()
        return _Material(
            access_key=stored.access_key,
            secret_key=stored.secret_key,
            token=stored.token,
            issued_at=stored.issued_at,
            expiry=stored.expiry,
            refresh_at=end - jitter,
            serve_until=serve_until,
        )

    # -- STS ------------------------------------------------------------------------------------

    def _assume(self, spec: AssumeRoleSpec) -> _Material:
        client = self._sts_client()
        started = self._clock()
        t0 = time.perf_counter()
        try:
            response = client.assume_role(**spec.assume_role_kwargs())
        except Exception as exc:
            self.stats.incr("sts.assume_role.failed")
            _report_assume(spec, t0, logging.WARNING, outcome="error",
                           code=_error_code(exc)[0])
            raise
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
        material = self._material(
            StoredCredentials(
                access_key=c["AccessKeyId"],
                secret_key=c["SecretAccessKey"],
                token=c["SessionToken"],
                issued_at=started,
                expiry=expiry,
            )
        )
        self.stats.incr("sts.assume_role")
        _report_assume(spec, t0, logging.INFO, outcome="ok",
                       expires_in_s=round(expiry - started),
                       cached_for_s=round(material.refresh_at - started))
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
def _report_assume(spec: AssumeRoleSpec, t0: float, level: int, **fields: Any) -> None:
    """The ``sts.assume_role`` event of one AssumeRole that started at ``t0`` (perf counter)."""
    emit("sts.assume_role", level, role_arn=spec.role_arn, session=spec.role_session_name,
         ms=round((time.perf_counter() - t0) * 1000, 1), kind=_kind(spec), **fields)


def _kind(spec: AssumeRoleSpec) -> str:
    """The label for metrics: operator roles carry no session policy, scoped credentials do."""
    return "operator" if spec.policy is None else "scoped"


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
