# Plain typing, no plugin: checked by mypy (the expectations below) and by pyright (an error on
# exactly the lines that carry an error expectation).
from __future__ import annotations

from types_boto3_dynamodb.client import DynamoDBClient

from scopeguard import ClientFactory, Scope
from scopeguard.typing import (
    CapsuleDynamoDBClient,
    PlatformS3Client,
    ScopedDynamoDBClient,
    TenantDynamoDBClient,
)


def save_order(orders: TenantDynamoDBClient) -> None: ...
def any_dynamodb(orders: DynamoDBClient) -> None: ...
def any_scope(orders: ScopedDynamoDBClient[Scope]) -> None: ...


def handler(factory: ClientFactory, raw: DynamoDBClient) -> None:
    tenant = factory.tenant("acme").client("dynamodb")
    platform = factory.platform().client("dynamodb")
    capsule: CapsuleDynamoDBClient = factory.capsule("dev").client("dynamodb")
    files: PlatformS3Client = factory.platform().client("s3")

    save_order(tenant)
    save_order(platform)  # E: Argument 1 to "save_order" has incompatible type "ScopedDynamoDBClient[PlatformScope]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]
    save_order(capsule)  # E: Argument 1 to "save_order" has incompatible type "ScopedDynamoDBClient[CapsuleScope]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]
    save_order(raw)  # E: Argument 1 to "save_order" has incompatible type "DynamoDBClient"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]
    any_dynamodb(tenant)
    any_dynamodb(files)  # E: Argument 1 to "any_dynamodb" has incompatible type "ScopedS3Client[PlatformScope]"; expected "DynamoDBClient"  [arg-type]
    any_scope(capsule)
    any_scope(raw)  # E: Argument 1 to "any_scope" has incompatible type "DynamoDBClient"; expected "ScopedDynamoDBClient[Scope]"  [arg-type]

    # Every types-boto3 method is there, with its signature.
    tenant.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
    tenant.put_item(TableName=1, Item={})  # E: Argument "TableName" to "put_item" of "DynamoDBClient" has incompatible type "int"; expected "str"  [arg-type]
    tenant.get_paginator("scan")
    files.list_objects_v2(Bucket="b")

    # Credentials and endpoints are the factory's to decide, not client options.
    factory.tenant("acme").client("dynamodb", endpoint_url="http://localhost")  # E?: Unexpected keyword argument "endpoint_url" for overloaded function "client" of "Scope"  [call-overload] # E: No overload variant of "client" of "Scope" matches argument types "str", "str"  [call-overload]


def wrong_annotation(factory: ClientFactory) -> TenantDynamoDBClient:
    return factory.platform().client("dynamodb")  # E: Incompatible return value type (got "ScopedDynamoDBClient[PlatformScope]", expected "ScopedDynamoDBClient[TenantScope]")  [return-value]
