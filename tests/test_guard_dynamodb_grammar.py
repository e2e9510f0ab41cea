"""DynamoDB's embedded languages fail closed: PartiQL statements and key conditions outside the
strict subsets of ``scopeguard._guard.expressions`` are refused with nothing sent, in every
scope; what applications write still works."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard_helpers import refused

from scopeguard import ClientFactory, NamingPolicy, PooledTable
from scopeguard._guard.expressions import (Malformed, UpdateAction, key_terms, partiql_table,
                                          update_actions)
from scopeguard.testing import moto_factory

POOLED = NamingPolicy(pooled_tables={"sessions": PooledTable("pk")})
ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory(naming=POOLED) as factory:
        for tenant in ("acme", "globex"):
            factory.tenant(tenant).client("dynamodb").create_table(
                TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
        factory.platform().client("dynamodb").create_table(
            TableName="sessions",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
        yield factory


@pytest.fixture(scope="module")
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("dynamodb")


# -- PartiQL ------------------------------------------------------------------------------------

OUTSIDE_THE_SUBSET = {
    "line comment": 'SELECT * FROM "orders" -- WHERE pk = \'x\'',
    "comment hiding the table": 'SELECT * FROM /* "orders" */ "t-globex-orders"',
    "backslash in a literal": "SELECT * FROM \"orders\" WHERE pk = 'a\\' OR pk <> ''",
    "several tables": 'SELECT * FROM "orders", "t-globex-orders"',
    "join": 'SELECT * FROM "orders" JOIN "t-globex-orders" ON a = b',
    "sub-query": 'SELECT * FROM orders WHERE pk IN (SELECT pk FROM "t-globex-orders")',
    "second statement": 'SELECT * FROM "orders"; SELECT * FROM "t-globex-orders"',
    "table ARN": f'SELECT * FROM "{ARN}t-acme-orders"',
    "ion literal": "SELECT * FROM \"orders\" WHERE pk = `'x'`",
    "second FROM in UPDATE": "UPDATE \"orders\" SET v = 1 FROM \"t-globex-orders\"",
    "keyword as a bare attribute": "SELECT from FROM \"orders\"",
    "non-ASCII outside literals": "SELECT * FROM \"orders\"\u2028WHERE pk = 'x'",
    "unknown verb": "REPLACE INTO \"orders\" VALUE {'pk': 'x'}",
}


@pytest.mark.parametrize("case", sorted(OUTSIDE_THE_SUBSET))
def test_statements_outside_the_subset_are_refused(acme: Any, case: str) -> None:
    refused(acme, "execute_statement", "cannot read the PartiQL statement",
            Statement=OUTSIDE_THE_SUBSET[case])


@pytest.mark.parametrize("case", ["table ARN", "comment hiding the table", "several tables"])
def test_platform_scope_reads_statements_by_the_same_grammar(factory: ClientFactory,
                                                             case: str) -> None:
    refused(factory.platform().client("dynamodb"), "execute_statement",
            "cannot read the PartiQL statement", Statement=OUTSIDE_THE_SUBSET[case])


def test_platform_cannot_name_a_tenants_table_in_a_statement(factory: ClientFactory) -> None:
    refused(factory.platform().client("dynamodb"), "execute_statement",
            "belongs to tenant:acme", Statement='SELECT * FROM "t-acme-orders"')


def test_keywords_and_comment_marks_inside_literals_are_just_text(acme: Any) -> None:
    import json

    statements: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        statements.append(json.loads(request.body)["Statement"])

    acme.meta.events.register("before-send", capture, unique_id="test-statements")
    try:
        acme.execute_statement(
            Statement="SELECT * FROM orders WHERE pk = 'o-1 FROM \"t-globex-orders\" -- x'")
    finally:
        acme.meta.events.unregister("before-send", unique_id="test-statements")
    assert statements == [
        "SELECT * FROM \"t-acme-orders\" WHERE pk = 'o-1 FROM \"t-globex-orders\" -- x'"]


@pytest.mark.parametrize(("statement", "table"), [
    ('SELECT a, "b" FROM "orders"."by-x" WHERE a = ? AND b IN [1, 2]', "orders"),
    ("select * from orders", "orders"),
    ("UPDATE orders SET a = 1 REMOVE b WHERE pk = 'x' RETURNING ALL NEW *", "orders"),
    ("DELETE FROM \"t-acme-orders\" WHERE pk = ?", "t-acme-orders"),
    ("INSERT INTO \"orders\" VALUE {'pk': ?, 'n': 1.5e3, 'l': <<1, 2>>}", "orders"),
    ('EXISTS(SELECT * FROM "orders" WHERE pk = ?)', "orders"),
    ('NOT EXISTS (SELECT * FROM "orders" WHERE pk = ?)', "orders"),
])
def test_the_subset_reads_what_applications_write(statement: str, table: str) -> None:
    assert partiql_table(statement).name == table


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=40))
def test_any_text_after_a_table_is_refused_or_names_one_table(tail: str) -> None:
    statement = 'SELECT * FROM "orders" ' + tail
    try:
        found = partiql_table(statement)
    except Malformed:
        return
    # Accepted: the only table-introducing keyword is the one the guard read.
    assert found.name == "orders"
    assert found.replaced("t-acme-orders").startswith('SELECT * FROM "t-acme-orders" ')


# -- key conditions -----------------------------------------------------------------------------

V = {":a": {"S": "t-acme/u1"}, ":g": {"S": "t-globex/u1"}, ":s": {"S": "x"}}


@pytest.mark.parametrize("expression", [
    "pk = :a AND ((pk = :g))",
    "pk = :a AND pk = :g",
    "pk = :a OR pk = :g",
    "pk = :a AND sk = :s AND pk = :g",
    "pk = 't-acme/u1'",
    "pk = :a AND sk = 'x'",
    "pk BETWEEN :a AND :g",
    "begins_with(pk, :a)",
    "pk = :a AND NOT sk = :s",
    "pk.x = :a",
    "size(pk) = :a",
    "pk = :a AND sk = pk",
    ":a = :a",
])
def test_key_conditions_outside_the_subset_are_refused(acme: Any, expression: str) -> None:
    refused(acme, "query", "Query on a pooled table", TableName="sessions",
            KeyConditionExpression=expression, ExpressionAttributeValues=V)


def test_legacy_and_expression_parameters_together_are_refused_in_every_scope(
    factory: ClientFactory, acme: Any
) -> None:
    both: dict[str, Any] = {
        "TableName": "sessions", "KeyConditionExpression": "pk = :a",
        "ExpressionAttributeValues": V,
        "KeyConditions": {"pk": {"ComparisonOperator": "EQ",
                                 "AttributeValueList": [{"S": "t-globex/u1"}]}}}
    refused(acme, "query", "legacy KeyConditions and expression", **both)
    refused(factory.platform().client("dynamodb"), "query", "legacy KeyConditions", **both)
    refused(acme, "get_item", "legacy AttributesToGet and expression ProjectionExpression",
            TableName="orders", Key={"pk": {"S": "o-1"}}, AttributesToGet=["pk"],
            ProjectionExpression="pk")
    refused(acme, "batch_get_item", "legacy", RequestItems={"orders": {
        "Keys": [{"pk": {"S": "o-1"}}], "AttributesToGet": ["pk"], "ProjectionExpression": "pk"}})


def test_key_conditions_applications_write_still_work(factory: ClientFactory) -> None:
    client = factory.platform().client("dynamodb")
    for sk in ("a1", "b1"):
        client.put_item(TableName="sessions", Item={"pk": {"S": "t-acme/u1"}, "sk": {"S": sk}})
    acme = factory.tenant("acme").client("dynamodb")
    for expression, names in [
        ("pk = :a", None),
        ("#p = :a AND begins_with(#s, :s)", {"#p": "pk", "#s": "sk"}),
        ("(pk = :a) and sk between :s and :t", None),
        ("((#p = :a) AND (sk >= :s))", {"#p": "pk"}),
    ]:
        values = {":a": {"S": "t-acme/u1"}, ":s": {"S": "a"}, ":t": {"S": "z"}}
        used = {k: v for k, v in values.items() if k in expression}
        extra = {"ExpressionAttributeNames": names} if names else {}
        items = acme.query(TableName="sessions", KeyConditionExpression=expression,
                           ExpressionAttributeValues=used, **extra)["Items"]
        assert {i["pk"]["S"] for i in items} == {"t-acme/u1"}


def test_key_terms_are_read_as_written() -> None:
    terms = key_terms("(#p = :a) AND sk BETWEEN :x AND :y")
    assert [(t.op, t.operands) for t in terms] == [("=", ("#p", ":a")),
                                                   ("BETWEEN", ("sk", ":x", ":y"))]


# -- update expressions --------------------------------------------------------------------------


def test_update_actions_name_the_attribute_each_action_writes() -> None:
    actions = update_actions("SET a = :v, #b = b + :n, c = list_append(c, :l), "
                             "d.e[2] = if_not_exists(d.e[2], :z) remove f, g[1] "
                             "ADD h :n DELETE i :s")
    assert actions == [
        UpdateAction("SET", "a", False, (":v",)),
        UpdateAction("SET", "#b", False, ("b", "+", ":n")),
        UpdateAction("SET", "c", False, ("list_append", "(", "c", ",", ":l", ")")),
        UpdateAction("SET", "d", True,
                     ("if_not_exists", "(", "d", ".", "e", "[", "2", "]", ",", ":z", ")")),
        UpdateAction("REMOVE", "f", False, ()),
        UpdateAction("REMOVE", "g", True, ()),
        UpdateAction("ADD", "h", False, (":n",)),
        UpdateAction("DELETE", "i", False, (":s",)),
    ]


@pytest.mark.parametrize("expression", [
    "", "a = :v", "SET a", "SET a = ", "SET a = (b", "SET a = b)", "SET a = :v SET b = :w",
    "REMOVE a,", "ADD a", "ADD a b", "SET a = 'x'", "SET a[x] = :v", "SET a. = :v",
    "SET a = :v /* c */", "SET a = :v; REMOVE b",
])
def test_update_expressions_outside_the_subset_are_malformed(expression: str) -> None:
    with pytest.raises(Malformed):
        update_actions(expression)


@given(st.text(alphabet="SETREMOV ADDLabcu#:=,.()[]0123456789+-", max_size=40))
@settings(max_examples=300, deadline=None)
def test_update_expression_reader_never_crashes(expression: str) -> None:
    try:
        actions = update_actions(expression)
    except Malformed:
        return
    assert actions and all(a.clause in ("SET", "REMOVE", "ADD", "DELETE") for a in actions)
