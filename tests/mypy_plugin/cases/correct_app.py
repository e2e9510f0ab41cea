# A correct application module: the plugin must report nothing here.
from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from types_boto3_dynamodb.client import DynamoDBClient
from types_boto3_s3.client import S3Client

from scopeguard import ClientFactory, TenantScope
from scopeguard.typing import (
    CapsuleSQSClient,
    PlatformDynamoDBClient,
    ScopedS3Client,
    TenantDynamoDBClient,
    TenantS3Client,
)

ORDERS: Final = "orders"
METRICS_TABLE: Final = "metrics"


@dataclass
class OrderService:
    orders: TenantDynamoDBClient
    files: TenantS3Client | None = None

    def place(self, order_id: str) -> None:
        self.orders.put_item(TableName=ORDERS, Item={"pk": {"S": order_id}})
        if self.files is not None:
            self.files.put_object(Bucket="invoices", Key=f"{order_id}.pdf", Body=b"")


def record_metric(metrics: PlatformDynamoDBClient, name: str) -> None:
    metrics.put_item(TableName=METRICS_TABLE, Item={"name": {"S": name}})


def any_table(client: DynamoDBClient) -> int:
    return len(client.list_tables()["TableNames"])


def any_bucket(client: S3Client) -> None:
    client.list_buckets()


def enqueue(queue: CapsuleSQSClient) -> None:
    queue.send_message(QueueUrl="jobs", MessageBody="{}")


def for_tenant(handle: TenantScope) -> OrderService:
    return OrderService(handle.client("dynamodb"), handle.client("s3"))


def request(factory: ClientFactory, tenant_id: str, order_id: str) -> None:
    service = for_tenant(factory.tenant(tenant_id))
    service.place(order_id)
    OrderService(orders=factory.tenant(tenant_id).client("dynamodb")).place(order_id)
    record_metric(factory.platform().client("dynamodb"), "orders.placed")
    any_table(factory.tenant(tenant_id).client("dynamodb"))
    any_table(factory.platform().client("dynamodb"))
    any_bucket(factory.capsule("dev").client("s3"))
    enqueue(factory.capsule("dev").client("sqs"))
    scoped: ScopedS3Client[TenantScope] = factory.tenant(tenant_id).client("s3")
    scoped.get_object(Bucket="invoices", Key=f"{order_id}.pdf")
    sts = factory.platform().client("sts", region_name="eu-west-1")
    sts.get_caller_identity()
    table = factory.tenant(tenant_id).resource("dynamodb").Table(ORDERS)
    table.put_item(Item={"pk": order_id})
    paginator = factory.tenant(tenant_id).client("dynamodb").get_paginator("query")
    for page in paginator.paginate(TableName=ORDERS, KeyConditionExpression="pk = :p"):
        page.get("Items")
