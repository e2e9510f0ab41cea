"""SSM Parameter Store: parameter names, paths, ARNs and selectors; the rest of SSM is refused.

Names are flat (``db``, mapped to ``t-acme-db``) or hierarchical (``/app/db``, mapped to
``/t-acme/app/db``: the scope is the first path segment, see ``scopeguard._naming``), so IAM can
grant ``parameter/t-acme/*`` and ``GetParametersByPath("/app")`` becomes ``/t-acme/app`` and
stays within the scope. The scope's own physical names are accepted as given, but what follows
the prefix must still be a valid logical name: ``//``, a trailing ``/`` and ``.``/``..``
segments are refused, never cleaned.

SSM reads a one-segment name with a leading slash (``/t-globex-db``) as the name without it, so
ownership is decided on that canonical name in every scope (``canonical_name``); a parameter ARN
``parameter//...`` is refused. In platform scope ``GetParametersByPath`` and
``DescribeParameters`` return shared parameters only (tenants' and capsules' are dropped).

``/aws/reference/secretsmanager/<secret id>`` is not a parameter: SSM returns the Secrets Manager
secret it names. Outside the isolated scopes (where every name is mapped under the scope's own
path, so the reference cannot be spelled) the secret ID is checked as Secrets Manager's guard
checks ``SecretId``, and any other ``/aws/reference/`` name is refused.

``GetParameter`` and ``GetParameters`` accept a ``:version`` or ``:label`` selector after the
name; it is split off, checked, and put back after the name is mapped. A parameter ARN is
``...:parameter/<name without its leading "/">``. An ARN whose name has no ``/`` is read as a
flat name; were SSM to read it as ``/<name>`` instead, that name's first segment looks scoped,
which no logical name may, so no scope can own it.

Identifier members are checked by each operation's own check rather than by the member table:
``Name`` means a document, association or maintenance window in the rest of SSM, which platform
and operator scopes may still use.

Narrowed rather than refused in tenant and capsule scope: ``DescribeParameters`` gets a
``Path`` filter (``Recursive``, ``/t-acme``), so it lists the scope's hierarchical parameters
only (flat names are not listed; read them with ``GetParameters``). Its ``Name`` filters and
legacy ``Filters`` are refused (prefix and substring matches cannot be mapped into a scope
exactly), and so are ``Shared`` parameters (other accounts'). Tags are allowed on parameters
only (``ResourceType="Parameter"``).

Everything in SSM that is not Parameter Store is refused in tenant and capsule scope: it runs
code on instances, or names documents, instances, windows, OpsItems, buckets or roles that are
account-wide, not resources of a scope. The families are listed explicitly below. In platform
scope the buckets, topics, Lambda tasks and roles they hand to other services are checked (a
tenant's or capsule's is refused).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .checks import ScopeGuard, drop_owned, kms_key, parse_arn
from .rules import SERVICE_RULES, ExtraCheck, Refuse, ServiceRules
from .secretsmanager import secret_id
from .targets import account_arn, bucket, owned_arn, owned_arn_kind, role

SERVICE: Final = "ssm"

# SSM's door into Secrets Manager; matched without regard to case, so no spelling of it passes
# as a parameter name.
_REFERENCE: Final = "/aws/reference/"
_SECRET_REFERENCE: Final = "/aws/reference/secretsmanager/"
_VERSION_OR_LABEL: Final = re.compile(r"[A-Za-z0-9_.\-]{1,100}")
_ARN_RESOURCE: Final = "parameter/"


def canonical_name(name: str) -> str:
    """The spelling ownership is decided on: SSM reads a one-segment name with a leading slash
    (``/t-globex-db``) as the same parameter as the name without it (``t-globex-db``)."""
    if name.startswith("/") and "/" not in name[1:]:
        return name[1:]
    return name


def _name(guard: ScopeGuard, value: Any, member: str) -> str:
    if isinstance(value, str) and value[:len(_REFERENCE)].lower() == _REFERENCE:
        return _reference(guard, value, member)
    if isinstance(value, str) and guard.scope.kind != "operator":
        canonical = canonical_name(value)
        if canonical is not value:
            owner = guard.naming.owner(canonical)
            if owner is not None and owner != guard.scope:
                raise guard.refuse(f"{value!r} is the parameter {canonical!r}, which belongs to "
                                   f"{owner}", member)
    return guard.name(SERVICE, value, member)


def _reference(guard: ScopeGuard, value: str, member: str) -> str:
    """``/aws/reference/secretsmanager/<id>``: the secret is checked, not the parameter name."""
    if guard.isolated or guard.scope.kind == "operator":
        # Tenant and capsule names are mapped under their own path (``/t-acme/aws/...``),
        # which is an ordinary parameter; operator scope is not checked.
        return guard.name(SERVICE, value, member)
    if value[:len(_SECRET_REFERENCE)].lower() != _SECRET_REFERENCE:
        raise guard.refuse(f"{value!r}: {_REFERENCE} names other services' resources; only "
                           f"{_SECRET_REFERENCE}<secret id> is understood", member)
    secret_id(guard, value[len(_SECRET_REFERENCE):], member)
    return value


def _arn(guard: ScopeGuard, value: str, member: str) -> str:
    arn = guard.arn(value, member, SERVICE)
    if not arn.resource.startswith(_ARN_RESOURCE):
        raise guard.refuse(f"{value!r} is not a parameter ARN", member)
    rest = arn.resource[len(_ARN_RESOURCE):]
    if rest.startswith("/") or not rest:
        # parameter//x: SSM may read it as /x, that is x; no spelling of a name needs it.
        raise guard.refuse(f"{value!r} is not a parameter ARN SSM reads one way only", member)
    name = "/" + rest if "/" in rest else rest
    if name[:len(_REFERENCE)].lower() == _REFERENCE:
        # No documented spelling; if SSM read it, it would name another service's resource.
        raise guard.refuse(f"{value!r}: {_REFERENCE} names are given as names, not ARNs", member)
    return guard.owned_physical(SERVICE, name, member)


def _parameter(guard: ScopeGuard, value: Any, member: str, selector: bool = False) -> str:
    """A parameter name or ARN, with an optional ``:version``/``:label`` selector; returns what
    to send (the mapped name, or the ARN as given)."""
    if not isinstance(value, str):
        raise guard.refuse(f"expected a parameter name string, got {type(value).__name__}",
                           member)
    cached = guard.cached("ssm-parameter" if selector else "ssm-parameter-exact", value)
    if cached is not None:
        return cached
    is_arn = value.startswith("arn:")
    head, tail = value, ""
    if selector:
        cut = value.rfind(":")
        if cut > 0 and (not is_arn or value.count(":") > 5):
            head, tail = value[:cut], value[cut:]
            if not _VERSION_OR_LABEL.fullmatch(tail[1:]):
                raise guard.refuse(f"{tail!r} is not a parameter version or label selector",
                                   member)
    resolved = (_arn(guard, head, member) if is_arn else _name(guard, head, member)) + tail
    guard.remember("ssm-parameter" if selector else "ssm-parameter-exact", value, resolved)
    return resolved


def _names(guard: ScopeGuard, values: Any, member: str, selector: bool) -> list[str]:
    if not isinstance(values, list | tuple):
        raise guard.refuse(f"{member} must be a list", member)
    resolved = [_parameter(guard, v, f"{member}[{i}]", selector) for i, v in enumerate(values)]
    if len(set(resolved)) != len(resolved):
        raise guard.refuse("two entries name the same parameter", member)
    return resolved


def _path(guard: ScopeGuard, value: Any, member: str) -> str:
    """``GetParametersByPath`` and ``Path`` filters: ``/`` is the scope's root, ``/app`` its
    ``/t-acme/app``; another scope's path, ``//``, ``..`` and a trailing ``/`` are refused."""
    if not isinstance(value, str) or not value.startswith("/"):
        raise guard.refuse(f"{value!r} is not a parameter path (it must start with '/')", member)
    owner = guard.naming.owner(value, SERVICE)
    if not guard.isolated:
        if owner is not None:
            raise guard.refuse(f"{value!r} belongs to {owner}", member)
        return value
    root = guard.naming.path_prefix(guard.scope)[:-1]
    if not root:
        raise guard.refuse("this scope's parameters share no path under the naming template; "
                           "name the parameters instead", member)
    if value in ("/", root):
        return root
    if owner is not None and owner != guard.scope:
        raise guard.refuse(f"{value!r} belongs to {owner}", member)
    if owner == guard.scope:
        return guard.owned_physical(SERVICE, value, member)
    # A logical path is read below the scope's root, as "/" is the root itself: "/app" is
    # "/t-acme/app", and under a path template ("/{app}/{tenant}/{logical}", whose names below
    # the root are relative, "app/db") "/saas/<id>/app". The result must still be the image of a
    # valid logical name ("/app/" and "/app//x" are not).
    return guard.owned_physical(SERVICE, root + value, member)


