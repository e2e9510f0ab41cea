"""Lambda guard: function names in every form, roles, layers, event sources, refused families.

moto runs Lambda's control plane without Docker; invoking a function would need it, so
invocations are only tested where they are refused (nothing is sent)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from guard_helpers import guard_for, refused, tampering

from scopeguard import ClientFactory, InvalidName, NamingPolicy, PooledTable, ScopeViolation
from scopeguard._guard.lambda_ import RULES
from scopeguard._naming import DEFAULT_POLICY
from scopeguard.testing import count_requests, moto_factory, test_session

ACCOUNT = "123456789012"
OTHER = "999999999999"
REGION = "eu-west-1"
BASE = f"arn:aws:lambda:{REGION}:{ACCOUNT}"


def function_arn(name: str, account: str = ACCOUNT, partition: str = "aws") -> str:
    return f"arn:{partition}:lambda:{REGION}:{account}:function:{name}"


def role_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def queue_arn(name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:sqs:{REGION}:{account}:{name}"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


CODE: Any = {"ZipFile": _zip()}
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})


def _create(client: Any, name: str, role: str, **extra: Any) -> Any:
    return client.create_function(FunctionName=name, Runtime="python3.12", Role=role,
                                  Handler="app.handler", Code=CODE, **extra)


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory(account_id=ACCOUNT) as factory:
        iam = factory.platform().client("iam")
        for tenant in ("acme", "acme2", "globex"):
            # Provisioning (platform scope) creates each scope's role under its prefix.
            role = iam.create_role(RoleName=f"t-{tenant}-fn",
                                   AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
            scope = factory.tenant(tenant)
            _create(scope.client("lambda"), "orders", role)
            scope.client("sqs").create_queue(QueueName="jobs")
        iam.create_role(RoleName="platform-fn", AssumeRolePolicyDocument=TRUST)
        yield factory


@pytest.fixture
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("lambda")



def test_function_lands_under_its_physical_name(factory: ClientFactory, acme: Any) -> None:
    config = acme.get_function(FunctionName="orders")["Configuration"]
    assert config["FunctionName"] == "t-acme-orders"
    assert config["FunctionArn"] == function_arn("t-acme-orders")
    assert config["Role"] == role_arn("t-acme-fn")
    assert factory.tenant("acme").physical_name("lambda", "orders") == "t-acme-orders"


def test_every_accepted_name_form_reaches_the_own_function(acme: Any) -> None:
    version = acme.publish_version(FunctionName="orders")["Version"]
    acme.create_alias(FunctionName="orders", Name="live", FunctionVersion=version)
    for name in ("orders", "t-acme-orders", function_arn("t-acme-orders"), "orders:live",
                 f"{function_arn('t-acme-orders')}:live"):
        config = acme.get_function(FunctionName=name)["Configuration"]
        assert config["FunctionName"] == "t-acme-orders", name
    assert acme.get_alias(FunctionName="orders", Name="live")["Name"] == "live"
    assert acme.get_function(FunctionName="orders", Qualifier=version)["Configuration"][
        "Version"] == version


def test_partial_arn_of_the_own_function_passes_the_guard(acme: Any) -> None:
    # moto does not understand partial ARNs (it fails before answering), so count requests
    # that were signed: the guard's last check runs at signing time.
    signed: list[str] = []
    events = acme.meta.events
    events.register_last("request-created.lambda", lambda request, **_: signed.append(
        request.url), unique_id="test-signed")
    try:
        with pytest.raises(Exception) as info:
            acme.get_function(FunctionName=f"{ACCOUNT}:function:t-acme-orders:live")
    finally:
        events.unregister("request-created.lambda", unique_id="test-signed")
    assert not isinstance(info.value, ScopeViolation)
    assert [url.rsplit("/", 1)[1] for url in signed] == [
        f"{ACCOUNT}%3Afunction%3At-acme-orders%3Alive"]


@pytest.mark.parametrize(
    ("name", "match"),
    [
        ("t-globex-orders", "belongs to tenant:globex"),
        ("t-acme2-orders", "belongs to tenant:acme2"),
        ("t-globex-orders:live", "belongs to tenant:globex"),
        ("c-dev-orders", "belongs to capsule:dev"),
        (function_arn("t-globex-orders"), "belongs to tenant:globex"),
        (function_arn("t-acme2-orders") + ":live", "belongs to tenant:acme2"),
        (function_arn("t-acme-orders", account=OTHER), "account"),
        (function_arn("t-acme-orders", partition="aws-cn"), "partition"),
        (function_arn("orders"), "not a resource of this scope"),
        (f"{OTHER}:function:t-acme-orders", "partial ARN account"),
        (f"{ACCOUNT}:function:t-globex-orders", "belongs to tenant:globex"),
        (f"{ACCOUNT}:function:orders:live", "not a resource of this scope"),
        ("function:orders", "ambiguous"),
        (f"{REGION}:{ACCOUNT}:function:t-acme-orders", "cannot read"),
        (f"{ACCOUNT}:orders", "ambiguous"),
        ("orders:a/b", "not a version, alias"),
        ("orders:", "not a version, alias"),
        ("or.ders", "not valid"),
        ("\u043erders", "not valid"),  # Cyrillic o
        ("orders\n", "not valid"),
        (function_arn("t-acme-orders\n"), "understands"),
        (f"{ACCOUNT}:function:t-acme-orders\n", "not a valid function name"),
        ("", "not valid"),
        ("x" * 60, "characters"),
        (f"{BASE}:layer:t-acme-orders", "not a function ARN"),
        (queue_arn("t-acme-orders"), "not a function ARN"),
        (f"{BASE}:function:t-acme-orders:a/b", "understands"),
    ],
)
def test_foreign_or_malformed_function_names_are_refused(acme: Any, name: str, match: str
                                                         ) -> None:
    refused(acme, "get_function", match, FunctionName=name)
    refused(acme, "invoke", match, FunctionName=name, Payload=b"{}")


@pytest.mark.parametrize("call", ["invoke", "invoke_with_response_stream", "invoke_async"])
def test_every_invoke_flavour_checks_the_function(acme: Any, call: str) -> None:
    payload = {"InvokeArgs": b"{}"} if call == "invoke_async" else {"Payload": b"{}"}
    refused(acme, call, "belongs to tenant:globex", FunctionName="t-globex-orders", **payload)
    refused(acme, call, "account", FunctionName=function_arn("t-acme-orders", account=OTHER),
            **payload)


def test_qualifier_parameter_is_checked(acme: Any) -> None:
    refused(acme, "get_function", "not a version, alias", FunctionName="orders",
            Qualifier="a:b")
    refused(acme, "invoke", "not a version, alias", FunctionName="orders", Qualifier="../x")


def test_platform_cannot_reach_a_tenants_function(factory: ClientFactory) -> None:
    platform = factory.platform().client("lambda")
    refused(platform, "get_function", "belongs to tenant:acme", FunctionName="t-acme-orders")
    refused(platform, "invoke", "belongs to tenant:acme", FunctionName=function_arn("t-acme-orders"))


@pytest.mark.parametrize("source", [
    "arn:aws:s3:::t-acme-uploads",
    queue_arn("t-acme-jobs"),
    f"arn:aws:sns:{REGION}:{ACCOUNT}:t-acme-news",
    f"arn:aws:events:{REGION}:{ACCOUNT}:rule/t-acme-bus/nightly",
    f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t-acme-orders/stream/2024",
])
def test_platform_cannot_grant_a_shared_function_to_a_tenants_source(
        factory: ClientFactory, source: str) -> None:
    """A tenant's bucket, queue, topic, rule or stream granted invoke on a shared function
    could then invoke it with its own events."""
    refused(factory.platform().client("lambda"), "add_permission", "belongs to tenant:acme",
            FunctionName="platform-granted", StatementId="s", Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com", SourceArn=source)


def test_platform_grants_a_shared_function_to_its_own_and_other_accounts_sources(
        factory: ClientFactory) -> None:
    platform = factory.platform().client("lambda")
    role = factory.platform().client("iam").get_role(RoleName="platform-fn")["Role"]["Arn"]
    _create(platform, "platform-granted", role)
    for i, source in enumerate(("arn:aws:s3:::platform-uploads",
                                f"arn:aws:events:{REGION}:{ACCOUNT}:rule/nightly",
                                f"arn:aws:sns:{REGION}:{OTHER}:partner-news")):
        platform.add_permission(FunctionName="platform-granted", StatementId=f"s{i}",
                                Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                                SourceArn=source)
    statements = json.loads(platform.get_policy(FunctionName="platform-granted")["Policy"])[
        "Statement"]
    assert len(statements) == 3


def test_platform_failure_destinations_in_s3_are_checked_for_their_bucket(
        factory: ClientFactory) -> None:
    """Failed events of a shared function written to a tenant's bucket would hand it what the
    function received; the platform's own bucket passes the guard (moto answers)."""
    platform = factory.platform().client("lambda")
    role = factory.platform().client("iam").get_role(RoleName="platform-fn")["Role"]["Arn"]
    _create(platform, "platform-failing", role)
    for bucket, match in (("arn:aws:s3:::t-acme-uploads", "belongs to tenant:acme"),
                          ("arn:aws:s3:::t-acme-uploads/logs", "not an S3 bucket ARN"),
                          (f"arn:aws:s3:{REGION}:{ACCOUNT}:t-acme-uploads",
                           "not an S3 bucket ARN")):
        refused(platform, "put_function_event_invoke_config", match,
                FunctionName="platform-failing",
                DestinationConfig={"OnFailure": {"Destination": bucket}})
    with count_requests(platform) as sent:
        try:
            platform.put_function_event_invoke_config(
                FunctionName="platform-failing",
                DestinationConfig={"OnFailure": {"Destination": "arn:aws:s3:::platform-dlq"}})
        except platform.exceptions.ClientError:
            pass  # moto's own validation of the destination: an answer, so it was sent
    assert sent.total == 1


