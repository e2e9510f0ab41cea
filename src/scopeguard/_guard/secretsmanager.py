"""Secrets Manager: secret names, full ARNs and partial ARNs, KMS keys, rotation functions.

``SecretId`` is a name (logical, mapped to ``t-acme-<name>``, or the scope's own physical name),
a full ARN (``...:secret:<name>-<6 random characters>``) or a partial ARN (``...:secret:<name>``).
Secrets Manager cannot tell the two ARN forms apart either: it reads a trailing ``-`` plus six
characters as the random suffix when a secret of the shorter name exists. So an ARN is accepted
only if *both* readings name a secret of this scope. ``...:secret:t-acme-orders`` is refused
in tenant ``acme``: read as a full ARN it names the secret ``t-acme`` (a platform name, which
may exist) with the suffix ``orders``. Pass the name (``orders``) or the full ARN instead. Bare
names are never read with a suffix, so the logical name ``orders`` itself is fine.

Names may contain ``/_+=.@-``; ``//``, a leading or trailing ``/`` and ``.``/``..`` segments are
refused (``NamingPolicy.check_logical``), also on the scope's own physical names.

Refused in tenant and capsule scope: resource policies (``PutResourcePolicy``,
``DeleteResourcePolicy``, ``ValidateResourcePolicy``, and ``ResourcePolicy`` anywhere: they grant
other principals access; reading the policy of an own secret is fine), cross-account replicas
and ``CrossAccountPrimaryARN`` (another account's secret), ``ExternalSecretRotationRoleArn``
(passes an IAM role), ``ListSecrets`` and ``Filters`` on ``BatchGetSecretValue``: the name
filter is a case-insensitive prefix match, and filters also match descriptions and tags, so no
filter provably selects only this scope's secrets; list the secrets of the scope with
``SecretIdList`` instead. Replication to other regions is fine; KMS key ARNs must be of the
scope's own account and partition.

In platform scope the listings drop tenants' and capsules' secrets from the response, and a
``name`` or ``all`` filter whose value is a tenant's or capsule's secret name is refused before
it is sent (as that name is anywhere else in platform scope).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from .._exceptions import ScopeViolation
from .checks import ScopeGuard, drop_owned, forbidden, kms_key
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import owned_arn

SERVICE: Final = "secretsmanager"

# Secrets Manager appends "-" and six random characters to a secret's name in its ARN.
_SUFFIXED: Final = re.compile(r".+-[A-Za-z0-9]{6}", re.DOTALL)


def _secret_name(guard: ScopeGuard, value: Any, member: str) -> str:
    return guard.name(SERVICE, value, member)


def _secret_arn(guard: ScopeGuard, value: str, member: str) -> str:
    if guard.cached("secret-arn", value) is not None:
        return value
    arn = guard.arn(value, member, SERVICE)
    kind, sep, name = arn.resource.partition(":")
    if kind != "secret" or not sep or not name:
        raise guard.refuse(f"{value!r} is not a secret ARN", member)
    guard.owned_physical(SERVICE, name, member)
    if _SUFFIXED.fullmatch(name):
        shorter = name[:-7]
        try:
            guard.owned_physical(SERVICE, shorter, member)
        except ScopeViolation:
            raise guard.refuse(
                f"{value!r} is ambiguous: Secrets Manager may read it as the full ARN of the "
                f"secret {shorter!r} (with random suffix {name[-6:]!r}), which is not this "
                "scope's; pass the secret's name or its full ARN", member) from None
    guard.remember("secret-arn", value, value)
    return value


def secret_id(guard: ScopeGuard, value: Any, member: str) -> str:
    if isinstance(value, str) and value.startswith("arn:"):
        return _secret_arn(guard, value, member)
    return _secret_name(guard, value, member)


def _secret_ids(guard: ScopeGuard, value: Any, member: str) -> Any:
    if not isinstance(value, list | tuple):
        raise guard.refuse(f"{member} must be a list", member)
    resolved = [secret_id(guard, item, f"{member}[{i}]") for i, item in enumerate(value)]
    if len(set(resolved)) != len(resolved):
        raise guard.refuse("two entries name the same secret", member)
    return value if all(a is b for a, b in zip(resolved, value, strict=True)) else resolved



def _rotation_function(guard: ScopeGuard, value: Any, member: str) -> Any:
    owned_arn(guard, value, member, ("lambda",))
    return value


def _filters(guard: ScopeGuard, value: Any, member: str) -> Any:
    if guard.isolated:  # even an empty list: with no SecretIdList it would select everything
        raise guard.refuse(
            "filters match names case-insensitively by prefix, and descriptions and tags too, "
            "so they can select other scopes' secrets; name the secrets in SecretIdList", member)
    if guard.scope.kind == "platform" and isinstance(value, list | tuple):
        _platform_name_filters(guard, value, member)
    return value


def _platform_name_filters(guard: ScopeGuard, filters: list[Any] | tuple[Any, ...],
                           member: str) -> None:
    # The platform's listings drop tenants' and capsules' secrets from the response, so a name
    # filter spelling one of them would return nothing of it; but the request would still name
    # another scope's secret (Powertools' SecretsProvider.get_multiple sends its names this
    # way), which platform scope never signs. "all" matches names too. A negated value
    # ("!name") selects everything but that name and is left to the response filter.
    for i, entry in enumerate(filters):
        if not isinstance(entry, dict) or entry.get("Key") not in ("name", "all"):
            continue
        values = entry.get("Values")
        for j, name in enumerate(values if isinstance(values, list | tuple) else ()):
            if isinstance(name, str) and not name.startswith("!"):
                owner = guard.naming.owner(name, SERVICE)
                if owner is not None:
                    raise guard.refuse(
                        f"name filter {name!r} belongs to {owner}; platform clients may not "
                        f"use it: use factory.{owner.kind}({owner.id!r})",
                        f"{member}[{i}].Values[{j}]")


def _batch_get(guard: ScopeGuard, op: str, params: dict[str, Any],
               _: Mapping[str, Any]) -> None:
    if guard.isolated and not params.get("SecretIdList"):
        raise guard.refuse("name the secrets in SecretIdList", "SecretIdList")


_POLICY: Final = Refuse("resource policies can grant other principals access to the secret; "
                        "manage them from the platform scope")
_CROSS_ACCOUNT: Final = Refuse("cross-account replicas live in another account; manage them "
                               "from the platform or operator scope")

RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "SecretId": "secret_id",
        "SecretIdList": "secret_ids",
        "Name": "secret_name",
        "KmsKeyId": "kms_key",
        "AddReplicaRegions": "walk",  # [{Region, KmsKeyId}]: the key is checked
        "RotationLambdaARN": "rotation_function",
        "Filters": "filters",
        "ResourcePolicy": "forbidden",
        "CrossAccountPrimaryARN": "forbidden",
        "CrossAccountReplicaARN": "forbidden",
        "ReplicationRoleARN": "forbidden",
        "ExternalSecretRotationRoleArn": "forbidden",
        # Not resources: version handles and labels of the checked secret, region names,
        # settings, tags, partner rotation metadata, opaque tokens.
        "BlockPublicPolicy": "ignore",
        "ClientRequestToken": "ignore",
        "ExternalSecretRotationMetadata": "ignore",
        "MoveToVersionId": "ignore",
        "NextToken": "ignore",
        "PolicyName": "ignore",
        "RemoveFromVersionId": "ignore",
        "RemoveReplicaRegions": "ignore",
        "ReplicaRestriction": "ignore",
        "RotationToken": "ignore",
        "TagKeys": "ignore",
        "Tags": "ignore",
        "VersionId": "ignore",
        "VersionStage": "ignore",
        "VersionStages": "ignore",
    },
    kinds={
        "secret_id": secret_id,
        "secret_ids": _secret_ids,
        "secret_name": _secret_name,
        "kms_key": kms_key,
        "rotation_function": _rotation_function,
        "filters": _filters,
        "forbidden": forbidden,
    },
    operations={
        "AssociateCrossAccountReplica": _CROSS_ACCOUNT,
        "BatchGetSecretValue": _batch_get,
        "CancelRotateSecret": None,
        "CreateSecret": None,
        "DeleteResourcePolicy": _POLICY,
        "DeleteSecret": None,
        "DescribeSecret": None,
        "DisassociateCrossAccountReplica": _CROSS_ACCOUNT,
        "GetRandomPassword": None,
        "GetResourcePolicy": None,
        "GetSecretValue": None,
        "ListResourcePolicies": None,
        "ListSecretVersionIds": None,
        "ListSecrets": Refuse(
            "the listing is account-wide and its filters cannot provably narrow it to this "
            "scope (case-insensitive prefix match on names, descriptions and tags); use "
            "DescribeSecret or BatchGetSecretValue with SecretIdList on the scope's names"),
        "PutResourcePolicy": _POLICY,
        "PutSecretValue": None,
        "RemoveRegionsFromReplication": None,
        "ReplicateSecretToRegions": None,
        "RestoreSecret": None,
        "RotateSecret": None,
        "StopReplicationToReplica": None,
        "TagResource": None,
        "UntagResource": None,
        "UpdateSecret": None,
        "UpdateSecretVersionStage": None,
        "ValidateResourcePolicy": _POLICY,
    },
    listings={
        "ListSecrets": drop_owned("SecretList", lambda s: s["Name"]),
        "BatchGetSecretValue": drop_owned("SecretValues", lambda s: s["Name"]),
    },
)

SERVICE_RULES[SERVICE] = RULES
