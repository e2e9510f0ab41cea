"""Session policies isolate scopes: the evaluator on hand-checked cases, then, for scopes a != b,
a's generated policy denies every request on b's resources and allows a's own (property-based).

moto does not evaluate session policies (THREATS.md, "What moto can and cannot prove"), so the
policies are evaluated by ``scopeguard._policy_eval``, whose semantics the first half pins.
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
from hypothesis import Phase, assume, given, settings
from hypothesis import strategies as st

from scopeguard._exceptions import InvalidName
from scopeguard._naming import NamingPolicy, PooledTable, ScopeRef
from scopeguard._policy import DEFAULT_SERVICES, session_policy
from scopeguard._policy_eval import evaluate

# -- the evaluator -------------------------------------------------------------------------------

ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/t-acme-orders"


def allow(**statement: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]}


def test_nothing_matching_is_an_implicit_deny() -> None:
    policy = allow(Action="sqs:*", Resource="*")
    assert evaluate(policy, "dynamodb:GetItem", ARN, {}) == "ImplicitDeny"


def test_explicit_deny_wins_over_any_allow() -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Action": "dynamodb:GetItem", "Resource": ARN},
        ],
    }
    assert evaluate(policy, "dynamodb:GetItem", ARN, {}) == "Deny"
    assert evaluate(policy, "dynamodb:PutItem", ARN, {}) == "Allow"


def test_a_single_statement_object_is_accepted() -> None:
    policy = {"Version": "2012-10-17",
              "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    assert evaluate(policy, "s3:GetObject", "arn:aws:s3:::b/k", {}) == "Allow"


@pytest.mark.parametrize(
    ("pattern", "action", "matches"),
    [
        ("dynamodb:GetItem", "dynamodb:getitem", True),  # actions ignore case
        ("DynamoDB:*", "dynamodb:Scan", True),
        ("dynamodb:*Item", "dynamodb:BatchWriteItem", True),
        ("dynamodb:*Item", "dynamodb:PartiQLSelect", False),
        ("dynamodb:*Item", "dynamodb:StartBulkPutItems", False),
        ("dynamodb:Get?tem", "dynamodb:GetItem", True),
        ("dynamodb:Get?tem", "dynamodb:GetIItem", False),
        ("s3:Put*Acl", "s3:PutObjectAcl", True),
        ("s3:Put*Acl", "s3:PutObject", False),
        ("sqs:*", "sns:Publish", False),
        ("*", "kinesis:PutRecord", True),
    ],
)
def test_action_wildcards(pattern: str, action: str, matches: bool) -> None:
    expected = "Allow" if matches else "ImplicitDeny"
    assert evaluate(allow(Action=pattern, Resource="*"), action, ARN, {}) == expected


def test_not_action_matches_every_other_action() -> None:
    policy = allow(NotAction=["dynamodb:Scan", "dynamodb:PartiQL*"], Resource="*")
    assert evaluate(policy, "dynamodb:GetItem", ARN, {}) == "Allow"
    assert evaluate(policy, "dynamodb:PartiQLSelect", ARN, {}) == "ImplicitDeny"


@pytest.mark.parametrize(
    ("pattern", "resource", "matches"),
    [
        # '*' crosses '/': a table pattern covers its indexes, streams and backups.
        ("arn:aws:dynamodb:*:123456789012:table/t-acme-*",
         "arn:aws:dynamodb:eu-west-1:123456789012:table/t-acme-orders/index/by-user", True),
        # ARNs are case-sensitive.
        ("arn:aws:dynamodb:*:123456789012:table/T-acme-*", ARN, False),
        # The separator is part of the prefix: acme is not acme2.
        ("arn:aws:dynamodb:*:123456789012:table/t-acme-*",
         "arn:aws:dynamodb:eu-west-1:123456789012:table/t-acme2-orders", False),
        # Segment by segment: '*' in the region does not swallow the account.
        ("arn:aws:sqs:*:123456789012:t-acme-*", "arn:aws:sqs:eu-west-1:999999999999:t-acme-q",
         False),
        ("arn:aws:sqs:*:123456789012:t-acme-*", "arn:aws:sqs:eu-west-1:123456789012:t-acme-q",
         True),
        # '*' matches an empty segment (S3 ARNs have no region or account).
        ("arn:aws:s3:*:*:t-acme-*", "arn:aws:s3:::t-acme-b/key", True),
        # The last segment keeps its colons: a Lambda alias is under its function.
        ("arn:aws:lambda:*:123456789012:function:t-acme-*",
         "arn:aws:lambda:eu-west-1:123456789012:function:t-acme-f:live", True),
        # Another partition is another ARN.
        ("arn:aws:sqs:*:123456789012:t-acme-*",
         "arn:aws-cn:sqs:cn-north-1:123456789012:t-acme-q", False),
        ("arn:aws:s3:::b?", "arn:aws:s3:::b1", True),
        ("arn:aws:s3:::b?", "arn:aws:s3:::b12", False),
        ("*", "arn:aws:kinesis:eu-west-1:123456789012:stream/x", True),
    ],
)
def test_resource_wildcards(pattern: str, resource: str, matches: bool) -> None:
    expected = "Allow" if matches else "ImplicitDeny"
    assert evaluate(allow(Action="*", Resource=pattern), "x:Y", resource, {}) == expected


def test_not_resource() -> None:
    policy = allow(Action="*", NotResource="arn:aws:s3:::secret*")
    assert evaluate(policy, "s3:GetObject", "arn:aws:s3:::secret-b/k", {}) == "ImplicitDeny"
    assert evaluate(policy, "s3:GetObject", "arn:aws:s3:::public/k", {}) == "Allow"


def when(condition: Mapping[str, Any], context: Mapping[str, str | list[str]]) -> bool:
    decision = evaluate(allow(Action="*", Resource="*", Condition=condition), "s3:X", "arn:x",
                        context)
    return decision == "Allow"


@pytest.mark.parametrize(
    ("condition", "context", "holds"),
    [
        ({"StringEquals": {"s3:prefix": "a/"}}, {"s3:prefix": "a/"}, True),
        ({"StringEquals": {"s3:prefix": "a/"}}, {"s3:prefix": "A/"}, False),
        ({"StringEquals": {"S3:Prefix": "a/"}}, {"s3:prefix": "a/"}, True),  # key names: any case
        ({"StringLike": {"s3:prefix": "t-acme/*"}}, {"s3:prefix": "t-acme/x/y"}, True),
        ({"StringLike": {"s3:prefix": "t-acme/*"}}, {"s3:prefix": "t-acme"}, False),
        ({"StringLike": {"s3:prefix": "t-acme/*"}}, {"s3:prefix": "t-acme2/"}, False),
        ({"StringLike": {"s3:prefix": ["x/*", "t-acme/*"]}}, {"s3:prefix": "t-acme/"}, True),
        # Missing keys: positive operators are false, negated ones true.
        ({"StringLike": {"s3:prefix": "*"}}, {}, False),
        ({"StringEquals": {"s3:prefix": ""}}, {}, False),
        ({"StringNotLike": {"s3:prefix": "t-acme/*"}}, {}, True),
        ({"StringNotLike": {"s3:prefix": "t-acme/*"}}, {"s3:prefix": "t-acme/x"}, False),
        ({"StringNotLike": {"s3:prefix": "t-acme/*"}}, {"s3:prefix": "t-globex/x"}, True),
        ({"StringLikeIfExists": {"s3:prefix": "t-acme/*"}}, {}, True),
        ({"StringLikeIfExists": {"s3:prefix": "t-acme/*"}}, {"s3:prefix": "x"}, False),
        # Null tests presence; an empty multivalued key counts as absent.
        ({"Null": {"dynamodb:LeadingKeys": "true"}}, {}, True),
        ({"Null": {"dynamodb:LeadingKeys": "true"}}, {"dynamodb:LeadingKeys": []}, True),
        ({"Null": {"dynamodb:LeadingKeys": "false"}}, {"dynamodb:LeadingKeys": ["k"]}, True),
        ({"Null": {"dynamodb:LeadingKeys": False}}, {}, False),
        # Every operator and every key must hold.
        ({"StringLike": {"s3:prefix": "a*"}, "StringEquals": {"s3:delimiter": "/"}},
         {"s3:prefix": "ab"}, False),
        ({"StringLike": {"s3:prefix": "a*", "s3:delimiter": "/"}},
         {"s3:prefix": "ab", "s3:delimiter": "/"}, True),
    ],
)
def test_single_valued_conditions(
    condition: Mapping[str, Any], context: Mapping[str, str | list[str]], holds: bool
) -> None:
    assert when(condition, context) is holds


LIKE_ACME = ["t-acme/*"]


@pytest.mark.parametrize(
    ("operator", "keys", "holds"),
    [
        # THE TRAP: ForAllValues over no values at all is vacuously true.
        ("ForAllValues:StringLike", None, True),
        ("ForAllValues:StringLike", [], True),
        ("ForAllValues:StringLike", ["t-acme/1"], True),
        ("ForAllValues:StringLike", ["t-acme/1", "t-acme/2"], True),
        ("ForAllValues:StringLike", ["t-acme/1", "t-globex/2"], False),
        ("ForAllValues:StringLike", ["t-acme2/1"], False),
        ("ForAnyValue:StringLike", None, False),
        ("ForAnyValue:StringLike", [], False),
        ("ForAnyValue:StringLike", ["t-globex/2", "t-acme/1"], True),
        ("ForAnyValue:StringNotLike", ["t-acme/1"], False),
        ("ForAnyValue:StringNotLike", ["t-acme/1", "t-globex/2"], True),
        ("ForAnyValue:StringNotLike", None, False),
        ("ForAllValues:StringNotLike", ["t-globex/2"], True),
        ("ForAllValues:StringNotLike", None, True),
        ("ForAnyValue:StringLikeIfExists", None, True),
        ("ForAnyValue:StringLikeIfExists", ["t-globex/2"], False),
        ("ForAnyValue:StringEquals", ["t-acme/*"], True),  # Equals does not expand wildcards
        ("ForAnyValue:StringEquals", ["t-acme/1"], False),
    ],
)
def test_multivalued_conditions(operator: str, keys: list[str] | None, holds: bool) -> None:
    context = {} if keys is None else {"dynamodb:LeadingKeys": keys}
    assert when({operator: {"dynamodb:LeadingKeys": LIKE_ACME}}, context) is holds


def test_the_forallvalues_hole_and_how_null_closes_it() -> None:
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/sessions"
    naive = allow(Action="dynamodb:*", Resource=table,
                  Condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": LIKE_ACME}})
    # A Scan carries no leading keys: the naive policy lets it read every tenant's items.
    assert evaluate(naive, "dynamodb:Scan", table, {}) == "Allow"
    closed = allow(Action="dynamodb:*", Resource=table,
                   Condition={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": LIKE_ACME},
                              "Null": {"dynamodb:LeadingKeys": "false"}})
    assert evaluate(closed, "dynamodb:Scan", table, {}) == "ImplicitDeny"
    assert evaluate(closed, "dynamodb:GetItem", table,
                    {"dynamodb:LeadingKeys": ["t-acme/1"]}) == "Allow"


@pytest.mark.parametrize(
    ("policy", "context", "message"),
    [
        (allow(Action="*", Resource="*", Condition={"NumericLessThan": {"k": "1"}}), {},
         "not supported"),
        (allow(Action="*", Resource="arn:aws:s3:::${aws:username}"), {}, "policy variables"),
        (allow(Action="*", Resource="*", Condition={"StringLike": {"k": "${aws:username}"}}),
         {}, "policy variables"),
        # A list given to a single-valued operator is ambiguous in IAM: refuse to guess.
        (allow(Action="*", Resource="*", Condition={"StringLike": {"k": "a"}}), {"k": ["a"]},
         "multivalued"),
        (allow(Action="*", Resource="*", Condition={"Null": {"k": "maybe"}}), {}, "Null"),
        ({"Version": "2008-10-17", "Statement": []}, {}, "Version"),
        (allow(Resource="*"), {}, "Action"),
        (allow(Action="*"), {}, "Resource"),
    ],
)
def test_what_the_evaluator_does_not_understand_is_refused(
    policy: dict[str, Any], context: Mapping[str, str | list[str]], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        evaluate(policy, "s3:GetObject", "arn:aws:s3:::b/k", context)


# -- the generated policies ----------------------------------------------------------------------

ACCOUNT = "123456789012"
OTHER_ACCOUNT = "210987654321"
REGION = "eu-west-1"
NAMING = NamingPolicy(
    pooled_tables={"sessions": PooledTable("pk", {"by-user": "user_pk"})},
    pooled_buckets=frozenset({"shared-uploads"}),
)
# The property test covers IDs up to 24 characters; with both a pooled table and a pooled bucket
# such a policy can exceed STS's 2,048 characters, so it runs on each pooling on its own (their
# statements are independent of each other).
NAMINGS = {
    "pooled table": NamingPolicy(
        pooled_tables={"sessions": PooledTable("pk", {"by-user": "user_pk"})}),
    "pooled bucket": NamingPolicy(pooled_buckets=frozenset({"shared-uploads"})),
}


@dataclass(frozen=True)
class Probe:
    """One request as IAM authorises it: action, resource ARN, condition keys."""

    action: str
    resource: str
    context: Mapping[str, str | list[str]] = field(default_factory=dict)


def _arn(service: str, resource: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:{service}:{REGION}:{account}:{resource}"


def own_probes(naming: NamingPolicy, scope: ScopeRef, logical: str) -> Iterator[Probe]:
    """What a scope's clients do to its own resources named ``logical``, for every action family
    the guard allows in tenant/capsule scope, as IAM sees the request."""
    def phys(service: str) -> str:
        return naming.physical_name(scope, service, logical)

    table = _arn("dynamodb", f"table/{phys('dynamodb')}")
    for resource in (table, f"{table}/index/by-{logical}", f"{table}/backup/01700000000000-abc",
                     f"{table}/export/01700000000000-abc"):
        for op in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "BatchGetItem",
                   "BatchWriteItem", "ConditionCheckItem", "Query", "Scan", "PartiQLSelect",
                   "PartiQLInsert", "DescribeTable", "CreateTable", "UpdateTable",
                   "DeleteTable", "TagResource", "CreateBackup", "DescribeBackup"):
            yield Probe(f"dynamodb:{op}", resource)
    stream = f"{table}/stream/2026-01-01T00:00:00.000"
    for op in ("DescribeStream", "GetShardIterator", "GetRecords"):
        yield Probe(f"dynamodb:{op}", stream)

    bucket = f"arn:aws:s3:::{phys('s3')}"
    for op in ("ListBucket", "ListBucketVersions", "GetBucketLocation", "PutBucketTagging",
               "PutLifecycleConfiguration", "CreateBucket", "DeleteBucket"):
        yield Probe(f"s3:{op}", bucket)
    for key in (logical, f"{logical}/nested/{logical}.json"):
        for op in ("GetObject", "PutObject", "DeleteObject", "GetObjectTagging",
                   "AbortMultipartUpload", "ListMultipartUploadParts"):
            yield Probe(f"s3:{op}", f"{bucket}/{key}")

    for queue in (phys("sqs"), naming.physical_name(scope, "sqs", f"{logical[:70]}.fifo")):
        for op in ("SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
                   "GetQueueAttributes", "SetQueueAttributes", "GetQueueUrl", "PurgeQueue",
                   "CreateQueue", "DeleteQueue", "TagQueue"):
            yield Probe(f"sqs:{op}", _arn("sqs", queue))

    topic = _arn("sns", phys("sns"))
    for op in ("Publish", "Subscribe", "CreateTopic", "DeleteTopic", "GetTopicAttributes",
               "SetTopicAttributes", "ListSubscriptionsByTopic", "TagResource"):
        yield Probe(f"sns:{op}", topic)
    yield Probe("sns:Unsubscribe", f"{topic}:0f0e0d0c-0b0a-0908-0706-050403020100")

    secret = _arn("secretsmanager", f"secret:{phys('secretsmanager')}-AbCdEf")
    for op in ("GetSecretValue", "PutSecretValue", "DescribeSecret", "CreateSecret",
               "UpdateSecret", "DeleteSecret", "RotateSecret", "TagResource"):
        yield Probe(f"secretsmanager:{op}", secret)

    # Flat (t-acme-db) and hierarchical (/t-acme/db/x: the ARN drops the leading "/") names,
    # and the paths GetParametersByPath reads: the scope's root /t-acme and below.
    hierarchical = naming.physical_name(scope, "ssm", f"/{logical}/x")
    for parameter in (f"parameter/{phys('ssm')}", f"parameter{hierarchical}"):
        for op in ("GetParameter", "GetParameters", "PutParameter", "DeleteParameter",
                   "GetParameterHistory", "LabelParameterVersion", "AddTagsToResource"):
            yield Probe(f"ssm:{op}", _arn("ssm", parameter))
    root = naming.path_prefix(scope)[:-1]
    for path in (root, f"{root}/{logical}"):
        yield Probe("ssm:GetParametersByPath", _arn("ssm", f"parameter{path}"))

    bus = phys("events")
    yield Probe("events:PutEvents", _arn("events", f"event-bus/{bus}"))
    yield Probe("events:DescribeEventBus", _arn("events", f"event-bus/{bus}"))
    for op in ("PutRule", "PutTargets", "RemoveTargets", "DeleteRule", "DescribeRule",
               "EnableRule", "DisableRule"):
        yield Probe(f"events:{op}", _arn("events", f"rule/{bus}/{logical}"))  # on its own bus

    stream_arn = _arn("kinesis", f"stream/{phys('kinesis')}")
    for op in ("PutRecord", "PutRecords", "GetRecords", "GetShardIterator", "DescribeStream",
               "DescribeStreamSummary", "ListShards", "CreateStream", "DeleteStream",
               "RegisterStreamConsumer"):
        yield Probe(f"kinesis:{op}", stream_arn)
    yield Probe("kinesis:SubscribeToShard", f"{stream_arn}/consumer/{logical}:1700000000")

    function = _arn("lambda", f"function:{phys('lambda')}")
    for resource in (function, f"{function}:live", f"{function}:7"):
        for op in ("InvokeFunction", "GetFunction", "GetFunctionConfiguration",
                   "UpdateFunctionCode", "UpdateFunctionConfiguration", "PublishVersion",
                   "CreateAlias", "DeleteFunction", "TagResource"):
            yield Probe(f"lambda:{op}", resource)

    yield from pooled_probes(naming, scope, logical)


def pooled_probes(naming: NamingPolicy, scope: ScopeRef, logical: str) -> Iterator[Probe]:
    """Requests on pooled tables and buckets that carry the scope's own key prefix."""
    key = naming.key_prefix(scope)
    for name, table in naming.pooled_tables.items():
        arn = _arn("dynamodb", f"table/{name}")
        item = {"dynamodb:LeadingKeys": [f"{key}{logical}"]}
        for op in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "ConditionCheckItem",
                   "Query"):
            yield Probe(f"dynamodb:{op}", arn, item)
        for op in ("BatchGetItem", "BatchWriteItem"):
            yield Probe(f"dynamodb:{op}", arn,
                        {"dynamodb:LeadingKeys": [f"{key}{logical}", f"{key}2"]})
        for index in table.indexes:
            yield Probe("dynamodb:Query", f"{arn}/index/{index}", item)
    for bucket in sorted(naming.pooled_buckets):
        for k in (f"{key}{logical}", f"{key}{logical}/a/b.txt"):
            for op in ("GetObject", "PutObject", "DeleteObject", "AbortMultipartUpload"):
                yield Probe(f"s3:{op}", f"arn:aws:s3:::{bucket}/{k}")
        for prefix in (key, f"{key}{logical}", f"{key}{logical}/"):
            for op in ("ListBucket", "ListBucketVersions", "ListBucketMultipartUploads"):
                yield Probe(f"s3:{op}", f"arn:aws:s3:::{bucket}", {"s3:prefix": prefix})


