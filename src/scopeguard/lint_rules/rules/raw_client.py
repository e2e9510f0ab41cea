"""SG001: ``boto3.client()`` / ``boto3.resource()`` called outside the factory."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule


class RawClient(Rule):
    code = "SG001"
    VALID = (
        '''\
def load_order(factory, tenant_id, order_id):
    table = factory.tenant(tenant_id).client("dynamodb")
    return table.get_item(TableName="orders", Key={"pk": {"S": order_id}})
''',
        '''\
import docker

def start():
    return docker.from_env().client()  # an unrelated .client()
''',
        '''\
from typing import Union
import boto3

AnyClient = Union[boto3.client, boto3.resource]  # a type, not a call
''',
    )
    INVALID = (
        '''\
import boto3

def load_order(order_id):
    table = boto3.client("dynamodb")  # SG001
    return table.get_item(TableName="orders", Key={"pk": {"S": order_id}})
''',
        '''\
def bucket():
    from boto3 import resource as make
    return make("s3").Bucket("reports")  # SG001
''',
        '''\
try:
    import boto3 as b3
except ImportError:
    b3 = None

def queue():
    return b3.client("sqs")  # SG001
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind == "raw-client":
                yield self.finding(site, f"{site.target}()")
