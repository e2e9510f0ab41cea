"""SG010: credentials passed explicitly (``aws_access_key_id=`` and friends)."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule


class ExplicitCredentials(Rule):
    code = "SG010"
    VALID = (
        '''\
def build(factory_type, session):
    return factory_type(session=session)  # credentials resolved by the session
''',
        '''\
def anonymous(make):
    return make(aws_access_key_id=None)  # an explicit "no key" passes nothing
''',
    )
    INVALID = (
        '''\
import os
import boto3

def build():
    return boto3.client(  # SG001
        "s3",
        aws_access_key_id=os.environ["KEY"],  # SG010
        aws_secret_access_key=os.environ["SECRET"],  # SG010
    )
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind == "credentials":
                yield self.finding(site, f"{site.target}=")
