"""Orders: DynamoDB for the order, S3 for the invoice, SQS for the event."""

from __future__ import annotations

import json

import boto3
from botocore.config import Config

RETRIES = Config(retries={"max_attempts": 3, "mode": "standard"})


def place_order(order_id: str, total: int) -> None:
    table = boto3.resource("dynamodb", region_name="eu-west-1").Table("orders")
    table.put_item(Item={"pk": order_id, "total": total})

    # The invoice goes next to the order, same region.
    s3 = boto3.client("s3", region_name="eu-west-1", config=RETRIES)
    s3.put_object(Bucket="invoices", Key=f"{order_id}.json", Body=json.dumps({"total": total}))

    session = boto3.Session(region_name="eu-west-1")
    sqs = session.client("sqs")
    url = sqs.get_queue_url(QueueName="order-events")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps({"placed": order_id}))


def get_order(order_id: str) -> dict[str, object] | None:
    table = boto3.Session().resource("dynamodb").Table("orders")
    item = table.get_item(Key={"pk": order_id}).get("Item")
    return dict(item) if item is not None else None


def invoice(order_id: str) -> dict[str, object]:
    import boto3 as aws

    body = aws.client("s3").get_object(Bucket="invoices", Key=f"{order_id}.json")["Body"]
    loaded: dict[str, object] = json.loads(body.read())
    return loaded
