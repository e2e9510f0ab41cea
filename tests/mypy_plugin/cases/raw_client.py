from __future__ import annotations

from typing import Literal

import boto3
import boto3 as aws
import boto3.session
import botocore.session
from boto3 import client as make_client
from boto3 import resource
from boto3.session import Session as BotoSession

boto3.client("s3")  # E: Raw boto3 client created outside factory-modules (boto3.client()): it carries no scope, so nothing stops it from reaching another tenant's resources; ask the injected ClientFactory instead, e.g. factory.tenant(tenant_id).client(...)  [scopeguard-raw-client]
boto3.resource("dynamodb")  # E: Raw boto3 resource created outside factory-modules (boto3.resource()): ...  [scopeguard-raw-client]
aws.client("sqs", region_name="eu-west-1")  # E: Raw boto3 client created outside factory-modules (boto3.client()): ...  [scopeguard-raw-client]
make_client("sts")  # E: Raw boto3 client created outside factory-modules (boto3.client()): ...  [scopeguard-raw-client]
resource("s3")  # E: Raw boto3 resource created outside factory-modules (boto3.resource()): ...  [scopeguard-raw-client]
boto3.client("kinesis", "eu-west-1")  # E: Raw boto3 client created outside factory-modules (boto3.client()): ...  [scopeguard-raw-client]

session = boto3.Session()  # E: Raw session created outside factory-modules (boto3.session.Session()): sessions are the root of credentials and clients; create the session once in a factory module and pass it to ClientFactory(session=...)  [scopeguard-raw-client]
BotoSession(profile_name="x")  # E: Raw session created outside factory-modules (boto3.session.Session()): ...  [scopeguard-raw-client]
boto3.session.Session()  # E: Raw session created outside factory-modules (boto3.session.Session()): ...  [scopeguard-raw-client]
core = botocore.session.get_session()  # E: Raw session created outside factory-modules (botocore.session.get_session()): ...  [scopeguard-raw-client]
boto3.setup_default_session()  # E: boto3's process-wide default session used outside factory-modules (boto3.setup_default_session()): ...  [scopeguard-raw-client]


def handler(injected: boto3.Session, core_session: botocore.session.Session) -> None:
    # Wherever the session came from, a client made from it bypasses the guard.
    injected.client("dynamodb")  # E: Client created from a raw session outside factory-modules (.client()): it bypasses the scope guard; ask the injected ClientFactory instead, e.g. factory.tenant(tenant_id).client(...)  [scopeguard-raw-client]
    injected.resource("s3")  # E: Resource created from a raw session outside factory-modules (.resource()): ...  [scopeguard-raw-client]
    core_session.create_client("sqs")  # E: Client created from a raw session outside factory-modules (.create_client()): ...  [scopeguard-raw-client]
    # Reading metadata from a session creates nothing: no error.
    injected.get_available_regions("s3")
    injected.region_name
    core_session.get_available_services()


boto3.client("s3")  # type: ignore[scopeguard-raw-client]


# A service name that is a union of literals: no single overload item matches it. In a return
# statement mypy checks the call twice (with the declared type as context, then without), and
# keeps the second pass's errors if the first had any: each pass must report.
def client_for(service: Literal["sts", "ecs"]) -> object:
    return boto3.client(service)  # E: Raw boto3 client created outside factory-modules (boto3.client()): ...  [scopeguard-raw-client]


def session_client_for(injected: boto3.Session, service: Literal["sts", "ecs"]) -> object:
    return injected.client(service)  # E: Client created from a raw session outside factory-modules (.client()): ...  [scopeguard-raw-client]


def assigned_client_for(service: Literal["sts", "ecs"]) -> object:
    made = boto3.client(service)  # E: Raw boto3 client created outside factory-modules (boto3.client()): ...  [scopeguard-raw-client]
    return made
