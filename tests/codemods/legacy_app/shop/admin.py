"""Back-office helpers: some of this cannot be migrated mechanically."""

from __future__ import annotations

import boto3


def audit_client(key_id: str, secret: str):
    # Explicit keys: the migration must leave this alone and mark it.
    return boto3.client("s3", aws_access_key_id=key_id, aws_secret_access_key=secret)


def events():
    sqs = boto3.client("sqs")
    url = sqs.get_queue_url(QueueName="order-events")["QueueUrl"]
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
    return [m["Body"] for m in messages]


def regions() -> list[str]:
    # Metadata only: no client, nothing to migrate.
    return boto3.Session().get_available_regions("dynamodb")