@pytest.mark.parametrize(
    ("role", "match"),
    [
        (role_arn("platform-fn"), "not a resource of this scope"),
        (role_arn("t-globex-fn"), "belongs to tenant:globex"),
        (role_arn("T-GLOBEX-fn"), "belongs to tenant:globex"),  # IAM names ignore case
        (role_arn("t-acme2-fn"), "belongs to tenant:acme2"),
        (role_arn("t-acme-fn", account=OTHER), "account"),
        (f"arn:aws:iam::{ACCOUNT}:user/t-acme-fn", "not an IAM role ARN"),
        ("t-acme-fn", "cannot parse"),
    ],
)
def test_create_function_passes_only_the_scopes_own_roles(acme: Any, role: str, match: str
                                                          ) -> None:
    refused(acme, "create_function", match, FunctionName="new", Runtime="python3.12",
            Role=role, Handler="app.handler", Code=CODE)
    refused(acme, "update_function_configuration", match, FunctionName="orders", Role=role)


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ({"Code": {"ImageUri": f"{OTHER}.dkr.ecr.{REGION}.amazonaws.com/x:1"}}, "ECR"),
        ({"Code": {"S3Bucket": "t-globex-code", "S3Key": "f.zip"}}, "belongs to tenant:globex"),
        ({"VpcConfig": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]}}, "VPC"),
        ({"FileSystemConfigs": [{"Arn": f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:"
                                        "access-point/fsap-1", "LocalMountPath": "/mnt/x"}]},
         "EFS"),
        ({"LoggingConfig": {"LogGroup": "/t-globex/app"}}, "log group"),
        ({"DeadLetterConfig": {"TargetArn": queue_arn("t-globex-jobs")}}, "tenant:globex"),
        ({"KMSKeyArn": f"arn:aws:kms:{REGION}:{OTHER}:key/k"}, "account"),
        ({"Layers": [f"arn:aws:lambda:{REGION}:{OTHER}:layer:tools:3"]}, "account"),
        ({"Layers": [f"{BASE}:layer:t-globex-tools:1"]}, "belongs to tenant:globex"),
        ({"Layers": [f"{BASE}:layer:tools"]}, "not a layer version ARN"),
        ({"CodeSigningConfigArn": f"arn:aws:lambda:{REGION}:{OTHER}:code-signing-config:"
                                  "csc-0123456789abcdef0"}, "account"),
        ({"CodeSigningConfigArn": f"{BASE}:function:t-acme-orders"},
         "not a code signing config"),
    ],
)
def test_create_function_settings_outside_the_scope_are_refused(
        acme: Any, extra: dict[str, Any], match: str) -> None:
    params: dict[str, Any] = {"FunctionName": "new", "Runtime": "python3.12",
                              "Role": role_arn("t-acme-fn"), "Handler": "app.handler",
                              "Code": CODE, **extra}
    refused(acme, "create_function", match, **params)


