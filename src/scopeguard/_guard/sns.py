"""SNS: topic names and ARNs, subscription ARNs, subscription endpoints, and topic attributes.

A topic is named by ``CreateTopic(Name=...)`` (logical, mapped to ``t-acme-<name>``) and by its
ARN everywhere else; a subscription ARN is ``<topic ARN>:<uuid>`` and belongs to its topic. ARNs
of another account or partition are refused, as are topics of another scope.

A subscription's endpoint is a second resource when it is an ARN: an SQS queue or a Lambda
function must belong to the scope too (``owned_physical`` for that service). Firehose and mobile
push (``application``) endpoints, and every attribute that passes an IAM role to SNS
(``SubscriptionRoleArn``, delivery-status feedback roles), are refused in tenant and capsule
scope: scopeguard does not resolve those resources. HTTP(S), e-mail and SMS endpoints are
addresses outside AWS, not resources of any scope, and are allowed.

Refused in tenant and capsule scope: topic policies and permissions (they grant other principals
access), ``ListTopics`` and ``ListSubscriptions`` (account-wide, with no parameter to narrow them
by; ``ListSubscriptionsByTopic`` on the scope's own topic works), mobile push platform
applications and endpoints (shared push credentials; ``Publish`` to an endpoint ARN too), and
the account's SMS settings, sandbox and opt-out list. ``Publish`` with ``PhoneNumber`` is refused
there as well: a direct SMS names no resource of the scope, so a session policy generated from
the naming rules (which grants ``sns:Publish`` on the scope's topics only) could not allow it
either; publish to a topic of the scope with SMS subscriptions instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final

from .checks import ScopeGuard, drop_owned, forbidden, kms_key
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import owned_arn, role

SERVICE: Final = "sns"

# What SNS accepts as a topic name (standard or FIFO): the physical name inside an ARN must be
# one, whatever follows the scope's prefix.
_TOPIC_NAME: Final = re.compile(r"[A-Za-z0-9_-]{1,256}(\.fifo)?")
_SUBSCRIPTION_ID: Final = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _topic_name(guard: ScopeGuard, value: Any, member: str) -> str:
    return guard.name(SERVICE, value, member)  # validates own physical names as well


def _topic(guard: ScopeGuard, value: Any, member: str, resource: str) -> None:
    if not _TOPIC_NAME.fullmatch(resource):
        raise guard.refuse(f"{value!r} is not a topic ARN", member)
    guard.owned_physical(SERVICE, resource, member)


def _topic_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    if isinstance(value, str) and guard.cached("sns-topic-arn", value) is not None:
        return value
    arn = guard.arn(value, member, SERVICE)
    _topic(guard, value, member, arn.resource)
    guard.remember("sns-topic-arn", value, value)
    return value


def _subscription_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    """``<topic ARN>:<subscription id>``. ``PendingConfirmation`` is not an ARN: refused."""
    arn = guard.arn(value, member, SERVICE)
    topic, sep, subscription = arn.resource.partition(":")
    if not sep or not _SUBSCRIPTION_ID.fullmatch(subscription):
        raise guard.refuse(f"{value!r} is not a subscription ARN", member)
    _topic(guard, value, member, topic)
    return value


def _target_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    """``Publish(TargetArn=...)``: a topic ARN, or (platform scope only) a push endpoint ARN."""
    arn = guard.arn(value, member, SERVICE)
    if arn.resource.startswith("endpoint/"):
        if guard.isolated:
            raise guard.refuse("mobile push endpoints belong to the platform's shared push "
                               "applications; publish to a topic of this scope instead", member)
        return value
    _topic(guard, value, member, arn.resource)
    return value


def _platform_only(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Push endpoints and applications: refused when isolated; same account elsewhere."""
    if guard.isolated:
        raise guard.refuse("mobile push applications and endpoints are shared platform "
                           "resources", member)
    guard.arn(value, member, SERVICE)
    return value


def _phone_number(guard: ScopeGuard, value: Any, member: str) -> Any:
    if guard.isolated:
        raise guard.refuse("direct SMS names no resource of this scope; publish to a topic of "
                           "this scope with SMS subscriptions instead", member)
    return value



# -- endpoints ---------------------------------------------------------------------------------


def _queue_endpoint(guard: ScopeGuard, value: Any, member: str) -> None:
    owned_arn(guard, value, member, ("sqs",))


def _function_endpoint(guard: ScopeGuard, value: Any, member: str) -> None:
    owned_arn(guard, value, member, ("lambda",))


# Protocols whose endpoint is an address outside AWS, not a resource of any scope.
_EXTERNAL: Final = frozenset({"http", "https", "email", "email-json", "sms"})


