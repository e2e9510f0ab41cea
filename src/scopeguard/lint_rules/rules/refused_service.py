"""SG040: a tenant or capsule scope asked for a service its guard always refuses.

The guard of a tenant or capsule scope has an operation table for a fixed set of services
(``ISOLATED_SCOPE_SERVICES``, kept equal to the guard's own registry by a test) and refuses every
request to any other service: ``factory.tenant(t).client("ses")`` builds a client whose every call
raises ``ScopeViolation``. That is certain from the literal alone, so it is flagged here rather
than found in production.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ... import _fullnames as fn
from .._analysis import Site
from .._rule import Context, Finding, Rule


def _service(call: ast.Call) -> str | None:
    service: ast.expr | None = call.args[0] if call.args else None
    for kw in call.keywords:
        if kw.arg == "service_name":
            service = kw.value
    if isinstance(service, ast.Constant) and isinstance(service.value, str):
        return service.value
    return None


class RefusedService(Rule):
    code = "SG040"
    VALID = (
        '''\
def send(factory, tenant_id, body):
    factory.tenant(tenant_id).client("sqs").send_message(QueueUrl="jobs", MessageBody=body)
''',
        '''\
def notify(factory, message):
    return factory.platform().client("ses").send_email(**message)  # shared infrastructure
''',
        '''\
def tags(factory, account_id):
    return factory.operator(account_id, role_name="audit").client("organizations")
''',
    )
    INVALID = (
        '''\
def notify(factory, tenant_id, message):
    return factory.tenant(tenant_id).client("ses").send_email(**message)  # SG040
''',
        '''\
from scopeguard import CapsuleScope

def logs(scope: CapsuleScope):
    return scope.client("logs")  # SG040
''',
        '''\
def queries(factory, tenant_id):
    tenant = factory.tenant(tenant_id)
    return tenant.resource("cloudformation")  # SG040
''',
    )

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        for site in sites:
            if site.kind != "factory-client" or site.scope not in fn.ISOLATED_SCOPES:
                continue
            service = _service(site.call) if site.call is not None else None
            if service is not None and service not in fn.ISOLATED_SCOPE_SERVICES:
                yield self.finding(
                    site,
                    f"service {service!r} is not covered in {site.scope} scope; covered: "
                    f"{', '.join(fn.ISOLATED_SCOPE_SERVICES)}",
                )
