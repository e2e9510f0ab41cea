"""Scoped credentials: the generated session policy, its limits, and the exact AssumeRole request.

moto ignores session policies, session tags and ExternalId (THREATS.md), so these tests assert
what scopeguard would send to STS; ``test_policy_isolation.py`` proves what the policy denies.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from scopeguard._assume_role import AssumeRoleSpec, OperatorSettings
from scopeguard._credentials import CredentialCache
from scopeguard._exceptions import ConfigurationError, InvalidScope
from scopeguard._naming import NamingPolicy, PooledTable, ScopeRef
from scopeguard._policy import (
    DEFAULT_SERVICES,
    TenantRoleSettings,
    check_scoped_credentials,
    policy_size,
    scoped_spec,
    session_policy,
    session_tags,
)

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT = "123456789012"
# Slug tenant IDs only: with all nine services and two pooled resources, a 36-character UUID's
# policy would not fit STS's 2,048 characters (tests/test_policy_templates.py covers UUIDs).
NAMING = NamingPolicy(
    pooled_tables={"sessions": PooledTable("pk")}, pooled_buckets=frozenset({"shared-uploads"}),
    tenant_ids=frozenset({"slug"}),
)
ACME = ScopeRef("tenant", "acme")
SETTINGS = TenantRoleSettings(role_name="scopeguard-tenant", external_id="tenant-role-ext-1")


def statements(policy: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = policy["Statement"]
    return result


# -- the policy ----------------------------------------------------------------------------------


def test_own_resources_of_every_service_are_named_by_the_scope_prefix() -> None:
    own = statements(session_policy(NAMING, ACME, account_id=ACCOUNT))[0]
    assert own["Effect"] == "Allow" and "Condition" not in own
    assert own["Action"] == [f"{s}:*" for s in DEFAULT_SERVICES]
    assert own["Resource"] == [
        "arn:aws:dynamodb:*:123456789012:table/t-acme-*",
        "arn:aws:s3:::t-acme-*",
        "arn:aws:sqs:*:123456789012:t-acme-*",
        "arn:aws:sns:*:123456789012:t-acme-*",
        "arn:aws:secretsmanager:*:123456789012:secret:t-acme-*",
        "arn:aws:ssm:*:123456789012:parameter/t-acme-*",
        "arn:aws:ssm:*:123456789012:parameter/t-acme/*",
        "arn:aws:ssm:*:123456789012:parameter/t-acme",
        "arn:aws:events:*:123456789012:event-bus/t-acme-*",
        "arn:aws:events:*:123456789012:rule/t-acme-*/*",
        "arn:aws:kinesis:*:123456789012:stream/t-acme-*",
        "arn:aws:lambda:*:123456789012:function:t-acme-*",
    ]


def test_pooled_tables_are_held_to_leading_keys_with_no_forallvalues_hole() -> None:
    policy = session_policy(NAMING, ACME, account_id=ACCOUNT)
    tables = ["arn:aws:dynamodb:*:123456789012:table/sessions",
              "arn:aws:dynamodb:*:123456789012:table/sessions/*"]
    assert statements(policy)[1:3] == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:*Item", "dynamodb:Query"],
            "Resource": tables[:1],  # no index is configured with a tenant partition key
            "Condition": {
                "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["t-acme/*"]},
                "Null": {"dynamodb:LeadingKeys": "false"},
            },
        },
        {"Effect": "Deny", "Action": ["dynamodb:PartiQL*", "dynamodb:Scan"], "Resource": tables},
    ]


def test_configured_indexes_of_pooled_tables_are_queryable_others_not() -> None:
    naming = NamingPolicy(pooled_tables={"sessions": PooledTable("pk", {"by-user": "user_pk"})})
    allow = statements(session_policy(naming, ACME, account_id=ACCOUNT))[1]
    assert allow["Resource"] == [
        "arn:aws:dynamodb:*:123456789012:table/sessions",
        "arn:aws:dynamodb:*:123456789012:table/sessions/index/by-user",
    ]


def test_pooled_buckets_allow_the_key_prefix_and_listing_under_it_only() -> None:
    policy = session_policy(NAMING, ScopeRef("capsule", "dev"), account_id=ACCOUNT)
    objects, listing = statements(policy)[3:5]
    assert objects["Resource"] == ["arn:aws:s3:::shared-uploads/c-dev/*"]
    assert "Condition" not in objects and "s3:PutObjectAcl" not in objects["Action"]
    assert listing == {
        "Effect": "Allow",
        "Action": ["s3:ListBucket*"],
        "Resource": ["arn:aws:s3:::shared-uploads"],
        "Condition": {"StringLike": {"s3:prefix": ["c-dev/*"]}},
    }


def test_grants_are_denied_for_the_chosen_services_only() -> None:
    policy = session_policy(NAMING, ACME, account_id=ACCOUNT, services=["sqs", "lambda"])
    assert statements(policy) == [
        {
            "Effect": "Allow",
            "Action": ["sqs:*", "lambda:*"],
            "Resource": ["arn:aws:sqs:*:123456789012:t-acme-*",
                         "arn:aws:lambda:*:123456789012:function:t-acme-*"],
        },
        {"Effect": "Deny", "Action": ["sqs:AddPermission", "lambda:AddPermission"],
         "Resource": "*"},
    ]


def test_the_naming_policy_shapes_the_policy() -> None:
    naming = NamingPolicy(separator="_", tenant_marker="tn", key_delimiter="#",
                          pooled_tables={"sessions": PooledTable("pk")})
    text = json.dumps(session_policy(naming, naming.tenant("acme"), account_id=ACCOUNT,
                                     partition="aws-cn", region="cn-north-1"))
    assert "arn:aws-cn:sqs:cn-north-1:123456789012:tn_acme_*" in text
    assert '"tn_acme#*"' in text
    assert "t-acme" not in text and "arn:aws:" not in text


def test_order_of_services_does_not_change_the_policy() -> None:
    one = session_policy(NAMING, ACME, account_id=ACCOUNT, services=["s3", "sqs", "dynamodb"])
    two = session_policy(NAMING, ACME, account_id=ACCOUNT, services=("dynamodb", "sqs", "s3"))
    assert one == two


def test_every_string_is_literal_apart_from_trailing_wildcards() -> None:
    policy = session_policy(NAMING, ACME, account_id=ACCOUNT)

    def strings(node: Any) -> list[str]:
        if isinstance(node, dict):
            return [s for k, v in node.items() for s in (k, *strings(v))]
        if isinstance(node, list):
            return [s for v in node for s in strings(v)]
        return [node]

    values = strings(policy)
    assert not any("${" in v or "?" in v for v in values)
    resources = [r for s in statements(policy) for r in ([s["Resource"]]
                 if isinstance(s["Resource"], str) else s["Resource"])]
    for arn in resources:
        # '*' only as a region, at the very end (or, for rules, as the bus and the rule name),
        # or alone for the account-wide Deny.
        assert arn == "*" or re.fullmatch(
            r"arn:aws:[a-z0-9]+:(\*)?:(123456789012)?:[^*]+(\*|\*/\*)?", arn), arn


@pytest.mark.parametrize(
    ("scope", "error"),
    [
        (ScopeRef("platform"), ConfigurationError),
        (ScopeRef("operator", ACCOUNT, "Ops"), ConfigurationError),
        (ScopeRef("tenant", "Acme"), InvalidScope),
        (ScopeRef("tenant", "acme-x"), InvalidScope),
        (ScopeRef("tenant", ""), InvalidScope),
        (ScopeRef("capsule", "c" * 13), InvalidScope),
    ],
)
def test_only_canonical_tenant_and_capsule_scopes_get_a_policy(
    scope: ScopeRef, error: type[Exception]
) -> None:
    with pytest.raises(error):
        session_policy(NAMING, scope, account_id=ACCOUNT)


def test_capsules_outside_the_allow_list_get_no_policy() -> None:
    naming = NamingPolicy(capsules=frozenset({"dev", "prod"}))
    with pytest.raises(InvalidScope, match="not configured"):
        session_policy(naming, ScopeRef("capsule", "qa"), account_id=ACCOUNT)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"account_id": "12345678901"}, "12 ASCII digits"),
        ({"account_id": ACCOUNT, "partition": "azure"}, "partition"),
        ({"account_id": ACCOUNT, "region": "eu-west-*"}, "region"),
        ({"account_id": ACCOUNT, "services": ["dynamodb", "rds"]}, "rds"),
        ({"account_id": ACCOUNT, "services": []}, "deny everything"),
        ({"account_id": ACCOUNT, "services": "sqs"}, "not one string"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ConfigurationError, InvalidScope), match=message):
        session_policy(NAMING, ACME, **kwargs)


@pytest.mark.parametrize("name", ["sess*", "sess?ons", "s${aws:username}"])
def test_pooled_names_that_would_act_as_wildcards_are_refused(name: str) -> None:
    for naming in (NamingPolicy(pooled_tables={name: PooledTable("pk")}),
                   NamingPolicy(pooled_tables={"sessions": PooledTable("pk", {name: "k"})})):
        with pytest.raises(ConfigurationError, match="pooled table"):
            session_policy(naming, ACME, account_id=ACCOUNT)


# -- the size limit ------------------------------------------------------------------------------


def test_size_is_the_compact_json_length() -> None:
    policy = session_policy(NAMING, ACME, account_id=ACCOUNT)
    compact = json.dumps(policy, separators=(",", ":"))
    assert policy_size(policy) == len(compact) and " " not in compact
    assert policy_size(policy) <= 2048


def test_a_policy_over_2048_characters_is_refused_with_what_to_do() -> None:
    naming = NamingPolicy(pooled_tables={f"pooled{i}": PooledTable("pk") for i in range(10)})
    with pytest.raises(ConfigurationError, match=r"is 2\d{3} characters.*fewer services.*"
                                                 r"policy_arns") as refused:
        session_policy(naming, ACME, account_id=ACCOUNT)
    assert "packed" in str(refused.value)
    fewer = session_policy(naming, ACME, account_id=ACCOUNT, services=["dynamodb"])
    assert policy_size(fewer) <= 2048


def test_the_longest_ids_are_checked_at_configuration_time() -> None:
    # Fits for acme, not for a 24-character tenant: found before any tenant makes a request.
    naming = NamingPolicy(pooled_tables={"sessions": PooledTable("pk"),
                                         "audit": PooledTable("pk")},
                          pooled_buckets=frozenset({"shared-uploads"}))
    assert policy_size(session_policy(naming, ACME, account_id=ACCOUNT)) <= 2048
    with pytest.raises(ConfigurationError, match="tenant:0{24} is 2"):
        check_scoped_credentials(SETTINGS, naming, account_id=ACCOUNT)
    size = check_scoped_credentials(SETTINGS, NAMING, account_id=ACCOUNT)
    longest = scoped_spec(SETTINGS, NAMING, ScopeRef("tenant", "z" * 24), account_id=ACCOUNT)
    assert size == len(longest.policy or "") <= 2048


@pytest.mark.parametrize(
    ("capsules", "longest"),
    [(None, "0" * 12), (frozenset({"dev", "staging"}), "staging"), (frozenset(), None)],
)
def test_the_longest_capsule_is_one_the_naming_policy_admits(
    capsules: frozenset[str] | None, longest: str | None
) -> None:
    naming = NamingPolicy(capsules=capsules, max_tenant_id=4, tenant_ids=frozenset({"slug"}))
    expected = [scoped_spec(SETTINGS, naming, ScopeRef("tenant", "0000"), account_id=ACCOUNT)]
    if longest is not None:
        expected.append(scoped_spec(SETTINGS, naming, ScopeRef("capsule", longest),
                                    account_id=ACCOUNT))
    size = check_scoped_credentials(SETTINGS, naming, account_id=ACCOUNT)
    assert size == max(len(spec.policy or "") for spec in expected)


def test_an_oversized_policy_never_reaches_sts() -> None:
    client = boto3.Session(region_name="eu-west-1").client("sts")
    cache = CredentialCache(lambda: client, OperatorSettings())
    naming = NamingPolicy(pooled_tables={f"pooled{i}": PooledTable("pk") for i in range(10)})
    with Stubber(client) as stub:  # no responses queued: any call would fail the stub
        with pytest.raises(ConfigurationError):
            cache.credentials_for(scoped_spec(SETTINGS, naming, ACME, account_id=ACCOUNT))
        stub.assert_no_pending_responses()


# -- session tags --------------------------------------------------------------------------------


def test_session_tags_name_the_scope() -> None:
    assert session_tags(ACME) == (("scopeguard:id", "acme"), ("scopeguard:scope", "tenant"))
    assert session_tags(ScopeRef("capsule", "dev"), [("team", "payments")]) == (
        ("scopeguard:id", "dev"), ("scopeguard:scope", "capsule"), ("team", "payments"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ([(f"k{i}", "v") for i in range(49)], "at most 50"),
        ([("k" * 129, "v")], "1-128"),
        ([("", "v")], "1-128"),
        ([("k", "v" * 257)], "0-256"),
        ([("aws:team", "x")], "reserved"),
        ([("AWS:team", "x")], "reserved"),
        ([("Scopeguard:Scope", "platform")], "unique ignoring case"),
        ([("team", "a"), ("TEAM", "b")], "unique ignoring case"),
        ([("team", "semi;colon")], "letters, digits"),
        ([("new\nline", "x")], "letters, digits"),
    ],
)
def test_session_tag_limits(extra: list[tuple[str, str]], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        session_tags(ACME, extra)


def test_session_tags_at_the_limits_are_accepted() -> None:
    tags = session_tags(ACME, [(f"k{i:02}", "v") for i in range(48)])
    assert len(tags) == 50
    assert session_tags(ACME, [("k" * 128, "v" * 256), ("équipe / ops", "")])


# -- settings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of role_arn"),
        ({"role_name": "r", "role_arn": f"arn:aws:iam::{ACCOUNT}:role/r"}, "exactly one"),
        ({"role_arn": f"arn:aws:iam::{ACCOUNT}:user/r"}, "IAM role ARN"),
        ({"role_arn": "arn:aws:iam::1234:role/r"}, "12 ASCII digits"),
        ({"role_name": "../admin"}, "role"),
        ({"role_name": "r", "duration_seconds": 900}, "above 900"),
        ({"role_name": "r", "duration_seconds": 43201}, "at most 43200"),
        ({"role_name": "r", "duration_seconds": True}, "duration_seconds"),
        ({"role_name": "r", "services": ("sqs", "ec2")}, "ec2"),
        ({"role_name": "r", "region": "mars-1"}, "region"),
        ({"role_name": "r", "external_id": "x"}, "external_id"),
        ({"role_name": "r", "source_identity": "aws:me"}, "source_identity"),
        ({"role_name": "r", "session_name_prefix": "a" * 33}, "session_name_prefix"),
        ({"role_name": "r", "policy_arns": ("arn:aws:iam::aws:policy/x",) * 1
          + tuple(f"arn:aws:iam::{ACCOUNT}:policy/p{i}" for i in range(10))}, "at most 10"),
        ({"role_name": "r", "tags": (("aws:x", "y"),)}, "reserved"),
    ],
)
def test_settings_are_validated_on_construction(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ConfigurationError, InvalidScope), match=message):
        TenantRoleSettings(**kwargs)


def test_settings_are_normalised_so_equal_settings_compare_equal() -> None:
    one = TenantRoleSettings(role_name="r", services=["sqs", "s3"],  # type: ignore[arg-type]
                             tags={"b": "2", "a": "1"})  # type: ignore[arg-type]
    two = TenantRoleSettings(role_name="r", services=("s3", "sqs"),
                             tags=(("a", "1"), ("b", "2")))
    assert one == two and hash(one) == hash(two)
    assert one.services == ("s3", "sqs")


# -- the AssumeRole request ----------------------------------------------------------------------


def test_the_assume_role_request_for_a_tenant() -> None:
    settings = TenantRoleSettings(
        role_name="tenants/scopeguard-tenant", external_id="tenant-role-ext-1",
        duration_seconds=1800, source_identity="svc-orders",
        policy_arns=(f"arn:aws:iam::{ACCOUNT}:policy/tenant-boundary",),
        tags=(("team", "payments"),),
    )
    spec = scoped_spec(settings, NAMING, ACME, account_id=ACCOUNT)
    kwargs = spec.assume_role_kwargs()
    policy = json.loads(kwargs.pop("Policy"))
    assert policy == session_policy(NAMING, ACME, account_id=ACCOUNT)
    assert kwargs == {
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/tenants/scopeguard-tenant",
        "RoleSessionName": "scopeguard-t-acme",
        "DurationSeconds": 1800,
        "ExternalId": "tenant-role-ext-1",
        "SourceIdentity": "svc-orders",
        "PolicyArns": [{"arn": f"arn:aws:iam::{ACCOUNT}:policy/tenant-boundary"}],
        "Tags": [
            {"Key": "scopeguard:id", "Value": "acme"},
            {"Key": "scopeguard:scope", "Value": "tenant"},
            {"Key": "team", "Value": "payments"},
        ],
    }


def test_the_assume_role_request_for_a_capsule_on_a_role_in_another_account() -> None:
    settings = TenantRoleSettings(role_arn="arn:aws:iam::210987654321:role/capsule-runner",
                                  services=("dynamodb", "sqs"), session_name_prefix="app")
    spec = scoped_spec(settings, NAMING, ScopeRef("capsule", "dev"), account_id=ACCOUNT,
                       source_identity="deploy-42")
    kwargs = spec.assume_role_kwargs()
    assert kwargs["RoleArn"] == "arn:aws:iam::210987654321:role/capsule-runner"
    assert kwargs["RoleSessionName"] == "app-c-dev"
    assert kwargs["SourceIdentity"] == "deploy-42"
    assert "ExternalId" not in kwargs and "PolicyArns" not in kwargs
    policy = json.loads(kwargs["Policy"])
    # Resources stay in the factory's account, whichever account the role lives in.
    assert "arn:aws:sqs:*:123456789012:c-dev-*" in policy["Statement"][0]["Resource"]
    assert kwargs["Tags"] == [{"Key": "scopeguard:id", "Value": "dev"},
                              {"Key": "scopeguard:scope", "Value": "capsule"}]


def test_the_role_arn_must_be_in_the_factorys_partition() -> None:
    settings = TenantRoleSettings(role_arn="arn:aws-cn:iam::210987654321:role/r")
    with pytest.raises(ConfigurationError, match="partition 'aws'"):
        scoped_spec(settings, NAMING, ACME, account_id=ACCOUNT)
    spec = scoped_spec(settings, NAMING, ACME, account_id=ACCOUNT, partition="aws-cn")
    assert spec.role_arn == "arn:aws-cn:iam::210987654321:role/r"


def test_a_bad_source_identity_is_refused_before_the_request() -> None:
    with pytest.raises(ConfigurationError, match="source_identity"):
        scoped_spec(SETTINGS, NAMING, ACME, account_id=ACCOUNT, source_identity="a b")


def test_each_scope_gets_its_own_cache_key() -> None:
    specs = [scoped_spec(SETTINGS, NAMING, scope, account_id=ACCOUNT) for scope in (
        ACME, ScopeRef("tenant", "acme2"), ScopeRef("capsule", "acme"))]
    assert len(set(specs)) == 3
    assert len({s.role_session_name for s in specs}) == 3
    assert scoped_spec(SETTINGS, NAMING, ACME, account_id=ACCOUNT) == specs[0]
    other_identity = scoped_spec(SETTINGS, NAMING, ACME, account_id=ACCOUNT,
                                 source_identity="someone")
    assert other_identity != specs[0]


def test_the_longest_tenant_gets_a_valid_session_name() -> None:
    spec = scoped_spec(SETTINGS, NAMING, ScopeRef("tenant", "a" * 24), account_id=ACCOUNT)
    assert spec.role_session_name == "scopeguard-t-" + "a" * 24


def test_credentials_for_the_spec_send_exactly_this_assume_role() -> None:
    client = boto3.Session(region_name="eu-west-1").client("sts")
    cache = CredentialCache(lambda: client, OperatorSettings())
    spec = scoped_spec(SETTINGS, NAMING, ACME, account_id=ACCOUNT, source_identity="svc-orders")
    expiry = datetime.now(timezone.utc) + timedelta(hours=1)
    response = {
        "Credentials": {"AccessKeyId": "ASIAEXAMPLEEXAMPLE00", "SecretAccessKey": "s" * 40,
                        "SessionToken": "token", "Expiration": expiry},
        "AssumedRoleUser": {
            "AssumedRoleId": "AROAEXAMPLEEXAMPLE000:scopeguard-t-acme",
            "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/scopeguard-tenant/scopeguard-t-acme",
        },
        "PackedPolicySize": 61,
        "SourceIdentity": "svc-orders",
    }
    expected = {
        "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/scopeguard-tenant",
        "RoleSessionName": "scopeguard-t-acme",
        "DurationSeconds": 3600,
        "ExternalId": "tenant-role-ext-1",
        "SourceIdentity": "svc-orders",
        "Policy": json.dumps(session_policy(NAMING, ACME, account_id=ACCOUNT),
                             sort_keys=True, separators=(",", ":")),
        "Tags": [{"Key": "scopeguard:id", "Value": "acme"},
                 {"Key": "scopeguard:scope", "Value": "tenant"}],
    }
    with Stubber(client) as stub:
        stub.add_response("assume_role", response, expected_params=expected)
        credentials = cache.credentials_for(spec)
        frozen = credentials.get_frozen_credentials()
        assert frozen.access_key == "ASIAEXAMPLEEXAMPLE00"
        # A second use is a cache hit: still exactly one AssumeRole.
        assert cache.credentials_for(spec) is credentials
        stub.assert_no_pending_responses()


def test_spec_equals_one_built_by_hand() -> None:
    spec = scoped_spec(SETTINGS, NAMING, ACME, account_id=ACCOUNT)
    assert spec == AssumeRoleSpec.create(
        account_id=ACCOUNT, role_name="scopeguard-tenant", session_name="scopeguard-t-acme",
        duration_seconds=3600, external_id="tenant-role-ext-1",
        policy=session_policy(NAMING, ACME, account_id=ACCOUNT),
        tags={"scopeguard:scope": "tenant", "scopeguard:id": "acme"},
    )


# -- the docs ------------------------------------------------------------------------------------


def doc_blocks(language: str) -> list[str]:
    text = (ROOT / "docs" / "scoped-credentials.md").read_text(encoding="utf-8")
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_documented_policy_is_the_generated_one() -> None:
    (example,) = doc_blocks("python")[:1]
    namespace: dict[str, Any] = {}
    exec(compile(example, "docs/scoped-credentials.md", "exec"), namespace)
    (documented,) = doc_blocks("json")
    assert json.loads(documented) == namespace["policy"]
    assert namespace["spec"].assume_role_kwargs()["RoleSessionName"] == "scopeguard-t-acme"


def test_the_documented_sizes() -> None:
    text = (ROOT / "docs" / "scoped-credentials.md").read_text(encoding="utf-8")
    rows = {
        "nine services, nothing pooled": NamingPolicy(),
        "nine services, one pooled table and one pooled bucket": NAMING,
        "nine services, two pooled tables and one pooled bucket": NamingPolicy(
            pooled_tables={"sessions": PooledTable("pk"), "audit": PooledTable("pk")},
            pooled_buckets=frozenset({"shared-uploads"})),
    }
    for label, naming in rows.items():
        cells = []
        for scope in (ACME, ScopeRef("tenant", "x" * 24)):
            try:
                cells.append(f"{policy_size(session_policy(naming, scope, account_id=ACCOUNT)):,}")
            except ConfigurationError:
                cells.append("over the limit")
        assert f"| {label} | {cells[0]} | {cells[1]} |" in text
    assert f"tenant `acme` ({policy_size(session_policy(NAMING, ACME, account_id=ACCOUNT)):,} " \
        "characters once compacted)" in text
