"""Kinesis guard: stream names and ARNs, consumer ARNs, refused families; nothing sent on refusal."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guard_helpers import guard_for, refused, skip_unless_in_model

from scopeguard import ClientFactory, InvalidName, ScopeViolation
from scopeguard._guard.kinesis import RULES
from scopeguard._naming import DEFAULT_POLICY
from scopeguard.testing import count_requests, moto_factory

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def stream_arn(name: str, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:kinesis:{REGION}:{account}:stream/{name}"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    # One emulated world for the module: the tests only add streams of their own names.
    with moto_factory(account_id=ACCOUNT) as factory:
        for tenant in ("acme", "acme2", "globex"):
            factory.tenant(tenant).client("kinesis").create_stream(StreamName="clicks",
                                                                    ShardCount=1)
        yield factory


@pytest.fixture
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("kinesis")



def test_logical_stream_name_lands_under_the_physical_name(factory: ClientFactory,
                                                           acme: Any) -> None:
    summary = acme.describe_stream_summary(StreamName="clicks")["StreamDescriptionSummary"]
    assert summary["StreamName"] == "t-acme-clicks"
    assert summary["StreamARN"] == stream_arn("t-acme-clicks")
    assert factory.tenant("acme").physical_name("kinesis", "clicks") == "t-acme-clicks"


def test_records_round_trip_by_name_and_by_arn(acme: Any) -> None:
    acme.put_record(StreamName="clicks", Data=b"one", PartitionKey="p")
    acme.put_records(StreamARN=stream_arn("t-acme-clicks"),
                     Records=[{"Data": b"two", "PartitionKey": "p"}])
    shard = acme.list_shards(StreamName="clicks")["Shards"][0]["ShardId"]
    iterator = acme.get_shard_iterator(StreamName="clicks", ShardId=shard,
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    data = [r["Data"] for r in acme.get_records(ShardIterator=iterator)["Records"]]
    assert data[:2] == [b"one", b"two"]


def test_name_and_arn_given_together_must_name_the_same_stream(acme: Any) -> None:
    acme.describe_stream_summary(StreamName="clicks", StreamARN=stream_arn("t-acme-clicks"))
    acme.create_stream(StreamName="views", ShardCount=1)
    refused(acme, "put_record", "two different streams", StreamName="views",
            StreamARN=stream_arn("t-acme-clicks"), Data=b"x", PartitionKey="p")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"StreamName": "t-globex-clicks"}, "belongs to tenant:globex"),
        ({"StreamName": "t-acme2-clicks"}, "belongs to tenant:acme2"),
        ({"StreamName": "c-dev-clicks"}, "belongs to capsule:dev"),
        ({"StreamARN": stream_arn("t-globex-clicks")}, "belongs to tenant:globex"),
        ({"StreamARN": stream_arn("t-acme2-clicks")}, "belongs to tenant:acme2"),
        ({"StreamARN": stream_arn("t-acme-clicks", account="999999999999")}, "account"),
        ({"StreamARN": stream_arn("t-acme-clicks", partition="aws-cn")}, "partition"),
        ({"StreamARN": stream_arn("clicks")}, "not a resource of this scope"),
        ({"StreamARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-acme-clicks"}, "not accepted"),
        ({"StreamARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/t-acme-clicks/x"},
         "not an ARN"),
        ({"StreamARN": "t-acme-clicks"}, "cannot parse"),
        ({"StreamARN": stream_arn("t-acme-clicks\n")}, "not an ARN"),
        ({"StreamName": "\u0441licks"}, "not valid"),  # Cyrillic c
        # A name and an ARN together: the ARN picks the endpoint, so it is checked too.
        ({"StreamName": "clicks", "StreamARN": stream_arn("t-globex-clicks")}, "globex"),
    ],
)
def test_other_scopes_streams_are_refused(acme: Any, params: dict[str, Any], match: str) -> None:
    refused(acme, "put_record", match, Data=b"x", PartitionKey="p", **params)


def test_platform_cannot_use_a_tenants_stream(factory: ClientFactory) -> None:
    platform = factory.platform().client("kinesis")
    refused(platform, "describe_stream_summary", "belongs to tenant:acme",
            StreamName="t-acme-clicks")
    refused(platform, "describe_stream_summary", "belongs to tenant:acme",
            StreamARN=stream_arn("t-acme-clicks"))


def test_consumers_are_checked_through_their_stream(acme: Any) -> None:
    consumer = acme.register_stream_consumer(StreamARN=stream_arn("t-acme-clicks"),
                                             ConsumerName="reader")["Consumer"]
    assert consumer["ConsumerARN"].startswith(stream_arn("t-acme-clicks") + "/consumer/reader")
    described = acme.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])
    assert described["ConsumerDescription"]["ConsumerName"] == "reader"
    foreign = consumer["ConsumerARN"].replace("t-acme-", "t-globex-")
    refused(acme, "describe_stream_consumer", "belongs to tenant:globex", ConsumerARN=foreign)
    refused(acme, "describe_stream_consumer", "two different streams",
            StreamARN=stream_arn("t-acme-views"), ConsumerARN=consumer["ConsumerARN"])
    refused(acme, "describe_stream_consumer", "not a stream consumer ARN",
            ConsumerARN=stream_arn("t-acme-clicks"))
    refused(acme, "describe_stream_consumer", "not a valid consumer name",
            StreamARN=stream_arn("t-acme-clicks"), ConsumerName="a/b")
    refused(acme, "deregister_stream_consumer", "belongs to tenant:globex",
            StreamARN=stream_arn("t-globex-clicks"), ConsumerName="reader")


def test_tags_by_stream_and_by_resource_arn(acme: Any) -> None:
    acme.add_tags_to_stream(StreamName="clicks", Tags={"team": "a"})
    tags = acme.list_tags_for_stream(StreamARN=stream_arn("t-acme-clicks"))["Tags"]
    assert {"Key": "team", "Value": "a"} in tags
    refused(acme, "tag_resource", "belongs to tenant:globex",
            ResourceARN=stream_arn("t-globex-clicks"), Tags={"x": "y"})
    refused(acme, "list_tags_for_resource", "not covered by the naming policy",
            ResourceARN=f"arn:aws:kinesis:{REGION}:{ACCOUNT}:queue/t-acme-q")


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("list_streams", {}, "account-wide"),
        ("describe_limits", {}, "account-wide"),
        ("describe_account_settings", {}, "account-wide"),
        ("put_resource_policy", {"ResourceARN": stream_arn("t-acme-clicks"), "Policy": "{}"},
         "resource policies"),
        ("get_resource_policy", {"ResourceARN": stream_arn("t-acme-clicks")},
         "resource policies"),
        ("create_queue", {"QueueName": "q", "StreamConfigurationList": [
            {"StreamARN": stream_arn("t-acme-clicks")}]}, "queues"),
        ("describe_channel", {"ChannelARN": f"arn:aws:kinesis:{REGION}:{ACCOUNT}:channel/c"},
         "channels"),
        ("describe_stream_summary", {"StreamId": "abcdefghij0123456789-abc"}, "StreamId"),
    ],
)
def test_refused_families(acme: Any, call: str, params: dict[str, Any], match: str) -> None:
    skip_unless_in_model(acme, acme.meta.method_to_api_mapping.get(call, call))
    refused(acme, call, match, **params)


def test_encryption_key_arn_of_another_account_is_refused(acme: Any) -> None:
    refused(acme, "start_stream_encryption", "account", StreamName="clicks",
            EncryptionType="KMS", KeyId="arn:aws:kms:eu-west-1:999999999999:key/abc")


def test_invalid_or_scoped_logical_names_are_refused(acme: Any) -> None:
    refused(acme, "create_stream", "not valid", StreamName="a/b", ShardCount=1)
    refused(acme, "create_stream", "not valid", StreamName="", ShardCount=1)
    refused(acme, "create_stream", "characters", StreamName="x" * 125, ShardCount=1)


def test_capsule_streams_are_separate(factory: ClientFactory) -> None:
    dev = factory.capsule("dev").client("kinesis")
    dev.create_stream(StreamName="clicks", ShardCount=1)
    assert dev.describe_stream_summary(StreamName="clicks")[
        "StreamDescriptionSummary"]["StreamName"] == "c-dev-clicks"
    refused(dev, "describe_stream_summary", "belongs to tenant:acme", StreamName="t-acme-clicks")


def test_waiters_go_through_the_guard(acme: Any) -> None:
    acme.get_waiter("stream_exists").wait(StreamName="clicks")
    with count_requests(acme) as sent, pytest.raises(ScopeViolation, match="tenant:globex"):
        acme.get_waiter("stream_exists").wait(StreamARN=stream_arn("t-globex-clicks"))
    assert sent.total == 0


tenant_ids = st.text(alphabet="acme0123456789", min_size=1, max_size=8)
names = st.text(alphabet="act-_.0123456789fio", min_size=1, max_size=30)


@given(t=tenant_ids, u=tenant_ids, name=names)
def test_nothing_of_another_tenant_is_allowed(t: str, u: str, name: str) -> None:
    assume(t != u)
    try:
        physical = DEFAULT_POLICY.physical_name(DEFAULT_POLICY.tenant(u), "kinesis", name)
    except InvalidName:
        return
    guard = guard_for(t)
    for kind, value in (
        ("stream", physical), ("stream_arn", stream_arn(physical)),
        ("consumer_arn", f"{stream_arn(physical)}/consumer/c:1"),
        ("resource_arn", stream_arn(physical)),
    ):
        with pytest.raises(ScopeViolation):
            RULES.kinds[kind](guard, value, "StreamName")


@given(t=st.sampled_from(["acme", "acme2"]),
       value=st.text(alphabet="t-acme2sx./:\n", min_size=0, max_size=16))
def test_whatever_stream_name_is_allowed_is_the_scopes_own_and_clean(t: str, value: str) -> None:
    try:
        resolved = RULES.kinds["stream"](guard_for(t), value, "StreamName")
    except ScopeViolation:
        return
    assert DEFAULT_POLICY.owner(resolved) == DEFAULT_POLICY.tenant(t)
    assert resolved.isascii() and resolved.isprintable() and "/" not in resolved
