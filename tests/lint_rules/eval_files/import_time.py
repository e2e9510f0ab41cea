# Clients that live for the whole process.
import functools

import boto3

from myapp.wiring import factory

S3 = boto3.client("s3")  # SG001, SG031
ORDERS = factory.tenant("acme").client("dynamodb")  # SG031
EVENTS = factory.tenant("acme").async_client("sqs")  # SG031


class Store:
    table = factory.capsule("dev").resource("dynamodb")  # SG031

    def per_call(self):
        return factory.platform().client("s3")


def default(sqs=boto3.client("sqs")):  # SG001, SG031
    return sqs


@functools.lru_cache(maxsize=None)
def cached():
    return factory.platform().client("sns")  # SG031


@functools.cache
def cached_raw():
    return boto3.client("sns")  # SG001, SG031


def per_request(tenant_id):
    return factory.tenant(tenant_id).client("sqs")


if __name__ == "__main__":
    factory.platform().client("s3").list_buckets()
