"""SG002: a boto3 or botocore session created outside the factory."""

from __future__ import annotations

from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule


class RawSession(Rule):
    code = "SG002"
    VALID = (
        '''\
import boto3

def regions():
    return boto3.Session().get_available_regions("ec2")  # metadata only
''',
        '''\
import boto3

def partition():
    session = boto3.session.Session()
    return session.region_name, session.get_partition_for_region("eu-west-1")
''',
        '''\
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from boto3 import Session

def build(session: "Session", factory_type):
    return factory_type(session=session)
''',
    )
    INVALID = (
        '''\
import boto3

def build():
    return boto3.Session(region_name="eu-west-1")  # SG002
''',
        '''\
from boto3.session import Session

def build(factory_type):
    session = Session(profile_name="prod")  # SG002
    return factory_type(session=session)
''',
        '''\
import botocore.session

def build():
    return botocore.session.get_session()  # SG002
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind == "raw-session":
                yield self.finding(site, f"{site.target}()")