def test_layers_of_the_scope_and_shared_layers(factory: ClientFactory, acme: Any) -> None:
    own = acme.publish_layer_version(LayerName="tools", Content=CODE)["LayerVersionArn"]
    assert own == f"{BASE}:layer:t-acme-tools:1"
    shared = factory.platform().client("lambda").publish_layer_version(
        LayerName="shared-tools", Content=CODE)["LayerVersionArn"]
    config = _create(acme, "with-layers", role_arn("t-acme-fn"), Layers=[own, shared])
    assert config["FunctionName"] == "t-acme-with-layers"
    assert [v["Version"] for v in acme.list_layer_versions(LayerName="tools")["LayerVersions"]
            ] == [1]
    refused(acme, "get_layer_version", "belongs to tenant:globex",
            LayerName=f"{BASE}:layer:t-globex-tools", VersionNumber=1)
    refused(acme, "get_layer_version", "account",
            LayerName=f"arn:aws:lambda:{REGION}:{OTHER}:layer:tools", VersionNumber=1)
    refused(acme, "get_layer_version_by_arn", "account",
            Arn=f"arn:aws:lambda:{REGION}:{OTHER}:layer:tools:1")
    refused(acme, "delete_layer_version", "not a resource of this scope",
            LayerName=f"{BASE}:layer:shared-tools", VersionNumber=1)
    refused(acme, "list_layers", "account-wide")