def _kms_key(guard: ScopeGuard, params: Mapping[str, Any]) -> None:
    if "KeyId" in params:
        kms_key(guard, params["KeyId"], "KeyId")


# -- operations --------------------------------------------------------------------------------


def _one(selector: bool = False) -> ExtraCheck:
    def check(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
        params["Name"] = _parameter(guard, params.get("Name"), "Name", selector)
        _kms_key(guard, params)

    return check


def _many(selector: bool = False) -> ExtraCheck:
    def check(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
        params["Names"] = _names(guard, params.get("Names"), "Names", selector)

    return check


# Filter keys that only narrow a listing further; Name and Path select what is listed.
_NARROWING_KEYS: Final = frozenset({"DataType", "KeyId", "Label", "Tier", "Type"})


def _filters(guard: ScopeGuard, params: dict[str, Any], paths: bool) -> bool:
    """Check ``ParameterFilters``; map ``Path`` filter values if ``paths``. True if a Path
    filter (now within the scope) is present."""
    filters = params.get("ParameterFilters")
    if filters is None or not guard.isolated:
        return False
    if not isinstance(filters, list | tuple):
        raise guard.refuse("ParameterFilters must be a list", "ParameterFilters")
    out, has_path = [], False
    for i, entry in enumerate(filters):
        member = f"ParameterFilters[{i}]"
        key = entry.get("Key") if isinstance(entry, Mapping) else None
        if not isinstance(key, str):
            raise guard.refuse("a filter needs a Key", member)
        if paths and key == "Path":
            values = entry.get("Values", [])
            if not isinstance(values, list | tuple) or not values:
                raise guard.refuse("a Path filter needs Values", member)
            mapped = [_path(guard, v, f"{member}.Values[{j}]") for j, v in enumerate(values)]
            out.append({**entry, "Values": mapped})
            has_path = True
        elif key in _NARROWING_KEYS or key.startswith("tag:"):
            out.append(entry)
        else:
            raise guard.refuse(f"filter key {key!r} can select other scopes' parameters in "
                               f"{guard.scope.kind} scope; filter by Path, or name the "
                               "parameters in GetParameters", member)
    params["ParameterFilters"] = out
    return has_path


def _by_path(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    params["Path"] = _path(guard, params.get("Path"), "Path")
    _filters(guard, params, paths=False)


def _describe(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    if not guard.isolated:
        return
    if params.get("Filters"):
        raise guard.refuse("legacy Filters match names by prefix; use ParameterFilters with a "
                           "Path", "Filters")
    if params.get("Shared"):
        raise guard.refuse("shared parameters belong to other accounts", "Shared")
    if not _filters(guard, params, paths=True):
        root = guard.naming.path_prefix(guard.scope)[:-1]
        if not root:
            raise guard.refuse("this scope's parameters share no path under the naming "
                               "template, so a listing cannot be narrowed to it")
        params["ParameterFilters"] = [*params.get("ParameterFilters", []),
                                      {"Key": "Path", "Option": "Recursive", "Values": [root]}]


def _tags(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    kind = params.get("ResourceType")
    if kind == "Parameter":
        params["ResourceId"] = _parameter(guard, params.get("ResourceId"), "ResourceId")
    elif guard.isolated:
        raise guard.refuse(f"only parameters can be tagged in {guard.scope.kind} scope, not "
                           f"{kind!r}", "ResourceType")


# -- platform scope: what the rest of SSM hands to other services ------------------------------
# The families below are refused in tenant and capsule scope; in platform scope their buckets,
# topics, roles and Lambda tasks must not be a tenant's (command output or a data sync of the
# whole account written to a tenant's bucket, notifications to its topic, its role or function
# used for the account's instances).


def _role_ref(guard: ScopeGuard, value: Any, member: str) -> Any:
    """A role given by ARN, or by name (``CreateActivation``'s ``IamRole``)."""
    if isinstance(value, str) and not value.startswith("arn:"):
        guard.owned_physical("iam", value.lower(), member)
        return value
    return role(guard, value, member)


def _task(guard: ScopeGuard, value: Any, member: str) -> Any:
    """A maintenance window task: a document name, or a Lambda function or state machine ARN."""
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is not None and parsed.service == "lambda":
        owned_arn(guard, value, member, ("lambda",))
    elif parsed is not None:
        account_arn(guard, value, member)
    return value


# -- refused families --------------------------------------------------------------------------

_FAMILIES: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("SSM documents are account-wide and can be shared with other accounts", (
        "CreateDocument", "DeleteDocument", "DescribeDocument", "DescribeDocumentPermission",
        "GetDocument", "ListDocumentMetadataHistory", "ListDocumentVersions", "ListDocuments",
        "ModifyDocumentPermission", "UpdateDocument", "UpdateDocumentDefaultVersion",
        "UpdateDocumentMetadata",
    )),
    ("Run Command, Session Manager and just-in-time node access run code on, or open shells "
     "to, instances that are not resources of a scope", (
        "CancelCommand", "DescribeSessions", "GetAccessToken", "GetCommandInvocation",
        "GetConnectionStatus", "ListCommandInvocations", "ListCommands", "ResumeSession",
        "SendCommand", "StartAccessRequest", "StartSession", "TerminateSession",
    )),
    ("Automation and Change Manager run documents with their own IAM role across the account", (
        "DescribeAutomationExecutions", "DescribeAutomationStepExecutions",
        "GetAutomationExecution", "GetExecutionPreview", "SendAutomationSignal",
        "StartAutomationExecution", "StartChangeRequestExecution", "StartExecutionPreview",
        "StopAutomationExecution",
    )),
    ("State Manager associations apply documents to the account's instances", (
        "CreateAssociation", "CreateAssociationBatch", "DeleteAssociation",
        "DescribeAssociation", "DescribeAssociationExecutionTargets",
        "DescribeAssociationExecutions", "DescribeEffectiveInstanceAssociations",
        "DescribeInstanceAssociationsStatus", "ListAssociationVersions", "ListAssociations",
        "StartAssociationsOnce", "UpdateAssociation", "UpdateAssociationStatus",
    )),
    ("maintenance windows run tasks with a service role on the account's instances", (
        "CancelMaintenanceWindowExecution", "CreateMaintenanceWindow", "DeleteMaintenanceWindow",
        "DeregisterTargetFromMaintenanceWindow", "DeregisterTaskFromMaintenanceWindow",
        "DescribeMaintenanceWindowExecutionTaskInvocations",
        "DescribeMaintenanceWindowExecutionTasks", "DescribeMaintenanceWindowExecutions",
        "DescribeMaintenanceWindowSchedule", "DescribeMaintenanceWindowTargets",
        "DescribeMaintenanceWindowTasks", "DescribeMaintenanceWindows",
        "DescribeMaintenanceWindowsForTarget", "GetMaintenanceWindow",
        "GetMaintenanceWindowExecution", "GetMaintenanceWindowExecutionTask",
        "GetMaintenanceWindowExecutionTaskInvocation", "GetMaintenanceWindowTask",
        "RegisterTargetWithMaintenanceWindow", "RegisterTaskWithMaintenanceWindow",
        "UpdateMaintenanceWindow", "UpdateMaintenanceWindowTarget",
        "UpdateMaintenanceWindowTask",
    )),
    ("OpsCenter OpsItems, OpsMetadata and Explorer summaries are account-wide", (
        "AssociateOpsItemRelatedItem", "CreateOpsItem", "CreateOpsMetadata", "DeleteOpsItem",
        "DeleteOpsMetadata", "DescribeOpsItems", "DisassociateOpsItemRelatedItem", "GetOpsItem",
        "GetOpsMetadata", "GetOpsSummary", "ListOpsItemEvents", "ListOpsItemRelatedItems",
        "ListOpsMetadata", "UpdateOpsItem", "UpdateOpsMetadata",
    )),
    ("inventory, compliance, node listings and resource data syncs describe the whole "
     "account (data syncs also write to a bucket)", (
        "CreateResourceDataSync", "DeleteInventory", "DeleteResourceDataSync",
        "DescribeInventoryDeletions", "GetInventory", "GetInventorySchema",
        "ListComplianceItems", "ListComplianceSummaries", "ListInventoryEntries", "ListNodes",
        "ListNodesSummary", "ListResourceComplianceSummaries", "ListResourceDataSync",
        "PutComplianceItems", "PutInventory", "UpdateResourceDataSync",
    )),
    ("Patch Manager baselines and patch groups apply to the account's instances", (
        "CreatePatchBaseline", "DeletePatchBaseline", "DeregisterPatchBaselineForPatchGroup",
        "DescribeAvailablePatches", "DescribeEffectivePatchesForPatchBaseline",
        "DescribeInstancePatchStates", "DescribeInstancePatchStatesForPatchGroup",
        "DescribeInstancePatches", "DescribePatchBaselines", "DescribePatchGroupState",
        "DescribePatchGroups", "DescribePatchProperties", "GetDefaultPatchBaseline",
        "GetDeployablePatchSnapshotForInstance", "GetPatchBaseline",
        "GetPatchBaselineForPatchGroup", "RegisterDefaultPatchBaseline",
        "RegisterPatchBaselineForPatchGroup", "UpdatePatchBaseline",
    )),
    ("managed nodes, hybrid activations and the default host management role are "
     "account-wide and pass IAM roles", (
        "CreateActivation", "DeleteActivation", "DeregisterDefaultHostManagementConfiguration",
        "DeregisterManagedInstance", "DescribeActivations", "DescribeInstanceInformation",
        "DescribeInstanceProperties", "RegisterDefaultHostManagementConfiguration",
        "UpdateManagedInstanceRole",
    )),
    ("cloud connectors link the account to other clouds with an IAM role", (
        "CreateCloudConnector", "DeleteCloudConnector", "GetCloudConnector",
        "ListCloudConnectors", "UpdateCloudConnector", "ValidateCloudConnector",
    )),
    ("service settings and change calendars are account-wide", (
        "GetCalendarState", "GetServiceSetting", "ResetServiceSetting", "UpdateServiceSetting",
    )),
    ("resource policies can share parameters with other accounts", (
        "DeleteResourcePolicy", "GetResourcePolicies", "PutResourcePolicy",
    )),
)

_PARAMETER_STORE: Final[Mapping[str, ExtraCheck]] = {
    "AddTagsToResource": _tags,
    "DeleteParameter": _one(),
    "DeleteParameters": _many(),
    "DescribeParameters": _describe,
    "GetParameter": _one(selector=True),
    "GetParameterHistory": _one(),
    "GetParameters": _many(selector=True),
    "GetParametersByPath": _by_path,
    "LabelParameterVersion": _one(),
    "ListTagsForResource": _tags,
    "PutParameter": _one(),
    "RemoveTagsFromResource": _tags,
    "UnlabelParameterVersion": _one(),
}

RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        # Checked by each Parameter Store operation's own check (see the module docstring).
        "KeyId": "ignore",
        "Name": "ignore",
        "Names": "ignore",
        "Path": "ignore",
        "ResourceId": "ignore",
        "ParameterFilters": "ignore",
        "Filters": "ignore",
        # Not resources: filter and tag keys, labels, versions, settings, values, tokens.
        "AllowedPattern": "ignore",
        "DataType": "ignore",
        "Key": "ignore",
        "Labels": "ignore",
        "NextToken": "ignore",
        "ParameterVersion": "ignore",
        "Policies": "ignore",
        "ResourceType": "ignore",
        "TagKeys": "ignore",
        "Tags": "ignore",
        "Tier": "ignore",
        # Other SSM operations (refused in tenant and capsule scope): see the kinds below.
        "OutputS3BucketName": "bucket",
        "S3BucketName": "bucket",
        "BucketName": "bucket",
        "NotificationArn": "topic",
        "ServiceRoleArn": "role",
        "AssociationDispatchAssumeRole": "role",
        "RoleArn": "role",
        "IamRole": "role",
        "TaskArn": "task",
        "AWSKMSKeyARN": "kms_key",
    },
    kinds={"bucket": bucket, "topic": owned_arn_kind(("sns",)), "role": _role_ref, "task": _task,
           "kms_key": kms_key},
    operations={
        **{op: Refuse(f"{reason}; only Parameter Store is available in tenant and capsule "
                      "scope")
           for reason, ops in _FAMILIES for op in ops},
        **_PARAMETER_STORE,
    },
    listings={
        "GetParametersByPath": drop_owned("Parameters", lambda p: canonical_name(p["Name"])),
        "DescribeParameters": drop_owned("Parameters", lambda p: canonical_name(p["Name"])),
    },
)

SERVICE_RULES[SERVICE] = RULES
