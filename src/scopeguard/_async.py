"""Async clients: the same scopes and guard for aiobotocore, one pool of clients per event loop.

``await factory.tenant("acme").async_client("dynamodb")`` (or ``async with ... as ddb``) returns a
per-scope instance of a shared aiobotocore client, exactly as ``client()`` does for botocore: the
guard hooks are the same functions, registered on the shared client's event system (aiobotocore's
emitter awaits async handlers and calls sync ones), and the active scope lives in the same context
variable, which asyncio copies into every task.

What differs, and why:

* aiobotocore clients own an aiohttp connection pool bound to the event loop that opened it, so
  the shared clients are kept per running loop. ``await factory.aclose()`` closes the running
  loop's clients (call it at shutdown, or use ``async with factory:``).
* Credentials come from the same places as for sync clients (the base session, the operator
  credential cache, scoped credentials), behind an adapter that refreshes them in a worker thread:
  an STS call must not block the event loop for 200-500 ms. Scopes with credentials of their own
  share one client per service and sign each request with the calling scope's keys, as sync
  clients do.
* A shared client dropped by ``invalidate()`` or by the size bound is retired, not closed: tasks
  may still be awaiting it. Retired clients close after ``RETIRE_GRACE_SECONDS`` or at
  ``aclose()``.
"""

from __future__ import annotations

import asyncio
import functools
import weakref
from collections.abc import Generator, Hashable
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from cachetools import LRUCache

from ._exceptions import ConfigurationError
from ._naming import ScopeRef
from ._observe import emit

if TYPE_CHECKING:
    from botocore.credentials import Credentials, ReadOnlyCredentials

    from ._factory import ClientFactory

__all__ = ["AsyncClientRequest", "RETIRE_GRACE_SECONDS", "aclose", "scoped_async_client"]

RETIRE_GRACE_SECONDS: Final = 300.0
"""How long a retired shared client stays open for requests already in flight on it."""

_INSTALL_HINT: Final = (
    "async clients need aiobotocore: pip install 'scopeguard[async]' (aiobotocore pins the "
    "botocore versions it supports, so pip may move boto3/botocore to match)"
)


# The client class a request gives: ScopedAsyncDynamoDBClient[TenantScope] for the typed overloads
# of Scope.async_client, Any for the str fallback. Covariant: a request is only read from.
_ClientT_co = TypeVar("_ClientT_co", covariant=True)


def _aiobotocore() -> Any:
    try:
        import aiobotocore.session
    except ImportError:
        raise ConfigurationError(_INSTALL_HINT) from None
    return aiobotocore.session


class AsyncClientRequest(Generic[_ClientT_co]):
    """What ``handle.async_client(...)`` returns: await it, or use it with ``async with``.

    Both give the same shared, guarded client, typed per service (``scopeguard.typing``).
    Leaving the ``async with`` block does not close it: the factory owns the connection pool and
    closes it at ``aclose()``.
    """

    __slots__ = ("_factory", "_options", "_scope", "_service")

    def __init__(self, factory: ClientFactory, scope: ScopeRef, service_name: str,
                 options: dict[str, Any]) -> None:
        self._factory = factory
        self._scope = scope
        self._service = service_name
        self._options = options

    def __await__(self) -> Generator[Any, None, _ClientT_co]:
        return scoped_async_client(self._factory, self._scope, self._service,
                                   self._options).__await__()

    async def __aenter__(self) -> _ClientT_co:
        return await self

    async def __aexit__(self, *exc: object) -> None:
        return None


