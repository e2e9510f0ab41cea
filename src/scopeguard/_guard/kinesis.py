"""Kinesis Data Streams: stream names, stream ARNs, consumer ARNs, tag and policy resources.

Most operations take ``StreamName``, ``StreamARN`` or both. The ARN is a context parameter: its
account and region pick the endpoint the request goes to, so it is checked like every ARN (this
account, this partition, a stream of this scope). When a request names the stream more than one
way (name and ARN, stream ARN and consumer ARN), all of them must name the same stream.

Not resources, and left alone: shard IDs (they live inside the stream the request names), shard
iterators and pagination tokens. Those two are opaque, encrypted and issued by Kinesis for one
stream, like SQS receipt handles; the guard cannot read them, so a ``GetRecords`` call carrying
only an iterator leaked from another scope is not caught here. With scoped credentials the
session policy, which names the scope's stream ARNs, denies it.

Refused in tenant and capsule scope: ``ListStreams`` and account settings/limits (account-wide),
resource policies (they grant other principals access), ``StreamId`` (an opaque ID AWS reserves
for future use), and Kinesis queues and channels (their resources are not in the naming policy).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .checks import ScopeGuard, drop_owned, forbidden, parse_arn
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import account_arn, kms_key, own_account, owned_arn, platform_only, role

SERVICE: Final = "kinesis"
_CONSUMER_NAME: Final = re.compile(r"[A-Za-z0-9_.\-]{1,128}")


def _stream(guard: ScopeGuard, value: Any, member: str) -> str:
    return guard.name(SERVICE, value, member)


def _stream_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    owned_arn(guard, value, member, (SERVICE,))
    return value


def _consumer_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    arn = owned_arn(guard, value, member, (SERVICE,), consumers=True)
    if "/consumer/" not in arn.resource:
        raise guard.refuse(f"{value!r} is not a stream consumer ARN", member)
    return value


def _consumer_name(guard: ScopeGuard, value: Any, member: str) -> Any:
    # Consumers live under the stream the request names; only the name's shape is checked.
    if not isinstance(value, str) or not _CONSUMER_NAME.fullmatch(value):
        raise guard.refuse(f"{value!r} is not a valid consumer name", member)
    return value


_queue_or_channel: Final = platform_only("Kinesis queues and channels are not covered by the "
                                        "naming policy")


def _resource_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Tag operations: a stream or consumer ARN of this scope (queues and channels: platform)."""
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is not None and parsed.resource.startswith(("queue/", "channel/")):
        _queue_or_channel(guard, value, member)
        return account_arn(guard, value, member)
    owned_arn(guard, value, member, (SERVICE,), consumers=True)
    return value


def _stream_of(value: Any) -> str | None:
    """The stream name in a (validated) stream or consumer ARN."""
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is None:
        return None
    return parsed.resource.split("/")[1]