def always_denied(naming: NamingPolicy, scope: ScopeRef) -> Iterator[Probe]:
    """Requests the guard refuses in ``scope`` whatever the resource name: keyless reads of
    pooled tables, ForAllValues over no keys, foreign or mixed keys, listings without the
    delimiter, ``scope``'s own names in another account, grants on its own resources."""
    key = naming.key_prefix(scope)
    other = "zz9" if scope.id != "zz9" else "zz8"
    foreign = f"t-{other}/x"
    for name, table in naming.pooled_tables.items():
        arn = _arn("dynamodb", f"table/{name}")
        for resource in (arn, *(f"{arn}/index/{i}" for i in table.indexes)):
            for op in ("Scan", "PartiQLSelect", "PartiQLUpdate", "Query", "GetItem"):
                yield Probe(f"dynamodb:{op}", resource)  # no LeadingKeys at all
                yield Probe(f"dynamodb:{op}", resource, {"dynamodb:LeadingKeys": []})
            for op in ("Scan", "PartiQLSelect", "PartiQLDelete"):
                yield Probe(f"dynamodb:{op}", resource, {"dynamodb:LeadingKeys": [f"{key}1"]})
            for op in ("GetItem", "BatchGetItem", "BatchWriteItem", "Query"):
                yield Probe(f"dynamodb:{op}", resource, {"dynamodb:LeadingKeys": [foreign]})
                yield Probe(f"dynamodb:{op}", resource,
                            {"dynamodb:LeadingKeys": [f"{key}1", foreign]})
                # the key prefix without its delimiter: acme must not reach acme2
                yield Probe(f"dynamodb:{op}", resource,
                            {"dynamodb:LeadingKeys": [f"{key[:-1]}2/x"]})
        for op in ("DescribeTable", "UpdateTable", "DeleteTable", "PutResourcePolicy"):
            yield Probe(f"dynamodb:{op}", arn)
        # An index not configured with a tenant partition key: its key may be anything.
        yield Probe("dynamodb:Query", f"{arn}/index/unconfigured",
                    {"dynamodb:LeadingKeys": [f"{key}1"]})
    for bucket in sorted(naming.pooled_buckets):
        b = f"arn:aws:s3:::{bucket}"
        for op in ("ListBucket", "ListBucketVersions", "ListBucketMultipartUploads"):
            yield Probe(f"s3:{op}", b)
            for prefix in ("", key[:-1], f"{key[:-1]}2/", foreign):
                yield Probe(f"s3:{op}", b, {"s3:prefix": prefix})
        for k in (foreign, f"{key[:-1]}2/x", "x"):
            yield Probe("s3:GetObject", f"{b}/{k}")
        for op in ("PutObjectAcl", "PutBucketPolicy", "DeleteBucket", "PutBucketTagging"):
            yield Probe(f"s3:{op}", b)
    prefix = naming.name_prefix(scope)
    for service, resource in (("sqs", f"{prefix}q"), ("sns", f"{prefix}t"),
                              ("dynamodb", f"table/{prefix}t"), ("kinesis", f"stream/{prefix}s"),
                              ("lambda", f"function:{prefix}f"),
                              ("secretsmanager", f"secret:{prefix}s-AbCdEf"),
                              ("ssm", f"parameter/{prefix}p"),
                              ("events", f"event-bus/{prefix}b")):
        yield Probe(f"{service}:GetThing", _arn(service, resource, OTHER_ACCOUNT))
    for action, resource in (
        ("sqs:AddPermission", _arn("sqs", f"{prefix}q")),
        ("sns:AddPermission", _arn("sns", f"{prefix}t")),
        ("lambda:AddPermission", _arn("lambda", f"function:{prefix}f")),
        ("secretsmanager:PutResourcePolicy", _arn("secretsmanager", f"secret:{prefix}s-AbCdEf")),
        ("dynamodb:PutResourcePolicy", _arn("dynamodb", f"table/{prefix}t")),
        ("kinesis:PutResourcePolicy", _arn("kinesis", f"stream/{prefix}s")),
        ("events:PutPermission", _arn("events", f"event-bus/{prefix}b")),
        ("s3:PutBucketPolicy", f"arn:aws:s3:::{prefix}b"),
        ("s3:PutBucketAcl", f"arn:aws:s3:::{prefix}b"),
        ("s3:PutObjectAcl", f"arn:aws:s3:::{prefix}b/k"),
    ):
        yield Probe(action, resource)
    # A rule named like the scope's on another scope's bus is that scope's rule; a rule on the
    # default bus reads every scope's events (the guard refuses the default bus).
    yield Probe("events:PutTargets", _arn("events", f"rule/t-{other}-bus/{prefix}r"))
    for op in ("PutRule", "PutTargets"):
        yield Probe(f"events:{op}", _arn("events", f"rule/{prefix}r"))
    yield Probe("events:PutEvents", _arn("events", "event-bus/default"))
    # SSM: the root path without its delimiter is not a prefix of the scope's paths.
    root = naming.path_prefix(scope)[:-1]
    yield Probe("ssm:GetParametersByPath", _arn("ssm", f"parameter{root}2"))
    yield Probe("ssm:GetParameter", _arn("ssm", f"parameter{root}2/x"))
    # Lambda layers, even the scope's own, are left to the platform scope.
    yield Probe("lambda:PublishLayerVersion", _arn("lambda", f"layer:{prefix}l"))
    yield Probe("lambda:GetLayerVersion", _arn("lambda", f"layer:{prefix}l:1"))
    # Nothing outside the nine services.
    yield Probe("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/{prefix}r")
    yield Probe("sts:AssumeRole", f"arn:aws:iam::{ACCOUNT}:role/{prefix}r")


