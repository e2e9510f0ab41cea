# Session values are tracked through variables, attributes of self, parameters and chains.
import boto3
import botocore.session
from botocore.session import get_session


def variable():
    session = boto3.Session(region_name="eu-west-1")  # SG002
    sqs = session.client("sqs")  # SG003
    return sqs, session.resource("s3")  # SG003


def chained():
    return boto3.Session().client("s3")  # SG002, SG003


def botocore_session():
    return botocore.session.Session().create_client("sts")  # SG002, SG003


def botocore_get_session():
    session = get_session()  # SG002
    return session.create_client("sqs")  # SG003


def annotated_parameter(session: boto3.Session):
    return session.client("s3")  # SG003


def optional_parameter(session: "boto3.session.Session | None" = None):
    return session.client("s3")  # SG003


class Repository:
    def table(self):
        # used above the method that assigns it
        return self.session.resource("dynamodb").Table("orders")  # SG003

    def __init__(self):
        self.session = boto3.Session()  # SG002

    def nested(self):
        def inner():
            return self.session.client("s3")  # SG003

        return inner


class Unrelated:
    def __init__(self, session):
        self.session = session

    def client(self):
        return self.session.client("s3")  # SG006


def current_session() -> "boto3.Session | None":
    return SESSION_HOLDER[0]


def through_annotated_return():
    return current_session().client("s3")  # SG003


SESSION_HOLDER: list = []


class Defaulting:
    def __init__(self, boto_session=None):
        self.boto_session = boto_session or boto3.DEFAULT_SESSION or boto3.Session()  # SG002, SG004

    def s3(self):
        return self.boto_session.client("s3")  # SG003


class WithProperty:
    def s3(self):
        return self.session.client("s3")  # SG003

    @property
    def session(self) -> boto3.Session:
        raise NotImplementedError
