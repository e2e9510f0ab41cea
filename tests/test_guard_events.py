"""EventBridge guard: buses by name and ARN, rules, targets, PutEvents entries, refused families."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guard_helpers import guard_for, refused

from scopeguard import ClientFactory, InvalidName, ScopeViolation
from scopeguard._guard.rules import Refuse
from scopeguard._guard.events import RULES
from scopeguard._naming import DEFAULT_POLICY
from scopeguard.testing import moto_factory

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def bus_arn(name: str, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:events:{REGION}:{account}:event-bus/{name}"


def queue_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory(account_id=ACCOUNT) as factory:
        for tenant in ("acme", "acme2", "globex"):
            scope = factory.tenant(tenant)
            scope.client("events").create_event_bus(Name="orders")
            scope.client("sqs").create_queue(QueueName="inbox")
        yield factory


@pytest.fixture
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("events")



def test_bus_lands_under_its_physical_name(acme: Any) -> None:
    described = acme.describe_event_bus(Name="orders")
    assert described["Name"] == "t-acme-orders"
    assert described["Arn"] == bus_arn("t-acme-orders")
    assert acme.describe_event_bus(Name=bus_arn("t-acme-orders"))["Name"] == "t-acme-orders"


def test_list_event_buses_is_narrowed_to_the_scope(acme: Any) -> None:
    names = [b["Name"] for b in acme.list_event_buses()["EventBuses"]]
    assert names == ["t-acme-orders"]
    assert [b["Name"] for b in acme.list_event_buses(NamePrefix="ord")["EventBuses"]] == [
        "t-acme-orders"]
    refused(acme, "list_event_buses", "belongs to tenant:globex", NamePrefix="t-globex-")


def test_rule_target_and_events_flow_within_the_tenant(factory: ClientFactory, acme: Any) -> None:
    sqs = factory.tenant("acme").client("sqs")
    url = sqs.get_queue_url(QueueName="inbox")["QueueUrl"]
    acme.put_rule(Name="all", EventBusName="orders", EventPattern=json.dumps({"source": ["shop"]}))
    acme.put_targets(Rule="all", EventBusName="orders",
                     Targets=[{"Id": "q", "Arn": queue_arn("t-acme-inbox")}])
    targets = acme.list_targets_by_rule(Rule="all", EventBusName=bus_arn("t-acme-orders"))
    assert [t["Arn"] for t in targets["Targets"]] == [queue_arn("t-acme-inbox")]
    entries = [
        {"EventBusName": "orders", "Source": "shop", "DetailType": "placed", "Detail": "{}"},
        {"EventBusName": bus_arn("t-acme-orders"), "Source": "shop", "DetailType": "placed",
         "Detail": "{}"},
    ]
    out = acme.put_events(Entries=entries)
    assert out["FailedEntryCount"] == 0
    assert entries[0]["EventBusName"] == "orders"  # the caller's entries are not rewritten
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 2
    assert [r["Name"] for r in acme.list_rules(EventBusName="orders")["Rules"]] == ["all"]
    rule_arn = acme.describe_rule(Name="all", EventBusName="orders")["Arn"]
    assert rule_arn.endswith(":rule/t-acme-orders/all")
    acme.tag_resource(ResourceARN=rule_arn, Tags=[{"Key": "k", "Value": "v"}])
    assert acme.list_tags_for_resource(ResourceARN=rule_arn)["Tags"] == [{"Key": "k", "Value": "v"}]


@pytest.mark.parametrize(
    ("bus", "match"),
    [
        ("t-globex-orders", "belongs to tenant:globex"),
        ("t-acme2-orders", "belongs to tenant:acme2"),
        (bus_arn("t-globex-orders"), "belongs to tenant:globex"),
        (bus_arn("t-acme-orders", account="999999999999"), "account"),
        (bus_arn("t-acme-orders", partition="aws-us-gov"), "partition"),
        (bus_arn("default"), "not a resource of this scope"),
        ("default", "default event bus is shared"),
        ("a/b", "not valid"),
        ("\u043erders", "not valid"),  # Cyrillic o
        ("orders\n", "not valid"),
        (bus_arn("t-acme-orders\n"), "not an ARN"),
        (bus_arn("t-acme-orders:x"), "not an ARN"),
        (f"arn:aws:events:{REGION}:{ACCOUNT}:rule/t-acme-orders/all", "not an ARN"),
    ],
)
def test_other_buses_are_refused_everywhere(acme: Any, bus: str, match: str) -> None:
    refused(acme, "put_events", match, Entries=[
        {"EventBusName": bus, "Source": "s", "DetailType": "d", "Detail": "{}"}])
    refused(acme, "put_rule", match, Name="r", EventBusName=bus, ScheduleExpression="rate(1 hour)")
    refused(acme, "list_rules", match, EventBusName=bus)


def test_every_put_events_entry_is_checked(acme: Any) -> None:
    own = {"EventBusName": "orders", "Source": "s", "DetailType": "d", "Detail": "{}"}
    no_bus = {k: v for k, v in own.items() if k != "EventBusName"}
    refused(acme, "put_events", r"Entries\[1\]", Entries=[own, no_bus])
    refused(acme, "put_events", "belongs to tenant:globex",
            Entries=[own, {**own, "EventBusName": "t-globex-orders"}])


def test_omitted_bus_means_the_default_bus_and_is_refused(acme: Any) -> None:
    refused(acme, "put_rule", "default event bus", Name="r", ScheduleExpression="rate(1 hour)")
    refused(acme, "list_rules", "default event bus")
    refused(acme, "describe_event_bus", "default event bus")
    refused(acme, "put_targets", "default event bus", Rule="r",
            Targets=[{"Id": "q", "Arn": queue_arn("t-acme-inbox")}])
    refused(acme, "list_rule_names_by_target", "default event bus",
            TargetArn=queue_arn("t-acme-inbox"))


def test_platform_uses_the_default_bus_but_not_a_tenants(factory: ClientFactory) -> None:
    platform = factory.platform().client("events")
    platform.put_events(Entries=[{"Source": "platform", "DetailType": "d", "Detail": "{}"}])
    refused(platform, "describe_event_bus", "belongs to tenant:acme", Name="t-acme-orders")
    refused(platform, "put_targets", "belongs to tenant:acme", Rule="r",
            Targets=[{"Id": "q", "Arn": queue_arn("t-acme-inbox")}])


@pytest.mark.parametrize(
    ("target", "match"),
    [
        ({"Arn": queue_arn("t-globex-inbox")}, "belongs to tenant:globex"),
        ({"Arn": queue_arn("t-acme-inbox", account="999999999999")}, "account"),
        ({"Arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-acme2-fn"}, "tenant:acme2"),
        ({"Arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/t-globex-s"}, "tenant:globex"),
        ({"Arn": f"arn:aws:sns:{REGION}:{ACCOUNT}:platform-alerts"}, "not a resource of this"),
        ({"Arn": bus_arn("t-globex-orders")}, "tenant:globex"),
        ({"Arn": f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:t-acme-x"}, "not accepted"),
        ({"Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:api-destination/x/y"}, "understands"),
        ({"Arn": queue_arn("t-acme-inbox"), "DeadLetterConfig": {"Arn": queue_arn("t-globex-inbox")}},
         "tenant:globex"),
        ({"Arn": queue_arn("t-acme-inbox"), "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/platform-events"},
         "not a resource of this scope"),
        ({"Arn": queue_arn("t-acme-inbox"), "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/T-GLOBEX-x"},
         "tenant:globex"),
        ({"Arn": queue_arn("t-acme-inbox"), "RoleArn": "arn:aws:iam::999999999999:role/t-acme-x"},
         "account"),
        ({"Arn": queue_arn("t-acme-inbox"), "EcsParameters": {
            "TaskDefinitionArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/x"}},
         "not covered by the naming policy"),
        ({"Arn": queue_arn("t-acme-inbox"), "HttpParameters": {"PathParameterValues": ["x"]}},
         "HttpParameters"),
    ],
)
def test_targets_outside_the_scope_are_refused(acme: Any, target: dict[str, Any], match: str
                                               ) -> None:
    refused(acme, "put_targets", match, Rule="r", EventBusName="orders",
            Targets=[{"Id": "ok", "Arn": queue_arn("t-acme-inbox")}, {"Id": "t", **target}])


def test_a_role_of_the_scope_may_be_passed(acme: Any) -> None:
    acme.put_rule(Name="to-stream", EventBusName="orders",
                  EventPattern=json.dumps({"source": ["shop"]}))
    acme.put_targets(Rule="to-stream", EventBusName="orders", Targets=[{
        "Id": "s", "Arn": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/t-acme-clicks",
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/service/t-acme-events",
        "KinesisParameters": {"PartitionKeyPath": "$.id"}}])


def test_rule_names_are_checked_for_shape(acme: Any) -> None:
    refused(acme, "describe_rule", "not a valid rule name", Name="a/b", EventBusName="orders")
    refused(acme, "put_targets", "not a valid rule name", Rule="x" * 65, EventBusName="orders",
            Targets=[{"Id": "q", "Arn": queue_arn("t-acme-inbox")}])


def test_tags_on_other_scopes_resources_are_refused(acme: Any) -> None:
    base = f"arn:aws:events:{REGION}:{ACCOUNT}"
    refused(acme, "tag_resource", "tenant:globex", ResourceARN=f"{base}:rule/t-globex-orders/r",
            Tags=[{"Key": "k", "Value": "v"}])
    refused(acme, "list_tags_for_resource", "default event bus", ResourceARN=f"{base}:rule/r")
    refused(acme, "list_tags_for_resource", "not a valid event bus name",
            ResourceARN=f"{base}:rule/t-acme-orders\n/r")
    refused(acme, "list_tags_for_resource", "not an event bus or rule",
            ResourceARN=f"{base}:archive/a")
    refused(acme, "list_tags_for_resource", "ARN names service",
            ResourceARN=queue_arn("t-acme-inbox"))


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("create_archive", {"ArchiveName": "a", "EventSourceArn": bus_arn("t-acme-orders")},
         "archives"),
        ("start_replay", {"ReplayName": "r", "EventSourceArn": "x", "EventStartTime": 0,
                          "EventEndTime": 1, "Destination": {"Arn": bus_arn("t-acme-orders")}},
         "archives"),
        ("create_connection", {"Name": "c", "AuthorizationType": "API_KEY", "AuthParameters": {
            "ApiKeyAuthParameters": {"ApiKeyName": "k", "ApiKeyValue": "v"}}}, "connections"),
        ("list_api_destinations", {}, "API destinations"),
        ("list_endpoints", {}, "global endpoints"),
        ("list_event_sources", {}, "partner event sources"),
        ("put_permission", {"EventBusName": "orders", "Policy": "{}"}, "permissions"),
        ("remove_permission", {"EventBusName": "orders", "StatementId": "s"}, "permissions"),
        ("put_events", {"EndpointId": "abc.xyz", "Entries": [
            {"EventBusName": "orders", "Source": "s", "DetailType": "d", "Detail": "{}"}]},
         "global endpoint"),
        ("create_event_bus", {"Name": "partner", "EventSourceName": "aws.partner/x/y"},
         "partner event sources"),
        ("update_event_bus", {"Name": "orders", "KmsKeyIdentifier":
                              "arn:aws:kms:eu-west-1:999999999999:key/k"}, "account"),
    ],
)
def test_refused_families(acme: Any, call: str, params: dict[str, Any], match: str) -> None:
    refused(acme, call, match, **params)


def test_capsule_buses_are_separate(factory: ClientFactory) -> None:
    dev = factory.capsule("dev").client("events")
    dev.create_event_bus(Name="orders")
    assert dev.describe_event_bus(Name="orders")["Name"] == "c-dev-orders"
    refused(dev, "describe_event_bus", "belongs to tenant:acme", Name="t-acme-orders")


def test_every_operation_taking_name_checks_it_or_is_refused() -> None:
    """``Name`` is a bus, a rule or something else depending on the operation, so it is not
    checked by the member table: each operation that has it must be refused or check it."""
    model = botocore.session.get_session().get_service_model("events")
    for op in model.operation_names:
        shape = model.operation_model(op).input_shape
        if shape is not None and "Name" in shape.members:
            entry = RULES.operations[op]
            assert isinstance(entry, Refuse) or callable(entry), op


def test_platform_parameters_of_refused_operations_are_this_accounts(factory: ClientFactory
                                                                      ) -> None:
    platform = factory.platform().client("events")
    refused(platform, "start_replay", "account", ReplayName="r",
            EventSourceArn=f"arn:aws:events:{REGION}:{ACCOUNT}:archive/a", EventStartTime=0,
            EventEndTime=1, Destination={"Arn": bus_arn("default"), "FilterArns": [
                f"arn:aws:events:{REGION}:999999999999:rule/r"]})
    refused(platform, "create_archive", "belongs to tenant:acme", ArchiveName="t-acme-a",
            EventSourceArn=bus_arn("default"))


def test_platform_cannot_archive_a_tenants_bus_or_replay_a_tenant_named_archive(
        factory: ClientFactory) -> None:
    """An archive of a tenant's bus would hold every event on it; the platform's own bus is
    archived as before (moto creates the archive)."""
    platform = factory.platform().client("events")
    refused(platform, "create_archive", "belongs to tenant:acme", ArchiveName="audit",
            EventSourceArn=bus_arn("t-acme-orders"))
    refused(platform, "create_archive", "not this scope's account", ArchiveName="audit",
            EventSourceArn=bus_arn("shared", account="999999999999"))
    refused(platform, "list_archives", "belongs to tenant:acme",
            EventSourceArn=bus_arn("t-acme-orders"))
    refused(platform, "start_replay", "belongs to tenant:acme", ReplayName="r",
            EventSourceArn=f"arn:aws:events:{REGION}:{ACCOUNT}:archive/t-acme-a",
            EventStartTime=0, EventEndTime=1, Destination={"Arn": bus_arn("default")})
    platform.create_event_bus(Name="platform-audit")
    archive = platform.create_archive(ArchiveName="platform-audit",
                                      EventSourceArn=bus_arn("platform-audit"))
    assert archive["ArchiveArn"].endswith(":archive/platform-audit")
    listed = platform.list_archives(EventSourceArn=bus_arn("platform-audit"))["Archives"]
    assert [a["ArchiveName"] for a in listed] == ["platform-audit"]


tenant_ids = st.text(alphabet="acme0123456789", min_size=1, max_size=8)
names = st.text(alphabet="act-_.0123456789fio", min_size=1, max_size=30)


@given(t=tenant_ids, u=tenant_ids, name=names)
def test_nothing_of_another_tenant_is_allowed(t: str, u: str, name: str) -> None:
    assume(t != u)
    try:
        physical = DEFAULT_POLICY.physical_name(DEFAULT_POLICY.tenant(u), "events", name)
    except InvalidName:
        return
    guard = guard_for(t)
    base = f"arn:aws:events:{REGION}:{ACCOUNT}"
    for kind, value in (
        ("bus", physical), ("bus", bus_arn(physical)), ("target_arn", bus_arn(physical)),
        ("target_arn", queue_arn(physical)),
        ("target_arn", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{physical}"),
        ("resource_arn", bus_arn(physical)), ("resource_arn", f"{base}:rule/{physical}/r"),
        ("role", f"arn:aws:iam::{ACCOUNT}:role/{physical}"),
    ):
        with pytest.raises(ScopeViolation):
            RULES.kinds[kind](guard, value, "EventBusName")
