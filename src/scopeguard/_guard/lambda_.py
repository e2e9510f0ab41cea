"""Lambda: function names in every form, qualifiers, layers, event sources, destinations, roles.

``FunctionName`` is accepted in exactly the forms AWS documents, and each is checked as what it
is; anything else (``function:x``, ``region:account:function:x``, ...) is refused, not guessed:

    orders                      logical name          → t-acme-orders
    orders:live                 logical name, alias   → t-acme-orders:live
    123456789012:function:t-acme-orders[:live]        partial ARN: this account, own function
    arn:aws:lambda:eu-west-1:123456789012:function:t-acme-orders[:live]   this account/partition

An ARN (full or partial) of another account or partition would route the request there, so it
is refused like any foreign ARN.

Layers: ``LayerName`` (publishing, reading, deleting versions) is the scope's own, named like a
function (``t-acme-<layer>``; layer names share the function alphabet, and the function length
limit of 64 is applied to them too). A function may *use* (``Layers``, ``GetLayerVersionByArn``)
its scope's layers, layers of no scope in this account (shared layers the platform publishes),
and AWS-managed layers; never another scope's layer or a layer of another account.

Roles: ``CreateFunction``'s ``Role`` must carry the scope's own prefix (``targets.role``).
Event source mappings: the source must be the scope's own SQS queue, Kinesis stream or consumer,
or DynamoDB stream (of a table that is not pooled); mappings addressed by UUID only (get, update,
delete) are refused in tenant and capsule scope, because a UUID does not say whose mapping it is
and ``UpdateEventSourceMapping`` could point another scope's source at this scope's function.

Refused in tenant and capsule scope: permissions and resource policies (they grant other
principals access), public function URLs (``AuthType`` other than ``AWS_IAM``), account-wide
listing and settings, code signing configs and capacity providers themselves (account-wide,
shared; attaching a code signing config to an own function is allowed), durable execution
callbacks (opaque callback IDs), container images, VPC placement, file systems, custom log
groups and Kafka/MQ/DocumentDB sources (resources the naming policy does not cover).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .checks import ScopeGuard, drop_owned, forbidden, parse_arn
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import (
    FUNCTION_NAME,
    QUALIFIER,
    account_arn,
    kms_key,
    owned_arn,
    owned_arn_kind,
    platform_only,
    resource_name,
    role,
)

SERVICE: Final = "lambda"
_ACCOUNT_ID: Final = re.compile(r"[0-9]{12}")
_LAYER_NAME: Final = re.compile(r"[A-Za-z0-9_\-]{1,140}")
_ALIAS: Final = re.compile(r"(?![0-9]+$)[A-Za-z0-9_\-]{1,128}")
_SOURCES: Final = ("dynamodb", "kinesis", "sqs")
_DESTINATIONS: Final = ("events", "lambda", "sns", "sqs")


# -- functions ---------------------------------------------------------------------------------


def _qualifier(guard: ScopeGuard, value: Any, member: str) -> Any:
    if not isinstance(value, str) or not QUALIFIER.fullmatch(value):
        raise guard.refuse(f"{value!r} is not a version, alias or $LATEST", member)
    return value


def _function(guard: ScopeGuard, value: Any, member: str) -> str:
    if not isinstance(value, str):
        raise guard.refuse(f"expected a function name string, got {type(value).__name__}", member)
    cached = guard.cached("lambda-function", value)
    if cached is not None:
        return cached
    parts = value.split(":")
    if value.startswith("arn:"):
        if len(parts) not in (7, 8) or parts[5] != "function":
            raise guard.refuse(f"{value!r} is not a function ARN", member)
        owned_arn(guard, value, member, (SERVICE,))
        resolved = value
    elif len(parts) <= 2:
        if len(parts) == 2 and (parts[0] == "function" or _ACCOUNT_ID.fullmatch(parts[0])):
            raise guard.refuse(f"{value!r} is ambiguous (name:qualifier, or a partial ARN "
                               "missing a part?): use <account>:function:<name>", member)
        physical = guard.name(SERVICE, parts[0], member)
        if len(parts) == 2:
            _qualifier(guard, parts[1], member)
            physical += ":" + parts[1]
        resolved = physical
    elif len(parts) in (3, 4) and _ACCOUNT_ID.fullmatch(parts[0]) and parts[1] == "function":
        if parts[0] != guard.account():
            raise guard.refuse(f"partial ARN account {parts[0]} is not this scope's account",
                               member)
        if not FUNCTION_NAME.fullmatch(parts[2]):
            raise guard.refuse(f"{parts[2]!r} is not a valid function name", member)
        if len(parts) == 4:
            _qualifier(guard, parts[3], member)
        guard.owned_physical(SERVICE, parts[2], member)
        resolved = value
    else:
        raise guard.refuse(
            f"cannot read {value!r} as a function: use a name, name:qualifier, "
            "<account>:function:<name>[:qualifier] or a function ARN", member)
    guard.remember("lambda-function", value, resolved)
    return resolved


def _alias(guard: ScopeGuard, value: Any, member: str) -> Any:
    # Aliases live under the function the request names; their shape keeps "name:alias" forms
    # unambiguous. (``Name`` is also a step name of CheckpointDurableExecution, platform only.)
    if guard.isolated and (not isinstance(value, str) or not _ALIAS.fullmatch(value)):
        raise guard.refuse(f"{value!r} is not a valid alias name", member)
    return value


def _durable_execution(guard: ScopeGuard, value: Any, member: str) -> Any:
    """``<function ARN>:<version>/durable-execution/<name>/<id>``: the function must be own."""
    if not isinstance(value, str):
        raise guard.refuse(f"expected an ARN string, got {type(value).__name__}", member)
    function, sep, rest = value.partition("/durable-execution/")
    if not sep or not rest:
        raise guard.refuse(f"{value!r} is not a durable execution ARN", member)
    owned_arn(guard, function, member, (SERVICE,))
    return value


def _resource(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Tags and resource policies: a function ARN of this scope (other resources: platform)."""
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is not None and parsed.resource.startswith("function:"):
        owned_arn(guard, value, member, (SERVICE,))
        return value
    if guard.isolated:
        raise guard.refuse(f"{value!r} is not a function ARN; event source mappings, code "
                           "signing configs and capacity providers are tagged from the "
                           "platform scope", member)
    return account_arn(guard, value, member)


