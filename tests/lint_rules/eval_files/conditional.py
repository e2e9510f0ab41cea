# Conditional and late imports, and functions using module names bound below them.
try:
    import boto3
except ImportError:
    boto3 = None

if boto3 is not None:
    from boto3.session import Session as _Session
else:
    _Session = None


def uses_later_binding():
    return LATER.client("s3")  # SG003


def uses_try_import():
    return boto3.client("s3")  # SG001


def uses_conditional_import():
    return _Session(profile_name="x")  # SG002


LATER = boto3.Session()  # SG002
