"""The guard follows the configured templates: an application's existing names (per-tenant
tables ``<Entity>-<tenantId>``, a pooled table keyed ``<tenantId>-``, a pooled bucket with
``<tenantId>/`` prefixes, ``/<app>/<tenantId>/...`` parameters) on moto, every refusal with
nothing sent."""

from __future__ import annotations

from collections.abc import Iterator
import pytest

from guard_helpers import refused

from scopeguard import ClientFactory, NamingPolicy, PooledTable
from scopeguard.testing import moto_factory

ACME = "3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f"
GLOBEX = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
NAMING = NamingPolicy(
    tenant_ids=frozenset({"uuid"}),
    capsules=frozenset(),
    templates={
        "dynamodb": "{logical}-{tenant}",
        "sqs": "{logical}-{tenant}",
        "ssm": "/{app}/{tenant}/{logical}",
    },
    variables={"app": "saas"},
    pooled_tables={"Product-pooled": PooledTable("shardId")},
    pooled_buckets=frozenset({"saas-shared"}),
    key_templates={"Product-pooled": "{tenant}-", "saas-shared": "{tenant}/"},
)
KEY_SCHEMA = [{"AttributeName": "shardId", "KeyType": "HASH"}]
ATTRIBUTES = [{"AttributeName": "shardId", "AttributeType": "S"}]