# -- layers ------------------------------------------------------------------------------------


def _layer(guard: ScopeGuard, value: Any, member: str) -> Any:
    """A layer the scope manages: its own, by logical name or ARN."""
    if isinstance(value, str) and value.startswith("arn:"):
        arn = guard.arn(value, member, SERVICE)
        kind, _, name = arn.resource.partition(":")
        if kind != "layer" or not _LAYER_NAME.fullmatch(name):
            raise guard.refuse(f"{value!r} is not a layer ARN", member)
        guard.owned_physical(SERVICE, name, member)
        return value
    return guard.name(SERVICE, value, member)


def _layer_version(guard: ScopeGuard, value: Any, member: str) -> Any:
    """A layer version a function uses: the scope's own, a shared one, or AWS-managed."""
    parsed = parse_arn(value) if isinstance(value, str) else None
    if (parsed is not None and parsed.service == SERVICE and parsed.partition == guard.partition
            and not parsed.region and not parsed.account
            and re.fullmatch(r"awslayer:[A-Za-z0-9_\-]+", parsed.resource)):
        return value  # published by AWS itself, in no account
    arn = guard.arn(value, member, SERVICE)
    parts = arn.resource.split(":")
    if (len(parts) != 3 or parts[0] != "layer" or not _LAYER_NAME.fullmatch(parts[1])
            or not parts[2].isdigit()):
        raise guard.refuse(f"{value!r} is not a layer version ARN", member)
    owner = guard.naming.owner(parts[1], SERVICE)
    if owner is not None and owner != guard.scope:
        raise guard.refuse(f"layer {parts[1]!r} belongs to {owner}", member)
    return value