def test_event_source_mappings(factory: ClientFactory, acme: Any) -> None:
    mapping = acme.create_event_source_mapping(EventSourceArn=queue_arn("t-acme-jobs"),
                                               FunctionName="orders")
    listed = acme.list_event_source_mappings(FunctionName="orders")["EventSourceMappings"]
    assert [m["UUID"] for m in listed] == [mapping["UUID"]]
    for call in ("get_event_source_mapping", "delete_event_source_mapping"):
        refused(acme, call, "UUID", UUID=mapping["UUID"])
    refused(acme, "update_event_source_mapping", "UUID", UUID=mapping["UUID"],
            FunctionName="orders")
    refused(acme, "list_event_source_mappings", "every scope")


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (queue_arn("t-globex-jobs"), "belongs to tenant:globex"),
        (queue_arn("t-acme-jobs", account=OTHER), "account"),
        (f"arn:aws:kinesis:{REGION}:{ACCOUNT}:stream/t-acme2-clicks", "tenant:acme2"),
        (f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t-globex-orders/stream/2026-01-01T00:00:00",
         "tenant:globex"),
        (f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/t-acme-orders", "understands"),
        (f"arn:aws:kafka:{REGION}:{ACCOUNT}:cluster/t-acme-c/abc", "not accepted"),
    ],
)
def test_event_sources_outside_the_scope_are_refused(acme: Any, source: str, match: str) -> None:
    refused(acme, "create_event_source_mapping", match, EventSourceArn=source,
            FunctionName="orders")


def test_pooled_table_streams_are_not_event_sources() -> None:
    naming = NamingPolicy(pooled_tables={"sessions": PooledTable("pk")})
    factory = ClientFactory(session=test_session(), account_id=ACCOUNT, naming=naming)
    acme = factory.tenant("acme").client("lambda")
    refused(acme, "create_event_source_mapping", "pooled", FunctionName="orders",
            EventSourceArn=f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/sessions/stream/x")


def test_foreign_event_source_kinds_are_refused(acme: Any) -> None:
    refused(acme, "create_event_source_mapping", "Kafka", FunctionName="orders",
            Topics=["t"], SelfManagedEventSource={"Endpoints": {
                "KAFKA_BOOTSTRAP_SERVERS": ["evil.example.com:9092"]}})


def test_destinations(acme: Any) -> None:
    acme.put_function_event_invoke_config(FunctionName="orders", DestinationConfig={
        "OnFailure": {"Destination": queue_arn("t-acme-jobs")}})
    for destination, match in [
        (queue_arn("t-globex-jobs"), "tenant:globex"),
        (function_arn("t-acme2-orders"), "tenant:acme2"),
        ("arn:aws:s3:::t-acme-bucket", "without an account"),
        (f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:t-acme-x", "not accepted"),
    ]:
        refused(acme, "put_function_event_invoke_config", match, FunctionName="orders",
                DestinationConfig={"OnSuccess": {"Destination": destination}})


def test_function_urls_only_with_iam_auth(acme: Any) -> None:
    url = acme.create_function_url_config(FunctionName="orders", AuthType="AWS_IAM")
    assert url["AuthType"] == "AWS_IAM"
    refused(acme, "update_function_url_config", "callable by anyone", FunctionName="orders",
            AuthType="NONE")
    refused(acme, "create_function_url_config", "callable by anyone",
            FunctionName="orders", Qualifier="live", AuthType="NONE")


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("add_permission", {"FunctionName": "orders", "StatementId": "s",
                            "Action": "lambda:InvokeFunction", "Principal": "*"}, "permissions"),
        ("remove_permission", {"FunctionName": "orders", "StatementId": "s"}, "permissions"),
        ("put_resource_policy", {"ResourceArn": function_arn("t-acme-orders"), "Policy": "{}"},
         "permissions"),
        ("add_layer_version_permission", {"LayerName": "tools", "VersionNumber": 1,
                                          "StatementId": "s", "Action": "lambda:GetLayerVersion",
                                          "Principal": "*"}, "permissions"),
        ("list_functions", {}, "account-wide"),
        ("get_account_settings", {}, "account-wide"),
        ("list_code_signing_configs", {}, "code signing"),
        ("list_capacity_providers", {}, "capacity providers"),
        ("send_durable_execution_callback_success", {"CallbackId": "c"}, "callback"),
        ("get_durable_execution", {
            "DurableExecutionArn": f"{function_arn('t-globex-orders')}:1/durable-execution/a/b"},
         "belongs to tenant:globex"),
        ("put_provisioned_concurrency_config", {"FunctionName": "t-globex-orders",
                                                "Qualifier": "live",
                                                "ProvisionedConcurrentExecutions": 1},
         "belongs to tenant:globex"),
        ("create_alias", {"FunctionName": "orders", "Name": "123", "FunctionVersion": "1"},
         "not a valid alias"),
        ("list_tags", {"Resource": f"{BASE}:event-source-mapping:"
                                   "0f0e0d0c-0b0a-0908-0706-050403020100"}, "platform scope"),
        ("tag_resource", {"Resource": function_arn("t-globex-orders"), "Tags": {"k": "v"}},
         "belongs to tenant:globex"),
    ],
)
def test_refused_families(acme: Any, call: str, params: dict[str, Any], match: str) -> None:
    refused(acme, call, match, **params)


