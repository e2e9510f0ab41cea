"""SQS: queue names, queue URLs, queue ARNs, and ARNs inside JSON queue attributes.

A queue URL's host is not used for routing (requests go to the client's endpoint), so only its
path, ``/<account>/<queue name>``, is checked: the account must be the scope's, the name its own.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, Final
from urllib.parse import urlsplit

from .checks import ScopeGuard, drop_owned, kms_key, narrow_to_scope
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import own_account

SERVICE: Final = "sqs"
# A queue name as SQS spells it; anything else in a URL or ARN (a percent-escape, a space) is
# another spelling of some name, refused in every scope rather than guessed at.
_QUEUE_NAME: Final = re.compile(r"[A-Za-z0-9_\-]{1,75}(\.fifo)?|[A-Za-z0-9_\-]{76,80}")


def _canonical(guard: ScopeGuard, name: str, value: str, member: str) -> None:
    if not _QUEUE_NAME.fullmatch(name):
        raise guard.refuse(f"{value!r} does not name a queue as SQS spells queue names", member)


def _queue_name(guard: ScopeGuard, value: Any, member: str) -> str:
    return guard.name(SERVICE, value, member)


def _queue_url(guard: ScopeGuard, value: Any, member: str) -> str:
    if not isinstance(value, str):
        raise guard.refuse("queue URL must be a string", member)
    if guard.cached(SERVICE + "-url", value) is not None:
        return value
    if not value.isascii() or not value.isprintable():
        # urlsplit drops tabs and newlines anywhere in a URL: the name it would read is not
        # the string sent.
        raise guard.refuse(f"queue URL {value!r} holds control or non-ASCII characters", member)
    parts = urlsplit(value)
    segments = parts.path.split("/")
    if (parts.scheme not in ("https", "http") or parts.query or parts.fragment
            or len(segments) != 3 or segments[0] != ""):
        raise guard.refuse(f"cannot parse {value!r} as a queue URL "
                           "(expected <endpoint>/<account>/<queue name>)", member)
    account, name = segments[1], segments[2]
    _canonical(guard, name, value, member)
    if account != guard.account():
        raise guard.refuse(f"queue URL account {account} is not this scope's account", member)
    guard.owned_physical(SERVICE, name, member)
    guard.remember(SERVICE + "-url", value, value)
    return value


def _queue_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    arn = guard.arn(value, member, SERVICE)
    if not arn.resource or ":" in arn.resource or "/" in arn.resource:
        raise guard.refuse(f"{value!r} is not a queue ARN", member)
    _canonical(guard, arn.resource, value, member)
    guard.owned_physical(SERVICE, arn.resource, member)
    return value


def _attributes(guard: ScopeGuard, value: Any, member: str) -> Any:
    if not isinstance(value, Mapping):
        return value
    if guard.isolated and "Policy" in value:
        raise guard.refuse("queue policies can grant other principals access; set them from "
                           "the platform scope", f"{member}.Policy")
    if "KmsMasterKeyId" in value:
        kms_key(guard, value["KmsMasterKeyId"], f"{member}.KmsMasterKeyId")
    for attribute, keys in (("RedrivePolicy", ("deadLetterTargetArn",)),
                            ("RedriveAllowPolicy", ("sourceQueueArns",))):
        if attribute not in value:
            continue
        try:
            document = json.loads(value[attribute])
        except (TypeError, ValueError):
            raise guard.refuse(f"{attribute} is not valid JSON", f"{member}.{attribute}") from None
        if not isinstance(document, dict):
            raise guard.refuse(f"{attribute} must be a JSON object", f"{member}.{attribute}")
        for key in keys:
            found = document.get(key, [])
            for arn in found if isinstance(found, list) else [found]:
                _queue_arn(guard, arn, f"{member}.{attribute}.{key}")
    return value


def _list_queues(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    narrow_to_scope(guard, params, "QueueNamePrefix", SERVICE)


RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "QueueName": "queue_name",
        "QueueUrl": "queue_url",
        "SourceArn": "queue_arn",
        "DestinationArn": "queue_arn",
        "QueueOwnerAWSAccountId": "account",
        "Attributes": "attributes",
        "Entries": "walk",
        # Not resources: opaque handles issued for this queue, message content and settings.
        "AWSAccountIds": "ignore",  # AddPermission is refused in tenant/capsule scope
        "Actions": "ignore",
        "AttributeNames": "ignore",
        "Id": "ignore",
        "Label": "ignore",
        "MessageAttributes": "ignore",
        "MessageAttributeNames": "ignore",
        "MessageSystemAttributes": "ignore",
        "MessageSystemAttributeNames": "ignore",
        "MessageBody": "ignore",
        "MessageDeduplicationId": "ignore",
        "MessageGroupId": "ignore",
        "NextToken": "ignore",
        "QueueNamePrefix": "ignore",  # rewritten by _list_queues
        "ReceiptHandle": "ignore",
        "ReceiveRequestAttemptId": "ignore",
        "TagKeys": "ignore",
        "Tags": "ignore",
        "tags": "ignore",
        "TaskHandle": "ignore",
    },
    kinds={
        "queue_name": _queue_name,
        "queue_url": _queue_url,
        "queue_arn": _queue_arn,
        "account": own_account,
        "attributes": _attributes,
    },
    operations={
        "AddPermission": Refuse("queue permissions can grant other accounts access"),
        "CancelMessageMoveTask": Refuse("a task handle does not name its queues verifiably"),
        "ChangeMessageVisibility": None,
        "ChangeMessageVisibilityBatch": None,
        "CreateQueue": None,
        "DeleteMessage": None,
        "DeleteMessageBatch": None,
        "DeleteQueue": None,
        "GetQueueAttributes": None,
        "GetQueueUrl": None,
        "ListDeadLetterSourceQueues": None,
        "ListMessageMoveTasks": None,
        "ListQueueTags": None,
        "ListQueues": _list_queues,
        "PurgeQueue": None,
        "ReceiveMessage": None,
        "RemovePermission": Refuse("queue permissions are managed from the platform scope"),
        "SendMessage": None,
        "SendMessageBatch": None,
        "SetQueueAttributes": None,
        "StartMessageMoveTask": None,
        "TagQueue": None,
        "UntagQueue": None,
    },
    listings={
        "ListQueues": drop_owned("QueueUrls", lambda url: url.rsplit("/", 1)[1]),
        "ListDeadLetterSourceQueues": drop_owned("queueUrls", lambda url: url.rsplit("/", 1)[1]),
    },
)

SERVICE_RULES[SERVICE] = RULES
