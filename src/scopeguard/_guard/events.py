"""EventBridge: event buses by name or ARN, rules on them, targets, and ``PutEvents`` entries.

Event buses are the scoped resource: ``EventBusName="orders"`` is the tenant's ``t-acme-orders``.
Rules live under a bus (rule ARNs are ``rule/<bus>/<name>``), so a rule belongs to the scope
that owns its bus; rule names are only checked for shape, not prefixed.

**The default bus is refused in tenant and capsule scope**, both by name (``"default"``, which
would otherwise be mistaken for a logical name) and by omission (EventBridge's fallback when
``EventBusName`` is absent, also for each ``PutEvents`` entry). The default bus is shared: every
scope's events would meet every rule on it, so a rule put there reads other scopes' events, and
an event put there reaches rules that trust its ``Source``/``detail`` to say which tenant it is
for. A ``Source`` convention cannot be enforced in-process for the readers, so tenants publish to
their own bus; the platform forwards from it with a rule if it needs the events centrally.

Targets (``PutTargets``, dead-letter queues) must be the scope's own SQS queues, SNS topics,
Lambda functions, Kinesis streams or event buses, and in tenant/capsule scope a target may carry
only the parameters those targets use (no ECS, Batch, Run Command, Redshift, SageMaker, HTTP or
AppSync parameters). ``RoleArn`` is accepted only for a role carrying the scope's own prefix
(see ``targets.role``): EventBridge acts with that role's permissions, which the platform
provisioned for this scope.

Refused in tenant and capsule scope: archives and replays (they hold and re-inject every event of
a bus), connections and API destinations (credentials and outbound HTTP), global endpoints,
partner event sources, permissions (they grant other accounts access), and account-wide listing
other than ``ListEventBuses``, which is narrowed to the scope's own prefix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .._exceptions import ScopeViolation
from .checks import ScopeGuard, drop_owned, forbidden, narrow_to_scope, parse_arn
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import account_arn, kms_key, own_account, owned_arn, platform_only, role

SERVICE: Final = "events"
_RULE_NAME: Final = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_BUS_NAME: Final = re.compile(r"[A-Za-z0-9_.\-]{1,256}")
_TARGET_SERVICES: Final = ("events", "kinesis", "lambda", "sns", "sqs")
# The target parameters SQS, SNS, Lambda, Kinesis and event bus targets use; anything else
# belongs to a target kind tenant and capsule scopes cannot address.
_TARGET_KEYS: Final = frozenset({
    "Id", "Arn", "RoleArn", "Input", "InputPath", "InputTransformer", "KinesisParameters",
    "SqsParameters", "DeadLetterConfig", "RetryPolicy",
})


def _default_bus(guard: ScopeGuard, member: str) -> ScopeViolation:
    return guard.refuse(
        f"the default event bus is shared by every scope; in {guard.scope.kind} scope pass "
        "EventBusName with one of the scope's own buses", member)


def _bus(guard: ScopeGuard, value: Any, member: str) -> Any:
    if isinstance(value, str) and value.startswith("arn:"):
        owned_arn(guard, value, member, (SERVICE,))
        return value
    if guard.isolated and value == "default":
        raise _default_bus(guard, member)
    return guard.name(SERVICE, value, member)


def _rule(guard: ScopeGuard, value: Any, member: str) -> Any:
    # A rule belongs to the bus the request names; the bus is what is checked.
    if not isinstance(value, str) or not _RULE_NAME.fullmatch(value):
        raise guard.refuse(f"{value!r} is not a valid rule name", member)
    return value


def _target_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    parsed = parse_arn(value) if isinstance(value, str) else None
    if not guard.isolated and parsed is not None and (
            parsed.service not in _TARGET_SERVICES
            or (parsed.service == SERVICE and not parsed.resource.startswith("event-bus/"))):
        # Platform targets of other kinds (API destinations, Step Functions, ...): this account.
        return account_arn(guard, value, member)
    owned_arn(guard, value, member, _TARGET_SERVICES)
    return value


def _resource_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Tag operations: a bus, or a rule under a bus, of this scope."""
    arn = guard.arn(value, member, SERVICE)
    kind, _, rest = arn.resource.partition("/")
    if kind == "event-bus":
        owned_arn(guard, value, member, (SERVICE,))
    elif kind == "rule" and rest.count("/") == 1:
        bus, _, rule_name = rest.partition("/")
        _rule(guard, rule_name, member)
        if not _BUS_NAME.fullmatch(bus):
            raise guard.refuse(f"{bus!r} is not a valid event bus name", member)
        guard.owned_physical(SERVICE, bus, member)
    elif guard.isolated:
        if kind == "rule":
            raise _default_bus(guard, member)
        raise guard.refuse(f"{value!r} is not an event bus or rule of {guard.scope}", member)
    return value


def _platform_name(guard: ScopeGuard, value: Any, member: str) -> Any:
    # Archive and replay names (operations refused in tenant/capsule scope): the platform scope
    # may not use a name that belongs to a tenant or capsule.
    return guard.name(SERVICE, value, member)


