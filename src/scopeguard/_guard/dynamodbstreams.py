"""DynamoDB Streams: a service that names another covered service's resources.

A stream ARN is ``arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>`` and a shard
iterator starts with its stream's ARN (``<stream arn>|1|<opaque>``): both carry the table name,
and a table's stream holds copies of its items. So in platform scope a stream of a tenant's or a
capsule's table is refused exactly as the table itself is, and ``ListStreams`` without a table
lists the streams of shared tables only. An iterator that does not start with a stream ARN of
this account is refused.

In tenant and capsule scope the service is refused (streams are consumed by the platform's
pipelines, or by Lambda event source mappings, which the Lambda guard checks).
"""

from __future__ import annotations

from typing import Any, Final

from .checks import ScopeGuard, drop_owned
from .rules import SERVICE_RULES, Refuse, ServiceRules

SERVICE: Final = "dynamodbstreams"

_REFUSED: Final = Refuse("DynamoDB Streams is not covered in tenant and capsule scope; consume "
                         "a table's stream from the platform scope or with a Lambda event "
                         "source mapping")


def _stream_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    arn = guard.arn(value, member, "dynamodb")
    parts = arn.resource.split("/")
    if len(parts) != 4 or parts[0] != "table" or parts[2] != "stream" or not parts[1]:
        raise guard.refuse(f"{value!r} is not a stream ARN", member)
    guard.owned_physical("dynamodb", parts[1], member)
    return value


def _shard_iterator(guard: ScopeGuard, value: Any, member: str) -> Any:
    if not isinstance(value, str) or "|" not in value:
        raise guard.refuse("cannot read the shard iterator's stream", member)
    _stream_arn(guard, value.split("|", 1)[0], member)
    return value


def _table(guard: ScopeGuard, value: Any, member: str) -> Any:
    if isinstance(value, str) and value.startswith("arn:"):
        arn = guard.arn(value, member, "dynamodb")
        guard.owned_physical("dynamodb", arn.resource.partition("/")[2], member)
        return value
    return guard.name("dynamodb", value, member)


RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "StreamArn": "stream_arn",
        "ExclusiveStartStreamArn": "stream_arn",
        "ShardIterator": "shard_iterator",
        "TableName": "table",
        "ShardId": "ignore",
        "ExclusiveStartShardId": "ignore",
        "ShardFilter": "ignore",
        "SequenceNumber": "ignore",
    },
    kinds={"stream_arn": _stream_arn, "shard_iterator": _shard_iterator, "table": _table},
    operations={
        "DescribeStream": _REFUSED,
        "GetRecords": _REFUSED,
        "GetShardIterator": _REFUSED,
        "ListStreams": _REFUSED,
    },
    listings={"ListStreams": drop_owned("Streams", lambda stream: stream["TableName"])},
)

SERVICE_RULES[SERVICE] = RULES