def _one_stream(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    """Every way the request names its stream must name the same one. ``StreamName`` has been
    resolved to its physical name already; ARNs carry physical names."""
    named: dict[str, str] = {}
    if isinstance(params.get("StreamName"), str):
        named["StreamName"] = params["StreamName"]
    for member in ("StreamARN", "ConsumerARN"):
        stream = _stream_of(params.get(member))
        if stream is not None:
            named[member] = stream
    if len(set(named.values())) > 1:
        found = ", ".join(f"{m} names {s!r}" for m, s in named.items())
        raise guard.refuse(f"the request names two different streams ({found})",
                           next(iter(named)))


_ACCOUNT_WIDE: Final = Refuse("account-wide: it would reveal or change every scope's streams")
_POLICY: Final = Refuse("resource policies can grant other principals access; manage them from "
                        "the platform scope")
_QUEUES: Final = Refuse("Kinesis queues are not covered by the naming policy; manage them from "
                        "the platform scope")
_CHANNELS: Final = Refuse("Kinesis channels deliver a stream to S3 with a service role; manage "
                          "them from the platform scope")

_names = drop_owned("StreamNames", str)
_summaries = drop_owned("StreamSummaries", lambda summary: summary["StreamName"])


def _list_streams(guard: ScopeGuard, parsed: dict[str, Any]) -> None:
    _names(guard, parsed)
    _summaries(guard, parsed)


RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "StreamName": "stream",
        "StreamARN": "stream_arn",
        "ConsumerARN": "consumer_arn",
        "ConsumerName": "consumer_name",
        "ResourceARN": "resource_arn",
        "StreamId": "stream_id",
        "KeyId": "kms_key",
        "Policy": "forbidden",
        # Parameters of queue and channel operations (refused in tenant/capsule scope); the
        # platform scope still gets this account's ARNs only.
        "QueueARN": "account_arn",
        "ChannelARN": "account_arn",
        "BucketARN": "account_arn",
        "TableBucketARN": "account_arn",
        "GSRSchemaARN": "account_arn",
        "ServiceExecutionRoleARN": "role",
        "ExpectedBucketOwner": "account",
        "StreamConfigurationList": "walk",
        "ChannelName": "ignore",
        "QueueName": "ignore",
        "TableName": "ignore",
        "LogGroupName": "ignore",
        "LogStreamName": "ignore",
        "SourceName": "ignore",
        "Namespace": "ignore",
        "ErrorOutputPrefix": "ignore",
        # Inside the stream the request names, or opaque tokens issued by Kinesis (see above).
        "ShardId": "ignore",
        "ShardToMerge": "ignore",
        "AdjacentShardToMerge": "ignore",
        "ShardToSplit": "ignore",
        "ExclusiveStartShardId": "ignore",
        "ShardIterator": "ignore",
        "NextToken": "ignore",
        "ReceiptHandle": "ignore",
        "Entries": "ignore",  # receipt handles of queue records (queue operations are refused)
        # Record content and settings.
        "Records": "ignore",
        "PartitionKey": "ignore",
        "ExplicitHashKey": "ignore",
        "NewStartingHashKey": "ignore",
        "SequenceNumberForOrdering": "ignore",
        "StartingSequenceNumber": "ignore",
        "ExclusiveStartStreamName": "ignore",  # ListStreams is refused in tenant/capsule scope
        "ExclusiveStartTagKey": "ignore",
        "Tags": "ignore",
        "TagKeys": "ignore",
    },
    kinds={
        "stream": _stream,
        "stream_arn": _stream_arn,
        "consumer_arn": _consumer_arn,
        "consumer_name": _consumer_name,
        "resource_arn": _resource_arn,
        "stream_id": platform_only("StreamId is an opaque stream ID (reserved by AWS)"),
        "kms_key": kms_key,
        "forbidden": forbidden,
        "account_arn": account_arn,
        "role": role,
        "account": own_account,
    },
    operations={
        "AcknowledgeDeadLetterQueueRecords": _QUEUES,
        "AcknowledgeQueueRecords": _QUEUES,
        "AddTagsToStream": _one_stream,
        "CreateChannel": _CHANNELS,
        "CreateQueue": _QUEUES,
        "CreateStream": None,
        "DecreaseStreamRetentionPeriod": _one_stream,
        "DeleteChannel": _CHANNELS,
        "DeleteQueue": _QUEUES,
        "DeleteResourcePolicy": _POLICY,
        "DeleteStream": _one_stream,
        "DeregisterStreamConsumer": _one_stream,
        "DescribeAccountSettings": _ACCOUNT_WIDE,
        "DescribeChannel": _CHANNELS,
        "DescribeLimits": _ACCOUNT_WIDE,
        "DescribeQueue": _QUEUES,
        "DescribeStream": _one_stream,
        "DescribeStreamConsumer": _one_stream,
        "DescribeStreamSummary": _one_stream,
        "DisableEnhancedMonitoring": _one_stream,
        "EnableEnhancedMonitoring": _one_stream,
        "GetRecords": None,
        "GetResourcePolicy": _POLICY,
        "GetShardIterator": _one_stream,
        "IncreaseStreamRetentionPeriod": _one_stream,
        "ListChannels": _CHANNELS,
        "ListQueues": _QUEUES,
        "ListShards": _one_stream,
        "ListStreamConsumers": None,
        "ListStreams": _ACCOUNT_WIDE,
        "ListTagsForResource": None,
        "ListTagsForStream": _one_stream,
        "MergeShards": _one_stream,
        "PutRecord": _one_stream,
        "PutRecords": _one_stream,
        "PutResourcePolicy": _POLICY,
        "ReceiveDeadLetterQueueRecords": _QUEUES,
        "ReceiveQueueRecords": _QUEUES,
        "RegisterStreamConsumer": None,
        "RemoveTagsFromStream": _one_stream,
        "RestoreDeadLetterQueueRecords": _QUEUES,
        "SplitShard": _one_stream,
        "StartStreamEncryption": _one_stream,
        "StopStreamEncryption": _one_stream,
        "SubscribeToShard": None,
        "TagResource": None,
        "UntagResource": None,
        "UpdateAccountSettings": _ACCOUNT_WIDE,
        "UpdateChannel": _CHANNELS,
        "UpdateDeadLetterQueueRecordsVisibility": _QUEUES,
        "UpdateMaxRecordSize": None,
        "UpdateQueue": _QUEUES,
        "UpdateQueueRecordsVisibility": _QUEUES,
        "UpdateShardCount": _one_stream,
        "UpdateStreamMode": None,
        "UpdateStreamRecordDistributionStrategy": None,
        "UpdateStreamWarmThroughput": _one_stream,
    },
    listings={"ListStreams": _list_streams},
)

SERVICE_RULES[SERVICE] = RULES