class _SyncBackedCredentials:
    """aiobotocore credentials in front of botocore ones (static, or refreshable from the
    credential cache). The refresh, which may call STS, runs in a worker thread."""

    method = "scopeguard"

    def __init__(self, sync: Credentials) -> None:
        self._sync = sync
        # Built in a worker thread, so this first (possibly blocking) resolution is off the loop.
        self._frozen: ReadOnlyCredentials = sync.get_frozen_credentials()

    async def get_frozen_credentials(self) -> ReadOnlyCredentials:
        refresh_needed = getattr(self._sync, "refresh_needed", None)
        if refresh_needed is not None and refresh_needed():
            self._frozen = await asyncio.to_thread(self._sync.get_frozen_credentials)
        else:
            self._frozen = self._sync.get_frozen_credentials()
        return self._frozen

    # Read by endpoint resolution (account-based endpoints) before signing: the last frozen
    # value is current enough, an account ID does not change on refresh.
    def get_account_id(self) -> str | None:
        return getattr(self._frozen, "account_id", None)

    @property
    def account_id(self) -> str | None:
        return self.get_account_id()

    def get_deferred_property(self, name: str) -> Any:
        return lambda: getattr(self, name)

    @property
    def access_key(self) -> str | None:
        return self._frozen.access_key

    @property
    def secret_key(self) -> str | None:
        return self._frozen.secret_key

    @property
    def token(self) -> str | None:
        return self._frozen.token


class _ActiveScopeAsyncCredentials:
    """``_sessions.ActiveScopeCredentials`` for aiobotocore: the credentials of an async client
    shared by every scope with credentials of its own (tenants and capsules on
    ``scoped_credentials``). Each request signs with the keys of the scope the guard has just
    checked, read from the same context variable (asyncio copies it into every task); outside
    a scope's call there is no key and signing fails closed. A lookup that may call STS (a
    refresh, or a scope whose credential the cache dropped) runs in a worker thread."""

    method = "scopeguard-active-scope"

    def __init__(self, factory: ClientFactory, account_id: str) -> None:
        self._factory = factory
        self.account_id = account_id

    async def get_frozen_credentials(self) -> ReadOnlyCredentials:
        from ._exceptions import CredentialError
        from ._guard.hooks import _ACTIVE

        call = _ACTIVE.get()
        if call is None:
            raise CredentialError(
                "this client signs with the credentials of the scope calling it, and no scope "
                "is calling: use the client a scope handle returned, e.g. "
                "await factory.tenant(t).async_client(...)"
            )
        scope = call.guard.scope
        credentials = self._factory._cached_scope_credentials(scope)
        if credentials is None or credentials.refresh_needed():
            return await asyncio.to_thread(
                lambda: self._factory._scope_credentials(scope).get_frozen_credentials())
        frozen: ReadOnlyCredentials = credentials.get_frozen_credentials()
        return frozen

    def get_account_id(self) -> str:
        return self.account_id

    def get_deferred_property(self, name: str) -> Any:
        return lambda: getattr(self, name)


class _LoopClients:
    """The async clients of one factory on one event loop."""

    def __init__(self, factory: ClientFactory) -> None:
        self.building: dict[Hashable, asyncio.Lock] = {}
        self.generation = factory._generation
        self.shared: LRUCache[Hashable, Any] = LRUCache(factory._shared.maxsize)
        self.scoped: LRUCache[Hashable, Any] = LRUCache(factory._scoped.maxsize)
        self.sessions: dict[Hashable, Any] = {}
        self.retired: dict[int, tuple[Any, asyncio.TimerHandle | None]] = {}
        self.closing: set[asyncio.Task[None]] = set()

    def retire(self, client: Any) -> None:
        loop = asyncio.get_running_loop()
        handle = loop.call_later(RETIRE_GRACE_SECONDS, self._close_retired, id(client))
        self.retired[id(client)] = (client, handle)

    def retire_all(self) -> None:
        for client in self.shared.values():
            self.retire(client)
        self.shared.clear()
        self.scoped.clear()
        self.sessions.clear()

    def _close_retired(self, key: int) -> None:
        entry = self.retired.pop(key, None)
        if entry is not None:
            task = asyncio.get_running_loop().create_task(_close(entry[0]))
            self.closing.add(task)
            task.add_done_callback(self.closing.discard)


