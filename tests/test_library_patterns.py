"""Requests that libraries taking an injected client make, sent through scope clients.

Each pattern is the one a library sends (same operations, parameter shapes and expressions),
written as plain client calls: Powertools' idempotency layer and circuit breaker on DynamoDB,
its SSM and S3 streaming utilities. In-scope use works in tenant, capsule and platform scope,
on siloed and pooled tables (pooled with a configured index, so updates go through the strict
update grammar); pointed at another scope's resources, nothing is sent."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from scopeguard import ClientFactory, NamingPolicy, PooledTable, ScopeViolation
from scopeguard.testing import count_requests, moto_factory

REGION = "eu-west-1"
NAMING = NamingPolicy(
    pooled_tables={"idempotency": PooledTable("id", indexes={"by-owner": "owner"})},
    pooled_buckets=frozenset({"exports"}))
_KEY = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST"}
_INDEX = [{"IndexName": "by-owner", "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
           "Projection": {"ProjectionType": "ALL"}}]


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory(naming=NAMING) as factory:
        platform = factory.platform()
        platform.client("dynamodb").create_table(
            TableName="idempotency", GlobalSecondaryIndexes=_INDEX, AttributeDefinitions=[
                {"AttributeName": "id", "AttributeType": "S"},
                {"AttributeName": "owner", "AttributeType": "S"}], **_KEY)
        platform.client("s3").create_bucket(
            Bucket="exports", CreateBucketConfiguration={"LocationConstraint": REGION})
        for scope in (factory.tenant("acme"), factory.tenant("globex"), factory.capsule("dev"),
                      platform):
            scope.client("dynamodb").create_table(
                TableName="idempotency-silo",
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}], **_KEY)
            ssm = scope.client("ssm")
            ssm.put_parameter(Name="/app/db-host", Value="host", Type="String")
            ssm.put_parameter(Name="/app/deep/db-pass", Value="pass", Type="SecureString")
        yield factory


SCOPES = ["tenant", "capsule", "platform"]


def _scope(factory: ClientFactory, kind: str) -> Any:
    return {"tenant": factory.tenant("acme"), "capsule": factory.capsule("dev"),
            "platform": factory.platform()}[kind]


def _prefix(scope: Any) -> str:
    return "shared/" if scope.scope.kind == "platform" else scope.pooled_key_prefix("idempotency")


# -- Powertools idempotency (DynamoDBPersistenceLayer) ------------------------------------------

_NAMES = {"#id": "id", "#expiry": "expiration", "#in_progress_expiry": "in_progress_expiration",
          "#status": "status"}
_CONDITION = ("attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND "
              "attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)")


def _save_in_progress(db: Any, table: str, key: str, *, expired_lease: bool = False) -> Any:
    now = int(time.time())
    return db.put_item(
        TableName=table,
        Item={"id": {"S": key}, "expiration": {"N": str(now + 3600)},
              "status": {"S": "INPROGRESS"},
              "in_progress_expiration": {"N": str(now * 1000 - (10_000 if expired_lease
                                                                else -60_000))}},
        ConditionExpression=_CONDITION, ExpressionAttributeNames=_NAMES,
        ExpressionAttributeValues={":now": {"N": str(now)},
                                   ":now_in_millis": {"N": str(now * 1000)},
                                   ":inprogress": {"S": "INPROGRESS"}},
        ReturnValuesOnConditionCheckFailure="ALL_OLD")


def _idempotent_run(db: Any, table: str, key: str) -> list[str]:
    """First call, repeat call (the conditional put fails and returns the stored record), a
    failing call's cleanup, and the takeover of an in-progress record whose lease expired."""
    with count_requests(db) as sent:
        _save_in_progress(db, table, key)
        db.update_item(
            TableName=table, Key={"id": {"S": key}},
            UpdateExpression="SET #response_data = :response_data, #expiry = :expiry, "
                             "#status = :status, #validation_key = :validation_key",
            ExpressionAttributeNames={"#expiry": "expiration", "#response_data": "data",
                                      "#status": "status", "#validation_key": "validation"},
            ExpressionAttributeValues={":expiry": {"N": str(int(time.time()) + 3600)},
                                       ":response_data": {"S": '{"done": 1}'},
                                       ":status": {"S": "COMPLETED"},
                                       ":validation_key": {"S": "hash"}})
        with pytest.raises(db.exceptions.ConditionalCheckFailedException) as repeat:
            _save_in_progress(db, table, key)
        assert repeat.value.response["Item"]["status"] == {"S": "COMPLETED"}
        stored = db.get_item(TableName=table, Key={"id": {"S": key}}, ConsistentRead=True)
        assert stored["Item"]["data"] == {"S": '{"done": 1}'}
        db.delete_item(TableName=table, Key={"id": {"S": key}})
        _save_in_progress(db, table, key, expired_lease=True)  # its Lambda timed out
        _save_in_progress(db, table, key)
    return sent.operations