def _layers(guard: ScopeGuard, value: Any, member: str) -> Any:
    if not isinstance(value, list | tuple):
        raise guard.refuse("Layers must be a list of layer version ARNs", member)
    for i, layer in enumerate(value):
        _layer_version(guard, layer, f"{member}[{i}]")
    return value


# -- other services' resources -----------------------------------------------------------------


def _event_source(guard: ScopeGuard, value: Any, member: str) -> Any:
    parsed = parse_arn(value) if isinstance(value, str) else None
    if not guard.isolated and parsed is not None and parsed.service not in _SOURCES:
        return account_arn(guard, value, member)  # MSK, MQ, DocumentDB: platform scope
    owned_arn(guard, value, member, _SOURCES, consumers=True)
    return value


_no_s3_destination: Final = platform_only("S3 destinations name a bucket by an ARN without an "
                                         "account")


def _destination(guard: ScopeGuard, value: Any, member: str) -> Any:
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is not None and parsed.service == "s3":
        # Bucket ARNs carry no account: a bucket named like one of ours may be anyone's.
        _no_s3_destination(guard, value, member)
        if parsed.partition != guard.partition:
            raise guard.refuse(f"ARN partition {parsed.partition!r} is not "
                               f"{guard.partition!r}", member)
        # (Platform scope.) Failed events written to a tenant's bucket would hand it what a
        # shared function or source received.
        if parsed.region or parsed.account or not parsed.resource or "/" in parsed.resource:
            raise guard.refuse(f"{value!r} is not an S3 bucket ARN", member)
        guard.owned_physical("s3", parsed.resource, member)
        return value
    if not guard.isolated and parsed is not None and parsed.service not in _DESTINATIONS:
        return account_arn(guard, value, member)
    owned_arn(guard, value, member, _DESTINATIONS)
    return value


def _grant_source(guard: ScopeGuard, value: Any, member: str) -> Any:
    # AddPermission's SourceArn (the operation is refused in tenant and capsule scope): the
    # platform may grant a shared function to sources of other accounts, but not to a
    # tenant's bucket, queue, topic, stream or bus, which could then invoke it.
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is None:
        raise guard.refuse(f"cannot parse {value!r} as an ARN", member)
    if parsed.service == "s3" and not parsed.account:
        guard.owned_physical("s3", parsed.resource.split("/", 1)[0], member)
    elif parsed.service in ("sqs", "sns", "lambda", "kinesis", "events", "dynamodb"):
        # Every segment: a rule ARN names its bus (rule/<bus>/<rule>), a stream its table.
        for segment in re.split("[/:]", parsed.resource):
            if segment:
                guard.owned_physical(parsed.service, segment, member)
    return value


def _code_bucket(guard: ScopeGuard, value: Any, member: str) -> Any:
    # Lambda reads the code with the caller's permissions and GetFunction hands back a link to
    # it, so the bucket is checked like any bucket the scope reads: its own, not a pooled one.
    bucket = guard.name("s3", value, member)
    if guard.isolated and guard.naming.is_pooled("s3", bucket):
        raise guard.refuse(f"function code cannot come from the pooled bucket {bucket!r}; use "
                           "a bucket of the scope", member)
    return bucket


def _network(guard: ScopeGuard, value: Any, member: str) -> Any:
    # An empty list detaches the function from its VPC; that is always allowed.
    if guard.isolated and value:
        raise guard.refuse("VPC subnets and security groups are not covered by the naming "
                           "policy; attach functions to a VPC from the platform scope", member)
    return value


