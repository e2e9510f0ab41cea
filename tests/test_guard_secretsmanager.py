"""Secrets Manager guard: names, full and partial ARNs of other scopes, accounts and partitions
refused with nothing sent; in-scope calls work on moto and land under physical names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guard_helpers import guard_for, refused, skip_unless_in_model

from scopeguard import ClientFactory, InvalidName, ScopeViolation
from scopeguard._guard.secretsmanager import RULES
from scopeguard._naming import DEFAULT_POLICY
from scopeguard.testing import moto_factory

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def secret_arn(name: str, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:secretsmanager:{REGION}:{account}:secret:{name}"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    # One emulated world for the module: refusals never reach it, and tests that write use names
    # of their own.
    with moto_factory(account_id=ACCOUNT) as factory:
        for tenant in ("acme", "globex", "acme2"):
            factory.tenant(tenant).client("secretsmanager").create_secret(
                Name="db/password", SecretString=f"{tenant}-pw")
        factory.platform().client("secretsmanager").create_secret(Name="t-acme",
                                                                  SecretString="platform")
        yield factory


@pytest.fixture(scope="module")
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("secretsmanager")



def test_secret_lands_under_its_physical_name_and_reads_back(
    factory: ClientFactory, acme: Any
) -> None:
    out = acme.create_secret(Name="api+key=1.x@y_z-w", SecretString="s3cr3t")
    assert out["Name"] == "t-acme-api+key=1.x@y_z-w"
    assert acme.get_secret_value(SecretId="api+key=1.x@y_z-w")["SecretString"] == "s3cr3t"
    assert acme.get_secret_value(SecretId="db/password")["SecretString"] == "acme-pw"
    globex = factory.tenant("globex").client("secretsmanager")
    assert globex.get_secret_value(SecretId="db/password")["SecretString"] == "globex-pw"


def test_name_full_arn_and_partial_arn_all_resolve(acme: Any) -> None:
    full = acme.describe_secret(SecretId="db/password")["ARN"]
    assert full.startswith(secret_arn("t-acme-db/password-"))
    partial = secret_arn("t-acme-db/password")
    for secret_id in ("db/password", "t-acme-db/password", full, partial):
        assert acme.get_secret_value(SecretId=secret_id)["SecretString"] == "acme-pw"


@pytest.mark.parametrize(
    ("secret_id", "match"),
    [
        ("t-globex-db/password", "belongs to tenant:globex"),
        (secret_arn("t-globex-db/password"), "belongs to tenant:globex"),
        (secret_arn("t-globex-db/password-AbCdEf"), "belongs to tenant:globex"),
        (secret_arn("t-acme-db/password", account="999999999999"), "not this scope's account"),
        (secret_arn("t-acme-db/password", partition="aws-cn"), "partition"),
        (f"arn:aws:ssm:{REGION}:{ACCOUNT}:secret:t-acme-db/password", "expected 'secretsmanager'"),
        (f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:t-acme-db", "not a secret ARN"),
        (secret_arn("db/password"), "not a resource of this scope"),
        ("arn:aws:secretsmanager", "cannot parse"),
        ("", "not valid"),
    ],
)
def test_secret_ids_of_other_scopes_accounts_or_partitions_are_refused(
    acme: Any, secret_id: str, match: str
) -> None:
    refused(acme, "get_secret_value", match, SecretId=secret_id)
    refused(acme, "put_secret_value", match, SecretId=secret_id, SecretString="x")


def test_partial_arn_that_reads_as_another_secrets_full_arn_is_refused(acme: Any) -> None:
    # The platform owns a secret named "t-acme": "secret:t-acme-AbCdEf" may be its full ARN.
    refused(acme, "get_secret_value", "ambiguous", SecretId=secret_arn("t-acme-AbCdEf"))
    refused(acme, "get_secret_value", "ambiguous", SecretId=secret_arn("t-acme--AbCdEf"))
    # The bare name is never read with a suffix.
    acme.create_secret(Name="AbCdEf", SecretString="six")
    assert acme.get_secret_value(SecretId="AbCdEf")["SecretString"] == "six"
    full = acme.describe_secret(SecretId="AbCdEf")["ARN"]
    assert acme.get_secret_value(SecretId=full)["SecretString"] == "six"


def test_similar_tenant_prefix_is_refused(factory: ClientFactory) -> None:
    acme2 = factory.tenant("acme2").client("secretsmanager")
    refused(acme2, "get_secret_value", "belongs to tenant:acme", SecretId="t-acme-db/password")
    refused(acme2, "get_secret_value", "belongs to tenant:acme",
            SecretId=secret_arn("t-acme-db/password"))
    assert acme2.get_secret_value(SecretId="db/password")["SecretString"] == "acme2-pw"


def test_platform_cannot_read_a_tenants_secret(factory: ClientFactory) -> None:
    platform = factory.platform().client("secretsmanager")
    refused(platform, "get_secret_value", "belongs to tenant:acme", SecretId="t-acme-db/password")
    refused(platform, "get_secret_value", "belongs to tenant:acme",
            SecretId=secret_arn("t-acme-db/password"))
    assert platform.get_secret_value(SecretId="t-acme")["SecretString"] == "platform"


@pytest.mark.parametrize("name", ["/db", "db/", "db//pw", "db/../pw", "./db", "a b", "t-globex-x",
                                  "t-acme-../x", "t-acme-a//b"])
def test_path_like_and_scoped_looking_names_are_refused_not_cleaned(acme: Any, name: str) -> None:
    refused(acme, "create_secret", "not valid|empty|belongs to|looks like", Name=name,
            SecretString="x")
    refused(acme, "get_secret_value", "not valid|empty|belongs to|looks like", SecretId=name)


def test_batch_get_checks_every_id_and_refuses_filters(acme: Any) -> None:
    out = acme.batch_get_secret_value(SecretIdList=["db/password"])
    assert [v["Name"] for v in out["SecretValues"]] == ["t-acme-db/password"]
    refused(acme, "batch_get_secret_value", "belongs to tenant:globex",
            SecretIdList=["db/password", "t-globex-db/password"])
    refused(acme, "batch_get_secret_value", "filters",
            Filters=[{"Key": "name", "Values": ["t-acme-"]}])
    refused(acme, "batch_get_secret_value", "filters", Filters=[])
    refused(acme, "batch_get_secret_value", "filters", SecretIdList=["db/password"],
            Filters=[{"Key": "name", "Values": ["!t-acme-"]}])
    refused(acme, "batch_get_secret_value", "SecretIdList", SecretIdList=[])


def test_list_secrets_is_refused_for_tenants_and_lists_shared_secrets_for_the_platform(
    factory: ClientFactory, acme: Any
) -> None:
    refused(acme, "list_secrets", "account-wide")
    refused(acme, "list_secrets", "account-wide", Filters=[{"Key": "name", "Values": ["t-acme-"]}])
    names = {s["Name"] for s in factory.platform().client("secretsmanager").list_secrets()[
        "SecretList"]}
    assert not {"t-acme-db/password", "t-globex-db/password"} & names
    names = {s["Name"] for s in factory.operator("123456789012").client(
        "secretsmanager").list_secrets()["SecretList"]}
    assert {"t-acme-db/password", "t-globex-db/password"} <= names


def test_platform_name_filters_may_not_name_another_scopes_secret(factory: ClientFactory) -> None:
    # Powertools' SecretsProvider.get_multiple(names) sends exactly this: one "name" filter with
    # the names, on BatchGetSecretValue. Shared names are fine; a tenant's is never sent.
    platform = factory.platform().client("secretsmanager")
    out = platform.batch_get_secret_value(Filters=[{"Key": "name", "Values": ["t-acme"]}])
    assert [v["SecretString"] for v in out["SecretValues"]] == ["platform"]
    for op in ("batch_get_secret_value", "list_secrets"):
        refused(platform, op, r"Filters\[0\]\.Values\[1\].*belongs to tenant:globex",
                Filters=[{"Key": "name", "Values": ["t-acme", "t-globex-db/password"]}])
        refused(platform, op, "belongs to tenant:acme", Filters=[
            {"Key": "description", "Values": ["x"]},
            {"Key": "name", "Values": ["t-acme-db/password"]}])
        refused(platform, op, "belongs to tenant:acme",
                Filters=[{"Key": "all", "Values": ["t-acme-db/password"]}])
    # A negated name selects everything else; the response filter drops tenants' secrets.
    out = platform.batch_get_secret_value(
        Filters=[{"Key": "name", "Values": ["!t-acme-db/password"]}])
    assert {v["Name"] for v in out["SecretValues"]} == {"t-acme"}


def test_resource_policies_are_refused_in_tenant_scope(acme: Any) -> None:
    policy = '{"Version": "2012-10-17", "Statement": []}'
    refused(acme, "put_resource_policy", "grant other principals", SecretId="db/password",
            ResourcePolicy=policy)
    refused(acme, "delete_resource_policy", "grant other principals", SecretId="db/password")
    refused(acme, "validate_resource_policy", "grant other principals", ResourcePolicy=policy)
    acme.get_resource_policy(SecretId="db/password")
    refused(acme, "get_resource_policy", "belongs to tenant:globex",
            SecretId="t-globex-db/password")


def test_kms_keys_must_be_of_the_own_account(acme: Any) -> None:
    refused(acme, "create_secret", "account", Name="enc", SecretString="x",
            KmsKeyId=f"arn:aws:kms:{REGION}:999999999999:key/abc")
    refused(acme, "update_secret", "partition", SecretId="db/password",
            KmsKeyId=f"arn:aws-cn:kms:{REGION}:{ACCOUNT}:key/abc")
    refused(acme, "replicate_secret_to_regions", "account", SecretId="db/password",
            AddReplicaRegions=[{"Region": "us-east-1",
                                "KmsKeyId": "arn:aws:kms:us-east-1:999999999999:key/abc"}])


def test_replication_to_another_region_passes_the_guard(acme: Any) -> None:
    acme.create_secret(Name="replicated", SecretString="x",
                       AddReplicaRegions=[{"Region": "us-east-1", "KmsKeyId": "alias/mine"}])
    acme.remove_regions_from_replication(SecretId="replicated", RemoveReplicaRegions=["us-east-1"])


def test_rotation_function_must_belong_to_the_scope(acme: Any) -> None:
    refused(acme, "rotate_secret", "belongs to tenant:globex", SecretId="db/password",
            RotationLambdaARN=f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-globex-rotate")
    refused(acme, "rotate_secret", "not an ARN of a lambda resource", SecretId="db/password",
            RotationLambdaARN=f"arn:aws:lambda:{REGION}:{ACCOUNT}:layer:t-acme-rotate")
    refused(acme, "rotate_secret", "grant other principals", SecretId="db/password",
            ExternalSecretRotationRoleArn=f"arn:aws:iam::{ACCOUNT}:role/x")


def test_cross_account_replicas_are_refused(acme: Any) -> None:
    skip_unless_in_model(acme, "CreateSecret", "CrossAccountPrimaryARN")
    other = secret_arn("t-acme-db", account="999999999999")
    refused(acme, "create_secret", "grant other principals", Name="copy",
            CrossAccountPrimaryARN=other)
    refused(acme, "associate_cross_account_replica", "cross-account replicas",
            SecretId="db/password", CrossAccountReplicaARN=other,
            ReplicationRoleARN="arn:aws:iam::999999999999:role/r")
    refused(acme, "disassociate_cross_account_replica", "cross-account replicas",
            SecretId="db/password", CrossAccountReplicaARN=other)


def test_every_other_operation_checks_the_secret(acme: Any) -> None:
    foreign = "t-globex-db/password"
    calls: list[tuple[str, dict[str, Any]]] = [
        ("describe_secret", {}), ("delete_secret", {}), ("restore_secret", {}),
        ("cancel_rotate_secret", {}), ("list_secret_version_ids", {}),
        ("tag_resource", {"Tags": [{"Key": "k", "Value": "v"}]}),
        ("untag_resource", {"TagKeys": ["k"]}),
        ("update_secret_version_stage", {"VersionStage": "AWSCURRENT"}),
        ("stop_replication_to_replica", {}),
    ]
    for call, extra in calls:
        refused(acme, call, "belongs to tenant:globex", SecretId=foreign, **extra)


def test_capsule_scope_is_isolated_like_a_tenant(factory: ClientFactory) -> None:
    dev = factory.capsule("dev").client("secretsmanager")
    assert dev.create_secret(Name="db", SecretString="x")["Name"] == "c-dev-db"
    refused(dev, "get_secret_value", "belongs to tenant:acme", SecretId="t-acme-db/password")


tenant_ids = st.text(alphabet="acme0123456789", min_size=1, max_size=8)
secret_names = st.text(alphabet="acmet-_/.+=@0123456789AZ", min_size=1, max_size=30)
suffixes = st.sampled_from(["", "-AbCdEf", "-abc123"])


@given(t=tenant_ids, u=tenant_ids, name=secret_names, suffix=suffixes)
def test_nothing_of_another_tenant_is_allowed(t: str, u: str, name: str, suffix: str) -> None:
    assume(t != u)
    try:
        physical = DEFAULT_POLICY.physical_name(DEFAULT_POLICY.tenant(u), "secretsmanager", name)
    except InvalidName:
        return
    check = RULES.kinds["secret_id"]
    for secret_id in (physical, secret_arn(physical + suffix)):
        with pytest.raises(ScopeViolation):
            check(guard_for(t), secret_id, "SecretId")


@given(t=tenant_ids, secret_id=st.one_of(secret_names, secret_names.map(secret_arn)))
def test_whatever_is_allowed_is_the_tenants_own_and_clean(t: str, secret_id: str) -> None:
    try:
        resolved = RULES.kinds["secret_id"](guard_for(t), secret_id, "SecretId")
    except ScopeViolation:
        return
    name = resolved.split(":secret:", 1)[-1]
    assert name.startswith(f"t-{t}-")
    assert "//" not in name and not name.endswith("/")
    assert not {".", ".."} & set(name[len(f"t-{t}-"):].split("/"))
