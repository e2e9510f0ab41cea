# Code generic over the scope: the plugin must type it exactly as plain mypy does (the same
# lines, the same revealed types; test_both_modes.py runs this file without the plugin too).
# Where the required scope is a type variable the plugin leaves the call to mypy, so mypy's own
# arg-type error names the solved scope; a raw client, which no scope accepts, it reports itself.
from __future__ import annotations

from typing import Generic, TypeVar

from types_boto3_dynamodb.client import DynamoDBClient

from scopeguard import CapsuleScope, Scope, TenantScope
from scopeguard.typing import ScopedDynamoDBClient, ScopedS3Client, ScopeT

from cases.handles import factory, raw_dynamodb

S = TypeVar("S", bound=Scope)

tenant = factory().tenant("acme").client("dynamodb")
platform = factory().platform().client("dynamodb")
tenant_files = factory().tenant("acme").client("s3")


def same_scope(client: ScopedDynamoDBClient[ScopeT]) -> ScopedDynamoDBClient[ScopeT]:
    return client


def paired(orders: ScopedDynamoDBClient[S], files: ScopedS3Client[S]) -> S:
    raise NotImplementedError


def optional(client: ScopedDynamoDBClient[S] | None = None) -> S:
    raise NotImplementedError


class Repository(Generic[ScopeT]):
    """How application code holds a scoped client: one repository per scope."""

    def __init__(self, orders: ScopedDynamoDBClient[ScopeT]) -> None:
        self.orders = orders

    def copy_to(self, target: ScopedDynamoDBClient[ScopeT]) -> None: ...

    def mirror(self) -> Repository[ScopeT]:
        self.copy_to(self.orders)
        self.copy_to(tenant)  # E: Argument 1 to "copy_to" of "Repository" has incompatible type "ScopedDynamoDBClient[TenantScope]"; expected "ScopedDynamoDBClient[ScopeT]"  [arg-type]
        return Repository(self.orders)


def tenant_repository(repository: Repository[TenantScope]) -> None: ...


reveal_type(same_scope(tenant))  # N: Revealed type is "scopeguard.typing.ScopedDynamoDBClient[scopeguard._scope.TenantScope]"
reveal_type(same_scope(platform))  # N: Revealed type is "scopeguard.typing.ScopedDynamoDBClient[scopeguard._scope.PlatformScope]"
reveal_type(paired(tenant, tenant_files))  # N: Revealed type is "scopeguard._scope.TenantScope"
reveal_type(paired(platform, tenant_files))  # N: Revealed type is "scopeguard._scope.Scope"
reveal_type(optional(platform))  # N: Revealed type is "scopeguard._scope.PlatformScope"
reveal_type(optional())  # N: Revealed type is "Never"

repository = Repository(tenant)
reveal_type(repository)  # N: Revealed type is "cases.generic_scopes.Repository[scopeguard._scope.TenantScope]"
reveal_type(repository.mirror())  # N: Revealed type is "cases.generic_scopes.Repository[scopeguard._scope.TenantScope]"
repository.copy_to(tenant)
repository.copy_to(platform)  # E: Argument 1 to "copy_to" of "Repository" is a platform-scoped DynamoDBClient, but a tenant-scoped client is required (scope mismatch: platform given, tenant expected)  [scopeguard-scope-mismatch]
tenant_repository(Repository(tenant))
tenant_repository(Repository(platform))  # E: Argument 1 to "Repository" has incompatible type "ScopedDynamoDBClient[PlatformScope]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]
capsule_repository: Repository[CapsuleScope] = Repository(tenant)  # E: Argument 1 to "Repository" has incompatible type "ScopedDynamoDBClient[TenantScope]"; expected "ScopedDynamoDBClient[CapsuleScope]"  [arg-type]
reveal_type(Repository[TenantScope](tenant))  # N: Revealed type is "cases.generic_scopes.Repository[scopeguard._scope.TenantScope]"
Repository[TenantScope](platform)  # E: Argument 1 to "Repository" has incompatible type "ScopedDynamoDBClient[PlatformScope]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]


def generic_caller(client: ScopedDynamoDBClient[S]) -> Repository[S]:
    kept: ScopedDynamoDBClient[S] = same_scope(client)
    tenant_repository(Repository(client))  # E: Argument 1 to "Repository" has incompatible type "ScopedDynamoDBClient[S]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]
    return Repository(client)


# A raw client has no scope for any solution to accept.
reveal_type(same_scope(raw_dynamodb()))  # N: Revealed type is "scopeguard.typing.ScopedDynamoDBClient[Never]"  # E: Argument 1 to "same_scope" is an unscoped DynamoDBClient (a raw boto3 client), but a client of scope ScopeT is required (scope mismatch: none given, ScopeT expected); get it from the factory's scope handle  [scopeguard-scope-mismatch]
Repository(raw_dynamodb())  # E: Argument 1 to "Repository" is an unscoped DynamoDBClient (a raw boto3 client), but a client of scope ScopeT is required (scope mismatch: none given, ScopeT expected); get it from the factory's scope handle  [scopeguard-scope-mismatch]


def raw_parameter(raw: DynamoDBClient) -> None:
    paired(raw, tenant_files)  # E: Argument 1 to "paired" is an unscoped DynamoDBClient (a raw boto3 client), but a client of scope S is required (scope mismatch: none given, S expected); get it from the factory's scope handle  [scopeguard-scope-mismatch]
