import boto3
from boto3 import DEFAULT_SESSION


def configure():
    boto3.setup_default_session(profile_name="prod")  # SG004


def read():
    return boto3.DEFAULT_SESSION  # SG004


def imported():
    return DEFAULT_SESSION  # SG004


def private():
    return boto3._get_default_session()  # SG004