def _state(factory: ClientFactory) -> _LoopClients:
    loop = asyncio.get_running_loop()
    with factory._lock:
        registry: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _LoopClients] | None
        registry = factory._async_loops
        if registry is None:
            registry = factory._async_loops = weakref.WeakKeyDictionary()
        state = registry.get(loop)
        if state is None:
            state = registry[loop] = _LoopClients(factory)
    if state.generation != factory._generation:
        # invalidate() ran since these were built: rebuild everything, in-flight calls finish.
        state.retire_all()
        state.generation = factory._generation
    return state


async def scoped_async_client(factory: ClientFactory, scope: ScopeRef, service_name: str,
                              options: dict[str, Any]) -> Any:
    """The guarded aiobotocore client of ``scope`` for the running event loop."""
    from ._factory import _options_key
    from ._scoped_client import _scoped_instance

    state = _state(factory)
    key = (scope, service_name, _options_key(options))
    client = state.scoped.get(key)
    if client is not None:
        factory._stats.incr("async.scoped.hit")
        return client
    session_module = _aiobotocore()
    region, config_key, create_options = factory._client_options(service_name, options)
    identity = factory._identity(scope, service_name)
    if identity[1] == "scoped-credentials":
        # Assume the scope's role now, off the loop (a refused role fails here, not on the
        # first request); then share one client per service with every such scope, as sync
        # clients do: each request signs with the calling scope's keys.
        await asyncio.to_thread(factory._scope_credentials, scope)
        identity = ("*", "scoped-credentials")
    shared_key = (identity, service_name, region, config_key)
    shared = state.shared.get(shared_key)
    if shared is None:
        # One lock per client being built, not per loop: fifty operator accounts gathered at
        # start-up assume their roles in parallel, while fifty tasks of one scope build one client.
        lock = state.building.get(shared_key)
        if lock is None:
            lock = state.building[shared_key] = asyncio.Lock()
        async with lock:
            shared = state.shared.get(shared_key)
            if shared is None:
                generation = factory._generation
                shared = await _create_shared(factory, state, session_module, scope, identity,
                                              service_name, create_options)
                if state.building.get(shared_key) is lock:
                    del state.building[shared_key]
                if generation != factory._generation:
                    # invalidate() ran while this client was being built (its credentials may
                    # be the ones just invalidated): serve this call, cache nothing.
                    state.retire(shared)
                    return _scoped_instance(shared, factory._guard(scope))
                if len(state.shared) >= state.shared.maxsize:
                    _, evicted = state.shared.popitem()
                    state.retire(evicted)
                state.shared[shared_key] = shared
    if scope.kind != "operator" and factory._account_id is None:
        # The guard reads the account lazily from a sync hook; resolve it here, off the loop.
        await asyncio.to_thread(factory._own_account)
    client = state.scoped.get(key)
    if client is None:
        factory._stats.incr("async.scoped.miss")
        client = state.scoped[key] = _scoped_instance(shared, factory._guard(scope))
    return client


async def _create_shared(factory: ClientFactory, state: _LoopClients, session_module: Any,
                         scope: ScopeRef, identity: tuple[str, str], service_name: str,
                         create_options: dict[str, Any]) -> Any:
    from ._sessions import _derived_session
    from ._guard import SERVICE_RULES, install_hooks

    session = state.sessions.get(identity)
    if session is None:
        credentials: Any
        if identity == ("*", "scoped-credentials"):
            role_account = await asyncio.to_thread(factory._scoped_role_account)
            credentials = _ActiveScopeAsyncCredentials(factory, role_account)
        else:
            sync = await asyncio.to_thread(factory._sync_credentials, scope)
            credentials = await asyncio.to_thread(_SyncBackedCredentials, sync)
        session = _derived_session(factory._session._session, lambda: None,
                                   session_cls=session_module.AioSession)
        # AioSession.get_credentials() returns this object as is once set.
        session._credentials = credentials
        state.sessions[identity] = session
    client = await session.create_client(service_name, **create_options).__aenter__()
    install_hooks(client, SERVICE_RULES.get(service_name), factory._on_refusal,
                  recheck_serialized=factory.recheck_serialized)
    factory._stats.incr("async.clients.created")
    emit("client.created", service=service_name, region=create_options["region_name"],
         credentials=identity[0], mode="async")
    return client


