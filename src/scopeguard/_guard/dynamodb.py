"""DynamoDB: table names, table ARNs, PartiQL identifiers, and pooled-table partition keys.

Pooled tables (``NamingPolicy.pooled_tables``) hold many scopes' items; in tenant and capsule
scope every key and item written or read must carry the scope's key prefix, Scan and PartiQL are
refused (they read every tenant's items), and Query must pin the partition key by equality.

The partition keys of the configured indexes carry the prefix too, and a Query on an index is
checked on that attribute, so every write that gives an item one is checked as well: an item
written by one tenant with another tenant's index key would otherwise appear in that tenant's
index queries. ``PutItem`` items, batch and transaction puts are checked directly; updates
(``UpdateExpression``, or legacy ``AttributeUpdates``) may set an index key only as
``key = :value`` (or ``PUT``) with a prefixed value, or remove it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final

from .checks import ScopeGuard, drop_owned, forbidden, kms_key
from .expressions import (Malformed, key_terms, name_resolver, partiql_table, pinned_value,
                          update_actions)
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import bucket, own_account, owned_arn_kind, role

if TYPE_CHECKING:
    from botocore.model import OperationModel

    from .._naming import PooledTable

SERVICE: Final = "dynamodb"


def _table(guard: ScopeGuard, value: Any, member: str) -> Any:
    if isinstance(value, str) and value.startswith("arn:"):
        _table_arn(guard, value, member)
        return value
    return guard.name(SERVICE, value, member)


def _table_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    arn = guard.arn(value, member, SERVICE)
    kind, _, rest = arn.resource.partition("/")
    name = rest.split("/", 1)[0]
    if kind != "table" or not name:
        raise guard.refuse(f"{value!r} is not a table ARN", member)
    guard.owned_physical(SERVICE, name, member)
    return value


def table_name(value: str) -> str:
    """The bare table name of a name or table ARN (already validated)."""
    if value.startswith("arn:"):
        return value.split(":", 5)[5].split("/")[1]
    return value




# -- the resource API --------------------------------------------------------------------------

# boto3's DynamoDB resources register these on their client's events when they are created.
_BOTO3_INPUT_HANDLERS: Final = ("dynamodb-condition-expression", "dynamodb-attr-value-input")


def _reserved(**_: Any) -> None:
    """Holds a unique id of boto3's input transforms on a resource client (see below)."""


def resource_preparation(client: Any) -> Callable[[dict[str, Any], OperationModel], None]:
    """Make ``client`` (a resource API's own shared client) run boto3's DynamoDB input
    transforms inside the guard, before the copy and the check, and return that step.

    boto3's resource API (``Table.get_item(Key={"pk": "t-acme/u1"})``, ``batch_writer``,
    ``Key("pk").eq(...)``) turns Python values and condition objects into the wire format in
    ``before-parameter-build`` handlers that would run after the guard's, so the guard saw
    values it cannot read. Here the guard runs them first and checks their output, exactly as
    strictly as the client API's. Their unique ids are taken on this client, so the resources
    built on it do not register them a second time (which would encode the values twice);
    boto3's output transform and its copy of the caller's parameters are registered as boto3
    registers them."""
    from boto3.dynamodb.transform import TransformationInjector, copy_dynamodb_params

    events = client.meta.events
    for unique_id in _BOTO3_INPUT_HANDLERS:
        events.register("before-parameter-build.dynamodb", _reserved, unique_id=unique_id)
    events.register("provide-client-params.dynamodb", copy_dynamodb_params,
                    unique_id="dynamodb-create-params-copy")
    events.register("after-call.dynamodb", TransformationInjector().inject_attribute_value_output,
                    unique_id="dynamodb-attr-value-output")

    def prepare(params: dict[str, Any], model: OperationModel) -> None:
        # One injector per call: its condition builder numbers placeholders with a counter, and
        # this client is shared by every thread and scope.
        # (The stubs say ResourceModel; botocore's event passes the operation model, as here.)
        injector = TransformationInjector()
        injector.inject_condition_expressions(params, model)  # type: ignore[arg-type]
        injector.inject_attribute_value_input(params, model)  # type: ignore[arg-type]

    return prepare


# -- PartiQL -----------------------------------------------------------------------------------


