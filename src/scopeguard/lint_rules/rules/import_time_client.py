"""SG031: a client created once per process: at import, in a default, class body or cache."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule

_CLIENT_SITES = frozenset({"raw-client", "session-client", "async-client", "factory-client"})


class ImportTimeClient(Rule):
    code = "SG031"
    VALID = (
        '''\
def handler(event, factory):
    sqs = factory.tenant(event["tenant"]).client("sqs")
    sqs.send_message(QueueUrl="jobs", MessageBody="x")
''',
        '''\
if __name__ == "__main__":
    import sys
    from myapp.wiring import build_factory
    build_factory().platform().client("s3").list_buckets()
''',
    )
    INVALID = (
        '''\
from myapp.wiring import factory

ORDERS = factory.tenant("acme").client("dynamodb")  # SG031
''',
        '''\
import functools

@functools.lru_cache
def orders_table(factory):
    return factory.platform().resource("dynamodb").Table("orders")  # SG031
''',
        '''\
import boto3

def send(body, sqs=boto3.client("sqs")):  # SG001, SG031
    sqs.send_message(QueueUrl="jobs", MessageBody=body)
''',
        '''\
from myapp.wiring import factory

class Store:
    table = factory.capsule("dev").client("dynamodb")  # SG031
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind in _CLIENT_SITES and site.import_time is not None:
                yield self.finding(site, f"{site.target}() {site.import_time}")
