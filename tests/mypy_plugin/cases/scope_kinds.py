# Handle subclasses and scope unions: service inference as for the handle classes themselves,
# and messages that name the scope kind.
from __future__ import annotations

from scopeguard import CapsuleScope, PlatformScope, TenantScope
from scopeguard.typing import ScopedDynamoDBClient, TenantDynamoDBClient

from cases.handles import factory, raw_dynamodb


class AuditedTenant(TenantScope):
    """A project's own handle type, e.g. one that also writes an audit trail."""


class OperatorCapsule(CapsuleScope): ...


def audited_orders(orders: ScopedDynamoDBClient[AuditedTenant]) -> None: ...
def shared_orders(orders: ScopedDynamoDBClient[TenantScope | CapsuleScope]) -> None: ...
def either_orders(orders: TenantDynamoDBClient | ScopedDynamoDBClient[PlatformScope]) -> None: ...
def save_order(orders: TenantDynamoDBClient) -> None: ...


def handle(audited: AuditedTenant, capsule: OperatorCapsule, any_kind: TenantScope | CapsuleScope) -> None:
    reveal_type(audited.client("dynamodbstreams"))  # N: Revealed type is "types_boto3_dynamodbstreams.client.DynamoDBStreamsClient"
    reveal_type(audited.client("xray"))  # N: Revealed type is "types_boto3_xray.client.XRayClient"
    reveal_type(audited.client("dynamodb"))  # N: Revealed type is "scopeguard.typing.ScopedDynamoDBClient[cases.scope_kinds.AuditedTenant]"
    reveal_type(capsule.resource("sqs"))  # N: Revealed type is "types_boto3_sqs.service_resource.SQSServiceResource"
    audited.client("dynamdb")  # E: "dynamdb" is not an AWS service with a client in the installed boto3 stubs; did you mean "dynamodb"?  [scopeguard-unknown-service]
    audited.client("dynamodb").get_item(TableName="t-acme-orders", Key={})  # E: TableName="t-acme-orders" is a physical name of tenant:acme; a tenant-scoped client takes logical names and adds its own scope's prefix: write "orders"  [scopeguard-wrong-name]
    save_order(audited.client("dynamodb"))

    audited_orders(factory().tenant("acme").client("dynamodb"))  # E: Argument 1 to "audited_orders" is a tenant-scoped DynamoDBClient, but an AuditedTenant-scoped client is required (scope mismatch: tenant given, tenant (AuditedTenant) expected)  [scopeguard-scope-mismatch]
    audited_orders(capsule.client("dynamodb"))  # E: Argument 1 to "audited_orders" is an OperatorCapsule-scoped DynamoDBClient, but an AuditedTenant-scoped client is required (scope mismatch: capsule (OperatorCapsule) given, tenant (AuditedTenant) expected)  [scopeguard-scope-mismatch]
    audited_orders(raw_dynamodb())  # E: Argument 1 to "audited_orders" is an unscoped DynamoDBClient (a raw boto3 client), but an AuditedTenant-scoped client is required (scope mismatch: none given, tenant (AuditedTenant) expected); get it from the factory's tenant handle  [scopeguard-scope-mismatch]
    save_order(capsule.client("dynamodb"))  # E: Argument 1 to "save_order" is an OperatorCapsule-scoped DynamoDBClient, but a tenant-scoped client is required (scope mismatch: capsule (OperatorCapsule) given, tenant expected)  [scopeguard-scope-mismatch]

    shared_orders(factory().platform().client("dynamodb"))  # E: Argument 1 to "shared_orders" is a platform-scoped DynamoDBClient, but a tenant-scoped or capsule-scoped client is required (scope mismatch: platform given, tenant or capsule expected)  [scopeguard-scope-mismatch]
    shared_orders(raw_dynamodb())  # E: Argument 1 to "shared_orders" is an unscoped DynamoDBClient (a raw boto3 client), but a tenant-scoped or capsule-scoped client is required (scope mismatch: none given, tenant or capsule expected); get it from the factory's tenant or capsule handle  [scopeguard-scope-mismatch]
    shared_orders(any_kind.client("dynamodb"))
    either_orders(factory().capsule("dev").client("dynamodb"))  # E: Argument 1 to "either_orders" is a capsule-scoped DynamoDBClient, but a tenant-scoped or platform-scoped client is required (scope mismatch: capsule given, tenant or platform expected)  [scopeguard-scope-mismatch]
    tenant_or_capsule: ScopedDynamoDBClient[TenantScope | CapsuleScope] = any_kind.client("dynamodb")
    save_order(tenant_or_capsule)  # E: Argument 1 to "save_order" is a tenant-scoped or capsule-scoped DynamoDBClient, but a tenant-scoped client is required (scope mismatch: tenant or capsule given, tenant expected)  [scopeguard-scope-mismatch]