async def _close(client: Any) -> None:
    # Shared clients only (per-scope instances make __aexit__ a no-op): exits the HTTP session
    # that create_client().__aenter__() entered.
    await client.__aexit__(None, None, None)


async def aclose(factory: ClientFactory) -> None:
    """Close every async client ``factory`` opened on the running loop (shared and retired)."""
    registry = factory._async_loops
    if registry is None:
        return
    with factory._lock:
        state = registry.pop(asyncio.get_running_loop(), None)
    if state is None:
        return
    clients = list(state.shared.values())
    for client, handle in state.retired.values():
        if handle is not None:
            handle.cancel()
        clients.append(client)
    state.shared.clear()
    state.scoped.clear()
    state.retired.clear()
    await asyncio.gather(*(_close(client) for client in clients), *state.closing)
    emit("async.closed", clients=len(clients))


def async_scoped_namespace(base: type) -> dict[str, Any]:
    """Methods of the per-scope subclass of an aiobotocore client class: the sync versions'
    counterparts, awaiting inside the scope so the guard hooks see it."""
    from ._guard import enter, leave, private_arguments
    from ._guard.hooks import _ACTIVE as active
    from ._guard.hooks import _Call as Call

    from botocore.exceptions import ClientError

    from ._scoped_client import note_physical_names

    async def _make_api_call(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        # enter() inlined: the per-call hot path.
        token = active.set(Call(self._scopeguard))
        try:
            return await base._make_api_call(  # type: ignore[attr-defined]
                self, operation_name, api_params)
        except ClientError as exc:
            note_physical_names(exc, self, api_params)
            raise
        finally:
            active.reset(token)

    def presign_wrapper(original: Any) -> Any:
        @functools.wraps(original)
        async def presign(self: Any, *args: Any, **kwargs: Any) -> Any:
            args, kwargs = private_arguments(self._scopeguard, args, kwargs)
            token = enter(self._scopeguard)
            try:
                return await original(self, *args, **kwargs)
            finally:
                leave(token)
        return presign

    def local_token(original: Any) -> Any:
        import inspect

        from ._guard import enter_local
        from ._scoped_client import _local_token

        if not inspect.iscoroutinefunction(original):
            return _local_token(original)

        @functools.wraps(original)
        async def token(self: Any, *args: Any, **kwargs: Any) -> Any:
            entered = enter_local(self._scopeguard, original.__name__)
            try:
                return await original(self, *args, **kwargs)
            finally:
                leave(entered)
        return token

    async def __aenter__(self: Any) -> Any:
        return self

    async def __aexit__(self: Any, *exc: object) -> None:
        # The connection pool is shared with every scope on this loop: the factory closes it.
        return None

    async def close(self: Any) -> None:
        """No-op: the factory owns the shared connection pool (``await factory.aclose()``)."""

    namespace: dict[str, Any] = {"_make_api_call": _make_api_call, "__aenter__": __aenter__,
                                 "__aexit__": __aexit__, "close": close}
    for name in ("generate_presigned_url", "generate_presigned_post"):
        original = getattr(base, name, None)
        if original is not None:
            namespace[name] = presign_wrapper(original)
    from ._scoped_client import LOCAL_TOKEN_METHODS

    for name in LOCAL_TOKEN_METHODS:
        original = getattr(base, name, None)
        if original is not None:
            namespace[name] = local_token(original)
    return namespace
