# Sessions handed around untyped are known by their names (SG006); look-alikes are not flagged.
from typing import Any, Optional

import boto3
import requests
from unittest import mock


def attribute_of_another_object(estimator):
    return estimator.sagemaker_session.boto_session.client("cloudwatch")  # SG006


def inline_getter(self):
    return self.hook.get_session().client("s3")  # SG006


def inline_factory(manager):
    return manager.session_factory().client("ec2", region_name="us-east-1")  # SG006


def local_from_getter(credentials):
    session = credentials.get_boto3_session()
    return session.resource("dynamodb")  # SG006


def local_named_otherwise(model):
    s = model.boto_session
    return s.client("logs")  # SG006


def unannotated_parameter(boto_session, name):
    return boto_session.client("sqs").get_queue_url(QueueName=name)  # SG006


def any_parameter(session: Optional[Any] = None):
    return session.client("sns", "eu-west-1")  # SG006


def from_kwargs(**kwargs):
    return kwargs.get("boto_session").client("kinesis")  # SG006


def from_kwargs_subscript(options):
    return options["session"].create_client("sts")  # SG006


def dynamic_service(session, service):
    return session.client(service)  # SG006


class Holder:
    session: Optional[Any] = None

    def secrets(self):
        return self.session.client("secretsmanager")  # SG006


def credentials_resolved():
    return boto3.Session().get_credentials()  # SG002


def metadata_only():
    return boto3.Session().get_available_regions("ec2")


# -- look-alikes --------------------------------------------------------------------------


def http_session():
    session = requests.Session()
    return session.resource("s3")


def mocked():
    session = mock.MagicMock()
    return session.client("s3")


def annotated_otherwise(session: requests.Session):
    return session.client("s3")


def google_cloud(session):
    return session.client("compute", "v1", "instances")


def azure(session):
    return session.client("azure.mgmt.compute.ComputeManagementClient")


def kubernetes(session):
    return session.client("Core", "V1")


def oci(self):
    return self.get_session().client("oci.core.ComputeClient", region="us-phoenix-1")


def unrelated_receiver(docker_api):
    return docker_api.client("s3")


def second_argument_not_a_region(session):
    return session.client("iam", "v1")


class HttpHolder:
    def __init__(self):
        self.session = requests.Session()

    def fetch(self):
        return self.session.client("s3")


# -- sessions the walk follows by their makers ------------------------------------------------


def unpacked(get_session):
    _, session = get_session("role")
    return session.client("organizations")  # SG006


def from_a_session_factory():
    from c7n.credentials import SessionFactory

    factory = SessionFactory("eu-west-1")
    session = factory()
    return session.client("logs")  # SG006


def looped(sessions):
    for session in sessions:
        session.client("s3")  # SG006


class CustomSession(boto3.Session):
    def client(self, service_name, region_name=None, **kw):
        return super().client(service_name, region_name, **kw)  # SG003, SG030