def _event_source(guard: ScopeGuard, value: Any, member: str) -> Any:
    # An archive's source bus (CreateArchive, ListArchives) or a replay's archive (StartReplay);
    # the operations are refused in tenant/capsule scope. An archive of a tenant's bus would
    # hold, and a replay re-inject, every event of that bus: the bus is checked as a target
    # bus is, the archive by its name as ArchiveName is.
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is not None and parsed.service == SERVICE:
        kind, _, name = parsed.resource.partition("/")
        if kind == "event-bus":
            owned_arn(guard, value, member, (SERVICE,))
            return value
        if kind == "archive":
            account_arn(guard, value, member)
            _platform_name(guard, name, member)
            return value
    return account_arn(guard, value, member)


def _account_arns(guard: ScopeGuard, value: Any, member: str) -> Any:
    for i, arn in enumerate(value if isinstance(value, list | tuple) else [value]):
        account_arn(guard, arn, f"{member}[{i}]")
    return value


# -- operation checks --------------------------------------------------------------------------


def _require_bus(guard: ScopeGuard, params: Mapping[str, Any], member: str = "EventBusName"
                 ) -> None:
    if guard.isolated and params.get(member) is None:
        raise _default_bus(guard, member)


def _bus_op(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    """Operations on a bus itself: its name is ``Name`` (absent: the default bus)."""
    _require_bus(guard, params, "Name")
    if "Name" in params:
        params["Name"] = _bus(guard, params["Name"], "Name")


def _rule_op(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    """Operations on a rule: ``Name`` is the rule, on the bus ``EventBusName`` names."""
    _rule(guard, params.get("Name"), "Name")
    _require_bus(guard, params)


def _on_own_bus(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    _require_bus(guard, params)


def _put_targets(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    _require_bus(guard, params)
    if not guard.isolated:
        return
    for i, target in enumerate(params.get("Targets") or ()):
        if not isinstance(target, Mapping):
            raise guard.refuse("each target must be a structure", f"Targets[{i}]")
        extra = sorted(set(target) - _TARGET_KEYS)
        if extra:
            raise guard.refuse(
                f"target parameters {', '.join(extra)} belong to target kinds (ECS, Batch, Run "
                "Command, Redshift, SageMaker, HTTP, AppSync) a tenant or capsule scope cannot "
                "address; targets must be the scope's own queues, topics, functions, streams or "
                "buses", f"Targets[{i}]")


def _put_events(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    for i, entry in enumerate(params.get("Entries") or ()):
        if guard.isolated and (not isinstance(entry, Mapping) or entry.get("EventBusName") is None):
            raise _default_bus(guard, f"Entries[{i}].EventBusName")


def _list_event_buses(guard: ScopeGuard, op: str, params: dict[str, Any],
                      _: Mapping[str, Any]) -> None:
    narrow_to_scope(guard, params, "NamePrefix", SERVICE)


_ARCHIVES: Final = Refuse("archives and replays hold and re-inject every event of a bus; manage "
                          "them from the platform scope")
_CONNECTIONS: Final = Refuse("connections and API destinations hold credentials and send events "
                             "to outside HTTP endpoints; manage them from the platform scope")
_ENDPOINTS: Final = Refuse("global endpoints route events between buses of several regions; "
                           "manage them from the platform scope")
_PARTNERS: Final = Refuse("partner event sources belong to the account, not to a scope; manage "
                          "them from the platform scope")
_PERMISSIONS: Final = Refuse("bus permissions can grant other accounts access; manage them from "
                             "the platform scope")

RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "EventBusName": "bus",
        "EventBusArn": "bus",
        # A bus in bus operations, a rule in rule operations, a connection, endpoint or source
        # elsewhere: every operation that takes it is refused or checks it itself (_bus_op,
        # _rule_op); tests/test_guard_events.py pins that.
        "Name": "ignore",
        "Rule": "rule",
        "Targets": "walk",
        "Arn": "target_arn",  # target, dead-letter queue, replay destination
        "TargetArn": "target_arn",
        "DeadLetterConfig": "walk",
        "Destination": "walk",  # StartReplay: a bus ARN inside
        "RoleArn": "role",
        "ResourceARN": "resource_arn",
        "Entries": "walk",
        "EndpointId": "endpoint_id",
        "EventSourceName": "partner_source",
        "KmsKeyIdentifier": "kms_key",
        "Policy": "forbidden",
        "Account": "account",
        # Target kinds refused in tenant/capsule scope (see _put_targets); this account's in
        # platform scope.
        "SecretManagerArn": "other_arn",
        "TaskDefinitionArn": "other_arn",
        # Parameters of operations refused in tenant/capsule scope.
        "ArchiveName": "platform_name",
        "ReplayName": "platform_name",
        "EventSourceArn": "event_source",
        "ConnectionArn": "account_arn",
        "FilterArns": "account_arns",
        "ResourceConfigurationArn": "account_arn",
        "ApiKeyName": "ignore",
        "ApiKeyValue": "ignore",
        "ClientID": "ignore",
        "ClientSecret": "ignore",
        "Username": "ignore",
        "Password": "ignore",
        "InvocationEndpoint": "ignore",
        "AuthorizationEndpoint": "ignore",
        "HomeRegion": "ignore",
        "Principal": "ignore",
        "StatementId": "ignore",
        # Event content, patterns, listing filters and settings.
        "Source": "ignore",  # an event's source field, not a resource
        "Resources": "ignore",  # ARNs the event is about, carried as content
        "NamePrefix": "ignore",  # narrowed by _list_event_buses; ListRules: on the named bus
        "NextToken": "ignore",
        "Id": "ignore",  # target IDs within the rule
        "Ids": "ignore",
        "ReferenceId": "ignore",
        "JobName": "ignore",
        "StatementName": "ignore",
        "PartitionKeyPath": "ignore",
        "InputPath": "ignore",  # a JSONPath into the event
        "MessageGroupId": "ignore",
        "RetryPolicy": "ignore",
        "Key": "ignore",  # tag, condition and Run Command target keys
        "Tags": "ignore",
        "TagKeys": "ignore",
    },
    kinds={
        "bus": _bus,
        "rule": _rule,
        "target_arn": _target_arn,
        "event_source": _event_source,
        "role": role,
        "resource_arn": _resource_arn,
        "endpoint_id": platform_only("EndpointId sends the events through a global endpoint "
                                     "to buses in other regions"),
        "partner_source": platform_only("partner event sources belong to the account"),
        "kms_key": kms_key,
        "forbidden": forbidden,
        "account": own_account,
        "other_arn": platform_only("the target kind is not covered by the naming policy"),
        "platform_name": _platform_name,
        "account_arn": account_arn,
        "account_arns": _account_arns,
    },
    operations={
        "ActivateEventSource": _PARTNERS,
        "CancelReplay": _ARCHIVES,
        "CreateApiDestination": _CONNECTIONS,
        "CreateArchive": _ARCHIVES,
        "CreateConnection": _CONNECTIONS,
        "CreateEndpoint": _ENDPOINTS,
        "CreateEventBus": _bus_op,
        "CreatePartnerEventSource": _PARTNERS,
        "DeactivateEventSource": _PARTNERS,
        "DeauthorizeConnection": _CONNECTIONS,
        "DeleteApiDestination": _CONNECTIONS,
        "DeleteArchive": _ARCHIVES,
        "DeleteConnection": _CONNECTIONS,
        "DeleteEndpoint": _ENDPOINTS,
        "DeleteEventBus": _bus_op,
        "DeletePartnerEventSource": _PARTNERS,
        "DeleteRule": _rule_op,
        "DescribeApiDestination": _CONNECTIONS,
        "DescribeArchive": _ARCHIVES,
        "DescribeConnection": _CONNECTIONS,
        "DescribeEndpoint": _ENDPOINTS,
        "DescribeEventBus": _bus_op,
        "DescribeEventSource": _PARTNERS,
        "DescribePartnerEventSource": _PARTNERS,
        "DescribeReplay": _ARCHIVES,
        "DescribeRule": _rule_op,
        "DisableRule": _rule_op,
        "EnableRule": _rule_op,
        "ListApiDestinations": _CONNECTIONS,
        "ListArchives": _ARCHIVES,
        "ListConnections": _CONNECTIONS,
        "ListEndpoints": _ENDPOINTS,
        "ListEventBuses": _list_event_buses,
        "ListEventSources": _PARTNERS,
        "ListPartnerEventSourceAccounts": _PARTNERS,
        "ListPartnerEventSources": _PARTNERS,
        "ListReplays": _ARCHIVES,
        "ListRuleNamesByTarget": _on_own_bus,
        "ListRules": _on_own_bus,
        "ListTagsForResource": None,
        "ListTargetsByRule": _on_own_bus,
        "PutEvents": _put_events,
        "PutPartnerEvents": _PARTNERS,
        "PutPermission": _PERMISSIONS,
        "PutRule": _rule_op,
        "PutTargets": _put_targets,
        "RemovePermission": _PERMISSIONS,
        "RemoveTargets": _on_own_bus,
        "StartReplay": _ARCHIVES,
        "TagResource": None,
        "TestEventPattern": None,  # evaluates a pattern against an event given inline
        "UntagResource": None,
        "UpdateApiDestination": _CONNECTIONS,
        "UpdateArchive": _ARCHIVES,
        "UpdateConnection": _CONNECTIONS,
        "UpdateEndpoint": _ENDPOINTS,
        "UpdateEventBus": _bus_op,
    },
    listings={"ListEventBuses": drop_owned("EventBuses", lambda b: b["Name"])},
)

SERVICE_RULES[SERVICE] = RULES
