"""SG020: a literal resource name, ARN or URL that carries a tenant/capsule prefix."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from .._analysis import Site
from .._rule import Context, Finding, Rule


def _candidates(literal: str) -> Iterator[str]:
    """The parts of a name, ARN or URL that AWS reads as the resource name."""
    yield literal
    if literal.startswith("s3://"):
        yield urlsplit(literal).netloc
    if literal.startswith("arn:"):
        resource = literal.split(":", 5)[-1]
        yield resource
        yield resource.rsplit("/", 1)[-1]
        yield resource.rsplit(":", 1)[-1]
    if literal.startswith("https://"):
        yield urlsplit(literal).path.rsplit("/", 1)[-1]


class PhysicalNameLiteral(Rule):
    code = "SG020"
    VALID = (
        '''\
def load(scope, order_id):
    orders = scope.client("dynamodb")
    return orders.get_item(TableName="orders", Key={"pk": {"S": order_id}})
''',
        '''\
SIZES = {"Name": "t-shirt-large"}  # a dict literal, not an AWS call argument
''',
    )
    INVALID = (
        '''\
def load(scope, order_id):
    orders = scope.client("dynamodb")
    return orders.get_item(TableName="t-acme-orders", Key={"pk": {"S": order_id}})  # SG020
''',
        '''\
def publish(scope, body):
    sns = scope.client("sns")
    sns.publish(
        TopicArn="arn:aws:sns:eu-west-1:123456789012:c-dev-events",  # SG020
        Message=body,
    )
''',
        '''\
def report(scope):
    return scope.resource("s3").Bucket("t-acme-reports")  # SG020
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind != "name-literal" or site.value is None:
                continue
            for candidate in _candidates(site.value):
                owner = context.naming.owner(candidate)
                if owner is not None:
                    yield self.finding(site, f"{site.target}={site.value!r} belongs to {owner}")
                    break
