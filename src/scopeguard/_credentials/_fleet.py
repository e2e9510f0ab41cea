"""The fleet level of the credential cache: one process's conversation with a ``CredentialStore``.

``CredentialCache`` (``_cache``) decides, per key and per process, when credentials are needed;
on a process miss it asks its ``FleetLevel``, which reads the shared store, and, if the entry is
absent or due for refresh, takes the key's fleet-wide lock, reads again, calls STS through the
cache and writes the result back. Other processes wait for that result instead of calling STS
themselves: one AssumeRole per key per refresh window for the fleet.

The store is a dependency that may fail. Every failure is counted, logged, and answered by STS;
then the store is skipped for ``retry_seconds`` so an outage costs each miss STS's latency, not
a connection timeout as well. A ``FleetLevel`` lives as long as its cache.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from .._assume_role import AssumeRoleSpec
from .._exceptions import StoreEntryUnreadable
from .._observe import Stats, emit
from ._store import CredentialStore, StoredCredentials, StoreLock

__all__ = ["FleetLevel", "Material"]

# Held for at most the worst STS call (4 attempts, 2 s connect, 5 s read: about half a minute),
# so a holder killed mid-call blocks its key no longer than that.
_LOCK_SECONDS: Final = 30.0
# Waiters poll: Redis has no "wait for key" that survives a failover, and 20 ms is far below an
# AssumeRole's latency.
_POLL_SECONDS: Final = 0.02


@dataclass(frozen=True, slots=True)
class Material:
    """One AssumeRole result and the instants the cache derives from it (clock seconds)."""

    access_key: str = field(repr=False)
    secret_key: str = field(repr=False)
    token: str = field(repr=False)
    issued_at: float  # when the AssumeRole that produced it started
    expiry: float
    # Both bounds are inclusive, as botocore's refresh_needed is: at exactly refresh_at the
    # credentials are still fresh, and at exactly serve_until they still have the full margin.
    refresh_at: float  # fresh until here: min(issued + ttl, expiry - margin) - jitter
    serve_until: float  # expiry - margin: never handed out past this, even during an outage

    def stored(self) -> StoredCredentials:
        return StoredCredentials(
            access_key=self.access_key,
            secret_key=self.secret_key,
            token=self.token,
            issued_at=self.issued_at,
            expiry=self.expiry,
        )


class _StoreDown(Exception):
    """The store failed mid-conversation (already counted and logged): fall back to STS."""


class FleetLevel:
    """A cache's shared second level. ``assume`` calls STS (the cache's ``_assume``);
    ``material`` derives this process's instants, jitter included, from a stored entry."""

    def __init__(
        self,
        store: CredentialStore,
        *,
        stats: Stats,
        clock: Callable[[], float],
        assume: Callable[[AssumeRoleSpec], Material],
        material: Callable[[StoredCredentials], Material],
        wait_seconds: float,
        retry_seconds: float,
    ) -> None:
        self.store = store
        self.stats = stats
        self._clock = clock
        self._assume = assume
        self._material = material
        self._wait = wait_seconds
        self._retry = retry_seconds
        # Monotonic, not the credential clock: this is about a network dependency's health.
        self._down_until = -math.inf

    def fetch(self, spec: AssumeRoleSpec, key: str) -> Material:
        """Fresh material for ``spec`` from the store, or from STS (then written to the store).

        The cache calls this holding the key's process lock, so each process has at most one
        store conversation per key at a time. Exceptions are STS's; the store's are absorbed.
        """
        if time.monotonic() < self._down_until:
            self.stats.incr("store.skipped")
            return self._assume(spec)
        deadline: float | None = None
        try:
            while True:
                material = self._read(key, spec)
                if material is not None:
                    return material
                lock = self.store.lock(key, _LOCK_SECONDS)
                if lock is not None:
                    return self._assume_and_put(lock, key, spec)
                # Another process is calling STS for this key: wait for its result rather than
                # add a second call, but not for ever: a holder that died or hangs costs one
                # extra AssumeRole after wait_seconds, never a failed request.
                now = time.monotonic()
                if deadline is None:
                    self.stats.incr("store.wait")
                    deadline = now + self._wait
                elif now >= deadline:
                    self.stats.incr("store.wait_timeout")
                    emit(
                        "store.wait_timeout",
                        logging.WARNING,
                        role_arn=spec.role_arn,
                        session=spec.role_session_name,
                        waited_s=self._wait,
                    )
                    return self._assume(spec)
                time.sleep(_POLL_SECONDS)
        except _StoreDown:
            return self._assume(spec)

    def delete(self, key: str, spec: AssumeRoleSpec) -> None:
        try:
            self.store.delete(key)
        except Exception as exc:
            self._failed(exc, spec)

    def _read(self, key: str, spec: AssumeRoleSpec) -> Material | None:
        try:
            stored = self.store.get(key)
        except StoreEntryUnreadable as exc:
            # A miss, not an outage: the STS call that follows overwrites the entry.
            self.stats.incr("store.unreadable")
            emit("store.unreadable", logging.WARNING, role_arn=spec.role_arn, error=str(exc))
            return None
        except Exception as exc:
            self._failed(exc, spec)
            raise _StoreDown from exc
        if stored is None:
            self.stats.incr("store.miss")
            return None
        material = self._material(stored)
        if self._clock() > material.refresh_at:
            # Due for refresh by this process's clock and jitter: refresh it for the fleet.
            self.stats.incr("store.miss")
            return None
        self.stats.incr("store.hit")
        emit("store.hit", role_arn=spec.role_arn, session=spec.role_session_name)
        return material

    def _assume_and_put(self, lock: StoreLock, key: str, spec: AssumeRoleSpec) -> Material:
        try:
            # The holder before us may have written between our read and our lock.
            material = self._read(key, spec)
            if material is not None:
                return material
            material = self._assume(spec)
            try:
                # Kept until expiry - margin: exactly as long as any process may hand it out.
                # Past its refresh point it still serves processes whose jittered point falls
                # later, and every process during an STS outage.
                self.store.put(key, material.stored(), material.serve_until - self._clock())
                self.stats.incr("store.put")
            except Exception as exc:
                self._failed(exc, spec)
            return material
        finally:
            try:
                lock.release()
            except Exception as exc:
                self._failed(exc, spec)

    def _failed(self, exc: Exception, spec: AssumeRoleSpec) -> None:
        self.stats.incr("store.errors")
        self._down_until = time.monotonic() + self._retry
        # The exception's type and text name the connection at most: stores never put the
        # credentials they carry into errors (StoredCredentials hides them from repr).
        emit(
            "store.unavailable",
            logging.WARNING,
            role_arn=spec.role_arn,
            error=f"{type(exc).__name__}: {exc}",
            skip_for_s=self._retry,
        )
