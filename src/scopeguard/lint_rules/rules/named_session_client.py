"""SG006: ``.client()`` / ``.resource()`` on a session the walk knows only by its name.

Most raw clients in real code are made from a session that was handed around untyped:
``obj.boto_session.client("cloudwatch")``, ``self.hook.get_session().client("s3")``,
``def upload(session, ...): session.client("s3")``. Flagging every ``.client()`` would flag the
Docker SDK, mocks and other clouds' SDKs; flagging none misses most raw clients. This rule takes
the receiver's name (``session``, ``sess``, ``boto_session``, ``get_*session()``,
``kwargs.get("boto_session")``) together with the call's shape: the service is a literal the
installed botocore knows (or not a literal at all), at most two positional arguments with a
region-shaped second one, and only boto3's own keyword arguments. Google Cloud's
``session.client("compute", "v1", "instances")`` or Azure's
``session.client("azure.mgmt.compute.ComputeManagementClient")`` therefore pass.
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from ... import _fullnames as fn
from .._analysis import Site
from .._rule import Context, Finding, Rule

# The parameters of boto3's Session.client/resource and botocore's create_client.
_CLIENT_KEYWORDS: Final = frozenset(
    {
        "service_name",
        "region_name",
        "api_version",
        "use_ssl",
        "verify",
        "endpoint_url",
        "config",
        "aws_account_id",
        *fn.CREDENTIAL_ARGUMENTS,
    }
)
_REGION: Final = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+")


@lru_cache(maxsize=1)
def aws_services() -> frozenset[str]:
    """Service names of the installed botocore (and boto3's resources), read from their data
    directories without importing either."""
    names: set[str] = set()
    for package in ("botocore", "boto3"):
        spec = importlib.util.find_spec(package)
        for location in (spec.submodule_search_locations or []) if spec else []:
            data = os.path.join(location, "data")
            if os.path.isdir(data):
                names.update(n for n in os.listdir(data) if not n.endswith(".json"))
    return frozenset(names)


def aws_shaped(call: ast.Call, sdk_imported: bool) -> bool:
    """Could this call be boto3's ``client()``/``resource()`` or botocore's ``create_client()``?

    A service name that is not a literal only counts in a module that imports an AWS SDK, or of
    a project that does somewhere: other clouds' SDKs take a variable service name just as
    often."""
    if len(call.args) > 2:
        return False
    if any(kw.arg is not None and kw.arg not in _CLIENT_KEYWORDS for kw in call.keywords):
        return False
    starred = any(isinstance(a, ast.Starred) for a in call.args)
    first = call.args[0] if call.args else None
    service = None if isinstance(first, ast.Starred) else first
    for kw in call.keywords:
        if kw.arg == "service_name":
            service = kw.value
    if not isinstance(service, ast.Constant):
        if not sdk_imported:
            return False
        if service is None:  # ``client(*args)`` or ``client(**options)``
            return starred or any(kw.arg is None for kw in call.keywords)
    else:
        known = aws_services()
        if not isinstance(service.value, str) or (known and service.value not in known):
            return False
    if len(call.args) == 2 and isinstance(call.args[1], ast.Constant):
        region = call.args[1].value
        return isinstance(region, str) and _REGION.fullmatch(region) is not None
    return True


class NamedSessionClient(Rule):
    code = "SG006"
    VALID = (
        '''\
from unittest import mock

def fake():
    session = mock.MagicMock()  # bound here to something else
    return session.client("s3")
''',
        '''\
def instances(session):
    return session.client("compute", "v1", "instances")  # Google Cloud, not boto3
''',
        '''\
def vms(session):
    return session.client("azure.mgmt.compute.ComputeManagementClient")  # Azure
''',
        '''\
def any_client(session, client_class):
    # No AWS SDK imported here and the service is not a literal: another cloud's SDK.
    return session.client(client_class)
''',
        '''\
def reports(factory, tenant_id):
    scope = factory.tenant(tenant_id)
    return scope.client("s3")  # a scope handle
''',
    )
    INVALID = (
        '''\
def metrics(model):
    return model.boto_session.client("cloudwatch")  # SG006
''',
        '''\
def upload(self, body):
    self.hook.get_session().client("s3").put_object(Bucket="b", Key="k", Body=body)  # SG006
''',
        '''\
def queue(session, name):
    sqs = session.client("sqs", region_name="eu-west-1")  # SG006
    return sqs.get_queue_url(QueueName=name)
''',
        '''\
from typing import Any, Optional

class Uploader:
    def __init__(self, **kwargs):
        self.session: Optional[Any] = kwargs.get("boto_session")

    def s3(self):
        return self.session.resource("s3")  # SG006
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind == "named-session-client" and site.call is not None:
                if aws_shaped(site.call, site.value == "sdk-imported"):
                    method = site.target.rpartition(".")[2]
                    yield self.finding(site, f"{_receiver(site.call)}.{method}()")


def _receiver(call: ast.Call) -> str:
    func = call.func
    text = ast.unparse(func.value) if isinstance(func, ast.Attribute) else "session"
    return text if len(text) <= 40 else "..." + text[-37:]
