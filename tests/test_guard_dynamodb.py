"""DynamoDB guard: every THREATS.md case refused with nothing sent; in-scope calls work on moto."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guard_helpers import refused

from scopeguard import ClientFactory, NamingPolicy, PooledTable, ScopeViolation
from scopeguard.testing import count_requests, moto_factory

POOLED = NamingPolicy(pooled_tables={"sessions": PooledTable("pk", {"by-user": "user_pk"})})
KEY = {"pk": {"S": "o-1"}}


def _create(client: Any, name: str, gsi: bool = False) -> None:
    extra: dict[str, Any] = {}
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if gsi:
        attrs.append({"AttributeName": "user_pk", "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [{
            "IndexName": "by-user",
            "KeySchema": [{"AttributeName": "user_pk", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"},
        }]
    client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=attrs, BillingMode="PAY_PER_REQUEST", **extra,
    )


@pytest.fixture
def factory() -> Iterator[ClientFactory]:
    with moto_factory(naming=POOLED) as factory:
        for tenant in ("acme", "globex"):
            _create(factory.tenant(tenant).client("dynamodb"), "orders")
        _create(factory.platform().client("dynamodb"), "sessions", gsi=True)
        yield factory


@pytest.fixture
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("dynamodb")



def test_logical_names_land_in_the_tenants_physical_table(factory: ClientFactory, acme: Any) -> None:
    acme.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
    operator_view = factory.operator("123456789012").client("dynamodb")
    names = operator_view.list_tables()["TableNames"]
    assert {"t-acme-orders", "t-globex-orders", "sessions"} <= set(names)
    item = operator_view.get_item(TableName="t-acme-orders", Key=KEY)
    assert item["Item"] == KEY


def test_platform_cannot_read_a_tenants_table(factory: ClientFactory) -> None:
    refused(factory.platform().client("dynamodb"), "get_item", "belongs to tenant:acme",
            TableName="t-acme-orders", Key=KEY)


def test_each_tenant_reads_only_its_own_item(factory: ClientFactory, acme: Any) -> None:
    globex = factory.tenant("globex").client("dynamodb")
    acme.put_item(TableName="orders", Item={"pk": {"S": "o-1"}, "v": {"S": "acme"}})
    globex.put_item(TableName="orders", Item={"pk": {"S": "o-1"}, "v": {"S": "globex"}})
    assert acme.get_item(TableName="orders", Key=KEY)["Item"]["v"] == {"S": "acme"}
    assert globex.get_item(TableName="orders", Key=KEY)["Item"]["v"] == {"S": "globex"}
    # Physical names handed back by AWS are accepted for the owner's own resources.
    arn = acme.describe_table(TableName="orders")["Table"]["TableArn"]
    assert acme.get_item(TableName=arn, Key=KEY)["Item"]["v"] == {"S": "acme"}
    assert acme.get_item(TableName="t-acme-orders", Key=KEY)["Item"]["v"] == {"S": "acme"}


def test_other_tenants_physical_name_is_refused(acme: Any) -> None:
    err = refused(acme, "get_item", "belongs to tenant:globex", TableName="t-globex-orders", Key=KEY)
    assert (err.scope, err.operation, err.parameter) == ("tenant:acme", "GetItem", "TableName")


def test_similar_tenant_prefix_is_refused(factory: ClientFactory) -> None:
    refused(factory.tenant("acme2").client("dynamodb"), "get_item", "belongs to tenant:acme",
            TableName="t-acme-orders", Key=KEY)


@pytest.mark.parametrize(
    ("arn", "match"),
    [
        ("arn:aws:dynamodb:eu-west-1:123456789012:table/t-globex-orders", "belongs to tenant:globex"),
        ("arn:aws:dynamodb:eu-west-1:999999999999:table/t-acme-orders", "not this scope's account"),
        ("arn:aws-cn:dynamodb:eu-west-1:123456789012:table/t-acme-orders", "partition"),
        ("arn:aws:s3:::t-acme-orders", "expected 'dynamodb'"),
        ("arn:aws:dynamodb:eu-west-1", "cannot parse"),
    ],
)
def test_table_arns_of_other_accounts_partitions_or_scopes_are_refused(
    acme: Any, arn: str, match: str
) -> None:
    refused(acme, "get_item", match, TableName=arn, Key=KEY)


def test_batch_get_checks_every_request_items_key(acme: Any) -> None:
    refused(acme, "batch_get_item", "belongs to tenant:globex", RequestItems={
        "orders": {"Keys": [KEY]}, "t-globex-orders": {"Keys": [KEY]}})


def test_batch_write_maps_logical_keys_without_mutating_the_callers_dict(acme: Any) -> None:
    items = {"orders": [{"PutRequest": {"Item": {"pk": {"S": "o-2"}}}}]}
    acme.batch_write_item(RequestItems=items)
    assert list(items) == ["orders"]
    assert acme.get_item(TableName="orders", Key={"pk": {"S": "o-2"}})["Item"]


def test_transact_write_checks_every_action(acme: Any) -> None:
    refused(acme, "transact_write_items", "belongs to tenant:globex", TransactItems=[
        {"Put": {"TableName": "orders", "Item": KEY}},
        {"Delete": {"TableName": "t-globex-orders", "Key": KEY}},
    ])


def test_transact_get_checks_every_action(acme: Any) -> None:
    refused(acme, "transact_get_items", "belongs to tenant:globex", TransactItems=[
        {"Get": {"TableName": "t-globex-orders", "Key": KEY}}])


def test_partiql_table_identifier_is_mapped(acme: Any) -> None:
    acme.put_item(TableName="orders", Item={"pk": {"S": "o-9"}})
    out = acme.execute_statement(Statement="SELECT * FROM \"orders\" WHERE pk = 'o-9'")
    assert out["Items"] == [{"pk": {"S": "o-9"}}]


@pytest.mark.parametrize(
    "statement",
    [
        "SELECT * FROM \"t-globex-orders\"",
        "UPDATE \"t-globex-orders\" SET v = 1 WHERE pk = 'x'",
        "DELETE FROM \"t-globex-orders\" WHERE pk = 'x'",
        "INSERT INTO \"t-globex-orders\" VALUE {'pk': 'x'}",
    ],
)
def test_partiql_other_tenants_table_is_refused(acme: Any, statement: str) -> None:
    refused(acme, "execute_statement", "belongs to tenant:globex", Statement=statement)


def test_partiql_that_cannot_be_parsed_is_refused(acme: Any) -> None:
    refused(acme, "execute_statement", "cannot read the PartiQL statement: unexpected",
            Statement="SELECT * FROM \"orders")
    refused(acme, "execute_statement", "cannot read the PartiQL statement: a statement starts",
            Statement="EXISTS")


def test_batch_and_transaction_partiql_are_checked(acme: Any) -> None:
    refused(acme, "batch_execute_statement", "belongs to tenant:globex",
            Statements=[{"Statement": "SELECT * FROM \"t-globex-orders\""}])
    refused(acme, "execute_transaction", "belongs to tenant:globex",
            TransactStatements=[{"Statement": "DELETE FROM \"t-globex-orders\" WHERE pk='x'"}])


def test_account_wide_listing_is_refused_for_tenants(acme: Any) -> None:
    refused(acme, "list_tables", "account-wide listing")


def test_resource_policy_on_create_is_refused_for_tenants(acme: Any) -> None:
    refused(acme, "create_table", "ResourcePolicy", TableName="audit", ResourcePolicy="{}",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")


# -- pooled tables ------------------------------------------------------------------------------


def test_pooled_table_put_and_get_with_the_key_prefix(factory: ClientFactory, acme: Any) -> None:
    prefix = factory.tenant("acme").key_prefix
    acme.put_item(TableName="sessions", Item={"pk": {"S": prefix + "s1"}})
    assert acme.get_item(TableName="sessions", Key={"pk": {"S": prefix + "s1"}})["Item"]


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("put_item", {"Item": {"pk": {"S": "t-globex/s1"}}}, "belongs to tenant:globex"),
        ("put_item", {"Item": {"pk": {"S": "s1"}}}, "does not start with 't-acme/'"),
        ("put_item", {"Item": {"pk": {"N": "1"}}}, "must be a string"),
        ("get_item", {"Key": {"pk": {"S": "t-acme2/s1"}}}, "belongs to tenant:acme2"),
        ("delete_item", {"Key": {"pk": {"S": "t-acme"}}}, "does not start with"),
        ("update_item", {"Key": {"pk": {"B": b"t-acme/"}}}, "must be a string"),
        ("scan", {}, "reads every tenant"),
        ("query", {"KeyConditionExpression": "#p = :v", "ExpressionAttributeNames": {"#p": "pk"},
                   "ExpressionAttributeValues": {":v": {"S": "t-globex/s1"}}}, "tenant:globex"),
        ("query", {"KeyConditionExpression": "pk > :v",
                   "ExpressionAttributeValues": {":v": {"S": "t-acme/"}}}, "exactly one equality"),
        ("query", {"KeyConditionExpression": "pk = :v",
                   "ExpressionAttributeValues": {":v": {"S": "t-acme/x"}},
                   "ExclusiveStartKey": {"pk": {"S": "t-globex/x"}}}, "tenant:globex"),
        ("query", {"IndexName": "other", "KeyConditionExpression": "pk = :v",
                   "ExpressionAttributeValues": {":v": {"S": "t-acme/x"}}}, "not configured"),
        ("query", {"KeyConditions": {"pk": {"ComparisonOperator": "BEGINS_WITH",
                   "AttributeValueList": [{"S": "t-"}]}}}, "with EQ"),
        ("execute_statement", {"Statement": "SELECT * FROM sessions WHERE pk = 't-acme/x'"},
         "pooled table"),
        ("delete_table", {}, "shared infrastructure"),
    ],
)
def test_pooled_table_cross_tenant_access_is_refused(
    acme: Any, call: str, params: dict[str, Any], match: str
) -> None:
    if call != "execute_statement":
        params = {"TableName": "sessions", **params}
    refused(acme, call, match, **params)


def test_pooled_query_by_configured_index(factory: ClientFactory, acme: Any) -> None:
    acme.put_item(TableName="sessions", Item={"pk": {"S": "t-acme/s1"}, "user_pk": {"S": "t-acme/u"}})
    out = acme.query(TableName="sessions", IndexName="by-user", KeyConditionExpression="user_pk = :u",
                     ExpressionAttributeValues={":u": {"S": "t-acme/u"}})
    assert out["Count"] == 1
    refused(acme, "query", "tenant:globex", TableName="sessions", IndexName="by-user",
            KeyConditionExpression="user_pk = :u",
            ExpressionAttributeValues={":u": {"S": "t-globex/u"}})


GLOBEX_USER = {":u": {"S": "t-globex/u1"}}


@pytest.mark.parametrize(
    ("call", "params"),
    [
        ("put_item", {"Item": {"pk": {"S": "t-acme/s9"}, "user_pk": {"S": "t-globex/u1"}}}),
        ("update_item", {"UpdateExpression": "SET user_pk = :u",
                         "ExpressionAttributeValues": GLOBEX_USER}),
        ("update_item", {"UpdateExpression": "set v = :v, #x = :u",
                         "ExpressionAttributeNames": {"#x": "user_pk"},
                         "ExpressionAttributeValues": {":v": {"S": "a"}, **GLOBEX_USER}}),
        ("update_item", {"UpdateExpression": "REMOVE v SET user_pk = :u",
                         "ExpressionAttributeValues": GLOBEX_USER}),
        ("update_item", {"AttributeUpdates": {"user_pk": {"Value": {"S": "t-globex/u1"}}}}),
    ],
)
def test_index_keys_of_another_tenant_are_refused_on_writes(
    acme: Any, call: str, params: dict[str, Any]
) -> None:
    # An item of acme's with globex's index key would show up in globex's index queries.
    refused(acme, call, "user_pk='t-globex/u1' belongs to tenant:globex", TableName="sessions",
            **({"Key": {"pk": {"S": "t-acme/s9"}}} if call == "update_item" else {}), **params)


@pytest.mark.parametrize(
    ("update", "names"),
    [
        ("SET user_pk = if_not_exists(user_pk, :u)", None),
        ("SET user_pk = v", None),
        ("SET #x.y = :u", {"#x": "user_pk"}),
        ("ADD user_pk :u", None),
        ("SET user_pk = :u SET v = :u", None),  # outside the grammar
        ("SET user_pk = :u, v = ", None),
    ],
)
def test_index_keys_are_set_only_from_a_checked_placeholder(
    acme: Any, update: str, names: dict[str, str] | None
) -> None:
    refused(acme, "update_item", "index key|update of a pooled table", TableName="sessions",
            Key={"pk": {"S": "t-acme/s9"}}, UpdateExpression=update,
            ExpressionAttributeValues={":u": {"S": "t-acme/u1"}},
            **({"ExpressionAttributeNames": names} if names else {}))


def test_legacy_attribute_updates_may_only_put_or_delete_an_index_key(acme: Any) -> None:
    key = {"pk": {"S": "t-acme/s8"}}
    for update in ({"Action": "ADD", "Value": {"S": "t-acme/u8"}},
                   {"Action": "DELETE", "Value": {"S": "t-acme/u8"}}, "PUT"):
        refused(acme, "update_item", "index key 'user_pk'|AttributeUpdates", TableName="sessions",
                Key=key, AttributeUpdates={"user_pk": update})
    acme.update_item(TableName="sessions", Key=key,
                     AttributeUpdates={"user_pk": {"Value": {"S": "t-acme/u8"}}})
    acme.update_item(TableName="sessions", Key=key, AttributeUpdates={"user_pk": {"Action": "DELETE"}})
    assert "user_pk" not in acme.get_item(TableName="sessions", Key=key)["Item"]


def test_batch_and_transaction_writes_check_index_keys(acme: Any) -> None:
    refused(acme, "batch_write_item", "user_pk='t-globex/u1'", RequestItems={"sessions": [
        {"PutRequest": {"Item": {"pk": {"S": "t-acme/a"}, "user_pk": {"S": "t-globex/u1"}}}}]})
    refused(acme, "transact_write_items", "user_pk='t-globex/u1'", TransactItems=[
        {"Put": {"TableName": "sessions",
                 "Item": {"pk": {"S": "t-acme/a"}, "user_pk": {"S": "t-globex/u1"}}}}])
    refused(acme, "transact_write_items", "user_pk='t-globex/u1'", TransactItems=[
        {"Update": {"TableName": "sessions", "Key": {"pk": {"S": "t-acme/a"}},
                    "UpdateExpression": "SET user_pk = :u",
                    "ExpressionAttributeValues": GLOBEX_USER}}])


def test_own_index_keys_are_written_and_no_tenant_sees_anothers_in_its_index(
    factory: ClientFactory, acme: Any
) -> None:
    globex = factory.tenant("globex").client("dynamodb")
    acme.put_item(TableName="sessions", Item={"pk": {"S": "t-acme/s5"}, "v": {"S": "1"}})
    acme.update_item(TableName="sessions", Key={"pk": {"S": "t-acme/s5"}},
                     UpdateExpression="SET user_pk = :u, v = if_not_exists(v, :v) ADD n :one",
                     ExpressionAttributeValues={":u": {"S": "t-acme/u5"}, ":v": {"S": "2"},
                                                ":one": {"N": "1"}})
    acme.update_item(TableName="sessions", Key={"pk": {"S": "t-acme/s6"}},
                     AttributeUpdates={"user_pk": {"Value": {"S": "t-acme/u6"}}})
    acme.batch_write_item(RequestItems={"sessions": [{"PutRequest": {"Item": {
        "pk": {"S": "t-acme/s7"}, "user_pk": {"S": "t-acme/u7"}}}}]})
    acme.update_item(TableName="sessions", Key={"pk": {"S": "t-acme/s7"}},
                     UpdateExpression="REMOVE user_pk")
    mine = acme.query(TableName="sessions", IndexName="by-user",
                      KeyConditionExpression="user_pk = :u",
                      ExpressionAttributeValues={":u": {"S": "t-acme/u5"}})["Items"]
    assert [item["v"] for item in mine] == [{"S": "1"}]
    for user in ("t-globex/u5", "t-globex/u6", "t-globex/u7"):
        assert globex.query(TableName="sessions", IndexName="by-user",
                            KeyConditionExpression="user_pk = :u",
                            ExpressionAttributeValues={":u": {"S": user}})["Items"] == []


def test_pooled_batch_write_checks_every_item(acme: Any) -> None:
    refused(acme, "batch_write_item", "tenant:globex", RequestItems={"sessions": [
        {"PutRequest": {"Item": {"pk": {"S": "t-acme/a"}}}},
        {"DeleteRequest": {"Key": {"pk": {"S": "t-globex/b"}}}},
    ]})


def test_pooled_batch_get_and_transactions_check_keys(acme: Any) -> None:
    refused(acme, "batch_get_item", "tenant:globex",
            RequestItems={"sessions": {"Keys": [{"pk": {"S": "t-globex/a"}}]}})
    refused(acme, "transact_write_items", "tenant:globex", TransactItems=[
        {"Update": {"TableName": "sessions", "Key": {"pk": {"S": "t-globex/a"}},
                    "UpdateExpression": "SET v = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}}}])


def test_paginator_starting_token_is_checked_like_exclusive_start_key(acme: Any) -> None:
    import base64
    import json

    token = base64.b64encode(json.dumps(
        {"ExclusiveStartKey": {"pk": {"S": "t-globex/x"}}}).encode()).decode()
    paginator = acme.get_paginator("query")
    with count_requests(acme) as sent, pytest.raises(ScopeViolation, match="tenant:globex"):
        list(paginator.paginate(
            TableName="sessions", KeyConditionExpression="pk = :v",
            ExpressionAttributeValues={":v": {"S": "t-acme/x"}},
            PaginationConfig={"StartingToken": token}))
    assert sent.total == 0


def test_waiter_goes_through_the_guard(factory: ClientFactory) -> None:
    globex = factory.tenant("globex").client("dynamodb")
    globex.get_waiter("table_exists").wait(TableName="orders")
    with count_requests(globex) as sent, pytest.raises(ScopeViolation):
        globex.get_waiter("table_exists").wait(TableName="t-acme-orders")
    assert sent.total == 0


def test_resource_api_is_guarded(factory: ClientFactory) -> None:
    resource = factory.tenant("acme").resource("dynamodb")
    resource.Table("orders").put_item(Item={"pk": "o-7"})
    assert resource.Table("orders").get_item(Key={"pk": "o-7"})["Item"] == {"pk": "o-7"}
    with count_requests(resource.meta.client) as sent, pytest.raises(ScopeViolation):
        resource.Table("t-globex-orders").get_item(Key={"pk": "o-7"})
    assert sent.total == 0


# -- parameters and bodies changed after the parameter check ------------------------------------


def test_parameters_replaced_after_the_parameter_check_are_refused(acme: Any) -> None:
    def swap(params: dict[str, Any], **_: Any) -> None:
        params["TableName"] = "t-globex-orders"

    acme.meta.events.register("before-parameter-build.dynamodb", swap)
    refused(acme, "get_item", "tenant:globex", TableName="orders", Key=KEY)


def test_nested_parameters_changed_in_place_after_the_parameter_check_are_refused(
    acme: Any,
) -> None:
    def retarget(params: dict[str, Any], **_: Any) -> None:
        params["Key"]["pk"]["S"] = "t-globex/s1"

    acme.meta.events.register("before-parameter-build.dynamodb", retarget)
    refused(acme, "get_item", "tenant:globex", TableName="sessions",
            Key={"pk": {"S": "t-acme/s1"}})


class _Lying(str):
    """Compares and hashes like an approved name, serialises as another tenant's."""

    def __eq__(self, other: object) -> bool:
        return True

    def __ne__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return hash("t-acme-orders")