@pytest.mark.parametrize("kind", SCOPES)
def test_idempotency_on_a_siloed_table(factory: ClientFactory, kind: str) -> None:
    db = _scope(factory, kind).client("dynamodb")
    key = f"{kind}-test.process#e1ab08205a28aed16b0f945bb4e0cf36"
    assert _idempotent_run(db, "idempotency-silo", key) == [
        "PutItem", "UpdateItem", "PutItem", "GetItem", "DeleteItem", "PutItem", "PutItem"]


@pytest.mark.parametrize("kind", SCOPES)
def test_idempotency_on_a_pooled_table_with_a_key_prefix(factory: ClientFactory,
                                                         kind: str) -> None:
    scope = _scope(factory, kind)
    key = f"{_prefix(scope)}orders#e1ab08205a28aed16b0f945bb4e0cf36"
    assert len(_idempotent_run(scope.client("dynamodb"), "idempotency", key)) == 7


@pytest.mark.parametrize(("kind", "table", "key", "match"), [
    ("tenant", "t-globex-idempotency-silo", "k", "belongs to tenant:globex"),
    ("tenant", "c-dev-idempotency-silo", "k", "belongs to capsule:dev"),
    ("tenant", "idempotency", "test-func.process#e1ab", "does not start with 't-acme/'"),
    ("tenant", "idempotency", "t-globex/orders#e1ab", "belongs to tenant:globex"),
    ("capsule", "t-acme-idempotency-silo", "k", "belongs to tenant:acme"),
    ("capsule", "idempotency", "t-acme/orders#e1ab", "belongs to tenant:acme"),
    ("platform", "t-acme-idempotency-silo", "k", "belongs to tenant:acme"),
    ("platform", f"arn:aws:dynamodb:{REGION}:123456789012:table/c-dev-idempotency-silo", "k",
     "belongs to capsule:dev"),
])
def test_idempotency_on_another_scopes_records_sends_nothing(
    factory: ClientFactory, kind: str, table: str, key: str, match: str
) -> None:
    db = _scope(factory, kind).client("dynamodb")
    with count_requests(db) as sent:
        with pytest.raises(ScopeViolation, match=match):
            _save_in_progress(db, table, key)
        with pytest.raises(ScopeViolation, match=match):
            db.get_item(TableName=table, Key={"id": {"S": key}}, ConsistentRead=True)
        with pytest.raises(ScopeViolation, match=match):
            db.delete_item(TableName=table, Key={"id": {"S": key}})
    assert sent.total == 0


# -- Powertools circuit breaker (CircuitBreakerDynamoDBPersistence) -----------------------------