def _runtime_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Runtime versions are AWS's (no account) or this account's."""
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is not None and not parsed.account and parsed.service == SERVICE:
        if parsed.partition != guard.partition:
            raise guard.refuse(f"ARN partition {parsed.partition!r} is not "
                               f"{guard.partition!r}", member)
        return value
    guard.arn(value, member, SERVICE)
    return value


def _code_signing(guard: ScopeGuard, value: Any, member: str) -> Any:
    # Code signing configs are account-wide (``csc-…`` IDs); attaching one only restricts what
    # the function may run, so any of this account's may be attached.
    arn = guard.arn(value, member, SERVICE)
    if not re.fullmatch(r"code-signing-config:csc-[a-z0-9]{17}", arn.resource):
        raise guard.refuse(f"{value!r} is not a code signing config ARN", member)
    return value


_no_file_systems: Final = platform_only("EFS file systems are not covered by the naming policy")


def _file_systems(guard: ScopeGuard, value: Any, member: str) -> Any:
    _no_file_systems(guard, value, member)
    for i, config in enumerate(value if isinstance(value, list | tuple) else ()):
        if isinstance(config, Mapping) and "Arn" in config:
            account_arn(guard, config["Arn"], f"{member}[{i}].Arn")
    return value


# -- operation checks --------------------------------------------------------------------------


def _function_url(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    if guard.isolated and "AuthType" in params and params["AuthType"] != "AWS_IAM":
        raise guard.refuse(f"AuthType {params['AuthType']!r} makes the function callable by "
                           "anyone; tenant and capsule scopes may only create AWS_IAM URLs",
                           "AuthType")


def _list_mappings(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]
                   ) -> None:
    if guard.isolated and params.get("FunctionName") is None and params.get(
            "EventSourceArn") is None:
        raise guard.refuse("without FunctionName or EventSourceArn this lists every scope's "
                           "mappings", "FunctionName")


def _mapping_owned(guard: ScopeGuard, mapping: Any) -> bool:
    """Whether a listed event source mapping invokes a tenant's or capsule's function or reads
    such a queue, stream or table (or cannot be read: then it is treated as owned)."""
    try:
        function = parse_arn(mapping["FunctionArn"])
        names = [function.resource.split(":")[1]]  # type: ignore[union-attr]
        source = mapping.get("EventSourceArn")
        parsed = parse_arn(source) if source is not None else None
        if parsed is not None and parsed.service in ("sqs", "kinesis", "dynamodb"):
            names.append(resource_name(parsed))
    except (AttributeError, IndexError, KeyError, TypeError):
        return True
    return any(not isinstance(name, str) or guard.naming.owner(name) is not None
               for name in names)


def _listed_mappings(guard: ScopeGuard, parsed: dict[str, Any]) -> None:
    # In platform scope, without FunctionName or EventSourceArn the listing spans every scope.
    items = parsed.get("EventSourceMappings")
    if isinstance(items, list):
        parsed["EventSourceMappings"] = [m for m in items if not _mapping_owned(guard, m)]


_ACCOUNT_WIDE: Final = Refuse("account-wide: it would reveal or change every scope's functions")
_GRANTS: Final = Refuse("permissions and resource policies can grant other principals access; "
                        "manage them from the platform scope")
_MAPPING_UUID: Final = Refuse(
    "an event source mapping UUID does not say whose mapping it is (and an update could point "
    "another scope's source at this function); manage mappings by UUID from the platform scope")
_SIGNING: Final = Refuse("code signing configs are account-wide and shared; manage them from "
                         "the platform scope (attaching one to a function is allowed)")
_CAPACITY: Final = Refuse("capacity providers are account infrastructure; manage them from the "
                          "platform scope")
_CALLBACKS: Final = Refuse("a durable execution callback ID does not say whose execution it "
                           "is; callbacks are sent from the platform scope")
_CHECKPOINT: Final = Refuse("checkpoints are written by the durable execution runtime inside "
                            "the function, not by application code")

RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "FunctionName": "function",
        "Qualifier": "qualifier",
        "Name": "alias",
        "DurableExecutionArn": "durable_execution",
        "Resource": "resource",
        "ResourceArn": "resource",
        "LayerName": "layer",
        "Layers": "layers",
        "Arn": "layer_version",  # GetLayerVersionByArn (file system ARNs: see FileSystemConfigs)
        "Role": "role",
        "CapacityProviderOperatorRoleArn": "role",
        "EventSourceArn": "event_source",
        "Destination": "destination",
        "TargetArn": "dead_letter",
        "KMSKeyArn": "kms_key",
        "KmsKeyArn": "kms_key",
        "SourceKMSKeyArn": "kms_key",
        "CodeSigningConfigArn": "code_signing",
        "RuntimeArn": "runtime_arn",
        "RuntimeVersionArn": "runtime_arn",
        "S3Bucket": "code_bucket",
        "ImageUri": "image",
        "SubnetIds": "network",
        "SecurityGroupIds": "network",
        "FileSystemConfigs": "file_systems",
        "LogGroup": "log_group",
        "CapacityProviderArn": "capacity_provider",
        "Policy": "forbidden",
        # Event sources the naming policy does not cover.
        "Topics": "foreign_source",
        "Queues": "foreign_source",
        "SourceAccessConfigurations": "foreign_source",
        "SelfManagedEventSource": "foreign_source",
        "AmazonManagedKafkaEventSourceConfig": "foreign_source",
        "SelfManagedKafkaEventSourceConfig": "foreign_source",
        "DocumentDBEventSourceConfig": "foreign_source",
        "PollerGroupName": "poller_group",
        # Parameters of operations refused in tenant/capsule scope.
        "UUID": "ignore",
        "CallbackId": "ignore",
        "CapacityProviderName": "ignore",
        "SigningProfileVersionArns": "ignore",
        "Principal": "ignore",
        "PrincipalOrgID": "ignore",
        "OrganizationId": "ignore",
        "SourceArn": "grant_source",
        "SourceAccount": "ignore",
        "EventSourceToken": "ignore",
        "InvokedViaFunctionUrl": "ignore",
        "XAmznTraceId": "ignore",
        "StatementId": "ignore",
        "MasterRegion": "ignore",
        "Id": "ignore",
        "ParentId": "ignore",
        "CheckpointToken": "ignore",
        # Inside resources already checked, content and settings.
        "S3Key": "ignore",
        "S3ObjectVersion": "ignore",
        "S3ObjectStorageMode": "ignore",
        "FunctionVersion": "ignore",
        "DurableExecutionName": "ignore",
        "TenantId": "ignore",  # Lambda's own per-invocation tenant field, inside the function
        "ClientContext": "ignore",
        "RevisionId": "ignore",
        "ClientToken": "ignore",
        "Marker": "ignore",
        "MaxItems": "ignore",
        "Tags": "ignore",
        "TagKeys": "ignore",
    },
    kinds={
        "function": _function,
        "qualifier": _qualifier,
        "alias": _alias,
        "durable_execution": _durable_execution,
        "resource": _resource,
        "layer": _layer,
        "layers": _layers,
        "layer_version": _layer_version,
        "role": role,
        "grant_source": _grant_source,
        "event_source": _event_source,
        "destination": _destination,
        "dead_letter": owned_arn_kind(("sns", "sqs")),
        "kms_key": kms_key,
        "code_signing": _code_signing,
        "runtime_arn": _runtime_arn,
        "code_bucket": _code_bucket,
        "image": platform_only("container images: ECR repositories are not covered by the "
                               "naming policy"),
        "network": _network,
        "file_systems": _file_systems,
        "log_group": platform_only("a custom log group: CloudWatch Logs is not covered by the "
                                   "naming policy (the default /aws/lambda/<function> group is "
                                   "per function)"),
        "capacity_provider": platform_only("capacity providers are account infrastructure"),
        "forbidden": forbidden,
        "foreign_source": platform_only("Kafka, MQ, DocumentDB and self-managed event sources "
                                        "are not covered by the naming policy"),
        "poller_group": platform_only("a poller group is shared between event source mappings"),
    },
    operations={
        "AddLayerVersionPermission": _GRANTS,
        "AddPermission": _GRANTS,
        "CheckpointDurableExecution": _CHECKPOINT,
        "CreateAlias": None,
        "CreateCapacityProvider": _CAPACITY,
        "CreateCodeSigningConfig": _SIGNING,
        "CreateEventSourceMapping": None,
        "CreateFunction": None,
        "CreateFunctionUrlConfig": _function_url,
        "DeleteAlias": None,
        "DeleteCapacityProvider": _CAPACITY,
        "DeleteCodeSigningConfig": _SIGNING,
        "DeleteDurableExecution": None,
        "DeleteEventSourceMapping": _MAPPING_UUID,
        "DeleteFunction": None,
        "DeleteFunctionCodeSigningConfig": None,
        "DeleteFunctionConcurrency": None,
        "DeleteFunctionEventInvokeConfig": None,
        "DeleteFunctionUrlConfig": None,
        "DeleteLayerVersion": None,
        "DeleteProvisionedConcurrencyConfig": None,
        "DeleteResourcePolicy": _GRANTS,
        "GetAccountSettings": _ACCOUNT_WIDE,
        "GetAlias": None,
        "GetCapacityProvider": _CAPACITY,
        "GetCodeSigningConfig": _SIGNING,
        "GetDurableExecution": None,
        "GetDurableExecutionHistory": None,
        "GetDurableExecutionState": None,
        "GetEventSourceMapping": _MAPPING_UUID,
        "GetFunction": None,
        "GetFunctionCodeSigningConfig": None,
        "GetFunctionConcurrency": None,
        "GetFunctionConfiguration": None,
        "GetFunctionEventInvokeConfig": None,
        "GetFunctionRecursionConfig": None,
        "GetFunctionScalingConfig": None,
        "GetFunctionUrlConfig": None,
        "GetLayerVersion": None,
        "GetLayerVersionByArn": None,
        "GetLayerVersionPolicy": None,
        "GetPolicy": None,
        "GetProvisionedConcurrencyConfig": None,
        "GetResourcePolicy": _GRANTS,
        "GetRuntimeManagementConfig": None,
        "Invoke": None,
        "InvokeAsync": None,
        "InvokeWithResponseStream": None,
        "ListAliases": None,
        "ListCapacityProviders": _CAPACITY,
        "ListCodeSigningConfigs": _SIGNING,
        "ListDurableExecutionsByFunction": None,
        "ListEventSourceMappings": _list_mappings,
        "ListFunctionEventInvokeConfigs": None,
        "ListFunctionUrlConfigs": None,
        "ListFunctionVersionsByCapacityProvider": _CAPACITY,
        "ListFunctions": _ACCOUNT_WIDE,
        "ListFunctionsByCodeSigningConfig": _SIGNING,
        "ListLayerVersions": None,
        "ListLayers": _ACCOUNT_WIDE,
        "ListProvisionedConcurrencyConfigs": None,
        "ListTags": None,
        "ListVersionsByFunction": None,
        "PauseDurableExecution": None,
        "PublishLayerVersion": None,
        "PublishVersion": None,
        "PutFunctionCodeSigningConfig": None,
        "PutFunctionConcurrency": None,
        "PutFunctionEventInvokeConfig": None,
        "PutFunctionRecursionConfig": None,
        "PutFunctionScalingConfig": None,
        "PutProvisionedConcurrencyConfig": None,
        "PutResourcePolicy": _GRANTS,
        "PutRuntimeManagementConfig": None,
        "RemoveLayerVersionPermission": _GRANTS,
        "RemovePermission": _GRANTS,
        "ResumeDurableExecution": None,
        "SendDurableExecutionCallbackFailure": _CALLBACKS,
        "SendDurableExecutionCallbackHeartbeat": _CALLBACKS,
        "SendDurableExecutionCallbackSuccess": _CALLBACKS,
        "StopDurableExecution": None,
        "TagResource": None,
        "UntagResource": None,
        "UpdateAlias": None,
        "UpdateCapacityProvider": _CAPACITY,
        "UpdateCodeSigningConfig": _SIGNING,
        "UpdateEventSourceMapping": _MAPPING_UUID,
        "UpdateFunctionCode": None,
        "UpdateFunctionConfiguration": None,
        "UpdateFunctionEventInvokeConfig": None,
        "UpdateFunctionUrlConfig": _function_url,
    },
    listings={"ListFunctions": drop_owned("Functions", lambda f: f["FunctionName"]),
              "ListLayers": drop_owned("Layers", lambda layer: layer["LayerName"]),
              "ListEventSourceMappings": _listed_mappings},
)

SERVICE_RULES[SERVICE] = RULES