def _subscribe(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    protocol, endpoint = params.get("Protocol"), params.get("Endpoint")
    if protocol == "sqs":
        _queue_endpoint(guard, endpoint, "Endpoint")
    elif protocol == "lambda":
        _function_endpoint(guard, endpoint, "Endpoint")
    elif protocol in _EXTERNAL:
        if isinstance(endpoint, str) and endpoint.startswith("arn:"):
            raise guard.refuse(f"a {protocol} endpoint must be an address, not an ARN",
                               "Endpoint")
    elif protocol in ("application", "firehose"):
        if guard.isolated:
            raise guard.refuse(f"{protocol} endpoints (and the IAM role a Firehose subscription "
                               f"passes) are not resolved in {guard.scope.kind} scope; "
                               "subscribe an SQS queue, a Lambda function or an HTTP(S), e-mail "
                               "or SMS address", "Protocol")
        guard.arn(endpoint, "Endpoint", "sns" if protocol == "application" else "firehose")
    else:
        raise guard.refuse(f"unknown subscription protocol {protocol!r}", "Protocol")
    _attributes(guard, params, _SUBSCRIPTION_ATTRIBUTES)


# -- attributes --------------------------------------------------------------------------------

# Attributes a tenant or capsule may set; anything else is refused there (fail closed): Policy
# grants other principals access, the *FeedbackRoleArn and SubscriptionRoleArn attributes pass an
# IAM role to SNS.
_TOPIC_ATTRIBUTES: Final = frozenset({
    "ArchivePolicy", "ContentBasedDeduplication", "DeliveryPolicy", "DisplayName",
    "FifoThroughputScope", "FifoTopic", "KmsMasterKeyId", "SignatureVersion", "TracingConfig",
})
_SUBSCRIPTION_ATTRIBUTES: Final = frozenset({
    "DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy",
    "ReplayPolicy",
})


def _attribute(guard: ScopeGuard, name: Any, value: Any, allowed: frozenset[str],
               member: str) -> None:
    if name == "Policy":
        forbidden(guard, value, member)
    if guard.isolated and name not in allowed:
        raise guard.refuse(f"attribute {name!r} is not settable in {guard.scope.kind} scope "
                           f"(allowed: {', '.join(sorted(allowed))})", member)
    if name == "KmsMasterKeyId":
        kms_key(guard, value, member)
    elif name == "RedrivePolicy":
        try:
            document = json.loads(value)
        except (TypeError, ValueError):
            raise guard.refuse("RedrivePolicy is not valid JSON", member) from None
        if not isinstance(document, dict) or "deadLetterTargetArn" not in document:
            raise guard.refuse("RedrivePolicy must be a JSON object with deadLetterTargetArn",
                               member)
        _queue_endpoint(guard, document["deadLetterTargetArn"], f"{member}.deadLetterTargetArn")
    elif name == "SubscriptionRoleArn" or (isinstance(name, str) and name.endswith("RoleArn")):
        # A role passed to SNS (platform scope): a tenant's would carry its permissions into
        # deliveries of a shared topic, as a target's role would (``role``).
        role(guard, value, member)


def _attributes(guard: ScopeGuard, params: Mapping[str, Any], allowed: frozenset[str]) -> None:
    value = params.get("Attributes")
    if value is None:
        return
    if not isinstance(value, Mapping):
        raise guard.refuse("Attributes must be a mapping", "Attributes")
    for name, item in value.items():
        _attribute(guard, name, item, allowed, f"Attributes.{name}")


def _set_topic_attribute(guard: ScopeGuard, op: str, params: dict[str, Any],
                         _: Mapping[str, Any]) -> None:
    name = params.get("AttributeName")
    _attribute(guard, name, params.get("AttributeValue"), _TOPIC_ATTRIBUTES, f"{name}")


def _set_subscription_attribute(guard: ScopeGuard, op: str, params: dict[str, Any],
                                _: Mapping[str, Any]) -> None:
    name = params.get("AttributeName")
    _attribute(guard, name, params.get("AttributeValue"), _SUBSCRIPTION_ATTRIBUTES, f"{name}")


def _create_topic(guard: ScopeGuard, op: str, params: dict[str, Any],
                  _: Mapping[str, Any]) -> None:
    _attributes(guard, params, _TOPIC_ATTRIBUTES)
    # A FIFO topic's name must end in ".fifo" when FifoTopic is "true" (SNS enforces the converse).
    attributes = params.get("Attributes") or {}
    name = params.get("Name")
    if (isinstance(attributes, Mapping) and str(attributes.get("FifoTopic", "")).lower() == "true"
            and not (isinstance(name, str) and name.endswith(".fifo"))):
        raise guard.refuse("a FIFO topic's name must end in '.fifo'", "Name")


_PUSH: Final = Refuse("mobile push platform applications and endpoints hold the platform's "
                      "shared push credentials; manage them from the platform scope")
_SMS: Final = Refuse("SMS settings, the SMS sandbox and the opt-out list are account-wide; "
                     "manage them from the platform scope")
_ACCOUNT_WIDE: Final = Refuse("the listing is account-wide, with no parameter to narrow it to "
                              "this scope; keep the scope's topic ARNs, or use "
                              "ListSubscriptionsByTopic on a topic of this scope")

RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "Name": "topic_name",
        "TopicArn": "topic_arn",
        "ResourceArn": "topic_arn",  # tags and data protection policies exist on topics only
        "SubscriptionArn": "subscription_arn",
        "TargetArn": "target_arn",
        "EndpointArn": "platform_only",
        "PlatformApplicationArn": "platform_only",
        "PhoneNumber": "phone_number",
        "phoneNumber": "phone_number",
        "Attributes": "ignore",  # checked by CreateTopic's and Subscribe's own checks
        "PublishBatchRequestEntries": "walk",
        "ReturnSubscriptionArn": "ignore",
        # Endpoint and the Attribute{Name,Value} pair are checked by the operation's own check.
        "AttributeName": "ignore",
        "AttributeValue": "ignore",
        "Endpoint": "ignore",
        # Not resources: settings, message content, opaque tokens issued for this topic.
        "ActionName": "ignore",  # AddPermission is refused in tenant/capsule scope
        "AWSAccountId": "ignore",  # AddPermission is refused in tenant/capsule scope
        "DataProtectionPolicy": "ignore",  # data-identifier rules, no principals
        "Id": "ignore",
        "Label": "ignore",
        "MessageAttributes": "ignore",
        "MessageDeduplicationId": "ignore",
        "MessageGroupId": "ignore",
        "NextToken": "ignore",
        "nextToken": "ignore",
        "TagKeys": "ignore",
        "Tags": "ignore",
        "Token": "ignore",
        "attributes": "ignore",  # SMS attributes: those operations are refused when isolated
    },
    kinds={
        "topic_name": _topic_name,
        "topic_arn": _topic_arn,
        "subscription_arn": _subscription_arn,
        "target_arn": _target_arn,
        "platform_only": _platform_only,
        "phone_number": _phone_number,
    },
    operations={
        "AddPermission": Refuse("topic permissions can grant other accounts access; set them "
                                "from the platform scope"),
        "CheckIfPhoneNumberIsOptedOut": _SMS,
        "ConfirmSubscription": None,
        "CreatePlatformApplication": _PUSH,
        "CreatePlatformEndpoint": _PUSH,
        "CreateSMSSandboxPhoneNumber": _SMS,
        "CreateTopic": _create_topic,
        "DeleteEndpoint": _PUSH,
        "DeletePlatformApplication": _PUSH,
        "DeleteSMSSandboxPhoneNumber": _SMS,
        "DeleteTopic": None,
        "GetDataProtectionPolicy": None,
        "GetEndpointAttributes": _PUSH,
        "GetPlatformApplicationAttributes": _PUSH,
        "GetSMSAttributes": _SMS,
        "GetSMSSandboxAccountStatus": _SMS,
        "GetSubscriptionAttributes": None,
        "GetTopicAttributes": None,
        "ListEndpointsByPlatformApplication": _PUSH,
        "ListOriginationNumbers": _SMS,
        "ListPhoneNumbersOptedOut": _SMS,
        "ListPlatformApplications": _PUSH,
        "ListSMSSandboxPhoneNumbers": _SMS,
        "ListSubscriptions": _ACCOUNT_WIDE,
        "ListSubscriptionsByTopic": None,
        "ListTagsForResource": None,
        "ListTopics": _ACCOUNT_WIDE,
        "OptInPhoneNumber": _SMS,
        "Publish": None,
        "PublishBatch": None,
        "PutDataProtectionPolicy": None,
        "RemovePermission": Refuse("topic permissions are managed from the platform scope"),
        "SetEndpointAttributes": _PUSH,
        "SetPlatformApplicationAttributes": _PUSH,
        "SetSMSAttributes": _SMS,
        "SetSubscriptionAttributes": _set_subscription_attribute,
        "SetTopicAttributes": _set_topic_attribute,
        "Subscribe": _subscribe,
        "TagResource": None,
        "Unsubscribe": None,
        "UntagResource": None,
        "VerifySMSSandboxPhoneNumber": _SMS,
    },
    listings={
        "ListTopics": drop_owned("Topics", lambda t: t["TopicArn"].rsplit(":", 1)[1]),
        "ListSubscriptions": drop_owned("Subscriptions",
                                        lambda s: s["TopicArn"].rsplit(":", 1)[1]),
    },
)

SERVICE_RULES[SERVICE] = RULES
