"""Session policies follow the naming templates: under each template set, scope a's generated
policy denies every request on scope b's resources and allows a's own (property-based, with the
project's IAM evaluator; moto does not evaluate session policies)."""

from __future__ import annotations

import string
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from scopeguard._exceptions import InvalidName, InvalidScope
from scopeguard._naming import NamingPolicy, PooledTable, ScopeRef
from scopeguard._policy import session_policy
from scopeguard._policy_eval import evaluate

ACCOUNT = "123456789012"
REGION = "eu-west-1"

# Three conventions an existing application may have, each with the services its policy names.
TEMPLATE_SETS: dict[str, tuple[NamingPolicy, tuple[str, ...]]] = {
    # Reference-style: UUID tenants, <Entity>-<tenantId> tables and queues, /<app>/<tenantId>/...
    # parameters, <app>-<compact tenant>-<name> buckets, a pooled table keyed <tenantId>-, a
    # pooled bucket with <tenantId>/ prefixes, no capsules.
    "entity-suffix": (
        NamingPolicy(
            tenant_ids=frozenset({"uuid", "uuid-hex"}),
            capsules=frozenset(),
            templates={
                "dynamodb": "{logical}-{tenant}",
                "sqs": "{logical}-{tenant}",
                "sns": "{logical}-{tenant}",
                "ssm": "/{app}/{tenant}/{logical}",
                "s3": "{app}-{tenant}-{logical}",
            },
            variables={"app": "saas"},
            pooled_tables={"Product-pooled": PooledTable("shardId")},
            pooled_buckets=frozenset({"saas-shared"}),
            key_templates={"Product-pooled": "{tenant}-", "saas-shared": "{tenant}/"},
        ),
        ("dynamodb", "s3", "sqs", "sns", "ssm"),
    ),
    # Tables whose partition key is the tenant ID itself, or a word and the ID: one partition
    # per tenant, compared whole.
    "whole-key": (
        NamingPolicy(
            tenant_ids=frozenset({"uuid"}),
            capsules=frozenset(),
            pooled_tables={"TenantDetails": PooledTable("tenantId"),
                           "Metering": PooledTable("data_type")},
            key_templates={"TenantDetails": "{tenant}", "Metering": "TENANT#{tenant}"},
        ),
        ("dynamodb",),
    ),
    # App-prefixed names, slugs and UUIDs, capsules in the default layout, and one table with
    # a name of its own.
    "app-prefix": (
        NamingPolicy(
            templates={
                "dynamodb": "{app}_{tenant}_{logical}",
                "dynamodb:settings": "settings-{tenant}",
                "lambda": "{app}-{tenant}-{logical}",
                "kinesis": "{app}-{tenant}-{logical}",
                "ssm": "/{app}/{tenant}/{logical}",
            },
            variables={"app": "shop"},
        ),
        ("dynamodb", "lambda", "kinesis", "ssm", "secretsmanager"),
    ),
    # The default layout with slugs next to dashed UUIDs (t-12345678-* must not reach
    # t-12345678-1234-...), compact S3 tokens and the default pooled key prefix.
    "default-with-uuids": (
        NamingPolicy(pooled_tables={"sessions": PooledTable("pk")}),
        ("dynamodb", "s3", "sqs", "events", "secretsmanager"),
    ),
}

UUIDS = st.uuids().map(str)
HEXES = st.uuids().map(lambda u: u.hex)
GROUPS = st.sampled_from(["12345678", "123456789abc", "0a1b2c3d"])
SLUGS = st.text(alphabet=string.ascii_lowercase + string.digits, min_size=1, max_size=24)


def tenant_ids(naming: NamingPolicy) -> st.SearchStrategy[str]:
    options = []
    if "uuid" in naming.tenant_ids:
        options.append(UUIDS)
        # A slug that is a UUID's first group, next to UUIDs that start with it.
        options.append(GROUPS.map(lambda g: g + "-1234-4321-8000-00000000000a" if len(g) == 8
                                  else "00000000-1234-4321-8000-" + g))
    if "uuid-hex" in naming.tenant_ids:
        options.append(HEXES)
    if "slug" in naming.tenant_ids:
        options += [SLUGS, GROUPS]
    return st.one_of(options)


def scopes(naming: NamingPolicy) -> st.SearchStrategy[ScopeRef]:
    def valid(tenant: str) -> ScopeRef | None:
        try:
            return naming.tenant(tenant)
        except InvalidScope:
            return None

    tenants = tenant_ids(naming).map(valid).filter(lambda s: s is not None)
    if naming.capsules is not None and not naming.capsules:
        return tenants  # type: ignore[return-value]
    capsules = st.text(alphabet="cdev0123", min_size=1, max_size=12).map(naming.capsule)
    return st.one_of(tenants, capsules)  # type: ignore[arg-type]


