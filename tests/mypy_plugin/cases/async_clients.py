# async_client(): the same scope types, mismatch and name checks as client(), over types-aiobotocore.
from __future__ import annotations

from types_aiobotocore_dynamodb.client import DynamoDBClient

from scopeguard import Scope
from scopeguard.typing import ScopedAsyncDynamoDBClient, TenantAsyncDynamoDBClient

from cases.handles import factory, save_order


def raw_async_dynamodb() -> DynamoDBClient:
    raise NotImplementedError


async def save_order_async(orders: TenantAsyncDynamoDBClient) -> None: ...
async def any_scope_async(orders: ScopedAsyncDynamoDBClient[Scope]) -> None: ...


async def handler() -> None:
    reveal_type(factory().tenant("acme").async_client("dynamodb"))  # N: Revealed type is "scopeguard._async.AsyncClientRequest[scopeguard.typing.ScopedAsyncDynamoDBClient[scopeguard._scope.TenantScope]]"
    ddb = await factory().tenant("acme").async_client("dynamodb")
    reveal_type(ddb)  # N: Revealed type is "scopeguard.typing.ScopedAsyncDynamoDBClient[scopeguard._scope.TenantScope]"
    # The stubs' coroutines, awaited, give the stubs' output types.
    item = await ddb.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})
    request_id: int = item["ResponseMetadata"]["RequestId"]  # E: Incompatible types in assignment (expression has type "str", variable has type "int")  [assignment]
    print(request_id)
    item["Nope"]  # E: TypedDict "GetItemOutputTypeDef" has no key "Nope"  [typeddict-item]

    async with factory().platform().async_client("s3") as files:
        reveal_type(files)  # N: Revealed type is "scopeguard.typing.ScopedAsyncS3Client[scopeguard._scope.PlatformScope]"

    platform = await factory().platform().async_client("dynamodb")
    await save_order_async(ddb)
    await save_order_async(platform)  # E: Argument 1 to "save_order_async" is a platform-scoped AsyncDynamoDBClient, but a tenant-scoped client is required (scope mismatch: platform given, tenant expected)  [scopeguard-scope-mismatch]
    await save_order_async(await factory().capsule("dev").async_client("dynamodb"))  # E: Argument 1 to "save_order_async" is a capsule-scoped AsyncDynamoDBClient, ...  [scopeguard-scope-mismatch]
    await save_order_async(raw_async_dynamodb())  # E: Argument 1 to "save_order_async" is an unscoped DynamoDBClient (a raw aiobotocore client), but a tenant-scoped client is required (scope mismatch: none given, tenant expected); get it from the factory's tenant handle  [scopeguard-scope-mismatch]
    await any_scope_async(platform)
    # Sync and async clients are different classes: mypy's own error, not a scope question.
    save_order(ddb)  # E: Argument 1 to "save_order" has incompatible type "ScopedAsyncDynamoDBClient[TenantScope]"; expected "ScopedDynamoDBClient[TenantScope]"  [arg-type]

    # Physical names are caught on async clients too.
    await ddb.get_item(TableName="c-prod-orders", Key={"pk": {"S": "o-1"}})  # E: TableName="c-prod-orders" is a physical name of capsule:prod; a tenant-scoped client takes logical names and adds its own scope's prefix: write "orders"  [scopeguard-wrong-name]
    await platform.put_item(TableName="t-globex-orders", Item={})  # E: TableName="t-globex-orders" belongs to tenant:globex; a platform-scoped client refuses tenant and capsule names: use factory.tenant("globex").async_client("dynamodb") and the logical name "orders"  [scopeguard-wrong-name]

    # No scoped type: the plugin infers types-aiobotocore's exact class from its service map.
    reveal_type(await factory().platform().async_client("xray"))  # N: Revealed type is "types_aiobotocore_xray.client.XRayClient"
    reveal_type(await factory().platform().async_client("wafv2"))  # N: Revealed type is "Any"
    factory().tenant("acme").async_client("dynamdb")  # E: "dynamdb" is not an AWS service with a client in the installed aiobotocore stubs; did you mean "dynamodb"?  [scopeguard-unknown-service]


def from_any_handle(handle: Scope) -> None:
    reveal_type(handle.async_client("sqs"))  # N: Revealed type is "scopeguard._async.AsyncClientRequest[scopeguard.typing.ScopedAsyncSQSClient[scopeguard._scope.Scope]]"
