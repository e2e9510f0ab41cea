"""Credentials: the process cache of assumed-role credentials and the stores behind it.

``_cache`` is the ``CredentialCache`` (one per factory); ``_fleet`` its conversation with a
shared store on a process miss; ``_store`` the ``CredentialStore`` protocol and its in-memory
implementation; ``_redis`` the fleet's store on Redis.
"""

from ._cache import CredentialCache
from ._store import CredentialStore, MemoryCredentialStore, StoredCredentials, store_key

__all__ = [
    "CredentialCache",
    "CredentialStore",
    "MemoryCredentialStore",
    "StoredCredentials",
    "store_key",
]
