"""SG003: ``.client()``, ``.resource()`` or ``.create_client()`` on a raw session."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule


class SessionClient(Rule):
    code = "SG003"
    VALID = (
        '''\
from unittest import mock

def fake():
    session = mock.MagicMock()
    return session.client("s3")  # not a boto3 session
''',
        '''\
def reports(scope):
    return scope.client("s3")  # a scope handle from the factory
''',
    )
    INVALID = (
        '''\
import boto3

def build():
    session = boto3.Session()  # SG002
    return session.client("s3")  # SG003
''',
        '''\
import boto3

class Repository:
    def __init__(self):
        self.session = boto3.Session()  # SG002

    def table(self):
        return self.session.resource("dynamodb").Table("orders")  # SG003
''',
        '''\
import boto3

def upload(session: boto3.Session, body):
    session.client("s3").put_object(Bucket="reports", Key="r", Body=body)  # SG003
''',
        '''\
from botocore.session import get_session

def sqs():
    return get_session().create_client("sqs")  # SG002, SG003
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind == "session-client":
                yield self.finding(site, f"{site.target}()")