def _partiql(guard: ScopeGuard, value: Any, member: str) -> str:
    if not isinstance(value, str):
        raise guard.refuse("PartiQL statement must be a string", member)
    try:
        found = partiql_table(value)
    except Malformed as exc:
        raise guard.refuse(f"cannot read the PartiQL statement: {exc}", member) from None
    physical = guard.name(SERVICE, found.name, member)
    if guard.isolated and physical in guard.naming.pooled_tables:
        raise guard.refuse(
            f"PartiQL on pooled table {found.name!r} can read every tenant's items; use "
            "Query/GetItem with the scope's key prefix", member)
    return found.replaced(physical)


# -- pooled tables -----------------------------------------------------------------------------


def _check_key_value(guard: ScopeGuard, value: Any, attribute: str, param: str,
                     table: Any) -> None:
    table = table_name(table) if isinstance(table, str) else None
    prefix = guard.naming.key_prefix(guard.scope, table)
    exact = guard.naming.exact_key(guard.scope, table)
    wanted = f"equal to {prefix!r}" if exact else f"starting with {prefix!r}"
    if not (isinstance(value, dict) and len(value) == 1 and isinstance(value.get("S"), str)):
        raise guard.refuse(
            f"partition key {attribute!r} on a pooled table must be a string {wanted}", param)
    if not (value["S"] == prefix if exact else value["S"].startswith(prefix)):
        owner = guard.naming.key_owner(value["S"], table)
        whose = f"belongs to {owner}" if owner else (
            f"is not equal to {prefix!r}" if exact else f"does not start with {prefix!r}")
        raise guard.refuse(f"partition key {attribute}={value['S']!r} {whose}", param)


def _check_item(guard: ScopeGuard, table: Any, item: Any, param: str,
                written: bool = False) -> None:
    """``item`` (a key, or with ``written`` an item being stored) of a pooled ``table``."""
    if not guard.isolated or not isinstance(table, str):
        return
    pooled = guard.naming.pooled_tables.get(table_name(table))
    if pooled is None:
        return
    if not isinstance(item, Mapping):
        raise guard.refuse("expected a key/item map", param)
    _check_key_value(guard, item.get(pooled.partition_key), pooled.partition_key, param, table)
    if written:
        for attribute in _index_keys(pooled):
            if attribute in item:
                _check_key_value(guard, item[attribute], attribute, param, table)


def _index_keys(pooled: PooledTable) -> frozenset[str]:
    """The index partition keys of ``pooled`` that are not its own partition key."""
    return frozenset(pooled.indexes.values()) - {pooled.partition_key}


def _check_update(guard: ScopeGuard, table: Any, params: Mapping[str, Any], param: str) -> None:
    """An update of a pooled ``table`` sets its index keys only to values of the scope."""
    if not guard.isolated or not isinstance(table, str):
        return
    pooled = guard.naming.pooled_tables.get(table_name(table))
    keys = _index_keys(pooled) if pooled is not None else frozenset()
    if not keys:
        return
    legacy = params.get("AttributeUpdates")
    if legacy is not None:
        if not isinstance(legacy, Mapping):
            raise guard.refuse("AttributeUpdates must be a map", param)
        for attribute in keys.intersection(legacy):
            update = legacy[attribute]
            action = update.get("Action", "PUT") if isinstance(update, Mapping) else None
            if action == "PUT":
                _check_key_value(guard, update.get("Value"), attribute, param, table)
            elif not (action == "DELETE" and "Value" not in update):
                raise guard.refuse(f"index key {attribute!r} of a pooled table may only be "
                                   "PUT with the scope's prefix or deleted", param)
    expression = params.get("UpdateExpression")
    if expression is None:
        return
    values = params.get("ExpressionAttributeValues") or {}
    try:
        if not isinstance(expression, str):
            raise Malformed("UpdateExpression must be a string")
        resolve = name_resolver(params.get("ExpressionAttributeNames"))
        actions = [a for a in update_actions(expression) if resolve(a.attribute) in keys]
    except Malformed as exc:
        raise guard.refuse(f"update of a pooled table with index keys: {exc}", param) from None
    for action in actions:
        attribute = resolve(action.attribute)
        if action.clause == "REMOVE" and not action.nested:
            continue
        if not (action.clause == "SET" and not action.nested and len(action.value) == 1
                and action.value[0].startswith(":")):
            raise guard.refuse(f"index key {attribute!r} of a pooled table may only be set as "
                               f"'{action.attribute} = :value' (with the scope's prefix) or "
                               "removed", param)
        if not isinstance(values, Mapping):
            raise guard.refuse("ExpressionAttributeValues must be a map", param)
        _check_key_value(guard, values.get(action.value[0]), attribute, param, table)