def test_a_string_that_lies_about_equality_is_checked_as_what_it_serialises_to(
    acme: Any,
) -> None:
    # It cannot be copied privately (only exact builtin types are): the body is parsed.
    def disguise(params: dict[str, Any], **_: Any) -> None:
        params["TableName"] = _Lying("t-globex-orders")

    acme.meta.events.register("before-parameter-build.dynamodb", disguise)
    refused(acme, "get_item", "tenant:globex", TableName="orders", Key=KEY)


def test_an_untouched_body_is_not_parsed_again_and_a_reencoded_one_is(
    acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from scopeguard._guard import hooks

    parsed: list[str] = []
    full_check = hooks._recheck_json

    def counting(guard: Any, rules: Any, model: Any, request: Any, plan: Any) -> None:
        parsed.append(model.name)
        full_check(guard, rules, model, request, plan)

    monkeypatch.setattr(hooks, "_recheck_json", counting)
    acme.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
    assert parsed == []

    def reencode(request: Any, **_: Any) -> None:  # same content, new bytes: checked in full
        request.data = json.dumps(json.loads(request.data), indent=1).encode()

    acme.meta.events.register_first("before-sign.dynamodb", reencode)
    assert acme.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"]["pk"] == {"S": "o-1"}
    assert parsed == ["GetItem"]


def test_batch_body_rewritten_before_signing_is_refused(acme: Any) -> None:
    def retarget(request: Any, **_: Any) -> None:
        request.data = request.data.replace(b"t-acme-orders", b"t-globex-orders")

    acme.meta.events.register_first("before-sign.dynamodb", retarget)
    items = [{"PutRequest": {"Item": {"pk": {"S": f"o-{i}"}}}} for i in range(25)]
    refused(acme, "batch_write_item", "tenant:globex", RequestItems={"orders": items})


def test_subclass_values_are_copied_as_builtins_and_the_body_checked_by_identity(
    acme: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scopeguard._guard import hooks

    class Text(str):  # an honest subclass: converted to an exact str in the private copy
        pass

    parsed: list[str] = []
    full_check = hooks._recheck_json

    def counting(guard: Any, rules: Any, model: Any, request: Any, plan: Any) -> None:
        parsed.append(model.name)
        full_check(guard, rules, model, request, plan)

    monkeypatch.setattr(hooks, "_recheck_json", counting)
    key = {"pk": {"S": Text("o-1")}}
    acme.put_item(TableName=Text("orders"), Item=key)
    assert acme.get_item(TableName="orders", Key=key)["Item"] == {"pk": {"S": "o-1"}}
    assert parsed == []

    def retarget(request: Any, **_: Any) -> None:
        request.data = request.data.replace(b"t-acme-orders", b"t-globex-orders")

    acme.meta.events.register_first("before-sign.dynamodb", retarget)
    refused(acme, "get_item", "tenant:globex", TableName="orders", Key=key)


@pytest.mark.parametrize("rewrite_body", [False, True])
def test_request_sent_to_another_operation_is_refused(acme: Any, rewrite_body: bool) -> None:
    # A GetItem approved on the pooled table, turned into a Scan of every tenant's items.
    def to_scan(request: Any, **_: Any) -> None:
        request.headers.replace_header("X-Amz-Target", "DynamoDB_20120810.Scan")
        if rewrite_body:
            request.data = b'{"TableName": "sessions"}'

    acme.meta.events.register_first("before-sign.dynamodb", to_scan)
    refused(acme, "get_item", "X-Amz-Target is not DynamoDB_20120810.GetItem",
            TableName="sessions", Key={"pk": {"S": "t-acme/s1"}})


def test_parameters_changed_harmlessly_after_the_check_are_checked_again_and_pass(
    acme: Any,
) -> None:
    def add(params: dict[str, Any], **_: Any) -> None:
        params["ReturnConsumedCapacity"] = "TOTAL"

    acme.meta.events.register("before-parameter-build.dynamodb", add)
    acme.put_item(TableName="orders", Item={"pk": {"S": "o-9"}})
    # botocore itself adds the idempotency token after the parameter check.
    acme.transact_write_items(TransactItems=[
        {"Put": {"TableName": "orders", "Item": {"pk": {"S": "o-10"}}}}])
    assert acme.get_item(TableName="orders", Key={"pk": {"S": "o-10"}})["Item"]


_NEW_TABLE = {"TableName": "imported", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
              "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
              "BillingMode": "PAY_PER_REQUEST"}
_SESSIONS_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/sessions"
_ACME_STREAM = "arn:aws:kinesis:us-east-1:123456789012:stream/t-acme-events"


@pytest.mark.parametrize(("call", "params", "match"), [
    # The pooled table exported into a tenant's bucket would hand it every tenant's items.
    ("export_table_to_point_in_time",
     {"TableArn": _SESSIONS_ARN, "S3Bucket": "t-acme-uploads", "S3Prefix": "x"},
     "'t-acme-uploads' belongs to tenant:acme"),
    ("import_table", {"S3BucketSource": {"S3Bucket": "t-acme-uploads"}, "InputFormat": "CSV",
                      "TableCreationParameters": _NEW_TABLE},
     "'t-acme-uploads' belongs to tenant:acme"),
    # A tenant's Kinesis stream fed every change of the pooled table.
    *((call, {"TableName": "sessions", "StreamArn": _ACME_STREAM},
       "'t-acme-events' belongs to tenant:acme")
      for call in ("enable_kinesis_streaming_destination", "update_kinesis_streaming_destination",
                   "disable_kinesis_streaming_destination")),
    ("enable_kinesis_streaming_destination", {"TableName": "sessions", "StreamArn":
                                              "arn:aws:kinesis:us-east-1:999999999999:stream/s"},
     "not this scope's account"),
])
def test_platform_cannot_export_import_or_stream_through_a_tenants_resource(
        factory: ClientFactory, call: str, params: dict[str, Any], match: str) -> None:
    refused(factory.platform().client("dynamodb"), call, match, **params)


def test_platform_exports_and_imports_through_shared_resources(factory: ClientFactory) -> None:
    """The in-scope counterpart: a shared bucket and stream pass the guard (moto answers)."""
    platform = factory.platform().client("dynamodb")
    with count_requests(platform) as sent:
        platform.import_table(S3BucketSource={"S3Bucket": "exports"}, InputFormat="CSV",
                              TableCreationParameters=_NEW_TABLE)
        with pytest.raises(platform.exceptions.ClientError, match="PointInTimeRecovery|not"):
            platform.export_table_to_point_in_time(TableArn=_SESSIONS_ARN, S3Bucket="exports",
                                                   S3Prefix="x")
    assert sent.total == 2
    # moto does not implement streaming destinations: its NotImplementedError is its answer.
    with pytest.raises(NotImplementedError):
        platform.enable_kinesis_streaming_destination(
            TableName="sessions", StreamArn="arn:aws:kinesis:us-east-1:123456789012:stream/audit")


_FOREIGN_KEY = "arn:aws:kms:us-east-1:999999999999:key/k"


@pytest.mark.parametrize(("call", "params"), [
    ("create_table", {"TableName": "keyed", "KeySchema": _NEW_TABLE["KeySchema"],
                      "AttributeDefinitions": _NEW_TABLE["AttributeDefinitions"],
                      "BillingMode": "PAY_PER_REQUEST", "SSESpecification": {
                          "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": _FOREIGN_KEY}}),
    ("update_table", {"TableName": "orders", "SSESpecification": {
        "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": _FOREIGN_KEY}}),
    ("update_table", {"TableName": "orders", "ReplicaUpdates": [{"Create": {
        "RegionName": "eu-west-1", "KMSMasterKeyId": _FOREIGN_KEY}}]}),
    ("restore_table_to_point_in_time", {
        "SourceTableName": "orders", "TargetTableName": "restored",
        "SSESpecificationOverride": {"Enabled": True, "SSEType": "KMS",
                                     "KMSMasterKeyId": _FOREIGN_KEY}}),
])
def test_tables_encrypted_under_another_accounts_key_are_refused(
        acme: Any, call: str, params: dict[str, Any]) -> None:
    refused(acme, call, "KMSMasterKeyId refused: ARN account 999999999999", **params)


def test_tables_encrypted_under_the_accounts_own_key_pass(acme: Any) -> None:
    """The in-scope counterpart: an alias or a key of the scope's account is sent."""
    for key in ("alias/tenant-data", "arn:aws:kms:us-east-1:123456789012:key/k"):
        with count_requests(acme) as sent:
            try:
                acme.update_table(TableName="orders", SSESpecification={
                    "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": key})
            except acme.exceptions.ClientError:
                pass  # moto's view of the key: an answer, so the request was sent
        assert sent.total == 1


def test_platform_exports_only_into_its_own_accounts_buckets(factory: ClientFactory) -> None:
    platform = factory.platform().client("dynamodb")
    refused(platform, "export_table_to_point_in_time", "is not this scope's account",
            TableArn=_SESSIONS_ARN, S3Bucket="exports", S3BucketOwner="999999999999")
    refused(platform, "export_table_to_point_in_time", "S3SseKmsKeyId refused",
            TableArn=_SESSIONS_ARN, S3Bucket="exports", S3SseKmsKeyId=_FOREIGN_KEY)
    refused(platform, "import_table", "is not this scope's account", InputFormat="CSV",
            S3BucketSource={"S3Bucket": "exports", "S3BucketOwner": "999999999999"},
            TableCreationParameters=_NEW_TABLE)
    platform.import_table(InputFormat="CSV", TableCreationParameters=_NEW_TABLE,
                          S3BucketSource={"S3Bucket": "exports", "S3BucketOwner": "123456789012"})


def test_platform_cannot_hand_a_tenants_role_to_auto_scaling(factory: ClientFactory) -> None:
    platform = factory.platform().client("dynamodb")
    scaling = {"MinimumUnits": 1, "MaximumUnits": 10, "ScalingPolicyUpdate": {
        "TargetTrackingScalingPolicyConfiguration": {"TargetValue": 70.0}}}
    refused(platform, "update_table_replica_auto_scaling", "belongs to tenant:acme",
            TableName="sessions", ProvisionedWriteCapacityAutoScalingUpdate={
                **scaling, "AutoScalingRoleArn": "arn:aws:iam::123456789012:role/T-ACME-scaler"})
    own = ("arn:aws:iam::123456789012:role/aws-service-role/"
           "dynamodb.application-autoscaling.amazonaws.com/scaler")
    # moto does not implement the operation: its NotImplementedError is its answer.
    with pytest.raises(NotImplementedError):
        platform.update_table_replica_auto_scaling(
            TableName="sessions",
            ProvisionedWriteCapacityAutoScalingUpdate={**scaling, "AutoScalingRoleArn": own})