def test_tags_on_the_own_function(acme: Any) -> None:
    acme.tag_resource(Resource=function_arn("t-acme-orders"), Tags={"team": "a"})
    assert acme.list_tags(Resource=function_arn("t-acme-orders"))["Tags"]["team"] == "a"


def test_capsule_functions_are_separate(factory: ClientFactory) -> None:
    role = factory.platform().client("iam").create_role(
        RoleName="c-dev-fn", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    dev = factory.capsule("dev").client("lambda")
    assert _create(dev, "orders", role)["FunctionName"] == "c-dev-orders"
    refused(dev, "get_function", "belongs to tenant:acme", FunctionName="t-acme-orders")
    refused(dev, "create_function", "belongs to tenant:acme", FunctionName="x",
            Runtime="python3.12", Role=role_arn("t-acme-fn"), Handler="app.handler", Code=CODE)


def test_waiters_and_presigned_urls_go_through_the_guard(acme: Any) -> None:
    acme.get_waiter("function_active_v2").wait(FunctionName="orders")
    with count_requests(acme) as sent, pytest.raises(ScopeViolation, match="tenant:globex"):
        acme.get_waiter("function_exists").wait(FunctionName="t-globex-orders")
    with pytest.raises(ScopeViolation, match="tenant:globex"):
        acme.generate_presigned_url("get_function", Params={"FunctionName": "t-globex-orders"})
    assert sent.total == 0


tenant_ids = st.text(alphabet="acme0123456789", min_size=1, max_size=8)
names = st.text(alphabet="act-_0123456789fio", min_size=1, max_size=30)
qualifiers = st.sampled_from(["$LATEST", "1", "live", "t-acme-x"])


@given(t=tenant_ids, u=tenant_ids, name=names, qualifier=qualifiers)
def test_nothing_of_another_tenant_is_allowed(t: str, u: str, name: str, qualifier: str) -> None:
    assume(t != u)
    try:
        physical = DEFAULT_POLICY.physical_name(DEFAULT_POLICY.tenant(u), "lambda", name)
    except InvalidName:
        return
    guard = guard_for(t)
    for kind, value in (
        ("function", physical), ("function", f"{physical}:{qualifier}"),
        ("function", function_arn(physical)), ("function", f"{function_arn(physical)}:{qualifier}"),
        ("function", f"{ACCOUNT}:function:{physical}"),
        ("function", f"{ACCOUNT}:function:{physical}:{qualifier}"),
        ("role", role_arn(physical)), ("role", role_arn(physical.upper())),
        ("layer", f"{BASE}:layer:{physical}"), ("layer_version", f"{BASE}:layer:{physical}:1"),
        ("event_source", queue_arn(physical)), ("destination", function_arn(physical)),
        ("dead_letter", queue_arn(physical)), ("resource", function_arn(physical)),
    ):
        with pytest.raises(ScopeViolation):
            RULES.kinds[kind](guard, value, "FunctionName")


function_like = st.lists(st.sampled_from([
    "arn", "aws", "aws-cn", "lambda", REGION, ACCOUNT, "999999999999", "function", "t-acme-fn",
    "t-acme2-fn", "fn", "", "$LATEST", "1", "a/b", "\n", "t-", "acme",
]), min_size=1, max_size=8).map(":".join)


@given(t=st.sampled_from(["acme", "acme2"]), value=function_like)
def test_whatever_is_allowed_is_the_scopes_own_and_clean(t: str, value: str) -> None:
    try:
        resolved = RULES.kinds["function"](guard_for(t), value, "FunctionName")
    except ScopeViolation:
        return
    parts = resolved.split(":")
    name = parts[6] if resolved.startswith("arn:") else parts[2] if len(parts) > 2 else parts[0]
    assert DEFAULT_POLICY.owner(name) == DEFAULT_POLICY.tenant(t)
    assert resolved.isascii() and resolved.isprintable() and "/" not in resolved
    # The last part may be a numeric version qualifier (`name:999999999999`); any 12-digit part
    # before it is an account and must be the scope's own.
    assert ACCOUNT in resolved or not any(p.isdigit() and len(p) == 12 for p in parts[:-1])


# -- the signed request, read back at signing time -------------------------------------------------


def _rewrite_url(old: str, new: str) -> Any:
    def rewrite(request: Any, **_: Any) -> None:
        request.url = request.url.replace(old, new, 1)

    return rewrite


@pytest.mark.parametrize("event", ["before-sign.lambda", "request-created.lambda"])
def test_function_in_the_url_rewritten_before_signing_is_refused(acme: Any, event: str) -> None:
    with tampering(acme, event, _rewrite_url("/t-acme-orders", "/t-globex-orders")):
        refused(acme, "get_function", "belongs to tenant:globex", FunctionName="orders")
        refused(acme, "invoke", "belongs to tenant:globex", FunctionName="orders:live",
                Payload=b"{}")
    arn = function_arn("t-globex-orders").replace(":", "%3A")
    with tampering(acme, event, _rewrite_url("/t-acme-orders", f"/{arn}")):
        refused(acme, "get_function", "belongs to tenant:globex", FunctionName="orders")


def test_request_turned_into_another_operation_is_refused(acme: Any) -> None:
    def delete(request: Any, **_: Any) -> None:  # GetFunction -> DeleteFunction
        request.method = "DELETE"

    with tampering(acme, "before-sign.lambda", delete):
        refused(acme, "get_function", "method DELETE", FunctionName="orders")
    with tampering(acme, "before-sign.lambda", _rewrite_url("/invocations", "/policy")):
        refused(acme, "invoke", "path", FunctionName="orders", Payload=b"{}")


def test_body_rewritten_before_signing_is_refused(acme: Any) -> None:
    def retarget(request: Any, **_: Any) -> None:
        request.data = request.data.replace(b"t-acme-fn", b"t-globex-fn")

    with tampering(acme, "before-sign.lambda", retarget):
        refused(acme, "update_function_configuration", "belongs to tenant:globex",
                FunctionName="orders", Role=role_arn("t-acme-fn"))


class _Sent(Exception):
    """Raised at before-send: the request passed every check and was signed."""


def test_invoke_with_qualified_names_passes(acme: Any) -> None:
    sent: list[str] = []

    def stop(request: Any, **_: Any) -> None:  # moto would need Docker to run the function
        sent.append(request.url)
        raise _Sent

    version = acme.publish_version(FunctionName="orders")["Version"]
    acme.create_alias(FunctionName="orders", Name="stable", FunctionVersion=version)
    with tampering(acme, "before-send.lambda", stop):
        for name, qualifier in (("orders:stable", None), ("orders", version),
                                (function_arn("t-acme-orders") + ":stable", None),
                                (f"{ACCOUNT}:function:t-acme-orders", "$LATEST")):
            extra = {"Qualifier": qualifier} if qualifier else {}
            with pytest.raises(_Sent):
                acme.invoke(FunctionName=name, Payload=b'{"a": 1}', **extra)
    assert len(sent) == 4 and all("/invocations" in url for url in sent)
