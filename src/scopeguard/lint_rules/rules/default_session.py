"""SG004: boto3's process-wide default session configured or read."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule


class DefaultSession(Rule):
    code = "SG004"
    VALID = (
        '''\
import boto3

def describe(session: boto3.Session):
    return session.region_name  # reads an injected session's metadata
''',
    )
    INVALID = (
        '''\
import boto3

def configure():
    boto3.setup_default_session(region_name="eu-west-1")  # SG004
''',
        '''\
import boto3

def reset():
    boto3.DEFAULT_SESSION = None  # SG004
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind == "default-session":
                yield self.finding(site)
