"""The ClientFactory: one per application, hands out guarded clients per scope.

Cost model (see benchmarks/): a botocore client costs ~3 ms and ~260 KB, so clients are shared per
(credentials, service, region, config) and every scope gets a thin per-scope instance of the shared
client's class (a copied attribute dict plus its guard). The guard hooks on the shared client read
the active scope from a context variable that only those per-scope instances set.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections.abc import Awaitable, Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any, Final, TypeVar
from urllib.parse import urlsplit

from cachetools import LRUCache

from ._assume_role import OperatorSettings
from ._exceptions import ConfigurationError, ScopeguardError, ScopeViolation
from ._naming import DEFAULT_POLICY, NamingPolicy, ScopeRef
from ._observe import Stats, emit
from ._scope import CapsuleScope, OperatorScope, PlatformScope, TenantScope
from ._scoped_client import _scoped_instance

if TYPE_CHECKING:
    import boto3

    from ._credentials import CredentialCache, CredentialStore
    from ._fanout import AccountResult
    from ._guard import ScopeGuard
    from ._policy import TenantRoleSettings

__all__ = ["ENDPOINT_ENV", "ClientFactory"]

T = TypeVar("T")

ENDPOINT_ENV: Final = "SCOPEGUARD_ENDPOINT_URL"
"""Environment variable read when ``endpoint_url`` is not given (moto server, LocalStack)."""

_CLIENT_OPTIONS: Final = frozenset({"region_name", "config", "api_version", "use_ssl", "verify"})
_FACTORIES: weakref.WeakSet[ClientFactory] = weakref.WeakSet()


def _after_fork_in_child() -> None:
    # A child must not reuse the parent's HTTP pools (shared sockets interleave bytes), nor locks
    # that another parent thread held at fork time. Dropping every cache is cheap and correct.
    for factory in list(_FACTORIES):
        factory._reset_after_fork()


def _forget_parent_connections(http_session: Any) -> None:
    """Give a botocore HTTP session new, empty connection pools in a forked child.

    Clearing the caches is not enough: a scope handle taken before the fork (a module-level
    ``ddb = factory.tenant(t).client(...)``, an app preloaded before its workers fork) keeps
    the shared client, and its pool holds keep-alive sockets the parent (and every sibling)
    still sends on. Two processes on one connection read each other's responses: one
    tenant's items answered to another's call. The old pools are dropped without being
    closed (their locks may have been held by a parent thread at fork time; the sockets stay
    the parent's)."""
    manager = getattr(http_session, "_manager", None)
    pool_kwargs = getattr(http_session, "_get_pool_manager_kwargs", None)
    if manager is None or pool_kwargs is None:
        # Not the botocore urllib3 session this knows how to renew (another botocore release,
        # or a custom session): it may not send at all in the child, rather than send on the
        # parent's sockets.
        def refuse(*_: Any, **__: Any) -> Any:
            raise ScopeguardError(
                "this client was created before os.fork() and its connections cannot be "
                "renewed in the child process; take a new handle from the factory after the "
                "fork (factory.tenant(...).client(...))")

        http_session.send = refuse
        return
    from urllib3 import PoolManager

    fresh = PoolManager(**pool_kwargs())
    fresh.pool_classes_by_scheme = manager.pool_classes_by_scheme
    http_session._manager = fresh
    http_session._proxy_managers = {}


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


class _CountingLRU(LRUCache[Hashable, Any]):
    def __init__(self, maxsize: int, stats: Stats, name: str) -> None:
        super().__init__(maxsize)
        self._stats, self._name = stats, name

    def popitem(self) -> tuple[Hashable, Any]:
        key, value = super().popitem()
        self._stats.incr(f"{self._name}.evicted")
        emit("cache.evicted", cache=self._name)
        return key, value


class ClientFactory:
    """Hands out guarded boto3 clients per scope. Lives as long as the application.

    Create one at the composition root and inject it wherever AWS is used::

        factory = ClientFactory(session=boto3.Session(region_name="eu-west-1"))
        factory.tenant("acme").client("dynamodb")

    ``session`` is never ``boto3.DEFAULT_SESSION``: pass yours, or a new one is made.
    ``endpoint_url`` (or ``$SCOPEGUARD_ENDPOINT_URL``) pins every client to one endpoint, e.g. a
    moto server or LocalStack; ``AWS_ENDPOINT_URL*`` variables are ignored either way.
    ``account_id`` is the account tenant/platform resources live in; if omitted it is read once
    from STS when a request first carries an ARN or queue URL.
    ``scoped_credentials`` (opt-in) makes tenant and capsule scopes run on their own assumed-role
    credentials, whose session policy is generated from the same naming policy the guard
    enforces: IAM then denies what the guard denies even if the guard is bypassed. Such scopes
    share botocore clients, each call signing with its own scope's keys (see
    docs/scoped-credentials.md).
    ``recheck_serialized`` re-runs the checks at signing time on the request as serialised (JSON
    bodies and targets; S3, SNS and Lambda URLs, headers and bodies read back as the service
    will read them): 6-17 µs per call, see benchmarks/README.md. Turn it off only where
    benchmarks say you must; the parameter-time guard and the host check stay on.
    ``credential_store`` shares assumed-role credentials (operator and scoped) across the
    processes of a fleet, e.g. ``RedisCredentialStore``: one AssumeRole per role and session
    policy per refresh window for the whole fleet; without it each process has its own cache.
    """

    def __init__(
        self,
        session: boto3.Session | None = None,
        *,
        endpoint_url: str | None = None,
        naming: NamingPolicy = DEFAULT_POLICY,
        operator: OperatorSettings | None = None,
        account_id: str | None = None,
        partition: str = "aws",
        max_scoped_clients: int = 100_000,
        max_shared_clients: int = 512,
        scoped_credentials: TenantRoleSettings | None = None,
        recheck_serialized: bool = True,
        credential_store: CredentialStore | None = None,
    ) -> None:
        if session is None:
            import boto3

            session = boto3.Session()
        if not isinstance(naming, NamingPolicy):
            raise ConfigurationError("naming must be a scopeguard.NamingPolicy")
        if account_id is not None:
            naming.account(account_id)
        self._session = session
        self.endpoint_url = (endpoint_url if endpoint_url is not None
                             else os.environ.get(ENDPOINT_ENV))
        if self.endpoint_url is not None:
            parts = urlsplit(self.endpoint_url)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ConfigurationError(
                    f"endpoint_url {self.endpoint_url!r} must be an http(s) URL like "
                    "http://127.0.0.1:5000"
                )
        self._pinned_host = urlsplit(self.endpoint_url).netloc if self.endpoint_url else None
        self.naming = naming
        self.operator_settings = operator or OperatorSettings()
        self.partition = partition
        self._account_id = account_id
        self._stats = Stats()
        self._lock = threading.RLock()
        self._shared: _CountingLRU = _CountingLRU(max_shared_clients, self._stats, "shared")
        self._scoped: _CountingLRU = _CountingLRU(max_scoped_clients, self._stats, "scoped")
        self._guards: _CountingLRU = _CountingLRU(max_scoped_clients, self._stats, "guards")
        # The HTTP sessions of every shared client still alive, evicted ones included: scope
        # handles taken before a fork hold them, and the child must not send on their sockets.
        self._http_sessions: weakref.WeakSet[Any] = weakref.WeakSet()
        self._prepared: dict[Hashable, tuple[str, Hashable, dict[str, Any]]] = {}
        self._credential_cache: CredentialCache | None = None
        # One derived botocore session per operator role and per vended scope: bounded like the
        # clients built on them, so 100,000 tenants do not keep 100,000 sessions alive.
        self._operator_sessions: _CountingLRU = _CountingLRU(max_shared_clients, self._stats,
                                                             "sessions")
        self.scoped_credentials = scoped_credentials
        self.credential_store = credential_store
        # Each scoped tenant's or capsule's credentials, read on every request it signs (see
        # _sessions.ActiveScopeCredentials); bounded like the per-scope clients that use them.
        self._scope_creds: _CountingLRU = _CountingLRU(max_scoped_clients, self._stats,
                                                       "scope_credentials")
        # Its own lock, held for dictionary operations only: signing must never wait behind the
        # factory lock, which is held while a new scope's role is assumed.
        self._scope_creds_lock = threading.Lock()
        self.recheck_serialized = recheck_serialized
        self._scoped_checked = False
        # Async clients, per event loop (scopeguard._async); rebuilt when the generation moves.
        self._async_loops: Any = None
        self._generation = 0
        if scoped_credentials is not None and account_id is not None:
            self._scoped_checked = True
            from ._policy import check_scoped_credentials

            # Fail at start-up, not on the first request of the tenant with the longest ID.
            check_scoped_credentials(scoped_credentials, naming, account_id=account_id,
                                     partition=partition)
        _FACTORIES.add(self)

    # -- scope handles ----------------------------------------------------------------------

    def platform(self) -> PlatformScope:
        """Shared infrastructure on the base session."""
        return PlatformScope(self, ScopeRef("platform"))

    def tenant(self, tenant_id: str) -> TenantScope:
        """One customer; raises ``InvalidScope`` unless ``tenant_id`` is canonical."""
        return TenantScope(self, self.naming.tenant(tenant_id))

    def capsule(self, capsule_code: str) -> CapsuleScope:
        """One SDLC environment (dev/staging/prod)."""
        return CapsuleScope(self, self.naming.capsule(capsule_code))

    def operator(self, account_id: str, role_name: str | None = None) -> OperatorScope:
        """Another account of the Organization, through a cached AssumeRole."""
        ref = self.naming.account(account_id)
        role = role_name or self.operator_settings.role_name
        return OperatorScope(self, ScopeRef("operator", ref.id, role))

    def for_each_account(
        self,
        fn: Callable[[OperatorScope], T],
        *,
        accounts: Iterable[str] | None = None,
        role_name: str | None = None,
        max_workers: int = 8,
        include_self: bool = False,
    ) -> list[AccountResult[T]]:
        """Run ``fn`` once per account of the Organization (or per given account) with bounded
        concurrency; each result holds a value or the error, and one failure never aborts the
        rest. See ``scopeguard._fanout``."""
        from ._fanout import fan_out

        return fan_out(self, fn, accounts=accounts, role_name=role_name,
                       max_workers=max_workers, include_self=include_self)

    async def async_for_each_account(
        self,
        fn: Callable[[OperatorScope], Awaitable[T]],
        *,
        accounts: Iterable[str] | None = None,
        role_name: str | None = None,
        max_concurrency: int = 8,
        include_self: bool = False,
    ) -> list[AccountResult[T]]:
        """``for_each_account`` for coroutines, on the running event loop: ``fn`` is awaited per
        account, at most ``max_concurrency`` at a time. See ``scopeguard._fanout``."""
        from ._fanout import async_fan_out

        return await async_fan_out(self, fn, accounts=accounts, role_name=role_name,
                                   max_concurrency=max_concurrency, include_self=include_self)

    # -- observability and lifecycle --------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """A snapshot of counters (clients built, cache hits/misses/evictions, refusals, STS
        calls) to export as metrics. Never contains a credential."""
        snapshot = self._stats.snapshot()
        snapshot["scoped.size"] = len(self._scoped)
        snapshot["shared.size"] = len(self._shared)
        return dict(sorted(snapshot.items()))

    def invalidate(
        self,
        *,
        tenant: str | None = None,
        capsule: str | None = None,
        account: str | None = None,
    ) -> None:
        """Drop cached clients (and, for ``account``, credentials) of one scope, or everything
        when called without arguments. The next request builds fresh ones."""
        targets: list[ScopeRef] = []
        if tenant is not None:
            targets.append(self.naming.tenant(tenant))
        if capsule is not None:
            targets.append(self.naming.capsule(capsule))
        with self._lock:
            # Async clients cannot be closed from here (they belong to their event loops): the
            # next acquisition on each loop sees the new generation and retires them.
            self._generation += 1
            if not targets and account is None:
                self._scoped.clear()
                self._guards.clear()
                self._shared.clear()
                self._operator_sessions.clear()
                with self._scope_creds_lock:
                    self._scope_creds.clear()
                if self._credential_cache is not None:
                    self._credential_cache.invalidate()
                emit("cache.invalidated", scope="all")
                return
            if account is not None:
                self.naming.account(account)
                for key in [k for k in self._shared if k[0][0] == account]:  # type: ignore[index]
                    del self._shared[key]
                for key in [k for k in self._operator_sessions
                            if k[0] == account]:  # type: ignore[index]
                    del self._operator_sessions[key]
                if self._credential_cache is not None:
                    self._credential_cache.invalidate(account)
            for target in targets:
                for key in [k for k in self._shared
                            if k[0] == (str(target), "scoped-credentials")]:  # type: ignore[index]
                    del self._shared[key]
                self._operator_sessions.pop((str(target), "scoped-credentials"), None)
                with self._scope_creds_lock:
                    self._scope_creds.pop(target, None)
            for key in [k for k in self._scoped
                        if _matches(k[0], targets, account)]:  # type: ignore[index]
                del self._scoped[key]
            for key in [k for k in self._guards if _matches(k, targets, account)]:
                del self._guards[key]
            emit("cache.invalidated", tenant=tenant, capsule=capsule, account=account)

    async def aclose(self) -> None:
        """Close the async clients this factory opened on the running event loop. Call it at
        shutdown (or use ``async with factory:``); sync clients need no closing."""
        from ._async import aclose

        await aclose(self)

    async def __aenter__(self) -> ClientFactory:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def _reset_after_fork(self) -> None:
        self._lock = threading.RLock()
        # The parent's event loops and their connections are not the child's.
        self._async_loops = None
        self._generation += 1
        for http_session in list(self._http_sessions):
            _forget_parent_connections(http_session)
        self._shared.clear()
        self._scoped.clear()
        self._guards.clear()
        self._operator_sessions.clear()
        self._scope_creds_lock = threading.Lock()
        self._scope_creds.clear()
        if self._credential_cache is not None:
            self._credential_cache = None

    # -- clients ----------------------------------------------------------------------------

    def _scoped_client(self, scope: ScopeRef, service_name: str, options: dict[str, Any]) -> Any:
        # Hot path: a cache hit must not build a Config or validate options again. The key uses
        # the options as given (repr, so an equal Config built per call still hits).
        fast_key = (scope, service_name, _options_key(options))
        with self._lock:
            client = self._scoped.get(fast_key)
            if client is not None:
                self._stats.incr("scoped.hit")
                return client
        prepared = self._prepared.get(fast_key[1:])
        if prepared is None:
            # Validating options and merging the pinned Config costs ~50 µs; once per
            # (service, options) is enough, not once per tenant.
            prepared = self._client_options(service_name, options)
            with self._lock:
                if len(self._prepared) < 1024:
                    self._prepared[fast_key[1:]] = prepared
        region, config_key, create_options = prepared
        if (self.scoped_credentials is not None and scope.kind in ("tenant", "capsule")
                and service_name in self.scoped_credentials.services):
            # A new scope's AssumeRole happens here, outside the factory lock: other scopes'
            # client lookups must not wait for STS.
            self._scope_credentials(scope)
        with self._lock:
            client = self._scoped.get(fast_key)
            if client is not None:
                return client
            self._stats.incr("scoped.miss")
            shared = self._shared_client(scope, service_name, region, config_key, create_options)
            client = _scoped_instance(shared, self._guard(scope))
            self._scoped[fast_key] = client
            return client

    def _scoped_resource(self, scope: ScopeRef, service_name: str, options: dict[str, Any]) -> Any:
        region, config_key, create_options = self._client_options(service_name, options)
        key = (scope, service_name, _options_key(options), "resource")
        with self._lock:
            resource = self._scoped.get(key)
            if resource is None:
                # boto3 builds resources around a client of its own; swap in a guarded one so
                # the resource API and every sub-resource it creates go through the guard. Not
                # the client API's shared client: DynamoDB resources register handlers on their
                # client's events that turn Python values into the wire format, which would
                # encode the client API's wire-format values a second time.
                shared = self._shared_client(scope, service_name, region, config_key,
                                             create_options, resource=True)
                session: Any = self._session  # service names are dynamic here
                resource = session.resource(service_name, **create_options)
                resource.meta.client = _scoped_instance(shared, self._guard(scope))
                self._scoped[key] = resource
            return resource

    def _client_options(
        self, service_name: str, options: dict[str, Any]
    ) -> tuple[str, Hashable, dict[str, Any]]:
        unknown = set(options) - _CLIENT_OPTIONS
        if unknown:
            raise ConfigurationError(
                f"client option(s) {', '.join(sorted(unknown))} are not accepted: credentials and "
                "endpoint_url are decided by the ClientFactory (use factory.operator() for another "
                f"account, ClientFactory(endpoint_url=...) for an emulator); allowed: "
                f"{', '.join(sorted(_CLIENT_OPTIONS))}"
            )
        region = options.get("region_name") or self._session.region_name
        if not region:
            raise ConfigurationError(
                f"no region for {service_name!r}: pass region_name=..., or give the factory's "
                "session a region (boto3.Session(region_name=...))"
            )
        from botocore.config import Config

        config = options.get("config")
        if config is not None and not isinstance(config, Config):
            raise ConfigurationError("config must be a botocore.config.Config")
        if config is not None:
            from botocore import UNSIGNED

            if getattr(config, "signature_version", None) is UNSIGNED:
                raise ConfigurationError("unsigned clients are not supported by scopeguard")
        # Pin the endpoint: AWS_ENDPOINT_URL* and config-file endpoints are ignored, so nothing in
        # the environment can redirect a scoped client.
        pinned = Config(ignore_configured_endpoint_urls=True)  # type: ignore[call-arg]
        merged = pinned if config is None else config.merge(pinned)
        provided: dict[str, Any] = getattr(merged, "_user_provided_options", {})
        config_key = tuple(sorted((k, repr(v)) for k, v in provided.items()))
        create = {k: v for k, v in options.items() if k not in ("region_name", "config")}
        create.update(region_name=region, config=merged, endpoint_url=self.endpoint_url)
        other = tuple(sorted((k, repr(v)) for k, v in create.items() if k != "config"))
        return region, (config_key, other), create

    def _shared_client(
        self,
        scope: ScopeRef,
        service_name: str,
        region: str,
        config_key: Hashable,
        create_options: dict[str, Any],
        resource: bool = False,
    ) -> Any:
        identity = self._identity(scope, service_name)
        if identity[1] == "scoped-credentials":
            # Assume the scope's role now, as building a client of its own did: a refused role
            # fails here, not on the first request.
            self._scope_credentials(scope)
            # Scopes that differ only in credentials share one botocore client per service,
            # which signs each call with the calling scope's keys: a new tenant costs an
            # AssumeRole and a per-scope instance, not a botocore session and client.
            identity = ("*", "scoped-credentials")
        key = (identity, service_name, region, config_key, resource)
        client = self._shared.get(key)
        if client is not None:
            return client
        if scope.kind == "operator":
            session = self._operator_session(scope)
            client = session.create_client(service_name, **create_options)
        elif identity[1] == "scoped-credentials":
            client = self._active_scope_session().create_client(service_name, **create_options)
        else:
            base: Any = self._session  # service names are dynamic here
            client = base.client(service_name, **create_options)
        from ._guard import SERVICE_RULES, dynamodb, install_hooks

        # Only DynamoDB's resources transform their input in the client's events.
        prepare = (dynamodb.resource_preparation(client)
                   if resource and service_name == "dynamodb" else None)
        install_hooks(client, SERVICE_RULES.get(service_name), self._on_refusal,
                      recheck_serialized=self.recheck_serialized, prepare=prepare)
        from ._otel import install_span_hook

        install_span_hook(client)
        self._http_sessions.add(client._endpoint.http_session)
        self._shared[key] = client
        self._stats.incr("clients.created")
        emit("client.created", service=service_name, region=region, credentials=identity[0],
             kind=scope.kind)
        return client

    def _identity(self, scope: ScopeRef, service_name: str) -> tuple[str, str]:
        """Whose credentials ``scope``'s clients sign with: the key that decides sharing."""
        if scope.kind == "operator":
            return (scope.id, scope.role)
        settings = self.scoped_credentials
        if settings is None or scope.kind not in ("tenant", "capsule"):
            return ("base", "")
        if service_name not in settings.services:
            # IAM would answer every request with AccessDenied; say why before any is made.
            raise ConfigurationError(
                f"{service_name!r} is not in TenantRoleSettings.services, so the session policy "
                f"of {scope} denies it: add it there (the policy grows; see "
                "docs/scoped-credentials.md) or use the platform scope"
            )
        return (str(scope), "scoped-credentials")

    def _sync_credentials(self, scope: ScopeRef) -> Any:
        """The botocore credentials ``scope`` signs with (may call STS: not on an event loop)."""
        with self._lock:
            if scope.kind == "operator":
                session = self._operator_session(scope)
            elif self.scoped_credentials is not None and scope.kind in ("tenant", "capsule"):
                session = self._vended_session(scope)
            else:
                session = self._session._session
            credentials = session.get_credentials()
        if credentials is None:
            raise ConfigurationError(
                "no AWS credentials found for the factory's session: configure the usual chain "
                "(environment, profile, instance role) or pass boto3.Session(...) with credentials"
            )
        return credentials

    def _operator_session(self, scope: ScopeRef) -> Any:
        key = (scope.id, scope.role)
        session = self._operator_sessions.get(key)
        if session is None:
            from ._sessions import session_with_credentials

            credentials = self._credentials().credentials(scope.id, scope.role)
            session = session_with_credentials(self._session._session, credentials)
            self._operator_sessions[key] = session
        return session

    def _vended_session(self, scope: ScopeRef) -> Any:
        """A session signing with ``scope``'s own credentials (async clients build on it)."""
        key = (str(scope), "scoped-credentials")
        session = self._operator_sessions.get(key)
        if session is None:
            from ._sessions import session_with_credentials

            credentials = self._scope_credentials(scope)
            session = session_with_credentials(self._session._session, credentials)
            self._operator_sessions[key] = session
        return session

    def _scope_credentials(self, scope: ScopeRef) -> Any:
        """``scope``'s one ``RefreshableCredentials`` (scoped credentials): every service of
        the scope signs with it. Read on each request such a scope signs: a dictionary hit."""
        with self._scope_creds_lock:
            credentials = self._scope_creds.get(scope)
        if credentials is None:
            # Two threads may both get here for one new scope: the credential cache's single
            # flight makes it one AssumeRole and one shared credentials object.
            credentials = self._credentials().credentials_for(self._scoped_spec(scope))
            with self._scope_creds_lock:
                self._scope_creds[scope] = credentials
        return credentials

    def _cached_scope_credentials(self, scope: ScopeRef) -> Any:
        """``scope``'s credentials if already resolved, else None (never calls STS)."""
        with self._scope_creds_lock:
            return self._scope_creds.get(scope)

    def _scoped_role_account(self) -> str:
        """The account of the scoped-credentials role (may call STS once for our account)."""
        assert self.scoped_credentials is not None
        return self.scoped_credentials.role(self._own_account(), self.partition)[0]

    def _scoped_spec(self, scope: ScopeRef) -> Any:
        from ._policy import check_scoped_credentials, scoped_spec

        assert self.scoped_credentials is not None
        if not self._scoped_checked:
            # No account_id at construction: check the longest IDs once the account is known,
            # so the first oversized policy is reported for the configuration, not a tenant.
            check_scoped_credentials(self.scoped_credentials, self.naming,
                                     account_id=self._own_account(), partition=self.partition)
            self._scoped_checked = True
        sts = self._credentials()._sts_client()
        return scoped_spec(
            self.scoped_credentials, self.naming, scope, account_id=self._own_account(),
            partition=self.partition, sts_region=sts.meta.region_name,
            sts_endpoint=sts.meta.endpoint_url,
        )

    def _active_scope_session(self) -> Any:
        """The session of the botocore clients shared by every scoped-credentials scope."""
        key = ("*", "scoped-credentials")
        session = self._operator_sessions.get(key)
        if session is None:
            from ._sessions import ActiveScopeCredentials, _derived_session

            credentials = ActiveScopeCredentials(self._scope_credentials,
                                                 self._scoped_role_account())
            session = _derived_session(self._session._session,
                                       lambda: credentials)  # type: ignore[arg-type,return-value]
            self._operator_sessions[key] = session
        return session

    def _credentials(self) -> CredentialCache:
        with self._lock:
            if self._credential_cache is None:
                from ._credentials import CredentialCache
                from ._sessions import make_sts_client

                settings = self.operator_settings
                region = settings.sts_region or self._session.region_name

                def sts() -> Any:
                    return make_sts_client(self._session, region=region,
                                           endpoint_url=self.endpoint_url)

                # One entry per (role, session policy): a scope's services share it. With scoped
                # credentials every cached tenant or capsule may need one, so the bound follows
                # the scoped clients', not max_cached alone: otherwise, past max_cached tenants,
                # each further service of a tenant would find its credential evicted and pay
                # another AssumeRole.
                size = settings.max_cached
                if self.scoped_credentials is not None:
                    size += int(self._scoped.maxsize)
                self._credential_cache = CredentialCache(
                    sts, settings, partition=self.partition, stats=self._stats,
                    max_cached=size, store=self.credential_store,
                )
            return self._credential_cache

    def _guard(self, scope: ScopeRef) -> ScopeGuard:
        # Under the factory's (re-entrant) lock: async clients ask from their event loops'
        # threads while sync clients ask from others, and an LRU cache is not thread-safe (a
        # get reorders it): concurrent use corrupted its bookkeeping until every lookup of a
        # new scope raised KeyError.
        with self._lock:
            guard = self._guards.get(scope)
            if guard is None:
                from ._guard import ScopeGuard

                account: Callable[[], str]
                if scope.kind == "operator":
                    target = scope.id
                    account = lambda: target  # noqa: E731
                else:
                    account = self._own_account
                guard = ScopeGuard(scope, self.naming, account, self.partition,
                                   self._pinned_host, self._on_refusal)
                self._guards[scope] = guard
            return guard

    def _own_account(self) -> str:
        if self._account_id is None:
            with self._lock:
                if self._account_id is None:
                    sts = self._session.client(
                        "sts", endpoint_url=self.endpoint_url,
                        region_name=self._session.region_name or "us-east-1",
                    )
                    self._account_id = sts.get_caller_identity()["Account"]
                    self._stats.incr("sts.get_caller_identity")
        return self._account_id

    def _on_refusal(self, exc: ScopeViolation) -> None:
        self._stats.incr("refusals")
        emit("scope.refused", 30, scope=exc.scope, service=exc.service,
             operation=exc.operation, parameter=exc.parameter, reason=exc.reason)

    def __repr__(self) -> str:
        endpoint = f" endpoint={self.endpoint_url}" if self.endpoint_url else ""
        return f"<ClientFactory region={self._session.region_name}{endpoint}>"


def _options_key(options: dict[str, Any]) -> Hashable:
    if not options:
        return ()
    return tuple(sorted(
        (k, repr(getattr(v, "_user_provided_options", v))) for k, v in options.items()
    ))


def _matches(scope: Any, targets: list[ScopeRef], account: str | None) -> bool:
    if not isinstance(scope, ScopeRef):
        return False
    if scope in targets:
        return True
    return account is not None and scope.kind == "operator" and scope.id == account
