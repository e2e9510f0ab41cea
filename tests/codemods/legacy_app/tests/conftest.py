from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from shop import aws


@pytest.fixture(autouse=True)
def aws_world(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        aws.reset()
        dynamodb = boto3.client("dynamodb", region_name="eu-west-1")
        dynamodb.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        boto3.client("s3", region_name="eu-west-1").create_bucket(
            Bucket="invoices", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        boto3.client("sqs", region_name="eu-west-1").create_queue(QueueName="order-events")
        yield
        aws.reset()
