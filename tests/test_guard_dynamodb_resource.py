"""The boto3 DynamoDB resource API on pooled and per-scope tables: Python values, condition
builders and ``batch_writer`` are turned into the wire format inside the guard, then checked as
strictly as the client API's calls."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb.conditions import Attr, Key

from scopeguard import ClientFactory, NamingPolicy, PooledTable, ScopeViolation
from scopeguard.testing import count_requests, moto_factory

POOLED = NamingPolicy(pooled_tables={"sessions": PooledTable("pk")})


@pytest.fixture
def factory() -> Iterator[ClientFactory]:
    with moto_factory(naming=POOLED) as factory:
        platform = factory.platform().client("dynamodb")
        platform.create_table(
            TableName="sessions",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        platform.put_item(TableName="sessions",
                          Item={"pk": {"S": "t-globex/u1"}, "sk": {"S": "a"},
                                "owner": {"S": "globex"}})
        factory.tenant("acme").client("dynamodb").create_table(
            TableName="orders", KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        yield factory


@pytest.fixture
def sessions(factory: ClientFactory) -> Any:
    return factory.tenant("acme").resource("dynamodb").Table("sessions")


def _refused(table: Any, method: str, match: str, **params: Any) -> None:
    with count_requests(table.meta.client) as sent, pytest.raises(ScopeViolation, match=match):
        getattr(table, method)(**params)
    assert sent.total == 0


def test_item_calls_with_python_values_work_on_a_pooled_table(sessions: Any) -> None:
    sessions.put_item(Item={"pk": "t-acme/u1", "sk": "a", "n": Decimal(3), "tags": {"x"}})
    item = sessions.get_item(Key={"pk": "t-acme/u1", "sk": "a"})["Item"]
    assert item == {"pk": "t-acme/u1", "sk": "a", "n": Decimal(3), "tags": {"x"}}
    sessions.update_item(Key={"pk": "t-acme/u1", "sk": "a"}, UpdateExpression="SET n = :n",
                         ExpressionAttributeValues={":n": 4},
                         ConditionExpression=Attr("n").eq(3))
    assert sessions.get_item(Key={"pk": "t-acme/u1", "sk": "a"})["Item"]["n"] == 4
    sessions.delete_item(Key={"pk": "t-acme/u1", "sk": "a"})
    assert "Item" not in sessions.get_item(Key={"pk": "t-acme/u1", "sk": "a"})


def test_another_tenants_keys_are_refused_through_the_resource_api(sessions: Any) -> None:
    _refused(sessions, "get_item", "tenant:globex", Key={"pk": "t-globex/u1", "sk": "a"})
    _refused(sessions, "put_item", "tenant:globex", Item={"pk": "t-globex/u1", "sk": "b"})
    _refused(sessions, "delete_item", "tenant:globex", Key={"pk": "t-globex/u1", "sk": "a"})
    _refused(sessions, "put_item", "must be a string", Item={"pk": 7, "sk": "b"})
    _refused(sessions, "scan", "reads every tenant")


def test_query_with_condition_builders(sessions: Any) -> None:
    sessions.put_item(Item={"pk": "t-acme/u1", "sk": "a1"})
    sessions.put_item(Item={"pk": "t-acme/u1", "sk": "b1"})
    found = sessions.query(
        KeyConditionExpression=Key("pk").eq("t-acme/u1") & Key("sk").begins_with("a"),
        FilterExpression=Attr("sk").exists())["Items"]
    assert [i["sk"] for i in found] == ["a1"]
    _refused(sessions, "query", "tenant:globex",
             KeyConditionExpression=Key("pk").eq("t-globex/u1") & Key("sk").begins_with("a"))
    _refused(sessions, "query", "exactly one equality",
             KeyConditionExpression=Key("pk").begins_with("t-acme/"))
    _refused(sessions, "query", "exactly one equality",
             KeyConditionExpression=Key("pk").eq("t-acme/u1") & Key("pk").eq("t-globex/u1"))


def test_batch_writer_writes_the_scopes_items_and_refuses_anothers(sessions: Any) -> None:
    with sessions.batch_writer() as batch:
        for i in range(30):
            batch.put_item(Item={"pk": "t-acme/u2", "sk": f"{i:02}"})
    found = sessions.query(KeyConditionExpression=Key("pk").eq("t-acme/u2"))["Items"]
    assert len(found) == 30
    with count_requests(sessions.meta.client) as sent, \
            pytest.raises(ScopeViolation, match="tenant:globex"):
        with sessions.batch_writer() as batch:
            batch.put_item(Item={"pk": "t-acme/u3", "sk": "a"})
            batch.delete_item(Key={"pk": "t-globex/u1", "sk": "a"})
    assert sent.total == 0


def test_logical_table_names_map_to_the_scopes_table(factory: ClientFactory) -> None:
    orders = factory.tenant("acme").resource("dynamodb").Table("orders")
    orders.put_item(Item={"id": "o-1", "total": Decimal("9.5")})
    raw = factory.operator("123456789012").client("dynamodb")
    assert raw.get_item(TableName="t-acme-orders", Key={"id": {"S": "o-1"}})["Item"] == {
        "id": {"S": "o-1"}, "total": {"N": "9.5"}}
    assert orders.get_item(Key={"id": "o-1"})["Item"]["total"] == Decimal("9.5")
    resource = factory.tenant("acme").resource("dynamodb")
    got = resource.batch_get_item(RequestItems={"orders": {"Keys": [{"id": "o-1"}]}})
    assert got["Responses"]["t-acme-orders"] == [{"id": "o-1", "total": Decimal("9.5")}]


def test_the_client_api_is_unchanged_by_resources_of_the_same_scope(factory: ClientFactory,
                                                                   sessions: Any) -> None:
    # The resource API's input transforms live on a client of its own: the client API keeps
    # taking and returning the wire format.
    sessions.put_item(Item={"pk": "t-acme/u1", "sk": "a"})
    client = factory.tenant("acme").client("dynamodb")
    client.put_item(TableName="sessions", Item={"pk": {"S": "t-acme/u9"}, "sk": {"S": "a"}})
    assert client.get_item(TableName="sessions", Key={"pk": {"S": "t-acme/u9"},
                                                       "sk": {"S": "a"}})["Item"] == {
        "pk": {"S": "t-acme/u9"}, "sk": {"S": "a"}}


def test_platform_resource_api_reads_shared_tables(factory: ClientFactory) -> None:
    table = factory.platform().resource("dynamodb").Table("sessions")
    assert [i["owner"] for i in table.scan()["Items"]] == ["globex"]
    with pytest.raises(ScopeViolation, match="belongs to tenant:acme"):
        factory.platform().resource("dynamodb").Table("t-acme-orders").get_item(Key={"id": "x"})


# -- local presigners: they sign a token and send nothing -------------------------------------


def test_database_auth_tokens_are_made_in_platform_and_operator_scope(
    factory: ClientFactory,
) -> None:
    rds = factory.platform().client("rds")
    token = rds.generate_db_auth_token(DBHostname="db.example.internal", Port=5432,
                                       DBUsername="app")
    assert token.startswith("db.example.internal:5432/?Action=connect")
    operator = factory.operator("123456789012").client("rds")
    assert "Action=connect" in operator.generate_db_auth_token(
        DBHostname="db.example.internal", Port=5432, DBUsername="app")
    dsql = factory.platform().client("dsql")
    if hasattr(dsql, "generate_db_connect_auth_token"):
        assert "Action=DbConnect" in dsql.generate_db_connect_auth_token(
            Hostname="abc.dsql.eu-west-1.on.aws")
        assert "Action=DbConnectAdmin" in dsql.generate_db_connect_admin_auth_token(
            Hostname="abc.dsql.eu-west-1.on.aws")


def test_database_auth_tokens_are_refused_in_tenant_scope(factory: ClientFactory) -> None:
    with pytest.raises(ScopeViolation, match="not covered in tenant scope"):
        factory.tenant("acme").client("rds").generate_db_auth_token(
            DBHostname="db.example.internal", Port=5432, DBUsername="app")


def test_other_signatures_outside_a_call_are_still_refused(factory: ClientFactory) -> None:
    rds = factory.platform().client("rds")
    request_dict = {"url_path": "/", "query_string": {"Action": "connect", "DBUser": "app"},
                    "headers": {}, "body": {}, "method": "GET", "url": "https://db.example.internal",
                    "context": {}}
    with pytest.raises(ScopeViolation, match="did not come through a scope handle"):
        rds._request_signer.generate_presigned_url(request_dict, operation_name="connect")