LOGICAL = st.sampled_from(["Product", "Order", "orders", "settings", "db", "a-b", "x_y", "cfg.v2"])


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def probes(naming: NamingPolicy, services: tuple[str, ...], scope: ScopeRef,
           logical: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Requests on ``scope``'s resource named ``logical`` in each service, as IAM sees them."""
    for service in services:
        try:
            p = naming.physical_name(scope, service, logical)
        except InvalidName:
            continue
        if service == "dynamodb":
            table = _arn("dynamodb", f"table/{p}")
            yield "dynamodb:GetItem", table, {}
            yield "dynamodb:Query", f"{table}/index/by-x", {}
            yield "dynamodb:GetRecords", f"{table}/stream/2026-01-01T00:00:00.000", {}
        elif service == "s3":
            yield "s3:ListBucket", f"arn:aws:s3:::{p}", {}
            yield "s3:GetObject", f"arn:aws:s3:::{p}/k/v.json", {}
        elif service == "sqs":
            yield "sqs:SendMessage", _arn("sqs", p), {}
        elif service == "sns":
            yield "sns:Publish", _arn("sns", p), {}
            yield "sns:Unsubscribe", _arn("sns", f"{p}:0f0e0d0c-0b0a-0908-0706-050403020100"), {}
        elif service == "secretsmanager":
            yield "secretsmanager:GetSecretValue", _arn("secretsmanager", f"secret:{p}-AbCdEf"), {}
        elif service == "ssm":
            parameter = f"parameter{p}" if p.startswith("/") else f"parameter/{p}"
            yield "ssm:GetParameter", _arn("ssm", parameter), {}
        elif service == "events":
            yield "events:PutEvents", _arn("events", f"event-bus/{p}"), {}
            yield "events:PutRule", _arn("events", f"rule/{p}/r"), {}
        elif service == "kinesis":
            yield "kinesis:PutRecord", _arn("kinesis", f"stream/{p}"), {}
            yield "kinesis:SubscribeToShard", _arn("kinesis", f"stream/{p}/consumer/c:1"), {}
        elif service == "lambda":
            yield "lambda:InvokeFunction", _arn("lambda", f"function:{p}"), {}
            yield "lambda:InvokeFunction", _arn("lambda", f"function:{p}:live"), {}
    if "dynamodb" in services:
        for table in naming.pooled_tables:
            exact = naming.exact_key(scope, table)
            keys = {"dynamodb:LeadingKeys": [naming.key_prefix(scope, table) + (
                "" if exact else "1")]}
            yield "dynamodb:GetItem", _arn("dynamodb", f"table/{table}"), keys
    if "s3" in services:
        for bucket in naming.pooled_buckets:
            key = naming.key_prefix(scope, bucket)
            yield "s3:GetObject", f"arn:aws:s3:::{bucket}/{key}f.txt", {}
            yield "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": key}


@cache
def policy(name: str, scope: ScopeRef) -> dict[str, Any]:
    naming, services = TEMPLATE_SETS[name]
    return session_policy(naming, scope, account_id=ACCOUNT, region=REGION, services=services)


@pytest.mark.parametrize("name", sorted(TEMPLATE_SETS))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=st.data(), logical=LOGICAL)
def test_each_scopes_policy_denies_its_neighbours_resources(
    name: str, data: st.DataObject, logical: str
) -> None:
    naming, services = TEMPLATE_SETS[name]
    a = data.draw(scopes(naming), label="a")
    b = data.draw(scopes(naming), label="b")
    assume(a != b)
    mine = policy(name, a)
    allowed = [p for p in probes(naming, services, b, logical)
               if evaluate(mine, p[0], p[1], p[2]) == "Allow"]
    assert not allowed, f"{a}'s policy allows {b}'s resources: {allowed[:3]}"
    denied = [p for p in probes(naming, services, a, logical)
              if evaluate(mine, p[0], p[1], p[2]) != "Allow"]
    assert not denied, f"{a}'s policy denies its own resources: {denied[:3]}"


def test_a_slug_that_is_a_uuid_group_is_denied_the_uuid_tenants_names() -> None:
    naming, services = TEMPLATE_SETS["default-with-uuids"]
    slug, uuid = naming.tenant("12345678"), naming.tenant("12345678-1234-4321-8000-00000000000a")
    theirs = naming.physical_name(uuid, "dynamodb", "orders")
    assert theirs.startswith("t-12345678-")  # matched by the slug's t-12345678-* ...
    decision = evaluate(policy("default-with-uuids", slug), "dynamodb:GetItem",
                        _arn("dynamodb", f"table/{theirs}"), {})
    assert decision == "Deny"  # ... and denied explicitly
    # The guard refuses the slug the same names: its logical name would read as the UUID's.
    with pytest.raises(InvalidName, match="another scope"):
        naming.physical_name(slug, "dynamodb", "1234-4321-8000-00000000000a-orders")


def test_the_reference_style_policy_names_the_templates_patterns() -> None:
    naming, _ = TEMPLATE_SETS["entity-suffix"]
    tenant = naming.tenant("3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f")
    resources = [r for s in policy("entity-suffix", tenant)["Statement"]
                 for r in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])]
    assert _arn("dynamodb", "table/*-3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f") in resources
    assert _arn("dynamodb", "table/*-3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f/*") in resources
    assert _arn("ssm", "parameter/saas/3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f/*") in resources
    compact = naming.token(tenant, "s3")
    assert f"arn:aws:s3:::saas-{compact}-*" in resources
    assert "arn:aws:s3:::saas-shared/3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f/*" in resources


def test_a_partition_key_that_is_the_tenant_id_is_allowed_whole_and_nothing_longer() -> None:
    naming, services = TEMPLATE_SETS["whole-key"]
    acme = naming.tenant("3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f")
    mine = session_policy(naming, acme, account_id=ACCOUNT, region=REGION, services=services)
    table = _arn("dynamodb", "table/TenantDetails")
    for key, allowed in ((acme.id, True), (acme.id + "-1", False), (acme.id[:-1], False)):
        decision = evaluate(mine, "dynamodb:GetItem", table, {"dynamodb:LeadingKeys": [key]})
        assert (decision == "Allow") is allowed, key