@cache
def policy_for(scope: ScopeRef, pooling: str = "") -> dict[str, Any]:
    return session_policy(NAMINGS.get(pooling, NAMING), scope, account_id=ACCOUNT)


def decide(policy: Mapping[str, Any], probe: Probe) -> str:
    return evaluate(policy, probe.action, probe.resource, probe.context)


def assert_denied(policy: Mapping[str, Any], probes: Iterator[Probe], whose: ScopeRef) -> None:
    allowed = [p for p in probes if decide(policy, p) == "Allow"]
    assert not allowed, f"allowed on {whose}'s resources: {allowed[:5]}"


def assert_allowed(policy: Mapping[str, Any], probes: Iterator[Probe]) -> None:
    refused = [(p, d) for p in probes if (d := decide(policy, p)) != "Allow"]
    assert not refused, f"own resources refused: {refused[:5]}"


ids = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=24)
scopes = st.one_of(
    ids.map(lambda i: ScopeRef("tenant", i)),
    ids.filter(lambda i: len(i) <= 12).map(lambda i: ScopeRef("capsule", i)),
)
# Names valid in all nine services; separators and markers over-represented on purpose.
logical_names = st.text(alphabet="tc-0123456789abcmexyz", min_size=3, max_size=30)


def valid_everywhere(name: str) -> bool:
    try:
        for service in DEFAULT_SERVICES:
            NAMING.check_logical(service, name)
        for scope in (ScopeRef("tenant", "x" * 24), ScopeRef("capsule", "x" * 12)):
            for service in DEFAULT_SERVICES:
                NAMING.physical_name(scope, service, name)
            NAMING.physical_name(scope, "ssm", f"/{name}/x")
    except InvalidName:
        return False
    return True


