# Plain typing of async clients, no plugin: checked by mypy (the expectations below) and by pyright
# (an error on exactly the lines that carry an error expectation).
from __future__ import annotations

from types_aiobotocore_dynamodb.client import DynamoDBClient
from types_aiobotocore_dynamodb.type_defs import GetItemOutputTypeDef

from scopeguard import ClientFactory, Scope
from scopeguard.typing import (
    PlatformAsyncS3Client,
    ScopedAsyncDynamoDBClient,
    TenantAsyncDynamoDBClient,
    TenantDynamoDBClient,
)


async def save_order(orders: TenantAsyncDynamoDBClient) -> None: ...
async def any_dynamodb(orders: DynamoDBClient) -> None: ...
async def any_scope(orders: ScopedAsyncDynamoDBClient[Scope]) -> None: ...
def save_order_sync(orders: TenantDynamoDBClient) -> None: ...


async def handler(factory: ClientFactory, raw: DynamoDBClient) -> None:
    tenant = await factory.tenant("acme").async_client("dynamodb")
    platform = await factory.platform().async_client("dynamodb")
    capsule = await factory.capsule("dev").async_client("dynamodb")

    await save_order(tenant)
    await save_order(platform)  # E: Argument 1 to "save_order" has incompatible type "ScopedAsyncDynamoDBClient[PlatformScope]"; expected "ScopedAsyncDynamoDBClient[TenantScope]"  [arg-type]
    await save_order(capsule)  # E: Argument 1 to "save_order" has incompatible type "ScopedAsyncDynamoDBClient[CapsuleScope]"; expected "ScopedAsyncDynamoDBClient[TenantScope]"  [arg-type]
    await save_order(raw)  # E: Argument 1 to "save_order" has incompatible type "DynamoDBClient"; expected "ScopedAsyncDynamoDBClient[TenantScope]"  [arg-type]
    await any_dynamodb(tenant)
    await any_scope(capsule)
    await any_scope(raw)  # E: Argument 1 to "any_scope" has incompatible type "DynamoDBClient"; expected "ScopedAsyncDynamoDBClient[Scope]"  [arg-type]
    # An async client is not a sync one, and the other way round.
    save_order_sync(tenant)  # E: Argument 1 to "save_order_sync" has incompatible type "ScopedAsyncDynamoDBClient[TenantScope]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]
    await save_order(factory.tenant("acme").client("dynamodb"))  # E: Argument 1 to "save_order" has incompatible type "ScopedDynamoDBClient[TenantScope]"; expected "ScopedAsyncDynamoDBClient[TenantScope]"  [arg-type]

    # Every types-aiobotocore method is there, with its signature, as a coroutine.
    item: GetItemOutputTypeDef = await tenant.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})
    await tenant.put_item(TableName=1, Item={})  # E: Argument "TableName" to "put_item" of "DynamoDBClient" has incompatible type "int"; expected "str"  [arg-type]
    tenant.get_paginator("scan")
    print(item)

    async with factory.platform().async_client("s3") as files:
        shared: PlatformAsyncS3Client = files
        await shared.list_objects_v2(Bucket="b")
        wrong: TenantAsyncDynamoDBClient = files  # E: Incompatible types in assignment (expression has type "ScopedAsyncS3Client[PlatformScope]", variable has type "ScopedAsyncDynamoDBClient[TenantScope]")  [assignment]
        print(wrong)

    # Services without a scoped type are Any without the plugin, as for client().
    xray = await factory.platform().async_client("xray")
    xray.anything()

    # Credentials and endpoints are the factory's to decide, not client options.
    factory.tenant("acme").async_client("dynamodb", endpoint_url="http://localhost")  # E?: Unexpected keyword argument "endpoint_url" for overloaded function "async_client" of "Scope"  [call-overload] # E: No overload variant of "async_client" of "Scope" matches argument types "str", "str"  [call-overload]


async def wrong_annotation(factory: ClientFactory) -> TenantAsyncDynamoDBClient:
    return await factory.platform().async_client("dynamodb")  # E: Incompatible return value type (got "ScopedAsyncDynamoDBClient[PlatformScope]", expected "ScopedAsyncDynamoDBClient[TenantScope]")  [return-value]
