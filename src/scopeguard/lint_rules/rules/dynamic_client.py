"""SG030: a raw client whose service or options cannot be read statically."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from .._analysis import Site
from .._rule import Context, Finding, Rule

_CLIENT_SITES = frozenset({"raw-client", "session-client", "async-client"})


def _dynamic_part(call: ast.Call) -> str | None:
    if any(kw.arg is None for kw in call.keywords):
        return "**options"
    if any(isinstance(arg, ast.Starred) for arg in call.args):
        return "*arguments"
    service: ast.expr | None = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == "service_name":
            service = kw.value
    if service is None:
        return "no service name"
    if not (isinstance(service, ast.Constant) and isinstance(service.value, str)):
        return "service name is not a literal"
    return None


class DynamicClient(Rule):
    code = "SG030"
    VALID = (
        '''\
def table(scope):
    return scope.client("dynamodb")
''',
    )
    INVALID = (
        '''\
import boto3

def any_client(service, **options):
    return boto3.client(service, **options)  # SG001, SG030
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind in _CLIENT_SITES and site.call is not None:
                reason = _dynamic_part(site.call)
                if reason is not None:
                    yield self.finding(site, f"{site.target}(): {reason}")
