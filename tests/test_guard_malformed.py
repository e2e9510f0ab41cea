"""Malformed input never crashes the guard: for every checked operation of the nine services,
parameters shaped like the model except for one ill-typed value anywhere (a list where the model
says map, a map where it says string, ...) end in botocore's ``ParamValidationError`` or a
``ScopeViolation``, in tenant and platform scope, and nothing is sent."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ParamValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scopeguard import ClientFactory, NamingPolicy, PooledTable, ScopeViolation
from scopeguard._guard import SERVICE_RULES
from scopeguard._guard.rules import Refuse
from scopeguard.testing import count_requests, moto_factory

NINE = ("dynamodb", "events", "kinesis", "lambda", "s3", "secretsmanager", "sns", "sqs", "ssm")
STRINGS = ["orders", "sessions", "t-acme-orders", "t-globex-orders", "/app/x", "x:1",
           "arn:aws:dynamodb:eu-west-1:123456789012:table/t-globex-orders",
           "https://sqs.eu-west-1.amazonaws.com/123456789012/t-globex-q", "pk = :v", ":v", "#n"]


def _checked_operations() -> list[tuple[str, str]]:
    import boto3

    session = boto3.Session(region_name="eu-west-1", aws_access_key_id="x",
                            aws_secret_access_key="x")
    found = []
    for service in NINE:
        model = session.client(service).meta.service_model
        rules = SERVICE_RULES[service]
        for op in model.operation_names:
            shape = model.operation_model(op).input_shape
            if shape is not None and shape.members and not isinstance(rules.operations.get(op),
                                                                      Refuse):
                found.append((service, op))
    return found


CHECKED = _checked_operations()


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory(naming=NamingPolicy(pooled_tables={"sessions": PooledTable("pk")})) as f:
        yield f


def _leaf(shape: Any) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind == "string":
        return st.sampled_from(shape.enum or STRINGS)
    if kind in ("integer", "long"):
        return st.integers(0, 10)
    if kind in ("double", "float"):
        return st.floats(0, 10)
    if kind == "boolean":
        return st.booleans()
    if kind == "blob":
        return st.binary(max_size=4)
    if kind == "timestamp":
        return st.just(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    return st.none()


def _wrong(shape: Any) -> st.SearchStrategy[Any]:
    kind = shape.type_name
    if kind in ("structure", "map"):
        return st.sampled_from([["x"], "x", 7, None])
    if kind == "list":
        return st.sampled_from([{"x": "y"}, "x", 7, None])
    if kind == "string":
        return st.sampled_from([{"S": "t-acme/x"}, ["orders"], 7, None])
    if kind == "boolean":
        return st.sampled_from(["true", [True], {}])
    return st.sampled_from([{"x": 1}, ["x"], None, "x" if kind != "blob" else 7])


def _draw(data: st.DataObject, shape: Any, depth: int, bad: bool) -> Any:
    kind = shape.type_name
    nested = kind in ("structure", "list", "map")
    if bad and (not nested or depth >= 3 or (depth and data.draw(st.booleans()))):
        return data.draw(_wrong(shape))
    if kind == "structure":
        # EventBridge's EndpointId is a host label botocore's endpoint rules reject by value
        # (a well-typed value, not a shape mismatch): never drawn.
        names = [n for n in shape.members if n != "EndpointId"]
        if not names:
            return {}
        chosen = list(shape.required_members)
        chosen += [n for n in data.draw(st.lists(st.sampled_from(names), max_size=3,
                                                 unique=True)) if n not in chosen]
        culprit = data.draw(st.sampled_from(names)) if bad else None
        if culprit is not None and culprit not in chosen:
            chosen.append(culprit)
        if depth >= 3:
            chosen = [n for n in chosen if n == culprit or n in shape.required_members]
        return {n: _draw(data, shape.members[n], depth + 1, n == culprit) for n in chosen}
    if kind == "list":
        size = data.draw(st.integers(1 if bad else 0, 2))
        culprit_at = data.draw(st.integers(0, size - 1)) if bad else -1
        return [_draw(data, shape.member, depth + 1, i == culprit_at) for i in range(size)]
    if kind == "map":
        keys = data.draw(st.lists(_leaf(shape.key), min_size=1 if bad else 0, max_size=2,
                                  unique=True))
        culprit_at = data.draw(st.integers(0, len(keys) - 1)) if bad else -1
        return {k: _draw(data, shape.value, depth + 1, i == culprit_at)
                for i, k in enumerate(keys)}
    return data.draw(_leaf(shape))


@settings(max_examples=600, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_ill_typed_parameters_end_in_validation_or_refusal(factory: ClientFactory,
                                                           data: st.DataObject) -> None:
    service, op = data.draw(st.sampled_from(CHECKED), label="operation")
    scope = factory.tenant("acme") if data.draw(st.booleans(), label="tenant") \
        else factory.platform()
    client = scope.client(service)
    shape = client.meta.service_model.operation_model(op).input_shape
    params = _draw(data, shape, 0, True)
    method = getattr(client, _python_name(client, op))
    with count_requests(client) as sent:
        try:
            method(**params)
        except (ParamValidationError, ScopeViolation):
            pass
    assert sent.total == 0


def _python_name(client: Any, op: str) -> str:
    from botocore import xform_name

    return xform_name(op)


@pytest.mark.parametrize("metadata", [{"a": 1}, {"a": None}, {"a": b"x"}, {1: "x"}])
@pytest.mark.parametrize("call", ["put_object", "create_multipart_upload", "copy_object"])
def test_ill_typed_s3_metadata_ends_in_validation(factory: ClientFactory, call: str,
                                                  metadata: dict[Any, Any]) -> None:
    """botocore's own S3 metadata handler, which runs before the guard's parameter hook, reads
    every value as a string (an int ended in AttributeError): the guard's type check ahead of
    it sees a map of strings holding something else."""
    client = factory.tenant("acme").client("s3")
    extra = {"CopySource": "t-acme-files/a"} if call == "copy_object" else {}
    with count_requests(client) as sent, pytest.raises(ParamValidationError, match="Metadata"):
        getattr(client, call)(Bucket="files", Key="k", Metadata=metadata, **extra)
    assert sent.total == 0