NEIGHBOURS = [
    (ScopeRef("tenant", "acme"), ScopeRef("tenant", "acme2")),
    (ScopeRef("tenant", "acme2"), ScopeRef("tenant", "acme")),
    (ScopeRef("tenant", "acme"), ScopeRef("capsule", "acme")),
    (ScopeRef("capsule", "acme"), ScopeRef("tenant", "acme")),
    (ScopeRef("tenant", "0"), ScopeRef("tenant", "00")),
    (ScopeRef("capsule", "dev"), ScopeRef("capsule", "dev2")),
]


@pytest.mark.parametrize(("a", "b"), NEIGHBOURS, ids=lambda s: str(s))
def test_neighbouring_scopes_are_isolated(a: ScopeRef, b: ScopeRef) -> None:
    policy = policy_for(a)
    assert_allowed(policy, own_probes(NAMING, a, "orders"))
    assert_denied(policy, own_probes(NAMING, b, "orders"), b)
    # Names that put b's ID where a logical name starts: t-acme-x-orders is acme's, and
    # t-acme2-orders is acme2's, whatever the logical names are.
    assert_denied(policy, own_probes(NAMING, b, f"x-{a.id}-orders"), b)
    assert_denied(policy, always_denied(NAMING, a), a)


# Each example evaluates about a thousand requests; shrinking a failure would take minutes, and
# the deterministic neighbour cases above name the failing rule much faster.
@settings(max_examples=60, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(a=scopes, b=scopes, name_a=logical_names, name_b=logical_names,
       pooling=st.sampled_from(sorted(NAMINGS)))
def test_a_policy_denies_everything_of_another_scope_and_allows_its_own(
    a: ScopeRef, b: ScopeRef, name_a: str, name_b: str, pooling: str
) -> None:
    assume(a != b)
    assume(valid_everywhere(name_a) and valid_everywhere(name_b))
    naming, policy = NAMINGS[pooling], policy_for(a, pooling)
    assert_allowed(policy, own_probes(naming, a, name_a))
    assert_denied(policy, own_probes(naming, b, name_b), b)
    assert_denied(policy, own_probes(naming, b, name_a), b)  # the same logical name too
    assert_denied(policy, always_denied(naming, a), a)


@cache
def botocore_operations(service: str) -> tuple[str, ...]:
    import botocore.session

    model = botocore.session.get_session().get_service_model(service)
    return tuple(model.operation_names)


def every_operation_on(probes: Iterator[Probe]) -> Iterator[Probe]:
    """Each probe's resource with every operation its service's model defines as the action,
    and its context with and without the condition keys."""
    for probe in probes:
        service = probe.action.split(":")[0]
        for op in botocore_operations(service):
            yield Probe(f"{service}:{op}", probe.resource, probe.context)
            if probe.context:
                yield Probe(f"{service}:{op}", probe.resource)


@pytest.mark.parametrize(("a", "b"), NEIGHBOURS[:3], ids=lambda s: str(s))
def test_every_operation_of_every_service_is_denied_on_another_scopes_resources(
    a: ScopeRef, b: ScopeRef
) -> None:
    # One probe per distinct resource of b: every operation name of the service model as the
    # action, so an operation the guard allows (or a botocore upgrade adds) cannot slip through.
    resources = {(p.action.split(":")[0], p.resource, repr(sorted(p.context.items()))): p
                 for p in own_probes(NAMING, b, "orders")}
    assert_denied(policy_for(a), every_operation_on(iter(resources.values())), b)


def test_every_covered_service_has_probes() -> None:
    probed = {p.action.split(":")[0] for p in own_probes(NAMING, ScopeRef("tenant", "a"), "xyz")}
    assert probed == set(DEFAULT_SERVICES)


def test_the_default_bus_and_pooled_free_policy_isolates_too() -> None:
    plain = NamingPolicy(separator="_", key_delimiter="#")
    a, b = ScopeRef("tenant", "acme"), ScopeRef("tenant", "acme2")
    policy = session_policy(plain, a, account_id=ACCOUNT)
    assert_allowed(policy, own_probes(plain, a, "orders"))
    assert_denied(policy, own_probes(plain, b, "orders"), b)
    # No pooled tables configured: nothing at all on tables outside the prefix.
    assert decide(policy, Probe("dynamodb:GetItem", _arn("dynamodb", "table/sessions"),
                                {"dynamodb:LeadingKeys": ["t_acme#1"]})) == "ImplicitDeny"


def test_a_policy_limited_to_some_services_allows_nothing_of_the_others() -> None:
    a = ScopeRef("tenant", "acme")
    policy = session_policy(NAMING, a, account_id=ACCOUNT, services=("sqs", "s3"))
    probes = list(own_probes(NAMING, a, "orders"))
    assert_allowed(policy, (p for p in probes if p.action.split(":")[0] in ("sqs", "s3")))
    assert_denied(policy, (p for p in probes if p.action.split(":")[0] not in ("sqs", "s3")), a)


def test_a_region_pinned_policy_denies_other_regions() -> None:
    a = ScopeRef("tenant", "acme")
    policy = session_policy(NAMING, a, account_id=ACCOUNT, region="eu-central-1")
    probe = Probe("sqs:SendMessage", _arn("sqs", "t-acme-q"))  # eu-west-1
    assert decide(policy, probe) == "ImplicitDeny"
    pinned = Probe("sqs:SendMessage", probe.resource.replace(REGION, "eu-central-1"))
    assert decide(policy, pinned) == "Allow"


def test_scan_partiql_and_grants_are_explicit_denies() -> None:
    # Explicit, not merely absent from an Allow: an explicit deny in a session policy also binds
    # where a resource policy names the session itself (which bypasses implicit denies).
    a = ScopeRef("tenant", "acme")
    policy = policy_for(a)
    table = _arn("dynamodb", "table/sessions")
    own_key = {"dynamodb:LeadingKeys": ["t-acme/1"]}
    for action in ("dynamodb:Scan", "dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert",
                   "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete"):
        for resource in (table, f"{table}/index/by-user"):
            assert decide(policy, Probe(action, resource)) == "Deny"
            assert decide(policy, Probe(action, resource, own_key)) == "Deny"
    grants = [p for p in always_denied(NAMING, a)
              if p.action.split(":")[1] in ("AddPermission", "PutPermission", "PutResourcePolicy",
                                            "PutBucketPolicy", "PutBucketAcl", "PutObjectAcl")]
    assert len(grants) == 13  # ten on its own resources, three on pooled ones
    assert all(decide(policy, p) == "Deny" for p in grants)
