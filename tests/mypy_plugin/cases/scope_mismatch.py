from __future__ import annotations

from scopeguard import Scope, TenantScope
from scopeguard.typing import ScopedDynamoDBClient

from cases.handles import (
    OrderRepository,
    any_dynamodb,
    any_scope,
    factory,
    raw_dynamodb,
    save_file,
    save_order,
)

tenant = factory().tenant("acme").client("dynamodb")
platform = factory().platform().client("dynamodb")
capsule = factory().capsule("dev").client("dynamodb")
operator = factory().operator("123456789012").client("dynamodb")

save_order(tenant)
save_order(platform)  # E: Argument 1 to "save_order" is a platform-scoped DynamoDBClient, but a tenant-scoped client is required (scope mismatch: platform given, tenant expected)  [scopeguard-scope-mismatch]
save_order(capsule)  # E: Argument 1 to "save_order" is a capsule-scoped DynamoDBClient, but a tenant-scoped client is required (scope mismatch: capsule given, tenant expected)  [scopeguard-scope-mismatch]
save_order(orders=operator)  # E: Argument "orders" to "save_order" is an operator-scoped DynamoDBClient, ...  [scopeguard-scope-mismatch]
save_order(factory().platform().client("dynamodb"))  # E: Argument 1 to "save_order" is a platform-scoped DynamoDBClient, ...  [scopeguard-scope-mismatch]
save_order(raw_dynamodb())  # E: Argument 1 to "save_order" is an unscoped DynamoDBClient (a raw boto3 client), but a tenant-scoped client is required (scope mismatch: none given, tenant expected); get it from the factory's tenant handle  [scopeguard-scope-mismatch]
save_file(factory().capsule("dev").client("s3"))  # E: Argument 1 to "save_file" is a capsule-scoped S3Client, ...  [scopeguard-scope-mismatch]
save_file(factory().tenant("acme").client("s3"))
save_file(None)

OrderRepository(platform)  # E: Argument 1 to "OrderRepository" is a platform-scoped DynamoDBClient, ...  [scopeguard-scope-mismatch]
OrderRepository(tenant).copy_to(capsule)  # E: Argument 1 to "copy_to" of "OrderRepository" is a capsule-scoped DynamoDBClient, ...  [scopeguard-scope-mismatch]
OrderRepository(tenant).copy_to(tenant)

# A scoped client is still a DynamoDBClient; any scope satisfies ScopedDynamoDBClient[Scope].
any_dynamodb(platform)
any_dynamodb(tenant)
any_scope(platform)
any_scope(operator)
any_scope(raw_dynamodb())  # E: Argument 1 to "any_scope" is an unscoped DynamoDBClient (a raw boto3 client), but a client of any scope is required ...  [scopeguard-scope-mismatch]

# Another service is not a scope question: mypy's own error stands.
save_order(factory().tenant("acme").client("sqs"))  # E: Argument 1 to "save_order" has incompatible type "ScopedSQSClient[TenantScope]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]

# Outside calls, mypy's assignment check names both types (and so both scopes).
wrong: ScopedDynamoDBClient[TenantScope] = platform  # E: Incompatible types in assignment (expression has type "ScopedDynamoDBClient[PlatformScope]", variable has type "ScopedDynamoDBClient[TenantScope]")  [assignment]


def from_any_handle(handle: Scope) -> None:
    save_order(handle.client("dynamodb"))  # E: Argument 1 to "save_order" is a DynamoDBClient whose scope is not known statically, but a tenant-scoped client is required (scope mismatch: any given, tenant expected); take the specific handle type (TenantScope) where the client is made  [scopeguard-scope-mismatch]
    any_scope(handle.client("dynamodb"))