@pytest.fixture
def factory() -> Iterator[ClientFactory]:
    with moto_factory(naming=NAMING) as factory:
        for tenant in (ACME, GLOBEX):
            factory.tenant(tenant).client("dynamodb").create_table(
                TableName="Order", KeySchema=KEY_SCHEMA, AttributeDefinitions=ATTRIBUTES,
                BillingMode="PAY_PER_REQUEST")
        platform = factory.platform()
        platform.client("dynamodb").create_table(
            TableName="Product-pooled", KeySchema=KEY_SCHEMA, AttributeDefinitions=ATTRIBUTES,
            BillingMode="PAY_PER_REQUEST")
        platform.client("s3").create_bucket(
            Bucket="saas-shared", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield factory


def test_logical_names_land_in_the_applications_existing_tables(factory: ClientFactory) -> None:
    acme = factory.tenant(ACME).client("dynamodb")
    acme.put_item(TableName="Order", Item={"shardId": {"S": "o-1"}})
    operator = factory.operator("123456789012").client("dynamodb")
    assert {f"Order-{ACME}", f"Order-{GLOBEX}", "Product-pooled"} <= set(
        operator.list_tables()["TableNames"])
    assert operator.get_item(TableName=f"Order-{ACME}", Key={"shardId": {"S": "o-1"}})["Item"]
    # The application's own physical name is accepted as is, too.
    assert "Item" in acme.get_item(TableName=f"Order-{ACME}", Key={"shardId": {"S": "o-1"}})


def test_another_tenants_table_is_refused(factory: ClientFactory) -> None:
    acme = factory.tenant(ACME).client("dynamodb")
    refused(acme, "get_item", f"belongs to tenant:{GLOBEX}", TableName=f"Order-{GLOBEX}",
            Key={"shardId": {"S": "o-1"}})
    refused(factory.platform().client("dynamodb"), "scan", f"belongs to tenant:{ACME}",
            TableName=f"Order-{ACME}")


def test_the_pooled_table_is_keyed_by_the_tenant_id(factory: ClientFactory) -> None:
    handle = factory.tenant(ACME)
    assert handle.pooled_key_prefix("Product-pooled") == f"{ACME}-"
    acme = handle.client("dynamodb")
    acme.put_item(TableName="Product-pooled", Item={"shardId": {"S": f"{ACME}-3"}})
    refused(acme, "put_item", f"belongs to tenant:{GLOBEX}", TableName="Product-pooled",
            Item={"shardId": {"S": f"{GLOBEX}-3"}})
    refused(acme, "get_item", "does not start with", TableName="Product-pooled",
            Key={"shardId": {"S": "3"}})
    refused(acme, "scan", "reads every tenant's items", TableName="Product-pooled")


def test_the_shared_bucket_is_prefixed_by_the_tenant_id(factory: ClientFactory) -> None:
    s3 = factory.tenant(ACME).client("s3")
    s3.put_object(Bucket="saas-shared", Key=f"{ACME}/logo.png", Body=b"x")
    refused(s3, "get_object", f"belongs to tenant:{GLOBEX}", Bucket="saas-shared",
            Key=f"{GLOBEX}/logo.png")
    refused(s3, "list_objects_v2", "lists every tenant's objects", Bucket="saas-shared",
            Prefix=ACME)


def test_parameters_live_under_the_applications_path(factory: ClientFactory) -> None:
    ssm = factory.tenant(ACME).client("ssm")
    ssm.put_parameter(Name="userPoolId", Value="pool-1", Type="String")
    operator = factory.operator("123456789012").client("ssm")
    assert operator.get_parameter(Name=f"/saas/{ACME}/userPoolId")["Parameter"]["Value"] == "pool-1"
    listed = ssm.get_parameters_by_path(Path="/", Recursive=True)["Parameters"]
    assert [p["Name"] for p in listed] == [f"/saas/{ACME}/userPoolId"]
    refused(ssm, "get_parameter", f"belongs to tenant:{GLOBEX}",
            Name=f"/saas/{GLOBEX}/userPoolId")


def test_a_logical_path_is_read_below_the_applications_path(factory: ClientFactory) -> None:
    # Under "/{app}/{tenant}/{logical}" names below the root are relative ("cfg/db-host"); the
    # logical path "/cfg" is the root's "cfg", as "/" is the root (Powertools'
    # SSMProvider.get_multiple("/cfg") sends it so).
    ssm = factory.tenant(ACME).client("ssm")
    ssm.put_parameter(Name="cfg/db-host", Value="db", Type="String")
    ssm.put_parameter(Name="cfg/deep/db-pass", Value="pw", Type="SecureString")
    ssm.put_parameter(Name="userPoolId", Value="pool-1", Type="String")
    for path, recursive, names in (("/cfg", False, ["cfg/db-host"]),
                                   ("/cfg", True, ["cfg/db-host", "cfg/deep/db-pass"]),
                                   ("/cfg/deep", False, ["cfg/deep/db-pass"])):
        listed = ssm.get_parameters_by_path(Path=path, Recursive=recursive)["Parameters"]
        assert sorted(p["Name"] for p in listed) == [f"/saas/{ACME}/{n}" for n in names]
    described = ssm.describe_parameters(ParameterFilters=[
        {"Key": "Path", "Option": "OneLevel", "Values": ["/cfg"]}])["Parameters"]
    assert [p["Name"] for p in described] == [f"/saas/{ACME}/cfg/db-host"]
    for bad in ("/cfg/", "/cfg//deep", "/cfg/../x"):
        refused(ssm, "get_parameters_by_path", "empty, '.' or '..' path segment", Path=bad)
    refused(ssm, "get_parameters_by_path", f"belongs to tenant:{GLOBEX}",
            Path=f"/saas/{GLOBEX}/cfg")


def test_a_listing_the_template_cannot_narrow_is_refused(factory: ClientFactory) -> None:
    # {logical}-{tenant}: no prefix selects one tenant's queues.
    refused(factory.tenant(ACME).client("sqs"), "list_queues", "cannot be narrowed")


def test_tenant_ids_outside_the_configured_spellings_are_refused(factory: ClientFactory) -> None:
    from scopeguard import InvalidScope

    with pytest.raises(InvalidScope, match="accepts tenant IDs as uuid only"):
        factory.tenant(ACME.replace("-", ""))
    with pytest.raises(InvalidScope, match="lower case"):
        factory.tenant(ACME.upper())


# A tenants table and a single-table metering layout: the partition key is the tenant ID itself
# (``tenantId``) or a fixed word and the ID (``TENANT#<tenantId>``), one partition per tenant.
WHOLE_KEYS = NamingPolicy(
    tenant_ids=frozenset({"uuid"}),
    capsules=frozenset(),
    pooled_tables={"TenantUsers": PooledTable("tenantId"), "Metering": PooledTable("data_type")},
    key_templates={"TenantUsers": "{tenant}", "Metering": "TENANT#{tenant}"},
)


@pytest.mark.parametrize(("table", "attribute", "own"), [
    ("TenantUsers", "tenantId", ACME), ("Metering", "data_type", f"TENANT#{ACME}")])
def test_a_partition_key_that_is_the_tenant_id_must_equal_it(
    table: str, attribute: str, own: str
) -> None:
    with moto_factory(naming=WHOLE_KEYS) as factory:
        factory.platform().client("dynamodb").create_table(
            TableName=table, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": attribute, "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": attribute, "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "S"}])
        handle = factory.tenant(ACME)
        assert handle.pooled_key_prefix(table) == own
        acme = handle.client("dynamodb")
        acme.put_item(TableName=table, Item={attribute: {"S": own}, "sk": {"S": "alice"}})
        names = {"#pk": attribute, "#sk": "sk"}
        found = acme.query(TableName=table, KeyConditionExpression="#pk = :t and begins_with("
                           "#sk, :s)", ExpressionAttributeNames=names,
                           ExpressionAttributeValues={":t": {"S": own}, ":s": {"S": "a"}})
        assert found["Count"] == 1
        theirs = own.replace(ACME, GLOBEX)
        refused(acme, "get_item", f"belongs to tenant:{GLOBEX}", TableName=table,
                Key={attribute: {"S": theirs}, "sk": {"S": "alice"}})
        # The ID is the whole key: a key that merely starts with it is no partition of acme's.
        for longer in (own + "-1", own + "x"):
            refused(acme, "put_item", f"is not equal to {own!r}", TableName=table,
                    Item={attribute: {"S": longer}, "sk": {"S": "alice"}})
        refused(acme, "query", f"is not equal to {own!r}", TableName=table,
                KeyConditionExpression="#pk = :t", ExpressionAttributeNames={"#pk": attribute},
                ExpressionAttributeValues={":t": {"S": own[:-1]}})
        refused(acme, "scan", "reads every tenant's items", TableName=table)


