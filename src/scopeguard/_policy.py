"""Scoped credentials: IAM session policies generated from the naming policy the guard enforces.

The in-process guard is a seatbelt: any code in the process can reach around it. A tenant or
capsule that runs on its own assumed-role credentials gets a second, independent boundary: STS
intersects the role's permissions with a session policy that allows only the scope's own
resources, derived from the same ``NamingPolicy`` (``name_prefix``, ``path_prefix``,
``name_patterns``, ``key_prefix``, pooled tables and buckets) the guard uses, so the two cannot drift apart.

Three pieces, three lifetimes:

* ``TenantRoleSettings``: configuration, fixed when the factory is built (which role, which
  services, how long).
* ``session_policy(naming, scope, ...)``: the policy document as data, built per scope and
  checked against STS's size limit before any request is made.
* ``scoped_spec(settings, naming, scope, ...)``: the complete ``AssumeRoleSpec`` (policy, session
  tags, SourceIdentity, RoleSessionName) for ``CredentialCache.credentials_for``. Build it once
  per scope and keep it: building one costs about 80 microseconds, and the spec itself is the
  credential cache's key.

What each policy statement is for, and what IAM can enforce that the guard cannot (and the
reverse), is in ``docs/scoped-credentials.md``.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from ._assume_role import (
    _EXTERNAL_ID_RE,
    _MAX_DURATION,
    _MAX_POLICY_CHARS,
    _MIN_DURATION,
    _PARTITION_RE,
    _POLICY_ARN_RE,
    _PREFIX_RE,
    _REGION_RE,
    _SOURCE_IDENTITY_RE,
    AssumeRoleSpec,
    _check_role_name,
    role_session_name,
)
from ._exceptions import ConfigurationError
from ._naming import NAME_RULES, NamingPolicy, ScopeRef

__all__ = [
    "DEFAULT_SERVICES",
    "POOLED_ITEM_ACTIONS",
    "SCOPE_TAG",
    "SCOPE_ID_TAG",
    "TenantRoleSettings",
    "check_scoped_credentials",
    "policy_size",
    "scoped_spec",
    "session_policy",
    "session_tags",
]

DEFAULT_SERVICES: Final[tuple[str, ...]] = (
    "dynamodb", "s3", "sqs", "sns", "secretsmanager", "ssm", "events", "kinesis", "lambda",
)

# The only DynamoDB actions allowed on a pooled table: GetItem, PutItem, UpdateItem, DeleteItem,
# ConditionCheckItem, BatchGetItem, BatchWriteItem and Query. Each names its items by key, so IAM
# sees their partition keys as dynamodb:LeadingKeys. The wildcard costs 16 characters of STS's
# 2,048 instead of 180; no other DynamoDB action ends in "Item", and one added later would still
# be held to the scope's leading keys. Scan and PartiQL do not match it.
POOLED_ITEM_ACTIONS: Final[tuple[str, ...]] = ("dynamodb:*Item", "dynamodb:Query")


# Object-level S3 actions on a pooled bucket's scope prefix. Deliberately not s3:*Object*: that
# would include PutObjectAcl (grants), PutObjectRetention / PutObjectLegalHold (Object Lock
# settings on a shared bucket that not even the platform could undo) and ReplicateObject.
_POOLED_OBJECT_ACTIONS: Final[tuple[str, ...]] = (
    "s3:*MultipartUpload*",  # AbortMultipartUpload, ListMultipartUploadParts
    "s3:DeleteObject*",
    "s3:GetObject*",
    "s3:PutObject",
    "s3:PutObjectTagging",
)

# Listing a pooled bucket: ListBucket, ListBucketVersions, ListBucketMultipartUploads, each held
# to the request's Prefix (s3:prefix; where an action does not carry it, StringLike is false).
_POOLED_LIST_ACTIONS: Final[tuple[str, ...]] = ("s3:ListBucket*",)

# Actions that grant other principals access to a scope's own resources (resource policies,
# ACLs, permissions). The guard refuses them in tenant and capsule scope; so does the policy,
# by an explicit deny, which also binds where a resource policy names the session directly.
_GRANT_ACTIONS: Final[Mapping[str, tuple[str, ...]]] = {
    "dynamodb": ("dynamodb:PutResourcePolicy",),
    "s3": ("s3:PutBucketPolicy", "s3:Put*Acl"),
    "sqs": ("sqs:AddPermission",),
    "sns": ("sns:AddPermission",),
    "secretsmanager": ("secretsmanager:PutResourcePolicy",),
    "ssm": (),  # parameters have no resource policy of their own
    "events": ("events:PutPermission",),
    "kinesis": ("kinesis:PutResourcePolicy",),
    "lambda": ("lambda:AddPermission",),
}

SCOPE_TAG: Final = "scopeguard:scope"
SCOPE_ID_TAG: Final = "scopeguard:id"

_LEADING_KEYS: Final = "dynamodb:LeadingKeys"
_MAX_TAGS: Final = 50
_TAG_PUNCTUATION: Final = frozenset("_.:/=+-@")


def _refuse(what: str, value: object, why: str) -> ConfigurationError:
    return ConfigurationError(f"{what}={value!r} is refused: {why}")


def _services(services: Iterable[str]) -> tuple[str, ...]:
    if isinstance(services, str):
        raise _refuse("services", services, "give an iterable of service names, not one string")
    wanted = list(services)
    unknown = sorted(set(wanted) - set(DEFAULT_SERVICES))
    if unknown:
        raise _refuse(
            "services", wanted,
            f"no naming rules for {', '.join(unknown)}; known: {', '.join(DEFAULT_SERVICES)}",
        )
    if not wanted:
        raise _refuse("services", wanted, "a session policy with no service would deny everything")
    # One order whatever the caller wrote: equal settings give equal policies and cache keys.
    return tuple(s for s in DEFAULT_SERVICES if s in wanted)


def _checked_scope(naming: NamingPolicy, scope: ScopeRef) -> ScopeRef:
    if scope.kind == "tenant":
        return naming.tenant(scope.id)
    if scope.kind == "capsule":
        return naming.capsule(scope.id)
    raise _refuse(
        "scope", str(scope),
        "session policies are generated for tenant and capsule scopes only; platform and "
        "operator scopes run on the base session or the operator role",
    )


def _pooled_names(naming: NamingPolicy, service: str, names: Iterable[str]) -> list[str]:
    # Pooled names go into ARNs and wildcard patterns verbatim: a '*', '?' or '${' in one would
    # widen the policy silently, so anything outside the service's own alphabet is refused.
    rule = NAME_RULES[service]
    out = sorted(names)
    for name in out:
        if not rule.alphabet.fullmatch(name):
            raise _refuse(f"pooled {rule.kind}", name, f"not a valid {service} {rule.kind} name")
    return out


def session_policy(
    naming: NamingPolicy,
    scope: ScopeRef,
    *,
    account_id: str,
    partition: str = "aws",
    region: str = "*",
    services: Iterable[str] = DEFAULT_SERVICES,
) -> dict[str, Any]:
    """The IAM session policy for ``scope``: its own resources in ``account_id``, nothing else.

    Built as data from ``naming`` (never by string templating) and checked against STS's
    2,048-character limit; raises ``ConfigurationError`` when it does not fit, before any
    request is made. ``region="*"`` allows every region; pass one region to pin it.
    """
    scope = _checked_scope(naming, scope)
    NamingPolicy.account(account_id)
    if not isinstance(partition, str) or not _PARTITION_RE.fullmatch(partition):
        raise _refuse("partition", partition, "give an AWS partition name such as 'aws'")
    if region != "*" and (not isinstance(region, str) or not _REGION_RE.fullmatch(region)):
        raise _refuse("region", region, "give '*' or a region code such as 'eu-west-1'")
    chosen = _services(services)
    def arn(service: str, resource: str) -> str:
        return f"arn:{partition}:{service}:{region}:{account_id}:{resource}"

    # One entry per name pattern of the scope (naming.name_patterns: the template with the
    # logical name as '*'). In the default layout each pattern ends in '*' right after the
    # scope's prefix, which itself ends in the separator: t-acme-* never matches t-acme2-...,
    # and IAM's '*' also covers what hangs below a name (table/t-acme-x/index/..., /stream/...,
    # function:t-acme-x:alias; stream/t-acme-x/consumer/...; secret:t-acme-x-AbCdEf, the random
    # suffix of secret ARNs). A template that ends after the scope ({logical}-{tenant}) gets
    # those sub-resources as a second pattern, spelled per service.
    def resources(service: str, patterns: list[str]) -> list[str]:
        out: list[str] = []
        for p in patterns:
            tail = not p.endswith("*")
            if service == "dynamodb":
                out += [arn("dynamodb", f"table/{p}")] + (
                    [arn("dynamodb", f"table/{p}/*")] if tail else [])
            elif service == "s3":  # buckets and their objects
                out += [f"arn:{partition}:s3:::{p}"] + (
                    [f"arn:{partition}:s3:::{p}/*"] if tail else [])
            elif service == "sqs":
                out.append(arn("sqs", p))
            elif service == "sns":  # topics and their subscriptions
                out += [arn("sns", p)] + ([arn("sns", f"{p}:*")] if tail else [])
            elif service == "secretsmanager":
                out.append(arn("secretsmanager", f"secret:{p}" + ("-??????" if tail else "")))
            elif service == "ssm":
                # Flat names (t-acme-db) and hierarchical ones (/t-acme/app/db, whose ARN drops
                # the leading "/"). Not parameter/t-acme*: that would match t-acme2.
                out.append(arn("ssm", f"parameter{p}" if p.startswith("/") else f"parameter/{p}"))
            elif service == "events":
                # Rules live under their bus: rule/<bus>/<rule>. Only rules on the scope's own
                # buses; rule/t-acme-x (no "/") would be a rule on the default bus, which the
                # guard refuses because a rule there reads every scope's events. Not
                # "*/t-acme-*" either: that would match rule/t-globex-bus/t-acme-r.
                out += [arn("events", f"event-bus/{p}"), arn("events", f"rule/{p}/*")]
            elif service == "kinesis":  # and its consumers
                out += [arn("kinesis", f"stream/{p}")] + (
                    [arn("kinesis", f"stream/{p}/*")] if tail else [])
            elif service == "lambda":
                # Functions with their versions and aliases. Not the scope's layers
                # (layer:t-acme-*), which the guard would allow: 60 characters for what
                # deployment tooling, not application code, does; publish layers from the
                # platform scope.
                out += [arn("lambda", f"function:{p}")] + (
                    [arn("lambda", f"function:{p}:*")] if tail else [])
        return out

    own = {s: resources(s, naming.name_patterns(scope, s)) for s in chosen}
    root = naming.path_prefix(scope)[:-1]
    if "ssm" in chosen and root and root != f"/{naming.marker(scope)}{naming.separator}{scope.id}":
        # The bare root path GetParametersByPath("/") is mapped to (the default layout's
        # patterns include it already).
        own["ssm"].append(arn("ssm", f"parameter{root}"))
    # Patterns of other scopes' names inside this scope's (a slug tenant of 8 hex digits next to
    # dashed UUIDs): denied explicitly, as the guard refuses them.
    neighbours = [r for s in chosen for r in resources(s, naming.deny_patterns(scope, s))]
    statements: list[dict[str, Any]] = [
        {
            "Effect": "Allow",
            "Action": [f"{s}:*" for s in chosen],
            "Resource": [r for s in chosen for r in own[s]],
        }
    ]
    if neighbours:
        statements.append({"Effect": "Deny", "Action": [f"{s}:*" for s in chosen],
                           "Resource": neighbours})
    if "dynamodb" in chosen and naming.pooled_tables:
        names = _pooled_names(naming, "dynamodb", naming.pooled_tables)
        # Items: the tables and the indexes configured with a tenant partition key (the guard
        # refuses queries on any other index), one statement per key prefix (key_templates
        # may give tables different ones). Scan and PartiQL: the tables and everything under
        # them.
        by_key: dict[str, list[str]] = {}
        for t in names:
            # An exact key (template ending in {tenant}) is the whole partition key: no '*'.
            wildcard = "" if naming.exact_key(scope, t) else "*"
            by_key.setdefault(naming.key_prefix(scope, t) + wildcard, []).append(t)
        for key, group in by_key.items():
            readable = [
                r
                for t in group
                for r in (
                    arn("dynamodb", f"table/{t}"),
                    *(arn("dynamodb", f"table/{t}/index/{i}") for i in _pooled_names(
                        naming, "dynamodb", naming.pooled_tables[t].indexes)),
                )
            ]
            statements.append({
                # Null=false closes the ForAllValues hole: over an absent or empty key
                # ForAllValues is true, so without it a keyless request would be allowed.
                "Effect": "Allow",
                "Action": list(POOLED_ITEM_ACTIONS),
                "Resource": readable,
                "Condition": {
                    "ForAllValues:StringLike": {_LEADING_KEYS: [key]},
                    "Null": {_LEADING_KEYS: "false"},
                },
            })
        tables = [r for t in names
                  for r in (arn("dynamodb", f"table/{t}"), arn("dynamodb", f"table/{t}/*"))]
        statements.append({
            # Explicit denies bind even where a table's resource policy names the session.
            # Scan and PartiQL read across partitions; PartiQL is denied whatever keys
            # IAM may see, as the guard refuses it on pooled tables.
            "Effect": "Deny",
            "Action": ["dynamodb:PartiQL*", "dynamodb:Scan"],
            "Resource": tables,
        })
    if "s3" in chosen and naming.pooled_buckets:
        buckets = _pooled_names(naming, "s3", naming.pooled_buckets)
        by_prefix: dict[str, list[str]] = {}
        for b in buckets:
            by_prefix.setdefault(naming.key_prefix(scope, b), []).append(b)
        for key, group in by_prefix.items():
            statements += [
                {
                    "Effect": "Allow",
                    "Action": list(_POOLED_OBJECT_ACTIONS),
                    "Resource": [f"arn:{partition}:s3:::{b}/{key}*" for b in group],
                },
                {
                    # s3:prefix is absent when ListObjects has no Prefix: StringLike is then
                    # false.
                    "Effect": "Allow",
                    "Action": list(_POOLED_LIST_ACTIONS),
                    "Resource": [f"arn:{partition}:s3:::{b}" for b in group],
                    "Condition": {"StringLike": {"s3:prefix": [f"{key}*"]}},
                },
            ]
    statements.append(
        {
            "Effect": "Deny",
            "Action": [a for s in chosen for a in _GRANT_ACTIONS[s]],
            "Resource": "*",
        }
    )
    policy: dict[str, Any] = {"Version": "2012-10-17", "Statement": statements}
    size = policy_size(policy)
    if size > _MAX_POLICY_CHARS:
        raise ConfigurationError(
            f"the session policy for {scope} is {size} characters once compacted; STS accepts "
            f"{_MAX_POLICY_CHARS} (and a packed size it computes itself, of policy and tags "
            "together). Name fewer services in TenantRoleSettings.services, pool fewer tables "
            "or buckets, restrict NamingPolicy.tenant_ids to the spellings in use (a dashed UUID "
            "is 12 characters longer than a 24-character slug, in every pattern), or keep a shorter policy inline and grant the rest through managed "
            "session policies (TenantRoleSettings.policy_arns) scoped with "
            "${aws:PrincipalTag/scopeguard:id}"
        )
    return policy


def policy_size(policy: Mapping[str, Any]) -> int:
    """Characters of ``policy`` as compact JSON: what STS's 2,048-character limit counts.

    STS also enforces a limit on the *packed* (compressed, binary) size of the session policies
    and session tags together, reported as ``PackedPolicySize`` and refused with
    ``PackedPolicyTooLarge``. It cannot be computed client-side; the compact length is the
    documented plain-text limit and the best available approximation.
    """
    return len(json.dumps(policy, separators=(",", ":"), ensure_ascii=False))


def _check_tag(key: str, value: str) -> None:
    def ok(text: str) -> bool:
        return all(
            ch.isalnum() or ch in _TAG_PUNCTUATION or unicodedata.category(ch).startswith("Z")
            for ch in text
        )

    if not isinstance(key, str) or not 1 <= len(key) <= 128 or not ok(key):
        raise _refuse("session tag key", key, "1-128 letters, digits, spaces and _.:/=+-@")
    if key.lower().startswith("aws:"):
        raise _refuse("session tag key", key, "the 'aws:' prefix is reserved by AWS")
    if not isinstance(value, str) or len(value) > 256 or not ok(value):
        raise _refuse(
            f"session tag {key!r} value", value, "0-256 letters, digits, spaces and _.:/=+-@"
        )


def session_tags(
    scope: ScopeRef, extra: Iterable[tuple[str, str]] = ()
) -> tuple[tuple[str, str], ...]:
    """The session tags for ``scope``: ``scopeguard:scope`` (tenant/capsule) and
    ``scopeguard:id``, plus ``extra``; checked against STS's limits (50 tags, keys of 1-128 and
    values of up to 256 characters, keys unique ignoring case). Sorted, as the spec keeps them."""
    tags = [(SCOPE_TAG, scope.kind), (SCOPE_ID_TAG, scope.id), *extra]
    seen: set[str] = set()
    for key, value in tags:
        _check_tag(key, value)
        if key.lower() in seen:
            raise _refuse(
                "session tag key", key,
                f"keys must be unique ignoring case ({SCOPE_TAG} and {SCOPE_ID_TAG} are "
                "set by scopeguard)",
            )
        seen.add(key.lower())
    if len(tags) > _MAX_TAGS:
        raise _refuse("session tags", len(tags), f"STS accepts at most {_MAX_TAGS} session tags")
    return tuple(sorted(tags))


@dataclass(frozen=True, slots=True)
class TenantRoleSettings:
    """Which role tenant and capsule scopes assume, and how. Fixed when the factory is built;
    validated on construction, so an instance that exists is usable.

    Give ``role_arn`` (any account) or ``role_name`` (in the factory's own account). The role's
    trust policy must allow ``sts:AssumeRole`` and ``sts:TagSession`` (session tags), and
    ``sts:SetSourceIdentity`` when a source identity is sent. ``services`` bounds the session
    policy; each service costs characters of STS's 2,048. ``policy_arns`` (at most 10) are
    managed *session* policies: IAM evaluates them together with the generated one, so an Allow
    in them can widen the session. Pass only policies that deny, or that are scoped themselves
    (``${aws:PrincipalTag/scopeguard:id}``). ``tags`` are added to the two session tags scopeguard
    sets. Keep ``duration_seconds`` at or below 3600 when the base credentials are themselves a
    role session: STS caps chained role sessions at one hour.
    """

    role_arn: str | None = None
    role_name: str | None = None
    external_id: str | None = None
    duration_seconds: int = 3600
    services: tuple[str, ...] = DEFAULT_SERVICES
    region: str = "*"
    session_name_prefix: str = "scopeguard"
    source_identity: str | None = None
    policy_arns: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if (self.role_arn is None) == (self.role_name is None):
            raise ConfigurationError(
                "TenantRoleSettings: give exactly one of role_arn (any account) or role_name "
                "(a role in the factory's own account)"
            )
        if self.role_arn is not None:
            _split_role_arn(self.role_arn)
        if self.role_name is not None:
            _role_name(self.role_name, "TenantRoleSettings.role_name")
        if self.external_id is not None and not _EXTERNAL_ID_RE.fullmatch(self.external_id):
            raise _refuse("TenantRoleSettings.external_id", "…", "2-1224 characters")
        if not isinstance(self.duration_seconds, int) or isinstance(self.duration_seconds, bool) \
                or not _MIN_DURATION < self.duration_seconds <= _MAX_DURATION:
            raise _refuse(
                "TenantRoleSettings.duration_seconds", self.duration_seconds,
                f"must be above {_MIN_DURATION} (botocore's advisory refresh window) and at most "
                f"{_MAX_DURATION}",
            )
        object.__setattr__(self, "services", _services(self.services))
        if self.region != "*" and not _REGION_RE.fullmatch(self.region):
            raise _refuse("TenantRoleSettings.region", self.region, "'*' or a region code")
        if not _PREFIX_RE.fullmatch(self.session_name_prefix):
            raise _refuse(
                "TenantRoleSettings.session_name_prefix", self.session_name_prefix,
                "1-32 characters: ASCII letters, digits and _+=,.@-",
            )
        if self.source_identity is not None:
            _check_source_identity(self.source_identity)
        arns = tuple(sorted(set(self.policy_arns)))
        if len(arns) > 10 or not all(_POLICY_ARN_RE.fullmatch(a) for a in arns):
            raise _refuse("TenantRoleSettings.policy_arns", arns, "at most 10 managed policy ARNs")
        object.__setattr__(self, "policy_arns", arns)
        pairs = self.tags.items() if isinstance(self.tags, Mapping) else self.tags
        object.__setattr__(self, "tags", tuple(sorted((str(k), str(v)) for k, v in pairs)))
        session_tags(ScopeRef("tenant", "x"), self.tags)  # limits, reserved keys, duplicates

    def role(self, account_id: str, partition: str) -> tuple[str, str]:
        """(account, role name with path) of the role to assume for resources in ``account_id``."""
        if self.role_arn is not None:
            arn_partition, account, name = _split_role_arn(self.role_arn)
            if arn_partition != partition:
                raise _refuse(
                    "TenantRoleSettings.role_arn", self.role_arn,
                    f"the factory works in partition {partition!r}",
                )
            return account, name
        assert self.role_name is not None  # __post_init__: exactly one is set
        return account_id, self.role_name


def _split_role_arn(role_arn: str) -> tuple[str, str, str]:
    parts = role_arn.split(":", 5) if isinstance(role_arn, str) else []
    if (
        len(parts) != 6
        or parts[0] != "arn"
        or not _PARTITION_RE.fullmatch(parts[1])
        or parts[2:4] != ["iam", ""]
        or not parts[5].startswith("role/")
    ):
        raise _refuse("TenantRoleSettings.role_arn", role_arn, "give an IAM role ARN")
    NamingPolicy.account(parts[4])
    name = _role_name(parts[5].removeprefix("role/"), "TenantRoleSettings.role_arn")
    return parts[1], parts[4], name


def _role_name(name: str, setting: str) -> str:
    try:
        return _check_role_name(name)
    except ConfigurationError as exc:
        # The shared check words its message for OperatorSettings; keep its reason only.
        raise _refuse(setting, name, str(exc).partition(" is refused: ")[2]) from None


def _check_source_identity(value: str) -> None:
    if not _SOURCE_IDENTITY_RE.fullmatch(value) or value.lower().startswith("aws:"):
        raise _refuse(
            "source_identity", value,
            "2-64 characters: ASCII letters, digits and _+=,.@-, not starting with 'aws:'",
        )


def scoped_spec(
    settings: TenantRoleSettings,
    naming: NamingPolicy,
    scope: ScopeRef,
    *,
    account_id: str,
    partition: str = "aws",
    source_identity: str | None = None,
    sts_region: str | None = None,
    sts_endpoint: str | None = None,
) -> AssumeRoleSpec:
    """The AssumeRole request that gives ``scope`` its own credentials, for
    ``CredentialCache.credentials_for``.

    ``account_id`` is the account the scope's resources live in (the policy's ARNs). The spec
    carries the session policy, the session tags ``scopeguard:scope`` / ``scopeguard:id``
    (plus ``settings.tags``), SourceIdentity (``source_identity``, else the settings'), and the
    RoleSessionName ``<prefix>-t-acme`` that CloudTrail shows. ``sts_region`` and
    ``sts_endpoint`` only enter the cache key; pass what the cache's STS client uses.
    Raises ``ConfigurationError`` (policy or tags too large, bad settings) or ``InvalidScope``
    before anything is sent.
    """
    scope = _checked_scope(naming, scope)
    policy = session_policy(
        naming, scope, account_id=account_id, partition=partition,
        region=settings.region, services=settings.services,
    )
    identity = source_identity if source_identity is not None else settings.source_identity
    if identity is not None:
        _check_source_identity(identity)
    role_account, role_name = settings.role(account_id, partition)
    subject = f"{naming.marker(scope)}{naming.separator}{scope.id}"
    return AssumeRoleSpec.create(
        account_id=role_account,
        role_name=role_name,
        session_name=role_session_name(settings.session_name_prefix, subject),
        duration_seconds=settings.duration_seconds,
        partition=partition,
        external_id=settings.external_id,
        source_identity=identity,
        policy=policy,
        policy_arns=settings.policy_arns,
        tags=session_tags(scope, settings.tags),
        sts_region=sts_region,
        sts_endpoint=sts_endpoint,
    )


def check_scoped_credentials(
    settings: TenantRoleSettings,
    naming: NamingPolicy,
    *,
    account_id: str,
    partition: str = "aws",
) -> int:
    """Check, at configuration time, that every tenant and capsule will get a policy that fits.

    A policy's size grows with the scope's ID, so a configuration that fits tenant ``acme`` can
    fail for a 24-character tenant on its first request. This builds the spec for the longest
    tenant ID and capsule code the naming policy admits (IDs of equal length give policies of
    equal length) and returns the largest policy size; it raises ``ConfigurationError`` as
    ``scoped_spec`` would. Call it when the factory is built.
    """
    longest = [naming.tenant(tenant) for tenant, form in (
        ("0" * naming.max_tenant_id, "slug"), ("0" * 32, "uuid-hex"),
        ("00000000-0000-0000-0000-000000000000", "uuid")) if form in naming.tenant_ids]
    if naming.capsules is None:
        longest.append(naming.capsule("0" * naming.max_capsule_code))
    elif naming.capsules:  # an empty allow-list admits no capsule at all
        longest.append(naming.capsule(max(sorted(naming.capsules), key=len)))
    sizes = []
    for scope in longest:
        spec = scoped_spec(settings, naming, scope, account_id=account_id, partition=partition)
        sizes.append(len(spec.policy or ""))
    return max(sizes)