@pytest.mark.parametrize("kind", SCOPES)
def test_circuit_breaker_state_updates_on_a_pooled_table(factory: ClientFactory,
                                                         kind: str) -> None:
    scope = _scope(factory, kind)
    db, key = scope.client("dynamodb"), {"id": {"S": f"{_prefix(scope)}circuit#payments"}}
    now = int(time.time())
    with count_requests(db) as sent:
        db.put_item(TableName="idempotency", Item={
            **key, "state": {"S": "OPEN"}, "failure_count": {"N": "3"},
            "opened_at": {"N": str(now - 60)}})
        db.put_item(
            TableName="idempotency", Item={
                **key, "state": {"S": "HALF_OPEN"}, "failure_count": {"N": "3"},
                "opened_at": {"N": str(now - 60)}, "half_open_owner": {"S": "req-1"},
                "probe_lease_expiry": {"N": str(now + 30)}},
            ConditionExpression="(#state = :open AND attribute_not_exists(#half_open_owner) AND "
                                "#opened_at = :expected_opened_at) OR "
                                "(#state = :half_open AND #probe_lease_expiry <= :now)",
            ExpressionAttributeNames={"#state": "state", "#half_open_owner": "half_open_owner",
                                      "#probe_lease_expiry": "probe_lease_expiry",
                                      "#opened_at": "opened_at"},
            ExpressionAttributeValues={":open": {"S": "OPEN"}, ":half_open": {"S": "HALF_OPEN"},
                                       ":now": {"N": str(now)},
                                       ":expected_opened_at": {"N": str(now - 60)}})
        db.update_item(
            TableName="idempotency", Key=key,
            UpdateExpression="SET #state = :state, #failure_count = :failure_count, "
                             "#expiration = :expiration "
                             "REMOVE #opened_at, #half_open_owner, #probe_lease_expiry",
            ExpressionAttributeNames={"#state": "state", "#failure_count": "failure_count",
                                      "#expiration": "expiration", "#opened_at": "opened_at",
                                      "#half_open_owner": "half_open_owner",
                                      "#probe_lease_expiry": "probe_lease_expiry"},
            ExpressionAttributeValues={":state": {"S": "CLOSED"}, ":failure_count": {"N": "0"},
                                       ":expiration": {"N": str(now + 3600)}})
        item = db.get_item(TableName="idempotency", Key=key, ConsistentRead=False)["Item"]
    assert item["state"] == {"S": "CLOSED"} and "opened_at" not in item
    assert sent.operations == ["PutItem", "PutItem", "UpdateItem", "GetItem"]


# -- Powertools parameters (SSMProvider) and streaming (S3Object) -------------------------------

@pytest.mark.parametrize("kind", SCOPES)
def test_ssm_provider_reads_by_physical_path_and_names(factory: ClientFactory, kind: str) -> None:
    # get_multiple strips the path it was given from the names SSM returns, and
    # get_parameters_by_name looks the returned names up: both need the physical spelling.
    scope = _scope(factory, kind)
    ssm = scope.client("ssm")
    path = scope.physical_name("ssm", "/app")
    pages = ssm.get_paginator("get_parameters_by_path").paginate(
        Path=path, WithDecryption=True, Recursive=True, PaginationConfig={"PageSize": 1})
    names = sorted(p["Name"][len(path):].lstrip("/") for page in pages
                   for p in page["Parameters"])
    assert names == ["db-host", "deep/db-pass"]
    wanted = [scope.physical_name("ssm", "/app/db-host"),
              scope.physical_name("ssm", "/app/deep/db-pass")]
    got = ssm.get_parameters(Names=wanted, WithDecryption=True)["Parameters"]
    assert sorted(p["Name"] for p in got) == sorted(wanted)


@pytest.mark.parametrize(("kind", "path"), [
    ("tenant", "/t-globex/app"), ("tenant", "/c-dev"), ("capsule", "/t-acme/app"),
    ("platform", "/t-acme/app"), ("platform", "/c-dev/app/deep")])
def test_ssm_provider_on_another_scopes_path_sends_nothing(
    factory: ClientFactory, kind: str, path: str
) -> None:
    ssm = _scope(factory, kind).client("ssm")
    with count_requests(ssm) as sent, pytest.raises(ScopeViolation, match="belongs to"):
        for _ in ssm.get_paginator("get_parameters_by_path").paginate(
                Path=path, WithDecryption=True, Recursive=True):
            pass
    assert sent.total == 0


@pytest.mark.parametrize("kind", SCOPES)
def test_s3_object_streams_a_pooled_key_by_ranges(factory: ClientFactory, kind: str) -> None:
    scope = _scope(factory, kind)
    s3, key = scope.client("s3"), f"{_prefix(scope)}report.csv"
    s3.put_object(Bucket="exports", Key=key, Body=b"a,b\n1,2\n")
    with count_requests(s3) as sent:
        size = s3.head_object(Bucket="exports", Key=key)["ContentLength"]
        body = s3.get_object(Bucket="exports", Key=key, Range=f"bytes=4-{size - 1}")["Body"]
        assert body.read() == b"1,2\n"
    assert sent.operations == ["HeadObject", "GetObject"]
    if kind != "platform":  # the platform reads pooled buckets in full
        other = "t-globex/report.csv" if kind == "capsule" else "c-dev/report.csv"
        with count_requests(s3) as sent, pytest.raises(ScopeViolation, match="belongs to"):
            s3.head_object(Bucket="exports", Key=other)
        assert sent.total == 0