def test_a_whole_key_partition_through_the_resource_api() -> None:
    from boto3.dynamodb.conditions import Key

    from scopeguard import ScopeViolation
    from scopeguard.testing import count_requests

    with moto_factory(naming=WHOLE_KEYS) as factory:
        factory.platform().client("dynamodb").create_table(
            TableName="TenantUsers", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "tenantId", "KeyType": "HASH"},
                       {"AttributeName": "userName", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "tenantId", "AttributeType": "S"},
                                  {"AttributeName": "userName", "AttributeType": "S"}])
        users = factory.tenant(ACME).resource("dynamodb").Table("TenantUsers")
        users.put_item(Item={"tenantId": ACME, "userName": "alice"})
        found = users.query(KeyConditionExpression=Key("tenantId").eq(ACME)
                            & Key("userName").eq("alice"))
        assert [item["userName"] for item in found["Items"]] == ["alice"]
        with count_requests(users.meta.client) as sent:
            with pytest.raises(ScopeViolation, match=f"belongs to tenant:{GLOBEX}"):
                with users.batch_writer() as batch:
                    batch.put_item(Item={"tenantId": ACME, "userName": "bob"})
                    batch.put_item(Item={"tenantId": GLOBEX, "userName": "bob"})
            with pytest.raises(ScopeViolation, match="is not equal to"):
                users.query(KeyConditionExpression=Key("tenantId").eq(ACME + "-1"))
        assert sent.total == 0
