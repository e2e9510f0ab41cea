# Nothing in this file is a finding.
from typing import TYPE_CHECKING, Optional, Union

import boto3
import docker
from unittest import mock

if TYPE_CHECKING:
    from boto3 import Session
    from mypy_boto3_s3 import S3Client

    CLIENT = boto3.client("s3")  # never runs

AnyClient = Union[boto3.client, boto3.resource]


def annotated(session: boto3.Session, other: Optional["Session"]) -> "S3Client":
    raise NotImplementedError


def returns_annotation() -> boto3.session.Session:
    raise NotImplementedError


def metadata_only():
    regions = boto3.Session().get_available_regions("ec2")
    session = boto3.session.Session()
    return regions, session.region_name, session.get_available_partitions()


def docker_client():
    return docker.from_env().client()


def mocked():
    fake = mock.MagicMock()
    return fake.client("s3"), mock.patch("boto3.client")


def scope_handles(factory, tenant_id):
    tenant = factory.tenant(tenant_id)
    return tenant.client("dynamodb"), factory.platform().resource("s3")


def logical_names(scope):
    scope.client("dynamodb").get_item(TableName="orders", Key={})
    return {"TableName": "t-acme-orders"}  # a dict, not a call argument


def suppressed():
    return boto3.client("s3")  # noqa: SG001


def explicit_none():
    return dict(aws_access_key_id=None)


async def async_scope_handles(factory, tenant_id):
    async with factory.tenant(tenant_id).async_client("s3") as s3:
        await s3.list_objects_v2(Bucket="reports")
    return await factory.platform().async_client("sqs")
