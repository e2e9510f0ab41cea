# A factory module (factory-modules = ["cases.composition"]): raw sessions are allowed here.
from __future__ import annotations

import boto3
import botocore.session

from scopeguard import ClientFactory


def build() -> ClientFactory:
    session = boto3.Session(region_name="eu-west-1")
    session.client("sts").get_caller_identity()
    botocore.session.get_session()
    return ClientFactory(session=session)