def _pooled(guard: ScopeGuard, params: Mapping[str, Any]) -> Any:
    table = params.get("TableName")
    if not guard.isolated or not isinstance(table, str):
        return None
    return guard.naming.pooled_tables.get(table_name(table))


# DynamoDB's legacy conditional parameters and the expressions that replaced them. A request
# holding both is one the service rejects; were it ever to read the one the guard did not, a
# check could be skipped. Refused in every scope.
_LEGACY: Final = frozenset({"KeyConditions", "QueryFilter", "ScanFilter", "Expected",
                            "AttributesToGet", "AttributeUpdates", "ConditionalOperator"})
_EXPRESSIONS: Final = frozenset({"KeyConditionExpression", "FilterExpression",
                                 "ConditionExpression", "ProjectionExpression",
                                 "UpdateExpression"})


def _one_dialect(guard: ScopeGuard, params: Mapping[str, Any], member: str = "") -> None:
    if _LEGACY.isdisjoint(params):  # the usual case, and no set built
        return
    legacy = _LEGACY.intersection(params)
    expressions = _EXPRESSIONS.intersection(params)
    if legacy and expressions:
        raise guard.refuse(f"legacy {', '.join(sorted(legacy))} and expression "
                           f"{', '.join(sorted(expressions))} parameters together; use one "
                           "dialect", member or min(legacy))


def _check_action(guard: ScopeGuard, action: Mapping[str, Any], update: bool,
                  param: str | None = None) -> None:
    """The key, item and update of one item action (a call's parameters, or a transaction's
    entry), reported as ``param`` or else by member."""
    table = action.get("TableName")
    if "Key" in action:
        _check_item(guard, table, action["Key"], param or "Key")
    if "Item" in action:
        _check_item(guard, table, action["Item"], param or "Item", written=True)
    if update:
        _check_update(guard, table, action, param or "UpdateExpression")


