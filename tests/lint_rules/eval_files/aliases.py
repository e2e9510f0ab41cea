# Every way of naming the SDK entry points resolves to the same site.
import boto3
import boto3 as b3
import boto3.session
from boto3 import client as mk
from boto3 import resource
from boto3.session import Session
from boto3 import session as bsession


def plain():
    return boto3.client("s3")  # SG001


def aliased_module():
    return b3.resource("dynamodb")  # SG001


def aliased_function():
    return mk("sqs")  # SG001


def imported_function():
    return resource("s3")  # SG001


def session_class():
    return Session()  # SG002


def session_module_attribute():
    return boto3.session.Session()  # SG002


def session_module_alias():
    return bsession.Session(region_name="eu-west-1")  # SG002


def local_import():
    import boto3 as sdk

    return sdk.client("sns")  # SG001


def local_from_import():
    from boto3 import client

    return client("lambda")  # SG001


def assigned_alias():
    make = boto3.client
    return make("kinesis")  # SG001


def shadowed_by_parameter(boto3):
    return boto3.client("s3")  # a parameter hides the module: not the SDK


def star_import():
    from boto3 import *

    return client("s3")  # SG001


class Outer:
    class Inner:
        def method(self):
            return boto3.client("s3")  # SG001

        def other(self):
            return self.session.client("s3")  # SG003

        def setup(self):
            self.session = boto3.Session()  # SG002
