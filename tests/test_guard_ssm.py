"""SSM guard: Parameter Store names, paths, ARNs and selectors of other scopes refused with
nothing sent; in-scope calls work on moto under ``/t-acme/...``; the rest of SSM refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore.session
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guard_helpers import guard_for, refused

from scopeguard import ClientFactory, InvalidName, ScopeViolation
from scopeguard._guard.rules import Refuse
from scopeguard._guard.ssm import RULES, _parameter, _path
from scopeguard._naming import DEFAULT_POLICY
from scopeguard.testing import moto_factory

ACCOUNT = "123456789012"
REGION = "eu-west-1"


def parameter_arn(name: str, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:ssm:{REGION}:{account}:parameter/{name.lstrip('/')}"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    # One emulated world for the module: refusals never reach it, and tests that write use names
    # of their own.
    with moto_factory(account_id=ACCOUNT) as factory:
        for tenant in ("acme", "globex", "acme2"):
            ssm = factory.tenant(tenant).client("ssm")
            ssm.put_parameter(Name="/app/db/password", Value=f"{tenant}-pw", Type="SecureString")
            ssm.put_parameter(Name="/app/db/host", Value=f"{tenant}-host", Type="String")
            ssm.put_parameter(Name="flag", Value=f"{tenant}-flag", Type="String")
        factory.platform().client("ssm").put_parameter(Name="/app/db/host", Value="platform",
                                                       Type="String")
        yield factory


@pytest.fixture(scope="module")
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("ssm")



def value(client: Any, name: str) -> str:
    out: str = client.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    return out


def test_parameters_land_under_the_scope_path(factory: ClientFactory, acme: Any) -> None:
    operator = factory.operator(ACCOUNT).client("ssm")
    assert value(operator, "/t-acme/app/db/password") == "acme-pw"
    assert value(operator, "t-acme-flag") == "acme-flag"
    assert value(operator, "/app/db/host") == "platform"
    out = acme.get_parameter(Name="/app/db/host")["Parameter"]
    assert (out["Name"], out["Value"]) == ("/t-acme/app/db/host", "acme-host")
    assert value(acme, "flag") == "acme-flag"
    assert value(factory.tenant("globex").client("ssm"), "/app/db/host") == "globex-host"


def test_own_physical_names_and_arns_resolve(acme: Any) -> None:
    assert value(acme, "/t-acme/app/db/host") == "acme-host"
    assert value(acme, "t-acme-flag") == "acme-flag"
    assert value(acme, parameter_arn("/t-acme/app/db/host")) == "acme-host"


def test_get_parameters_maps_every_name_and_keeps_selectors(acme: Any) -> None:
    acme.put_parameter(Name="/app/versioned", Value="v1", Type="String")
    acme.put_parameter(Name="/app/versioned", Value="v2", Type="String", Overwrite=True)
    acme.label_parameter_version(Name="/app/versioned", ParameterVersion=1, Labels=["stable"])
    assert value(acme, "/app/versioned:1") == "v1"
    assert value(acme, "/app/versioned:stable") == "v1"
    assert value(acme, parameter_arn("/t-acme/app/versioned") + ":2") == "v2"
    out = acme.get_parameters(Names=["/app/db/host", "flag", "/app/versioned:stable"])
    assert sorted(p["Value"] for p in out["Parameters"]) == ["acme-flag", "acme-host", "v1"]
    history = acme.get_parameter_history(Name="/app/versioned")["Parameters"]
    assert [p["Value"] for p in history] == ["v1", "v2"]
    acme.unlabel_parameter_version(Name="/app/versioned", ParameterVersion=1, Labels=["stable"])


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("/t-globex/app/db/password", "belongs to tenant:globex"),
        ("t-globex-flag", "belongs to tenant:globex"),
        (parameter_arn("/t-globex/app/db/password"), "belongs to tenant:globex"),
        (parameter_arn("t-globex-flag"), "belongs to tenant:globex"),
        (parameter_arn("/t-acme/app/db/password", account="999999999999"), "account"),
        (parameter_arn("/t-acme/app/db/password", partition="aws-cn"), "partition"),
        (f"arn:aws:ssm:{REGION}:{ACCOUNT}:document/t-acme-x", "not a parameter ARN"),
        (f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:parameter/t-acme/x", "expected 'ssm'"),
        (parameter_arn("/app/db/password"), "not a resource of this scope"),
        ("arn:aws:ssm:" + REGION, "cannot parse"),
        ("/t-acme", "not valid|empty|not a ssm name"),
        ("/t-acme-x/y", "scope-like"),
        ("/app/db:", "not a parameter version or label"),
        ("/app/db:1:2", "not valid"),
        ("/app/db: x", "not a parameter version or label"),
    ],
)
def test_names_of_other_scopes_accounts_or_partitions_are_refused(
    acme: Any, name: str, match: str
) -> None:
    refused(acme, "get_parameter", match, Name=name)


@pytest.mark.parametrize(
    "name",
    ["/app/../x", "/app/./x", "//app", "/app//db", "/app/", "/", "app/db", "/t-acme/../t-globex/x",
     "/t-acme//x", "/t-acme/app/", "/app/d b", "/app/dé"],
)
def test_path_traversal_and_unclean_names_are_refused_not_cleaned(acme: Any, name: str) -> None:
    refused(acme, "get_parameter", "segment|not valid|belongs to", Name=name)
    refused(acme, "put_parameter", "segment|not valid|belongs to", Name=name, Value="x",
            Type="String")


def test_similar_tenant_prefix_is_refused(factory: ClientFactory) -> None:
    acme2 = factory.tenant("acme2").client("ssm")
    refused(acme2, "get_parameter", "belongs to tenant:acme", Name="/t-acme/app/db/password")
    refused(acme2, "get_parameter", "belongs to tenant:acme", Name="t-acme-flag")
    refused(acme2, "get_parameters_by_path", "belongs to tenant:acme", Path="/t-acme/app")
    names = {p["Name"] for p in acme2.get_parameters_by_path(Path="/", Recursive=True)[
        "Parameters"]}
    assert names == {"/t-acme2/app/db/password", "/t-acme2/app/db/host"}


def test_platform_cannot_reach_a_tenants_parameters(factory: ClientFactory) -> None:
    platform = factory.platform().client("ssm")
    refused(platform, "get_parameter", "belongs to tenant:acme", Name="/t-acme/app/db/password")
    refused(platform, "get_parameters_by_path", "belongs to tenant:acme", Path="/t-acme")
    refused(platform, "put_parameter", "belongs to tenant:acme", Name="/t-acme/x", Value="x",
            Type="String")


def test_secrets_manager_references_are_checked_as_secrets(factory: ClientFactory) -> None:
    # SSM returns the Secrets Manager secret a /aws/reference/secretsmanager/ name points at:
    # the platform must not read a tenant's secret through it, by any spelling.
    factory.tenant("globex").client("secretsmanager").create_secret(Name="db", SecretString="gx")
    factory.platform().client("secretsmanager").create_secret(Name="shared-db", SecretString="p")
    platform = factory.platform().client("ssm")
    reference = "/aws/reference/secretsmanager/"
    secret_arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:t-globex-db"
    for name in (f"{reference}t-globex-db", f"{reference}t-globex-db:AWSCURRENT",
                 "/AWS/Reference/SecretsManager/t-globex-db"):
        refused(platform, "get_parameter", "belongs to tenant:globex", Name=name,
                WithDecryption=True)
    # An ARN's last ':' reads as a version selector, which leaves no whole secret ARN: refused.
    refused(platform, "get_parameter", "is not a secret ARN", Name=f"{reference}{secret_arn}",
            WithDecryption=True)
    refused(platform, "get_parameters", "belongs to tenant:globex",
            Names=[f"{reference}shared-db", f"{reference}t-globex-db"], WithDecryption=True)
    refused(platform, "get_parameter", "names, not ARNs",
            Name=f"arn:aws:ssm:{REGION}:{ACCOUNT}:parameter/aws/reference/secretsmanager/x")
    refused(platform, "get_parameter", "only /aws/reference/secretsmanager/",
            Name="/aws/reference/other/t-globex-db")
    shared = platform.get_parameter(Name=f"{reference}shared-db", WithDecryption=True)
    assert shared["Parameter"]["Value"] == "p"
    # In a tenant the name is an ordinary parameter under the tenant's own path.
    acme = factory.tenant("acme").client("ssm")
    with pytest.raises(acme.exceptions.ParameterNotFound, match=f"/t-acme{reference}t-globex-db"):
        acme.get_parameter(Name=f"{reference}t-globex-db", WithDecryption=True)


def test_batch_names_are_each_checked(acme: Any) -> None:
    refused(acme, "get_parameters", "belongs to tenant:globex",
            Names=["/app/db/host", "/t-globex/app/db/host"])
    refused(acme, "delete_parameters", "belongs to tenant:globex",
            Names=["flag", "t-globex-flag"])
    refused(acme, "get_parameters", "same parameter", Names=["/app/db/host", "/t-acme/app/db/host"])


def test_get_parameters_by_path_stays_within_the_scope(acme: Any) -> None:
    out = acme.get_parameters_by_path(Path="/app/db")["Parameters"]
    assert sorted(p["Name"] for p in out) == ["/t-acme/app/db/host", "/t-acme/app/db/password"]
    out = acme.get_parameters_by_path(Path="/", Recursive=True,
                                      ParameterFilters=[{"Key": "Type", "Values": ["String"]}])
    assert {p["Name"] for p in out["Parameters"]} >= {"/t-acme/app/db/host"}
    assert all(p["Name"].startswith("/t-acme/") for p in out["Parameters"])
    assert acme.get_parameters_by_path(Path="/t-acme/app/db")["Parameters"]


@pytest.mark.parametrize(
    ("path", "match"),
    [
        ("/t-globex", "belongs to tenant:globex"),
        ("/t-globex-x", "scope-like"),
        ("/t-globex/app", "belongs to tenant:globex"),
        ("/app/../t-globex", "segment"),
        ("//", "segment"),
        ("/app/", "segment"),
        ("app", "must start with '/'"),
    ],
)
def test_paths_outside_the_scope_are_refused(acme: Any, path: str, match: str) -> None:
    refused(acme, "get_parameters_by_path", match, Path=path, Recursive=True)


def test_describe_parameters_is_narrowed_to_the_scope(acme: Any) -> None:
    names = {p["Name"] for p in acme.describe_parameters()["Parameters"]}
    assert names and all(n.startswith("/t-acme/") for n in names)
    out = acme.describe_parameters(ParameterFilters=[
        {"Key": "Path", "Option": "Recursive", "Values": ["/app/db"]}])["Parameters"]
    assert {p["Name"] for p in out} == {"/t-acme/app/db/host", "/t-acme/app/db/password"}
    refused(acme, "describe_parameters", "filter key 'Name'",
            ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["t-"]}])
    refused(acme, "describe_parameters", "belongs to tenant:globex",
            ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/t-globex/x"]}])
    refused(acme, "describe_parameters", "legacy Filters",
            Filters=[{"Key": "Name", "Values": ["t-globex-flag"]}])
    refused(acme, "describe_parameters", "other accounts", Shared=True)


def test_put_parameter_options_and_kms_keys(acme: Any) -> None:
    acme.put_parameter(Name="/app/limits", Value="10", Type="String", Tier="Advanced",
                       AllowedPattern="^[0-9]+$", Policies="[]", DataType="text",
                       Tags=[{"Key": "k", "Value": "v"}])
    acme.put_parameter(Name="/app/enc", Value="x", Type="SecureString", KeyId="alias/aws/ssm")
    refused(acme, "put_parameter", "account", Name="/app/enc2", Value="x", Type="SecureString",
            KeyId="arn:aws:kms:eu-west-1:999999999999:key/abc")
    acme.delete_parameter(Name="/app/limits")
    refused(acme, "delete_parameter", "belongs to tenant:globex", Name="/t-globex/app/db/host")
    refused(acme, "label_parameter_version", "belongs to tenant:globex",
            Name="/t-globex/app/db/host", Labels=["x"])


def test_tags_only_on_own_parameters(acme: Any) -> None:
    acme.add_tags_to_resource(ResourceType="Parameter", ResourceId="/app/db/host",
                              Tags=[{"Key": "team", "Value": "a"}])
    tags = acme.list_tags_for_resource(ResourceType="Parameter", ResourceId="/app/db/host")
    assert tags["TagList"] == [{"Key": "team", "Value": "a"}]
    refused(acme, "remove_tags_from_resource", "belongs to tenant:globex",
            ResourceType="Parameter", ResourceId="/t-globex/app/db/host", TagKeys=["team"])
    refused(acme, "add_tags_to_resource", "only parameters", ResourceType="Document",
            ResourceId="AWS-RunShellScript", Tags=[{"Key": "k", "Value": "v"}])


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("send_command", {"DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-1"]},
         "Run Command"),
        ("start_session", {"Target": "i-1"}, "Session Manager"),
        ("get_document", {"Name": "AWS-RunShellScript"}, "documents"),
        ("start_automation_execution", {"DocumentName": "AWS-RestartEC2Instance"}, "Automation"),
        ("list_associations", {}, "State Manager"),
        ("describe_maintenance_windows", {}, "maintenance windows"),
        ("describe_ops_items", {}, "OpsCenter"),
        ("get_inventory", {}, "inventory"),
        ("describe_patch_baselines", {}, "Patch Manager"),
        ("describe_instance_information", {}, "managed nodes"),
        ("get_service_setting", {"SettingId": "/ssm/parameter-store/high-throughput-enabled"},
         "service settings"),
        ("put_resource_policy", {"ResourceArn": parameter_arn("/t-acme/app/db/host"),
                                 "Policy": "{}"}, "share parameters"),
        ("list_cloud_connectors", {}, "cloud connectors"),
    ],
)
def test_everything_but_parameter_store_is_refused(
    acme: Any, call: str, params: dict[str, Any], match: str
) -> None:
    refused(acme, call, match, **params)


def test_every_refused_operation_says_why() -> None:
    model = botocore.session.get_session().get_service_model("ssm")
    refused_ops = [op for op in model.operation_names if isinstance(RULES.operations[op], Refuse)]
    assert len(refused_ops) > 130
    assert not any("Parameter" in op and "Patch" not in op for op in refused_ops)


def test_capsule_scope_is_isolated_like_a_tenant(factory: ClientFactory) -> None:
    dev = factory.capsule("dev").client("ssm")
    dev.put_parameter(Name="/app/x", Value="dev", Type="String")
    assert value(factory.operator(ACCOUNT).client("ssm"), "/c-dev/app/x") == "dev"
    refused(dev, "get_parameter", "belongs to tenant:acme", Name="/t-acme/app/db/host")


tenant_ids = st.text(alphabet="acme0123456789", min_size=1, max_size=8)
# Flat and hierarchical names, with "/", "." and scope-looking pieces over-represented.
parameter_names = st.text(alphabet="/act-_.0123456789m", min_size=1, max_size=30)
selectors = st.sampled_from(["", ":1", ":stable"])


@given(t=tenant_ids, u=tenant_ids, name=parameter_names, selector=selectors)
def test_nothing_of_another_tenant_is_allowed(t: str, u: str, name: str, selector: str) -> None:
    assume(t != u)
    try:
        physical = DEFAULT_POLICY.physical_name(DEFAULT_POLICY.tenant(u), "ssm", name)
    except InvalidName:
        return
    for candidate in (physical, parameter_arn(physical)):
        with pytest.raises(ScopeViolation):
            _parameter(guard_for(t), candidate + selector, "Name", selector=True)
    if physical.startswith("/"):
        with pytest.raises(ScopeViolation):
            _path(guard_for(t), physical, "Path")


@given(t=tenant_ids, name=st.one_of(parameter_names, parameter_names.map(parameter_arn)))
def test_whatever_is_allowed_is_the_tenants_own_and_clean(t: str, name: str) -> None:
    guard = guard_for(t)
    try:
        resolved = _parameter(guard, name, "Name")
    except ScopeViolation:
        return
    if resolved.startswith("arn:"):
        rest = resolved.split(":parameter/", 1)[1]
        resolved = "/" + rest if "/" in rest else rest
    assert DEFAULT_POLICY.owner(resolved) == guard.scope
    assert "//" not in resolved and not resolved.endswith("/")
    assert not {".", ".."} & set(resolved.split("/"))


@given(t=tenant_ids, path=parameter_names)
def test_paths_allowed_stay_under_the_tenants_root(t: str, path: str) -> None:
    guard = guard_for(t)
    try:
        resolved = _path(guard, path, "Path")
    except ScopeViolation:
        return
    root = f"/t-{t}"
    assert resolved == root or resolved.startswith(root + "/")
    assert "//" not in resolved and not resolved.endswith("/")
    assert not {".", ".."} & set(resolved.split("/"))


def test_paginators_stay_within_the_scope(acme: Any) -> None:
    pages = acme.get_paginator("get_parameters_by_path").paginate(
        Path="/app", Recursive=True, PaginationConfig={"PageSize": 1})
    names = [p["Name"] for page in pages for p in page["Parameters"]]
    assert len(names) >= 2 and all(n.startswith("/t-acme/app/") for n in names)
    pages = acme.get_paginator("describe_parameters").paginate(PaginationConfig={"PageSize": 1})
    names = [p["Name"] for page in pages for p in page["Parameters"]]
    assert len(names) >= 2 and all(n.startswith("/t-acme/") for n in names)


_RUN = {"DocumentName": "AWS-RunShellScript", "InstanceIds": ["i-0123456789abcdef0"],
        "Parameters": {"commands": ["true"]}}


@pytest.mark.parametrize(("call", "params", "match"), [
    # Command output, notifications and the role of Run Command: a tenant's bucket, topic or
    # role would receive (or act on) what the account's instances run.
    ("send_command", {**_RUN, "OutputS3BucketName": "t-acme-logs"}, "'t-acme-logs' belongs"),
    ("send_command", {**_RUN, "NotificationConfig": {
        "NotificationArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:t-acme-news"}}, "'t-acme-news'"),
    ("send_command", {**_RUN, "ServiceRoleArn": f"arn:aws:iam::{ACCOUNT}:role/T-ACME-r"},
     "'t-acme-r' belongs"),
    # A data sync writes the whole account's inventory to its bucket.
    ("create_resource_data_sync", {"SyncName": "s", "S3Destination": {
        "BucketName": "t-acme-logs", "SyncFormat": "JsonSerDe", "Region": REGION}},
     "'t-acme-logs' belongs"),
    ("register_task_with_maintenance_window", {
        "WindowId": "mw-0123456789abcdef0", "TaskType": "LAMBDA",
        "TaskArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-acme-f"}, "'t-acme-f'"),
    ("create_activation", {"IamRole": "t-acme-ssm"}, "'t-acme-ssm' belongs"),
    ("create_association", {"Name": "AWS-RunShellScript", "OutputLocation": {"S3Location": {
        "OutputS3BucketName": "t-acme-logs"}}}, "'t-acme-logs' belongs"),
])
def test_platform_ssm_beyond_parameters_cannot_name_a_tenants_resources(
        factory: ClientFactory, call: str, params: dict[str, Any], match: str) -> None:
    refused(factory.platform().client("ssm"), call, match, **params)


def test_platform_run_command_with_its_own_bucket_and_role_is_sent(
        factory: ClientFactory) -> None:
    platform = factory.platform().client("ssm")
    command = platform.send_command(**_RUN, OutputS3BucketName="platform-logs",
                                    ServiceRoleArn=f"arn:aws:iam::{ACCOUNT}:role/platform-ssm")
    assert command["Command"]["OutputS3BucketName"] == "platform-logs"
