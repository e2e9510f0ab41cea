"""Scope handles: what ``factory.platform()``, ``.tenant(id)``, ``.capsule(code)`` and
``.operator(account_id)`` return.

A handle lives as long as a request or a task: it is a small immutable value (the factory and a
``ScopeRef``), cheap to create on every request. The clients it hands out are cached by the factory,
which lives as long as the application, so asking a handle for a client twice returns the same
guarded client.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, overload

from ._naming import ScopeRef

if TYPE_CHECKING:
    from typing import Literal, Unpack

    from ._async import AsyncClientRequest
    from ._factory import ClientFactory
    from .typing import (
        ClientOptions,
        ScopeT,
        ScopedAsyncDynamoDBClient,
        ScopedAsyncEventBridgeClient,
        ScopedAsyncKinesisClient,
        ScopedAsyncLambdaClient,
        ScopedAsyncOrganizationsClient,
        ScopedAsyncS3Client,
        ScopedAsyncSecretsManagerClient,
        ScopedAsyncSNSClient,
        ScopedAsyncSQSClient,
        ScopedAsyncSSMClient,
        ScopedAsyncSTSClient,
        ScopedDynamoDBClient,
        ScopedDynamoDBServiceResource,
        ScopedEventBridgeClient,
        ScopedKinesisClient,
        ScopedLambdaClient,
        ScopedOrganizationsClient,
        ScopedS3Client,
        ScopedS3ServiceResource,
        ScopedSNSClient,
        ScopedSQSClient,
        ScopedSSMClient,
        ScopedSTSClient,
        ScopedSecretsManagerClient,
    )

__all__ = ["CapsuleScope", "OperatorScope", "PlatformScope", "Scope", "TenantScope"]


class Scope:
    """Base of the four scope handles. Use the subclasses in annotations to require a scope."""

    __slots__ = ("_factory", "scope")

    def __init__(self, factory: ClientFactory, scope: ScopeRef) -> None:
        self._factory = factory
        self.scope = scope

    # Typed per service: scopeguard.typing explains the scoped types; the plugin infers the rest.
    @overload
    def client(
        self: ScopeT, service_name: Literal["dynamodb"], **options: Unpack[ClientOptions]
    ) -> ScopedDynamoDBClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["events"], **options: Unpack[ClientOptions]
    ) -> ScopedEventBridgeClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["kinesis"], **options: Unpack[ClientOptions]
    ) -> ScopedKinesisClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["lambda"], **options: Unpack[ClientOptions]
    ) -> ScopedLambdaClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["organizations"], **options: Unpack[ClientOptions]
    ) -> ScopedOrganizationsClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["s3"], **options: Unpack[ClientOptions]
    ) -> ScopedS3Client[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["secretsmanager"], **options: Unpack[ClientOptions]
    ) -> ScopedSecretsManagerClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["sns"], **options: Unpack[ClientOptions]
    ) -> ScopedSNSClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["sqs"], **options: Unpack[ClientOptions]
    ) -> ScopedSQSClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["ssm"], **options: Unpack[ClientOptions]
    ) -> ScopedSSMClient[ScopeT]: ...
    @overload
    def client(
        self: ScopeT, service_name: Literal["sts"], **options: Unpack[ClientOptions]
    ) -> ScopedSTSClient[ScopeT]: ...
    @overload
    def client(self, service_name: str, **options: Unpack[ClientOptions]) -> Any: ...
    def client(self, service_name: str, **options: Any) -> Any:
        """A guarded boto3 client for ``service_name`` in this scope (cached by the factory).

        ``options`` are boto3's ``region_name``, ``config``, ``api_version``, ``use_ssl`` and
        ``verify``. Credentials and ``endpoint_url`` are the factory's to decide and are refused.
        """
        return self._factory._scoped_client(self.scope, service_name, options)

    @overload
    def resource(
        self: ScopeT, service_name: Literal["dynamodb"], **options: Unpack[ClientOptions]
    ) -> ScopedDynamoDBServiceResource[ScopeT]: ...
    @overload
    def resource(
        self: ScopeT, service_name: Literal["s3"], **options: Unpack[ClientOptions]
    ) -> ScopedS3ServiceResource[ScopeT]: ...
    @overload
    def resource(self, service_name: str, **options: Unpack[ClientOptions]) -> Any: ...
    def resource(self, service_name: str, **options: Any) -> Any:
        """A boto3 resource whose underlying client is this scope's guarded client."""
        return self._factory._scoped_resource(self.scope, service_name, options)

    # Typed like client(), over types-aiobotocore's classes; the plugin infers the rest.
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["dynamodb"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncDynamoDBClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["events"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncEventBridgeClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["kinesis"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncKinesisClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["lambda"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncLambdaClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["organizations"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncOrganizationsClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["s3"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncS3Client[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["secretsmanager"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncSecretsManagerClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["sns"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncSNSClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["sqs"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncSQSClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["ssm"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncSSMClient[ScopeT]]: ...
    @overload
    def async_client(
        self: ScopeT, service_name: Literal["sts"], **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[ScopedAsyncSTSClient[ScopeT]]: ...
    @overload
    def async_client(
        self, service_name: str, **options: Unpack[ClientOptions]
    ) -> AsyncClientRequest[Any]: ...
    def async_client(self, service_name: str, **options: Any) -> AsyncClientRequest[Any]:
        """The guarded aiobotocore client for ``service_name`` in this scope, for the running
        event loop: ``await`` it or use ``async with``. Needs ``scopeguard[async]``.

        Same options, guard and caching as ``client()``; the factory closes the connection pool
        at ``await factory.aclose()``. See docs/async.md.
        """
        from ._async import AsyncClientRequest

        return AsyncClientRequest(self._factory, self.scope, service_name, options)

    def physical_name(self, service_name: str, logical_name: str) -> str:
        """The name provisioning code (IaC, onboarding scripts) must create for ``logical_name``."""
        return self._factory.naming.physical_name(self.scope, service_name, logical_name)

    @property
    def key_prefix(self) -> str:
        """Prefix every partition key / object key must carry in pooled tables and buckets
        (those without a ``key_templates`` entry; see ``pooled_key_prefix``)."""
        return self._factory.naming.key_prefix(self.scope)

    def pooled_key_prefix(self, resource: str) -> str:
        """The key prefix of one pooled table or bucket, following its ``key_templates`` entry
        (``3f2b…-`` for ``{tenant}-``); for a template ending in ``{tenant}``
        (``TENANT#{tenant}``) the whole partition key (``TENANT#3f2b…``)."""
        return self._factory.naming.key_prefix(self.scope, resource)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.scope}>"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scope) or type(other) is not type(self):
            return False
        return other._factory is self._factory and other.scope == self.scope

    def __hash__(self) -> int:
        return hash((type(self), id(self._factory), self.scope))


class PlatformScope(Scope):
    """Shared infrastructure (metrics, logs, platform config) on the factory's base session.

    No prefix is added, but names that belong to a tenant or capsule are refused."""

    __slots__ = ()


class TenantScope(Scope):
    """One customer: every resource name carries the tenant prefix; pooled keys its key prefix."""

    __slots__ = ()


class CapsuleScope(Scope):
    """One SDLC environment (dev/staging/prod): names carry the capsule prefix."""

    __slots__ = ()


class OperatorScope(Scope):
    """Another account of the Organization, reached by STS AssumeRole with cached credentials.

    Names are not rewritten; ARNs and URLs must point into that account."""

    __slots__ = ()
