"""The fleet's credential store on Redis (or Valkey, or ElastiCache): ``RedisCredentialStore``.

Entries are sealed with AES-GCM (``cryptography``'s AEAD) under a key the application provides,
with the Redis key as associated data: an entry read from Redis is either exactly what some
process with the same key wrote under that name, or ``StoreEntryUnreadable``. Redis, its
backups and anyone who can ``MONITOR`` it see ciphertext, a 96-bit nonce and a TTL.

The lock is redis-py's ``Lock``: ``SET name token NX PX timeout`` to take it, and a Lua
compare-and-delete to release only one's own token, so a holder that outlived its timeout never
releases its successor's lock.

``redis`` and ``cryptography`` are the ``scopeguard[redis]`` extra, imported when a store is
built: ``import scopeguard`` loads neither.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import TYPE_CHECKING, Any, Final

from .._exceptions import ConfigurationError, StoreEntryUnreadable
from ._store import StoredCredentials, StoreLock

if TYPE_CHECKING:
    import redis

__all__ = ["RedisCredentialStore"]

_FORMAT: Final = 1
_NONCE_BYTES: Final = 12  # AES-GCM's standard nonce; random per write (2^-32 after 2^32 writes)
_KEY_SIZES: Final = (16, 24, 32)


class RedisCredentialStore:
    """``CredentialStore`` on Redis, shared by every process of a fleet. Lives as long as the
    application (one per process, passed to ``ClientFactory(credential_store=...)``).

    ``client`` is a ``redis.Redis`` (or ``redis.cluster.RedisCluster``) the application
    configures; give it short socket timeouts (``from_url`` sets 0.25 s): a slow Redis is treated
    as a down one, and the cache falls back to STS. ``encryption_key`` is 16, 24 or 32 random
    bytes (AES-128/192/256), the same on every process of the fleet, e.g. from a secret manager;
    it is never logged or shown in ``repr``. Rotating it makes existing entries unreadable: each
    is replaced by one STS call. ``namespace`` prefixes every Redis key; give each base identity
    (each application role) its own, since entries are only as trustworthy as the processes
    that can write them.
    """

    def __init__(
        self, client: redis.Redis, encryption_key: bytes, *, namespace: str = "scopeguard"
    ) -> None:
        try:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        except ImportError:  # pragma: no cover - depends on the environment
            raise ConfigurationError(
                'RedisCredentialStore needs the redis extra: pip install "scopeguard[redis]"'
            ) from None
        if not isinstance(encryption_key, bytes) or len(encryption_key) not in _KEY_SIZES:
            # Say nothing about the value: it is a secret, even when it is a wrong one.
            raise ConfigurationError(
                "encryption_key must be 16, 24 or 32 random bytes (e.g. os.urandom(32) kept in "
                "a secret manager, identical on every process of the fleet)"
            )
        if not namespace or any(c.isspace() for c in namespace):
            raise ConfigurationError(f"namespace {namespace!r} must be non-empty, no whitespace")
        self._client = client
        self._aead = AESGCM(encryption_key)
        # Entries written under another key land under other names instead of being fought
        # over: two deployments mid-rotation each keep their own entries.
        key_id = hmac.new(encryption_key, b"scopeguard-credential-store", hashlib.sha256)
        self._prefix = f"{namespace}:credentials:{key_id.hexdigest()[:16]}:"
        self._lock_prefix = f"{namespace}:credentials-lock:"

    @classmethod
    def from_url(
        cls,
        url: str,
        encryption_key: bytes,
        *,
        namespace: str = "scopeguard",
        timeout_seconds: float = 0.25,
    ) -> RedisCredentialStore:
        """A store on ``redis://`` / ``rediss://`` ``url`` with ``timeout_seconds`` to connect
        and per command, and no command retries: during an outage each miss costs one timeout,
        then STS."""
        try:
            import redis
            from redis.backoff import NoBackoff
            from redis.retry import Retry
        except ImportError:  # pragma: no cover - depends on the environment
            raise ConfigurationError(
                'RedisCredentialStore needs the redis extra: pip install "scopeguard[redis]"'
            ) from None
        client = redis.Redis.from_url(
            url,
            socket_timeout=timeout_seconds,
            socket_connect_timeout=timeout_seconds,
            # No retries: a retried timeout doubles the wait, and STS is the fallback anyway.
            retry=Retry(NoBackoff(), 0),
        )
        return cls(client, encryption_key, namespace=namespace)

    def get(self, key: str) -> StoredCredentials | None:
        name = self._prefix + key
        blob = self._client.get(name)
        if blob is None:
            return None
        if not isinstance(blob, bytes):
            raise StoreEntryUnreadable(
                f"credential store entry {name} cannot be read: the Redis client decodes "
                "responses; build it without decode_responses=True"
            )
        return self._open(name, blob)

    def put(self, key: str, credentials: StoredCredentials, ttl_seconds: float) -> None:
        name = self._prefix + key
        self._client.set(name, self._seal(name, credentials), px=max(1, int(ttl_seconds * 1000)))

    def delete(self, key: str) -> None:
        self._client.delete(self._prefix + key)

    def lock(self, key: str, ttl_seconds: float) -> StoreLock | None:
        # thread_local=False: the token lives on the lock object, which the cache releases from
        # the thread that took it anyway; nothing is gained from thread-local storage.
        lock = self._client.lock(
            self._lock_prefix + key, timeout=ttl_seconds, blocking=False, thread_local=False
        )
        return _RedisLock(lock) if lock.acquire(blocking=False) else None

    def __repr__(self) -> str:
        return f"<RedisCredentialStore {self._prefix}*>"

    # -- sealing --------------------------------------------------------------------------------

    def _seal(self, name: str, c: StoredCredentials) -> bytes:
        payload = json.dumps(
            {
                "v": _FORMAT,
                "ak": c.access_key,
                "sk": c.secret_key,
                "st": c.token,
                "iat": c.issued_at,
                "exp": c.expiry,
            },
            separators=(",", ":"),
        ).encode()
        nonce = os.urandom(_NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, payload, name.encode())

    def _open(self, name: str, blob: bytes) -> StoredCredentials:
        from cryptography.exceptions import InvalidTag

        # The message names the entry by its hashed key only; never the bytes that were read.
        what = f"credential store entry {name} cannot be read"
        if len(blob) <= _NONCE_BYTES:
            raise StoreEntryUnreadable(f"{what}: truncated")
        try:
            payload = self._aead.decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], name.encode())
        except InvalidTag:
            raise StoreEntryUnreadable(
                f"{what}: authentication failed (corrupted, or written under another key)"
            ) from None
        try:
            data: dict[str, Any] = json.loads(payload)
            if data.get("v") != _FORMAT:
                raise ValueError("unknown format")
            return StoredCredentials(
                access_key=_text(data["ak"]),
                secret_key=_text(data["sk"]),
                token=_text(data["st"]),
                issued_at=float(data["iat"]),
                expiry=float(data["exp"]),
            )
        except (ValueError, KeyError, TypeError):
            raise StoreEntryUnreadable(f"{what}: unknown payload format") from None


def _text(value: object) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError("not a string")
    return value


class _RedisLock:
    __slots__ = ("_lock",)

    def __init__(self, lock: Any) -> None:
        self._lock = lock

    def release(self) -> None:
        from redis.exceptions import LockError

        try:
            self._lock.release()
        except LockError:
            # Expired and perhaps taken by another process: its lock, not ours to drop.
            pass