def _item_ops(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    _one_dialect(guard, params)
    if not guard.isolated or not guard.naming.pooled_tables:
        return  # no key to check (the common case: one call in a hot loop)
    _check_action(guard, params, op == "UpdateItem")


def _no_scan(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    _one_dialect(guard, params)
    if _pooled(guard, params) is not None:
        raise guard.refuse(f"{op} on a pooled table reads every tenant's items; use Query with "
                           "the partition key", "TableName")


def _no_pooled_admin(guard: ScopeGuard, op: str, params: dict[str, Any],
                     _: Mapping[str, Any]) -> None:
    if _pooled(guard, params) is not None:
        raise guard.refuse("pooled tables are shared infrastructure; manage them from the "
                           "platform scope", "TableName")


def _query(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    _one_dialect(guard, params)
    pooled = _pooled(guard, params)
    if pooled is None:
        return
    index = params.get("IndexName")
    if index is None:
        attribute = pooled.partition_key
    elif index in pooled.indexes:
        attribute = pooled.indexes[index]
    else:
        raise guard.refuse(f"index {index!r} of a pooled table is not configured with a "
                           "tenant partition key", "IndexName")
    if "KeyConditions" in params:
        cond = params["KeyConditions"].get(attribute) if isinstance(
            params["KeyConditions"], Mapping) else None
        values = cond.get("AttributeValueList") if isinstance(cond, Mapping) else None
        if not (isinstance(cond, Mapping) and cond.get("ComparisonOperator") == "EQ"
                and isinstance(values, list) and len(values) == 1):
            raise guard.refuse(f"Query on a pooled table must test {attribute} with EQ",
                               "KeyConditions")
        _check_key_value(guard, values[0], attribute, "KeyConditions", params.get("TableName"))
    else:
        _check_key_condition(guard, params, attribute)
    if "ExclusiveStartKey" in params:
        start = params["ExclusiveStartKey"]
        value = start.get(attribute) if isinstance(start, Mapping) else None
        _check_key_value(guard, value, attribute, "ExclusiveStartKey", params.get("TableName"))


def _check_key_condition(guard: ScopeGuard, params: Mapping[str, Any], attribute: str) -> None:
    expression = params.get("KeyConditionExpression")
    if not isinstance(expression, str):
        raise guard.refuse("Query on a pooled table needs a KeyConditionExpression",
                           "KeyConditionExpression")
    values = params.get("ExpressionAttributeValues") or {}
    try:
        placeholder = pinned_value(key_terms(expression), attribute,
                                   name_resolver(params.get("ExpressionAttributeNames")))
    except Malformed as exc:
        raise guard.refuse(f"Query on a pooled table: {exc}", "KeyConditionExpression") from None
    if not isinstance(values, Mapping):
        raise guard.refuse("ExpressionAttributeValues must be a map", "ExpressionAttributeValues")
    _check_key_value(guard, values.get(placeholder), attribute, "ExpressionAttributeValues",
                     params.get("TableName"))


def _holds_other_scopes(guard: ScopeGuard, table: Any) -> bool:
    """Whether keys written to or read from ``table`` need checking (what ``_check_item``
    would decide for each one): asked once per table of a batch, not once per item."""
    return (guard.isolated and isinstance(table, str)
            and table_name(table) in guard.naming.pooled_tables)


def _batch_get(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    for table, request in (params.get("RequestItems") or {}).items():
        if isinstance(request, Mapping):
            _one_dialect(guard, request, "RequestItems")
        if not _holds_other_scopes(guard, table):
            continue
        for key in (request or {}).get("Keys", ()) if isinstance(request, Mapping) else ():
            _check_item(guard, table, key, "RequestItems")


def _batch_write(guard: ScopeGuard, op: str, params: dict[str, Any],
                 _: Mapping[str, Any]) -> None:
    for table, requests in (params.get("RequestItems") or {}).items():
        if not _holds_other_scopes(guard, table):
            continue
        for request in requests if isinstance(requests, list) else ():
            if not isinstance(request, Mapping):
                continue
            if "PutRequest" in request:
                _check_item(guard, table, (request["PutRequest"] or {}).get("Item"),
                            "RequestItems", written=True)
            if "DeleteRequest" in request:
                _check_item(guard, table, (request["DeleteRequest"] or {}).get("Key"),
                            "RequestItems")


def _transact(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    for entry in params.get("TransactItems") or ():
        for kind, action in (entry or {}).items() if isinstance(entry, Mapping) else ():
            if isinstance(action, Mapping):
                _check_action(guard, action, kind == "Update", "TransactItems")


_REFUSED_LIST: Final = Refuse("account-wide listing would reveal other scopes' resources")
_REFUSED_CROSS: Final = Refuse("the operation reaches resources of other services or accounts "
                               "that scopeguard does not resolve; run it from the platform scope")

RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "TableName": "table",
        "GlobalTableName": "table",
        "SourceTableName": "table",
        "TargetTableName": "table",
        "{TableArn}": "table",  # keys of BatchGetItem/BatchWriteItem RequestItems
        "TableArn": "table_arn",
        "SourceTableArn": "table_arn",
        "GlobalTableSourceArn": "table_arn",
        "ResourceArn": "table_arn",
        "BackupArn": "table_arn",
        "ExclusiveStartBackupArn": "table_arn",
        "ExportArn": "table_arn",
        "ImportArn": "table_arn",
        "Statement": "partiql",
        "RequestItems": "walk",
        "TransactItems": "walk",
        "Statements": "walk",
        "TransactStatements": "walk",
        # Not resources (or checked by the operation's own check, or the operation is refused):
        "ResourcePolicy": "forbidden",
        "NonKeyAttributes": "ignore",
        "Key": "ignore",
        "Keys": "ignore",
        "ExclusiveStartKey": "ignore",
        "IndexName": "ignore",
        "BackupName": "ignore",  # free text; the backup lives under the checked table
        "AttributeName": "ignore",
        "ExpressionAttributeNames": "ignore",
        "ClientRequestToken": "ignore",
        "ClientToken": "ignore",
        "NextToken": "ignore",
        "ExpectedRevisionId": "ignore",
        "KMSMasterKeyId": "kms_key",  # table, replica and restore encryption
        "RegionName": "ignore",
        "TagKeys": "ignore",
        "ExclusiveStartTableName": "ignore",
        "ExclusiveStartGlobalTableName": "ignore",
        # A Kinesis streaming destination receives every change of the table: a tenant's
        # stream fed from a pooled or shared table would read every scope's items.
        "StreamArn": "kinesis_stream",
        "BulkOperationArn": "ignore",
        "AutoScalingRoleArn": "role",  # handed to Application Auto Scaling
        "PolicyName": "ignore",
        "Policy": "ignore",
        # An export's destination or an import's source (platform scope only): never a
        # tenant's bucket, which a pooled table exported there would hand every tenant's items.
        "S3Bucket": "bucket",
        "S3BucketSource": "walk",
        "S3KeyPrefix": "ignore",
        "S3Prefix": "ignore",
        "S3SseKmsKeyId": "kms_key",
        "S3BucketOwner": "bucket_owner",
    },
    kinds={"table": _table, "table_arn": _table_arn, "partiql": _partiql, "forbidden": forbidden,
           "bucket": bucket, "kinesis_stream": owned_arn_kind(("kinesis",)), "kms_key": kms_key,
           "bucket_owner": own_account, "role": role},
    operations={
        "BatchExecuteStatement": None,
        "BatchGetItem": _batch_get,
        "BatchWriteItem": _batch_write,
        "CancelBulkOperation": _REFUSED_CROSS,
        "CreateBackup": None,
        "CreateGlobalTable": None,
        "CreateTable": _no_pooled_admin,
        "DeleteBackup": None,
        "DeleteItem": _item_ops,
        "DeleteResourcePolicy": Refuse("resource policies can grant other principals access"),
        "DeleteTable": _no_pooled_admin,
        "DescribeBackup": None,
        "DescribeBulkOperation": _REFUSED_CROSS,
        "DescribeContinuousBackups": None,
        "DescribeContributorInsights": None,
        "DescribeEndpoints": None,
        "DescribeExport": None,
        "DescribeGlobalTable": None,
        "DescribeGlobalTableSettings": None,
        "DescribeImport": None,
        "DescribeKinesisStreamingDestination": None,
        "DescribeLimits": None,
        "DescribeTable": None,
        "DescribeTableReplicaAutoScaling": None,
        "DescribeTimeToLive": None,
        "DisableKinesisStreamingDestination": _REFUSED_CROSS,
        "EnableKinesisStreamingDestination": _REFUSED_CROSS,
        "ExecuteStatement": None,
        "ExecuteTransaction": None,
        "ExportTableToPointInTime": _REFUSED_CROSS,
        "GetItem": _item_ops,
        "GetResourcePolicy": None,
        "ImportTable": _REFUSED_CROSS,
        "ListBackups": _REFUSED_LIST,
        "ListBulkOperations": _REFUSED_LIST,
        "ListContributorInsights": _REFUSED_LIST,
        "ListExports": _REFUSED_LIST,
        "ListGlobalTables": _REFUSED_LIST,
        "ListImports": _REFUSED_LIST,
        "ListTables": _REFUSED_LIST,
        "ListTagsOfResource": None,
        "PutItem": _item_ops,
        "PutResourcePolicy": Refuse("resource policies can grant other principals access"),
        "Query": _query,
        "RestoreTableFromBackup": _no_pooled_admin,
        "RestoreTableToPointInTime": _no_pooled_admin,
        "Scan": _no_scan,
        "SearchVectors": _no_scan,
        "StartBulkPutItems": _REFUSED_CROSS,
        "TagResource": None,
        "TransactGetItems": _transact,
        "TransactWriteItems": _transact,
        "UntagResource": None,
        "UpdateContinuousBackups": _no_pooled_admin,
        "UpdateContributorInsights": _no_pooled_admin,
        "UpdateGlobalTable": _no_pooled_admin,
        "UpdateGlobalTableSettings": _REFUSED_CROSS,
        "UpdateItem": _item_ops,
        "UpdateKinesisStreamingDestination": _REFUSED_CROSS,
        "UpdateTable": _no_pooled_admin,
        "UpdateTableReplicaAutoScaling": _REFUSED_CROSS,
        "UpdateTimeToLive": _no_pooled_admin,
    },
    listings={
        "ListTables": drop_owned("TableNames", str),
        "ListGlobalTables": drop_owned("GlobalTables", lambda t: t["GlobalTableName"]),
        "ListBackups": drop_owned("BackupSummaries", lambda b: b["TableName"]),
        "ListContributorInsights": drop_owned("ContributorInsightsSummaries",
                                              lambda c: c["TableName"]),
        "ListExports": drop_owned("ExportSummaries", lambda e: table_name(e["ExportArn"])),
        "ListImports": drop_owned("ImportSummaryList", lambda i: table_name(i["TableArn"])),
    },
)

SERVICE_RULES[SERVICE] = RULES
