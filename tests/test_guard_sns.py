"""SNS guard: topics, subscriptions and endpoints of other scopes refused with nothing sent;
in-scope calls work on moto and land under physical names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guard_helpers import guard_for, refused, tampering

from scopeguard import ClientFactory, InvalidName, ScopeViolation
from scopeguard._guard.sns import RULES
from scopeguard._naming import DEFAULT_POLICY
from scopeguard.testing import count_requests, moto_factory

ACCOUNT = "123456789012"
REGION = "eu-west-1"
SUB_ID = "0b6d5c4e-1a2b-4c3d-8e9f-0123456789ab"


def topic_arn(name: str, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:sns:{REGION}:{account}:{name}"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    # One emulated world for the module: refusals never reach it, and tests that write use names
    # of their own.
    with moto_factory(account_id=ACCOUNT) as factory:
        for tenant in ("acme", "globex", "acme2"):
            factory.tenant(tenant).client("sns").create_topic(Name="news")
        yield factory


@pytest.fixture(scope="module")
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("sns")



def test_topic_is_created_under_its_physical_name(factory: ClientFactory, acme: Any) -> None:
    arn = acme.create_topic(Name="alerts")["TopicArn"]
    assert arn == topic_arn("t-acme-alerts")
    acme.publish(TopicArn=arn, Message="hello")
    acme.publish(TargetArn=arn, Message="hello")
    out = acme.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "a"}, {"Id": "2", "Message": "b"}])
    assert len(out["Successful"]) == 2
    assert acme.get_topic_attributes(TopicArn=arn)["Attributes"]["TopicArn"] == arn
    operator = factory.operator(ACCOUNT).client("sns")
    names = {t["TopicArn"] for t in operator.list_topics()["Topics"]}
    assert {topic_arn("t-acme-alerts"), topic_arn("t-globex-news")} <= names


def test_fifo_topic_keeps_its_suffix(acme: Any) -> None:
    arn = acme.create_topic(Name="orders.fifo", Attributes={"FifoTopic": "true"})["TopicArn"]
    assert arn == topic_arn("t-acme-orders.fifo")
    refused(acme, "create_topic", "must end in '.fifo'", Name="orders",
            Attributes={"FifoTopic": "true"})


def test_create_topic_with_another_tenants_name_is_refused(acme: Any) -> None:
    err = refused(acme, "create_topic", "belongs to tenant:globex", Name="t-globex-news")
    assert (err.scope, err.operation, err.parameter) == ("tenant:acme", "CreateTopic", "Name")
    refused(acme, "create_topic", "not valid", Name="news/../x")
    refused(acme, "create_topic", "not valid for sns", Name="t-acme-news/../x")
    refused(acme, "create_topic", "not valid", Name="news\n")


@pytest.mark.parametrize(
    ("arn", "match"),
    [
        (topic_arn("t-globex-news"), "belongs to tenant:globex"),
        (topic_arn("t-acme-news", account="999999999999"), "not this scope's account"),
        (topic_arn("t-acme-news", partition="aws-cn"), "partition"),
        (f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-acme-news", "expected 'sns'"),
        (topic_arn("news"), "not a resource of this scope"),
        (topic_arn("t-acme-news/x"), "not a topic ARN"),
        (topic_arn("t-acme-news:" + SUB_ID), "not a topic ARN"),
        ("t-acme-news", "cannot parse"),
    ],
)
def test_topic_arns_of_other_scopes_accounts_or_partitions_are_refused(
    acme: Any, arn: str, match: str
) -> None:
    refused(acme, "publish", match, TopicArn=arn, Message="x")
    refused(acme, "delete_topic", match, TopicArn=arn)


def test_similar_tenant_prefix_is_refused(factory: ClientFactory) -> None:
    acme2 = factory.tenant("acme2").client("sns")
    refused(acme2, "publish", "belongs to tenant:acme", TopicArn=topic_arn("t-acme-news"),
            Message="x")
    acme2.publish(TopicArn=topic_arn("t-acme2-news"), Message="x")


def test_platform_cannot_publish_to_a_tenants_topic(factory: ClientFactory) -> None:
    refused(factory.platform().client("sns"), "publish", "belongs to tenant:acme",
            TopicArn=topic_arn("t-acme-news"), Message="x")


def test_publish_batch_and_target_arn_are_checked(acme: Any) -> None:
    refused(acme, "publish_batch", "belongs to tenant:globex", TopicArn=topic_arn("t-globex-news"),
            PublishBatchRequestEntries=[{"Id": "1", "Message": "a"}])
    refused(acme, "publish", "belongs to tenant:globex", TargetArn=topic_arn("t-globex-news"),
            Message="x")
    endpoint = f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/GCM/app/{SUB_ID}"
    refused(acme, "publish", "push endpoints", TargetArn=endpoint, Message="x")
    refused(acme, "publish", "direct SMS names no resource", PhoneNumber="+15555550100", Message="x")


def test_subscriptions_to_own_queue_and_topic_work(factory: ClientFactory, acme: Any) -> None:
    queue_url = factory.tenant("acme").client("sqs").create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-acme-inbox"
    assert queue_url.endswith("/t-acme-inbox")
    sub = acme.subscribe(TopicArn=topic_arn("t-acme-news"), Protocol="sqs", Endpoint=queue_arn,
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert sub.startswith(topic_arn("t-acme-news") + ":")
    subs = acme.list_subscriptions_by_topic(TopicArn=topic_arn("t-acme-news"))["Subscriptions"]
    assert [s["Endpoint"] for s in subs] == [queue_arn]
    acme.set_subscription_attributes(SubscriptionArn=sub, AttributeName="RawMessageDelivery",
                                     AttributeValue="true")
    assert acme.get_subscription_attributes(SubscriptionArn=sub)["Attributes"][
        "RawMessageDelivery"] == "true"
    acme.unsubscribe(SubscriptionArn=sub)


@pytest.mark.parametrize(
    ("protocol", "endpoint", "match"),
    [
        ("sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-globex-inbox", "belongs to tenant:globex"),
        ("sqs", f"arn:aws:sqs:{REGION}:999999999999:t-acme-inbox", "not this scope's account"),
        ("sqs", f"arn:aws-us-gov:sqs:{REGION}:{ACCOUNT}:t-acme-inbox", "partition"),
        ("sqs", f"arn:aws:sqs:{REGION}:{ACCOUNT}:inbox", "not a resource of this scope"),
        ("sqs", f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/t-acme-inbox", "cannot parse"),
        ("lambda", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-globex-fn",
         "belongs to tenant:globex"),
        ("lambda", f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-globex-fn:live",
         "belongs to tenant:globex"),
        ("lambda", f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:t-acme-fn", "not an ARN of a lambda resource"),
        ("lambda", f"arn:aws:lambda:{REGION}:999999999999:function:t-acme-fn", "account"),
        ("application", f"arn:aws:sns:{REGION}:{ACCOUNT}:endpoint/GCM/app/{SUB_ID}",
         "not resolved"),
        ("firehose", f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/t-acme-s",
         "not resolved"),
        ("https", topic_arn("t-acme-news"), "must be an address"),
        ("carrier-pigeon", "coo", "unknown subscription protocol"),
    ],
)
def test_subscription_endpoints_outside_the_scope_are_refused(
    acme: Any, protocol: str, endpoint: str, match: str
) -> None:
    refused(acme, "subscribe", match, TopicArn=topic_arn("t-acme-news"), Protocol=protocol,
            Endpoint=endpoint)


def test_subscribing_to_another_tenants_topic_is_refused(acme: Any) -> None:
    refused(acme, "subscribe", "belongs to tenant:globex", TopicArn=topic_arn("t-globex-news"),
            Protocol="https", Endpoint="https://example.com/hook")


def test_own_lambda_endpoint_passes_the_guard(acme: Any) -> None:
    # moto accepts a subscription to a function it does not know: the guard is what is tested.
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-acme-fn:live"
    sub = acme.subscribe(TopicArn=topic_arn("t-acme-news"), Protocol="lambda", Endpoint=arn,
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    acme.unsubscribe(SubscriptionArn=sub)


def test_subscription_redrive_policy_must_target_an_own_queue(acme: Any) -> None:
    dead = json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-globex-dead"})
    refused(acme, "subscribe", "belongs to tenant:globex", TopicArn=topic_arn("t-acme-news"),
            Protocol="https", Endpoint="https://example.com/hook",
            Attributes={"RedrivePolicy": dead})
    refused(acme, "set_subscription_attributes", "belongs to tenant:globex",
            SubscriptionArn=topic_arn("t-acme-news") + ":" + SUB_ID,
            AttributeName="RedrivePolicy", AttributeValue=dead)
    refused(acme, "set_subscription_attributes", "not valid JSON",
            SubscriptionArn=topic_arn("t-acme-news") + ":" + SUB_ID,
            AttributeName="RedrivePolicy", AttributeValue="{nope")
    refused(acme, "set_subscription_attributes", "not settable",
            SubscriptionArn=topic_arn("t-acme-news") + ":" + SUB_ID,
            AttributeName="SubscriptionRoleArn", AttributeValue=f"arn:aws:iam::{ACCOUNT}:role/x")


@pytest.mark.parametrize(
    ("arn", "match"),
    [
        (topic_arn("t-globex-news") + ":" + SUB_ID, "belongs to tenant:globex"),
        (topic_arn("t-acme-news", account="999999999999") + ":" + SUB_ID, "account"),
        (topic_arn("t-acme-news") + ":not-a-uuid", "not a subscription ARN"),
        (topic_arn("t-acme-news"), "not a subscription ARN"),
        ("PendingConfirmation", "cannot parse"),
    ],
)
def test_subscription_arns_of_other_scopes_are_refused(acme: Any, arn: str, match: str) -> None:
    refused(acme, "unsubscribe", match, SubscriptionArn=arn)
    refused(acme, "get_subscription_attributes", match, SubscriptionArn=arn)


def test_topic_policy_and_role_attributes_are_refused_in_tenant_scope(acme: Any) -> None:
    arn = topic_arn("t-acme-news")
    refused(acme, "set_topic_attributes", "can grant other principals access", TopicArn=arn,
            AttributeName="Policy", AttributeValue="{}")
    refused(acme, "create_topic", "can grant other principals access", Name="open",
            Attributes={"Policy": "{}"})
    refused(acme, "set_topic_attributes", "not settable", TopicArn=arn,
            AttributeName="LambdaSuccessFeedbackRoleArn",
            AttributeValue=f"arn:aws:iam::{ACCOUNT}:role/x")
    refused(acme, "set_topic_attributes", "account", TopicArn=arn,
            AttributeName="KmsMasterKeyId",
            AttributeValue="arn:aws:kms:eu-west-1:999999999999:key/abc")
    acme.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="News")
    acme.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId",
                              AttributeValue="alias/aws/sns")


def test_platform_may_set_a_topic_policy(factory: ClientFactory) -> None:
    platform = factory.platform().client("sns")
    arn = platform.create_topic(Name="platform-events")["TopicArn"]
    policy = {"Version": "2012-10-17", "Statement": []}
    platform.set_topic_attributes(TopicArn=arn, AttributeName="Policy",
                                  AttributeValue=json.dumps(policy))


def test_platform_cannot_pass_a_tenants_role_to_sns(factory: ClientFactory) -> None:
    """SubscriptionRoleArn and the *FeedbackRoleArn attributes hand SNS a role to act with: a
    tenant's is refused to the platform, in any letter case; the platform's own is set."""
    platform = factory.platform().client("sns")
    arn = platform.create_topic(Name="platform-feed")["TopicArn"]
    tenant_role = f"arn:aws:iam::{ACCOUNT}:role/T-ACME-delivery"
    refused(platform, "subscribe", "belongs to tenant:acme", TopicArn=arn, Protocol="firehose",
            Endpoint=f"arn:aws:firehose:{REGION}:{ACCOUNT}:deliverystream/platform-feed",
            Attributes={"SubscriptionRoleArn": tenant_role})
    refused(platform, "create_topic", "belongs to tenant:acme", Name="platform-feed2",
            Attributes={"SQSSuccessFeedbackRoleArn": tenant_role})
    refused(platform, "set_topic_attributes", "belongs to tenant:acme", TopicArn=arn,
            AttributeName="LambdaFailureFeedbackRoleArn", AttributeValue=tenant_role)
    own = f"arn:aws:iam::{ACCOUNT}:role/service-role/platform-delivery"
    with count_requests(platform) as sent:
        platform.set_topic_attributes(TopicArn=arn, AttributeName="LambdaFailureFeedbackRoleArn",
                                      AttributeValue=own)
    assert sent.total == 1


def test_tags_and_data_protection_are_checked_on_the_topic(acme: Any) -> None:
    acme.tag_resource(ResourceArn=topic_arn("t-acme-news"), Tags=[{"Key": "k", "Value": "v"}])
    tags = acme.list_tags_for_resource(ResourceArn=topic_arn("t-acme-news"))["Tags"]
    assert tags == [{"Key": "k", "Value": "v"}]
    refused(acme, "tag_resource", "belongs to tenant:globex",
            ResourceArn=topic_arn("t-globex-news"), Tags=[{"Key": "k", "Value": "v"}])
    refused(acme, "get_data_protection_policy", "belongs to tenant:globex",
            ResourceArn=topic_arn("t-globex-news"))


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("list_topics", {}, "account-wide"),
        ("list_subscriptions", {}, "account-wide"),
        ("add_permission", {"TopicArn": topic_arn("t-acme-news"), "Label": "x",
                            "AWSAccountId": ["999999999999"], "ActionName": ["Publish"]},
         "other accounts"),
        ("remove_permission", {"TopicArn": topic_arn("t-acme-news"), "Label": "x"},
         "platform scope"),
        ("list_platform_applications", {}, "push"),
        ("create_platform_endpoint", {"PlatformApplicationArn": "arn:aws:sns:eu-west-1:"
                                      f"{ACCOUNT}:app/GCM/x", "Token": "t"}, "push"),
        ("set_sms_attributes", {"attributes": {"MonthlySpendLimit": "1000"}}, "SMS settings"),
        ("opt_in_phone_number", {"phoneNumber": "+15555550100"}, "SMS settings"),
        ("list_phone_numbers_opted_out", {}, "SMS settings"),
    ],
)
def test_account_wide_and_shared_operations_are_refused(
    acme: Any, call: str, params: dict[str, Any], match: str
) -> None:
    refused(acme, call, match, **params)


def test_capsule_scope_is_isolated_like_a_tenant(factory: ClientFactory) -> None:
    dev = factory.capsule("dev").client("sns")
    assert dev.create_topic(Name="news")["TopicArn"] == topic_arn("c-dev-news")
    refused(dev, "publish", "belongs to tenant:acme", TopicArn=topic_arn("t-acme-news"),
            Message="x")


tenant_ids = st.text(alphabet="acme0123456789", min_size=1, max_size=8)
topic_names = st.text(alphabet="act-_.0123456789fio", min_size=1, max_size=30)


@given(t=tenant_ids, u=tenant_ids, name=topic_names)
def test_nothing_of_another_tenant_is_allowed(t: str, u: str, name: str) -> None:
    assume(t != u)
    try:
        physical = DEFAULT_POLICY.physical_name(DEFAULT_POLICY.tenant(u), "sns", name)
    except InvalidName:
        return
    for kind, value in (("topic_name", physical), ("topic_arn", topic_arn(physical)),
                        ("subscription_arn", topic_arn(physical) + ":" + SUB_ID),
                        ("target_arn", topic_arn(physical))):
        with pytest.raises(ScopeViolation):
            RULES.kinds[kind](guard_for(t), value, "TopicArn")


def test_resource_api_is_guarded(factory: ClientFactory) -> None:
    sns = factory.tenant("acme").resource("sns")
    sns.Topic(topic_arn("t-acme-news")).publish(Message="x")
    with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
        sns.Topic(topic_arn("t-globex-news")).publish(Message="x")


# -- the signed request, read back at signing time -------------------------------------------------
# The form is read back from the request about to be signed (body and query string alike), so a
# handler that rewrites it after the parameter check is refused with nothing sent.


def _set_form(**fields: str) -> Any:
    def rewrite(request: Any, **_: Any) -> None:
        request.data.update(fields)

    return rewrite


@pytest.mark.parametrize(("rewrite", "match"), [
    (_set_form(TopicArn=topic_arn("t-globex-news")), "belongs to tenant:globex"),
    (_set_form(TargetArn=topic_arn("t-globex-news")), "belongs to tenant:globex"),
    (_set_form(Action="DeleteTopic"), "Action 'DeleteTopic' is not Publish"),
    (_set_form(**{"MessageAttributes.entry.2.Name": "x"}), "does not have"),
])
def test_form_rewritten_before_signing_is_refused(acme: Any, rewrite: Any, match: str) -> None:
    with tampering(acme, "before-sign.sns", rewrite):
        refused(acme, "publish", match, TopicArn=topic_arn("t-acme-news"), Message="hi")


def test_form_in_the_query_string_or_reencoded_is_read_too(acme: Any) -> None:
    from urllib.parse import quote, urlencode

    def query(request: Any, **_: Any) -> None:
        request.url += "?TopicArn=" + quote(topic_arn("t-globex-news"), safe="")

    with tampering(acme, "before-sign.sns", query):
        refused(acme, "publish", "given twice", TopicArn=topic_arn("t-acme-news"), Message="hi")

    def encoded(request: Any, **_: Any) -> None:
        request.data = urlencode({**request.data, "TopicArn": topic_arn("t-globex-news")})

    with tampering(acme, "request-created.sns", encoded):
        refused(acme, "publish", "belongs to tenant:globex", TopicArn=topic_arn("t-acme-news"),
                Message="hi")


def test_subscription_endpoint_rewritten_before_signing_is_refused(acme: Any) -> None:
    globex_queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-globex-inbox"
    with tampering(acme, "before-sign.sns", _set_form(Endpoint=globex_queue)):
        refused(acme, "subscribe", "belongs to tenant:globex", TopicArn=topic_arn("t-acme-news"),
                Protocol="sqs", Endpoint=f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-acme-inbox")


def test_in_scope_publish_and_subscribe_with_nested_members_pass(acme: Any) -> None:
    arn = topic_arn("t-acme-news")
    acme.publish(TopicArn=arn, Message="a&b=c+d%20e ü", Subject="s&t",
                 MessageAttributes={"k&1": {"DataType": "String", "StringValue": "v=1"},
                                    "k2": {"DataType": "Number", "StringValue": "2"}})
    sub = acme.subscribe(TopicArn=arn, Protocol="https", Endpoint="https://example.com/hook",
                         Attributes={"FilterPolicy": json.dumps({"k2": [{"numeric": [">", 1]}]}),
                                     "RawMessageDelivery": "true"},
                         ReturnSubscriptionArn=True)["SubscriptionArn"]
    assert acme.get_subscription_attributes(SubscriptionArn=sub)["Attributes"][
        "RawMessageDelivery"] == "true"
    acme.publish_batch(TopicArn=arn, PublishBatchRequestEntries=[
        {"Id": "1", "Message": "x", "MessageAttributes": {
            "a": {"DataType": "String", "StringValue": "1"}}},
        {"Id": "2", "Message": "y"}])
    acme.unsubscribe(SubscriptionArn=sub)
