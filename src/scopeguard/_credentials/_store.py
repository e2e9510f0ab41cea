"""The credential store seam: where assumed-role credentials live beyond one process.

``CredentialCache`` keeps every credential it hands out in process memory, and that process cache
alone is the default. A ``CredentialStore`` is a second level behind it, shared by every process
of a fleet: on a process miss the cache reads the store before calling STS, and whoever calls STS
writes the result back, under a fleet-wide lock, so a fleet makes one AssumeRole per (role,
session policy) per refresh window instead of one per process.

A store is three operations on opaque keys (a hash of the whole ``AssumeRoleSpec``, see
``store_key``): ``get``, ``put`` with an expiry, and a ``lock`` with a timeout; plus ``delete``
for ``invalidate()``. Any exception a store raises means "unavailable": the cache counts it, logs
it and falls back to STS, so a store outage costs STS calls, never a failed request.
``StoreEntryUnreadable`` is the one exception with another meaning: the entry exists but cannot
be decrypted or parsed (tampered, corrupted, written under another key); the cache treats it as
a miss and overwrites it.

``MemoryCredentialStore`` implements the protocol in one process (several factories in one
process, and tests); ``RedisCredentialStore`` (``_redis``) is the fleet's.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass, field
from typing import Protocol, runtime_checkable

from .._assume_role import AssumeRoleSpec

__all__ = [
    "CredentialStore",
    "MemoryCredentialStore",
    "StoreLock",
    "StoredCredentials",
    "store_key",
]


@dataclass(frozen=True, slots=True)
class StoredCredentials:
    """One AssumeRole result as a store keeps it. Times are epoch seconds.

    ``issued_at`` is when the AssumeRole call started and ``expiry`` the shorter of STS's
    Expiration and ``issued_at + DurationSeconds``: every process derives its refresh point from
    these two with its own settings, so processes agree on when an entry is stale.
    """

    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    token: str = field(repr=False)
    issued_at: float
    expiry: float


class StoreLock(Protocol):
    """A held fleet-wide lock. ``release`` must not fail when the lock already expired."""

    def release(self) -> None: ...


@runtime_checkable
class CredentialStore(Protocol):
    """Shared storage for assumed-role credentials (see the module docstring for the contract).

    Implementations must be thread-safe and must never log, format or raise the credentials they
    hold.
    """

    def get(self, key: str) -> StoredCredentials | None:
        """The entry under ``key``, or None when there is none (or it expired)."""

    def put(self, key: str, credentials: StoredCredentials, ttl_seconds: float) -> None:
        """Store ``credentials`` under ``key``; the store drops them after ``ttl_seconds``."""

    def delete(self, key: str) -> None:
        """Drop the entry under ``key``, if any."""

    def lock(self, key: str, ttl_seconds: float) -> StoreLock | None:
        """Try once, without waiting, to take ``key``'s lock for at most ``ttl_seconds``.

        None when someone else holds it. The timeout bounds how long a holder that died (a killed
        process) blocks the others.
        """


def store_key(spec: AssumeRoleSpec) -> str:
    """The store key of ``spec``: a SHA-256 of every field, so distinct requests never share.

    Hashed rather than spelled out: the store need not learn role ARNs, session policies or
    ExternalIds, and keys stay short whatever the policy's length.
    """
    text = json.dumps(astuple(spec), separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class MemoryCredentialStore:
    """``CredentialStore`` in one process's memory; lives as long as whoever holds it.

    Shares credentials between factories of one process, and is the store double for tests.
    ``clock`` (epoch seconds) decides expiry, so it can follow a test's fake clock.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[StoredCredentials, float]] = {}
        self._locks: dict[str, float] = {}

    def get(self, key: str) -> StoredCredentials | None:
        with self._lock:
            item = self._entries.get(key)
            if item is None:
                return None
            if self._clock() >= item[1]:
                del self._entries[key]
                return None
            return item[0]

    def put(self, key: str, credentials: StoredCredentials, ttl_seconds: float) -> None:
        with self._lock:
            self._entries[key] = (credentials, self._clock() + ttl_seconds)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def lock(self, key: str, ttl_seconds: float) -> StoreLock | None:
        with self._lock:
            now = self._clock()
            if self._locks.get(key, -1.0) > now:
                return None
            until = self._locks[key] = now + ttl_seconds
        return _MemoryLock(self, key, until)

    def _release(self, key: str, until: float) -> None:
        with self._lock:
            # Only the holder's own lease: after expiry someone else may hold the key.
            if self._locks.get(key) == until:
                del self._locks[key]

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class _MemoryLock:
    __slots__ = ("_key", "_store", "_until")

    def __init__(self, store: MemoryCredentialStore, key: str, until: float) -> None:
        self._store, self._key, self._until = store, key, until

    def release(self) -> None:
        self._store._release(self._key, self._until)
