"""Helpers shared by the guard tests (``tests/test_guard_*.py``), imported as a plain module:
pytest puts ``tests/`` on ``sys.path`` (rootdir-relative, no package)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from scopeguard._guard.checks import ScopeGuard
from scopeguard._naming import DEFAULT_POLICY

ACCOUNT = "123456789012"  # moto's default account

_ids = itertools.count()


class EqualToAnything(str):
    """A ``str`` that compares equal to anything (and hashes as what it holds): a value a
    hostile handler puts in a request to pass for the approved one."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    __hash__ = str.__hash__


@contextmanager
def seeded_factory(*tenants: str) -> Iterator[Any]:
    """A ``moto_factory`` whose tenants each have ``seed_tenant``'s table, bucket and topic."""
    from scopeguard.testing import moto_factory

    with moto_factory() as factory:
        for tenant in tenants:
            seed_tenant(factory.tenant(tenant))
        yield factory


def guard_for(tenant: str) -> ScopeGuard:
    """A tenant's guard under the default naming policy, in ``ACCOUNT``, with no pinned host:
    for property tests that call the service tables' kinds directly."""
    return ScopeGuard(DEFAULT_POLICY.tenant(tenant), DEFAULT_POLICY, lambda: ACCOUNT, "aws", None)


@contextmanager
def tampering(client: Any, event: str, handler: Callable[..., Any]) -> Iterator[None]:
    """Register ``handler`` first on ``event`` of the client's (shared) event system for the
    duration, as a dependency tampering with requests would, then remove it again: module-scoped
    clients outlive one test."""
    unique_id = f"hostile-{next(_ids)}"
    client.meta.events.register_first(event, handler, unique_id=unique_id)
    try:
        yield
    finally:
        client.meta.events.unregister(event, unique_id=unique_id)


def skip_unless_in_model(client: Any, operation: str, parameter: str | None = None) -> None:
    """Skip a test of an operation (or parameter) newer than the installed botocore: the async
    extra pins botocore 1.43, whose models lack some operations the guard already classifies."""
    import pytest

    model = client.meta.service_model
    if operation not in model.operation_names:
        pytest.skip(f"{operation} is not in this botocore's {model.service_name} model")
    members = model.operation_model(operation).input_shape.members
    if parameter is not None and parameter not in members:
        pytest.skip(f"{operation}.{parameter} is not in this botocore's {model.service_name} model")


def refused(client: Any, call: str, match: str, **params: Any) -> Any:
    """Call ``client.<call>(**params)``; assert it raised ScopeViolation matching ``match`` and
    that no request left the process. Returns the violation."""
    import pytest

    from scopeguard import ScopeViolation
    from scopeguard.testing import count_requests

    with count_requests(client) as sent, pytest.raises(ScopeViolation, match=match) as info:
        getattr(client, call)(**params)
    assert sent.total == 0
    return info.value


def seed_pooled_sessions(platform: Any) -> None:
    """Create the pooled ``sessions`` table (partition key ``pk``) through a platform DynamoDB
    client, with one item each for acme and globex under their key prefixes."""
    platform.create_table(
        TableName="sessions", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    for tenant in ("acme", "globex"):
        platform.put_item(TableName="sessions",
                          Item={"pk": {"S": f"t-{tenant}/s1"}, "owner": {"S": tenant}})


def seed_tenant(scope: Any) -> None:
    """A tenant's ``orders`` table, ``files`` bucket (moto_factory's eu-west-1) and ``news``
    topic, for the signing-time tests."""
    scope.client("dynamodb").create_table(
        TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST")
    scope.client("s3").create_bucket(
        Bucket="files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    scope.client("sns").create_topic(Name="news")
