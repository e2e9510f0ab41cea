"""ClientFactory: client reuse, options, endpoint pinning, bypass detection, caches, lifecycle."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from scopeguard import ClientFactory, ConfigurationError, InvalidScope, ScopeViolation
from scopeguard.testing import MotoServer, count_requests, moto_factory, test_session


@pytest.fixture
def factory() -> Iterator[ClientFactory]:
    with moto_factory(account_id="123456789012") as factory:
        yield factory


def _table(client: Any, name: str = "orders") -> None:
    client.create_table(
        TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_same_scope_and_service_returns_the_same_client(factory: ClientFactory) -> None:
    a = factory.tenant("acme").client("dynamodb")
    assert factory.tenant("acme").client("dynamodb") is a
    assert factory.tenant("acme").client("dynamodb", region_name="us-east-1") is not a
    assert factory.tenant("globex").client("dynamodb") is not a


def test_tenants_share_one_botocore_client_per_service(factory: ClientFactory) -> None:
    for tenant in ("a", "b", "c", "d"):
        factory.tenant(tenant).client("dynamodb")
    factory.platform().client("dynamodb")
    stats = factory.stats()
    assert stats["clients.created"] == 1
    assert stats["scoped.miss"] == 5


def test_scoped_client_is_an_ordinary_boto3_client(factory: ClientFactory) -> None:
    from botocore.client import BaseClient

    client = factory.tenant("acme").client("dynamodb")
    shared = next(iter(factory._shared.values()))
    assert isinstance(client, BaseClient) and isinstance(client, type(shared))
    assert type(client).__name__ == type(shared).__name__ == "DynamoDB"
    assert client.scope.kind == "tenant" and str(client.scope) == "tenant:acme"
    assert client.exceptions.ResourceNotFoundException
    assert client.can_paginate("query")


@pytest.mark.parametrize("option", ["endpoint_url", "aws_access_key_id", "aws_session_token",
                                    "botocore_session"])
def test_credential_and_endpoint_options_are_refused(factory: ClientFactory, option: str) -> None:
    with pytest.raises(ConfigurationError, match="decided by the ClientFactory"):
        factory.tenant("acme").client("dynamodb", **{option: "x"})


def test_missing_region_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    factory = ClientFactory(session=boto3.Session(aws_access_key_id="a", aws_secret_access_key="b"))
    with pytest.raises(ConfigurationError, match="no region"):
        factory.platform().client("dynamodb")


def test_unsigned_config_is_refused(factory: ClientFactory) -> None:
    from botocore import UNSIGNED
    from botocore.config import Config

    with pytest.raises(ConfigurationError, match="unsigned"):
        factory.platform().client("s3", config=Config(signature_version=UNSIGNED))


@pytest.mark.parametrize("bad", ["", "ACME", "acme corp", "acme\u200b"])
def test_invalid_tenant_ids_fail_on_entry(factory: ClientFactory, bad: str) -> None:
    with pytest.raises(InvalidScope):
        factory.tenant(bad)


def test_endpoint_environment_overrides_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    with MotoServer() as decoy, moto_factory() as factory:
        monkeypatch.setenv("AWS_ENDPOINT_URL", decoy.endpoint_url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", decoy.endpoint_url)
        client = factory.tenant("acme").client("dynamodb")
        _table(client)
        assert decoy.requests == 0
        assert "amazonaws.com" in client.meta.endpoint_url


def test_scopeguard_endpoint_variable_pins_the_factory(monkeypatch: pytest.MonkeyPatch) -> None:
    with MotoServer() as server:
        monkeypatch.setenv("SCOPEGUARD_ENDPOINT_URL", server.endpoint_url)
        factory = ClientFactory(session=test_session(), account_id="123456789012")
        _table(factory.tenant("acme").client("dynamodb"))
        assert server.requests == 1
        assert factory.endpoint_url == server.endpoint_url


def test_bad_endpoint_url_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="http"):
        ClientFactory(session=test_session(), endpoint_url="127.0.0.1:5000")


# -- bypasses ----------------------------------------------------------------------------------


def test_shared_client_used_directly_is_refused(factory: ClientFactory) -> None:
    factory.tenant("acme").client("dynamodb")
    shared = next(iter(factory._shared.values()))
    with count_requests(shared) as sent, pytest.raises(ScopeViolation, match="scope handle"):
        shared.list_tables()
    assert sent.total == 0


def test_unregistering_the_parameter_hook_is_caught_at_signing(factory: ClientFactory) -> None:
    client = factory.tenant("acme").client("dynamodb")
    client.meta.events.unregister("before-parameter-build.dynamodb",
                                  unique_id="scopeguard-params-dynamodb")
    with count_requests(client) as sent, pytest.raises(ScopeViolation, match="scope handle"):
        client.get_item(TableName="t-globex-orders", Key={"pk": {"S": "x"}})
    assert sent.total == 0


def test_endpoint_make_request_outside_a_call_is_refused(factory: ClientFactory) -> None:
    client = factory.tenant("acme").client("dynamodb")
    model = client.meta.service_model.operation_model("ListTables")
    request = client._convert_to_request_dict({}, model, client.meta.endpoint_url, {})
    with count_requests(client) as sent, pytest.raises(ScopeViolation):
        client._endpoint.make_request(model, request)
    assert sent.total == 0


def test_request_redirected_to_another_host_is_refused_at_signing(factory: ClientFactory) -> None:
    client = factory.tenant("acme").client("dynamodb")
    _table(client)

    def redirect(request: Any, **_: Any) -> None:
        request.url = "https://attacker.example.com/"

    client.meta.events.register_first("before-sign.dynamodb", redirect)
    with count_requests(client) as sent, pytest.raises(ScopeViolation, match="pinned endpoint"):
        client.describe_table(TableName="orders")
    assert sent.total == 0


@pytest.mark.parametrize("url", [
    # urlsplit reads the host as the whole authority, so it ends in '.amazonaws.com'; urllib3
    # ends the host at the backslash (or takes what precedes a backslashed '@') and connects to
    # 'attacker.invalid', with the signed request and its body.
    "https://attacker.invalid\\.amazonaws.com/",
    "https://attacker.invalid:443\\@dynamodb.us-east-1.amazonaws.com/",
    "https://attacker.invalid%2F.amazonaws.com/",
    "https://user@dynamodb.us-east-1.amazonaws.com/",
    "https:attacker.invalid/.amazonaws.com/",
])
def test_a_host_read_differently_by_the_http_stack_is_refused_at_signing(
        factory: ClientFactory, url: str) -> None:
    client = factory.tenant("acme").client("dynamodb")

    def redirect(request: Any, **_: Any) -> None:
        request.url = url

    client.meta.events.register_first("before-sign.dynamodb", redirect, unique_id="redirect")
    with count_requests(client) as sent, pytest.raises(ScopeViolation, match="pinned endpoint"):
        client.describe_table(TableName="orders")
    assert sent.total == 0


def test_a_host_read_differently_next_to_a_pinned_endpoint_is_refused(
        scopeguard_server: MotoServer) -> None:
    factory = ClientFactory(session=test_session(), endpoint_url=scopeguard_server.endpoint_url)
    pinned = scopeguard_server.endpoint_url.split("/")[2]
    client = factory.platform().client("dynamodb")

    def redirect(request: Any, **_: Any) -> None:
        request.url = f"http://attacker.invalid\\.{pinned}/"

    client.meta.events.register_first("before-sign.dynamodb", redirect, unique_id="redirect")
    with count_requests(client) as sent, pytest.raises(ScopeViolation, match="pinned endpoint"):
        client.list_tables()
    assert sent.total == 0
    client.meta.events.unregister("before-sign.dynamodb", unique_id="redirect")
    client.list_tables()  # the pinned endpoint itself still passes


def test_uncovered_service_is_refused_for_tenants_and_allowed_for_platform(
    factory: ClientFactory,
) -> None:
    tenant_logs = factory.tenant("acme").client("logs")
    with count_requests(tenant_logs) as sent, pytest.raises(ScopeViolation, match="not covered"):
        tenant_logs.describe_log_groups()
    assert sent.total == 0
    factory.platform().client("logs").describe_log_groups()


# -- caches and lifecycle ------------------------------------------------------------------------


def test_lru_bound_evicts_without_mixing_scopes() -> None:
    with moto_factory(max_scoped_clients=8) as factory:
        clients = {t: factory.tenant(t).client("sqs") for t in (f"t{i}" for i in range(40))}
        stats = factory.stats()
        assert stats["scoped.size"] <= 8
        assert stats["scoped.evicted"] >= 32
        for tenant, client in clients.items():
            assert client.scope.id == tenant
            again = factory.tenant(tenant).client("sqs")
            assert again.scope.id == tenant


def test_invalidate_drops_one_tenant_or_everything(factory: ClientFactory) -> None:
    acme = factory.tenant("acme").client("dynamodb")
    globex = factory.tenant("globex").client("dynamodb")
    factory.invalidate(tenant="acme")
    assert factory.tenant("acme").client("dynamodb") is not acme
    assert factory.tenant("globex").client("dynamodb") is globex
    factory.invalidate()
    assert factory.tenant("globex").client("dynamodb") is not globex
    assert factory.stats()["clients.created"] == 2


def test_32_threads_with_mixed_tenants_never_cross(factory: ClientFactory) -> None:
    tenants = [f"t{i}" for i in range(8)]
    for tenant in tenants:
        _table(factory.tenant(tenant).client("dynamodb"))
    errors: list[str] = []
    barrier = threading.Barrier(32)

    def work(n: int) -> None:
        barrier.wait()
        for i in range(20):
            tenant = tenants[(n + i) % len(tenants)]
            client = factory.tenant(tenant).client("dynamodb")
            if client.scope.id != tenant:
                errors.append(f"{tenant} got {client.scope}")
            client.put_item(TableName="orders", Item={"pk": {"S": f"{n}-{i}"},
                                                      "owner": {"S": tenant}})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(32)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for tenant in tenants:
        items = factory.operator("123456789012").client("dynamodb").scan(
            TableName=f"t-{tenant}-orders")["Items"]
        assert items and {i["owner"]["S"] for i in items} == {tenant}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_never_reuses_the_parents_clients(factory: ClientFactory) -> None:
    parent = factory.tenant("acme").client("dynamodb")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        ok = len(factory._scoped) == 0 and factory.tenant("acme").client("dynamodb") is not parent
        os.write(write, b"1" if ok else b"0")
        os._exit(0)
    os.close(write)
    assert os.read(read, 1) == b"1"
    os.waitpid(pid, 0)


def test_refusals_are_logged_and_counted_without_credentials(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Sup3rSecretKeyThatMustNeverBeLogged0000"
    with moto_factory(account_id="123456789012") as factory:
        factory._session = boto3.Session(region_name="eu-west-1", aws_access_key_id="AKIAEXAMPLE",
                                         aws_secret_access_key=secret)
        client = factory.tenant("acme").client("dynamodb")
        with caplog.at_level(logging.DEBUG, logger="scopeguard"):
            with pytest.raises(ScopeViolation):
                client.get_item(TableName="t-globex-orders", Key={"pk": {"S": "x"}})
        assert factory.stats()["refusals"] == 1
    events = [r for r in caplog.records if getattr(r, "scopeguard", {}).get("event") ==
              "scope.refused"]
    assert events and events[0].scopeguard["scope"] == "tenant:acme"  # type: ignore[attr-defined]
    assert secret not in caplog.text and secret not in repr(factory.stats())


def test_importing_scopeguard_does_not_import_the_sdk() -> None:
    code = "import sys, scopeguard; print('boto3' in sys.modules, 'botocore' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# -- operator scope --------------------------------------------------------------------------------


def test_operator_assumes_the_role_once_and_shares_it_across_services_and_regions(
    factory: ClientFactory,
) -> None:
    ops = factory.operator("111122223333")
    for _ in range(3):
        ops.client("sts").get_caller_identity()
        ops.client("dynamodb").list_tables()
        ops.client("dynamodb", region_name="us-east-1").list_tables()
    stats = factory.stats()
    assert stats["sts.assume_role"] == 1
    identity = ops.client("sts").get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert "OrganizationAccountAccessRole" in identity["Arn"]


def test_operator_scope_refuses_arns_of_other_accounts(factory: ClientFactory) -> None:
    ops = factory.operator("111122223333").client("dynamodb")
    with count_requests(ops) as sent, pytest.raises(ScopeViolation, match="account"):
        ops.describe_table(TableName="arn:aws:dynamodb:eu-west-1:123456789012:table/x")
    assert sent.total == 0


def test_operator_role_name_is_part_of_the_scope(factory: ClientFactory) -> None:
    a = factory.operator("111122223333", role_name="Auditor")
    b = factory.operator("111122223333")
    assert a.scope != b.scope and str(a.scope) == "operator:111122223333/Auditor"
    a.client("sts").get_caller_identity()
    b.client("sts").get_caller_identity()
    assert factory.stats()["sts.assume_role"] == 2


def test_invalidate_account_forces_a_new_assume_role(factory: ClientFactory) -> None:
    factory.operator("111122223333").client("sts").get_caller_identity()
    factory.invalidate(account="111122223333")
    factory.operator("111122223333").client("sts").get_caller_identity()
    assert factory.stats()["sts.assume_role"] == 2


def test_for_each_account_returns_one_result_per_account(factory: ClientFactory) -> None:
    results = factory.for_each_account(
        lambda scope: scope.client("sts").get_caller_identity()["Account"],
        accounts=["111122223333", "bad", "444455556666"],
    )
    assert [r.account_id for r in results] == ["111122223333", "bad", "444455556666"]
    assert results[0].value == "111122223333" and results[2].value == "444455556666"
    assert isinstance(results[1].error, InvalidScope)


def test_body_rewritten_after_the_parameter_check_is_refused_at_signing(
    factory: ClientFactory,
) -> None:
    client = factory.tenant("acme").client("dynamodb")
    _table(client)

    def tamper(request: Any, **_: Any) -> None:
        request.data = request.body.replace(b"t-acme-orders", b"t-globex-orders")

    client.meta.events.register_first("before-sign.dynamodb", tamper)
    with count_requests(client) as sent, pytest.raises(ScopeViolation, match="tenant:globex"):
        client.get_item(TableName="orders", Key={"pk": {"S": "x"}})
    assert sent.total == 0


def test_logical_name_reaching_the_wire_unmapped_is_refused(factory: ClientFactory) -> None:
    client = factory.tenant("acme").client("dynamodb")

    def unmap(request: Any, **_: Any) -> None:
        request.data = request.body.replace(b"t-acme-orders", b"orders")

    client.meta.events.register_first("before-sign.dynamodb", unmap)
    with count_requests(client) as sent, pytest.raises(ScopeViolation, match="did not approve"):
        client.describe_table(TableName="orders")
    assert sent.total == 0


def test_transfer_helpers_are_forced_onto_the_guarded_classic_path(
    factory: ClientFactory, tmp_path: Any
) -> None:
    from boto3.s3.transfer import TransferConfig

    s3 = factory.tenant("acme").client("s3")
    s3.create_bucket(Bucket="files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    source = tmp_path / "a.txt"
    source.write_bytes(b"hello")
    s3.upload_file(str(source), "files", "a.txt", Config=TransferConfig(use_threads=False))
    s3.download_file("files", "a.txt", str(tmp_path / "b.txt"))
    assert (tmp_path / "b.txt").read_bytes() == b"hello"
    with count_requests(s3) as sent:
        with pytest.raises(ConfigurationError, match="CRT"):
            s3.upload_file(str(source), "files", "a.txt",
                           Config=TransferConfig(preferred_transfer_client="crt"))
        with pytest.raises(ScopeViolation, match="tenant:globex"):
            s3.upload_file(str(source), "t-globex-files", "a.txt")
        with pytest.raises(ConfigurationError, match="same scope"):
            s3.copy({"Bucket": "files", "Key": "a.txt"}, "files", "c.txt",
                    SourceClient=factory.tenant("globex").client("s3"))
    assert sent.total == 0


# -- scoped credentials (token vending) --------------------------------------------------------------


def test_scoped_credentials_assume_a_role_per_tenant_with_its_session_policy() -> None:
    import json

    from scopeguard import TenantRoleSettings

    settings = TenantRoleSettings(role_name="TenantAccess", services=("dynamodb", "sqs"))
    with moto_factory(account_id="123456789012", scoped_credentials=settings) as factory:
        sent: list[dict[str, Any]] = []
        factory._credentials()._sts_client().meta.events.register(
            "provide-client-params.sts.AssumeRole", lambda params, **_: sent.append(dict(params)))
        for tenant in ("acme", "globex"):
            _table(factory.tenant(tenant).client("dynamodb"))
        factory.tenant("acme").client("dynamodb").describe_table(TableName="orders")
        factory.tenant("acme").client("sqs").create_queue(QueueName="jobs")
        assert [p["RoleSessionName"] for p in sent] == ["scopeguard-t-acme", "scopeguard-t-globex"]
        acme_policy = json.loads(sent[0]["Policy"])
        assert "t-acme-" in json.dumps(acme_policy) and "t-globex" not in json.dumps(acme_policy)
        assert {"Key": "scopeguard:scope", "Value": "tenant"} in sent[0]["Tags"]
        assert factory.stats()["sts.assume_role"] == 2
        # Each tenant signs with its own assumed-role credentials, through one shared client.
        assert factory.stats()["clients.created"] == 2  # dynamodb and sqs, for both tenants
        signed = _signing_keys(factory, ("acme", "globex", "acme"))
        assert signed[0] == signed[2] != signed[1]
        cache = factory._credentials()
        for tenant, key in zip(("acme", "globex"), signed):
            spec = factory._scoped_spec(factory.naming.tenant(tenant))
            assert cache.credentials_for(spec).get_frozen_credentials().access_key == key


def _signing_keys(factory: ClientFactory, tenants: tuple[str, ...]) -> list[str]:
    """The access key ID each tenant's DescribeTable was signed with, in order."""
    keys: list[str] = []

    def capture(request: Any, **_: Any) -> None:
        auth = request.headers["Authorization"].decode()
        keys.append(auth.split("Credential=")[1].split("/")[0])

    client = factory.tenant(tenants[0]).client("dynamodb")
    client.meta.events.register("before-send.dynamodb", capture)
    try:
        for tenant in tenants:
            factory.tenant(tenant).client("dynamodb").describe_table(TableName="orders")
    finally:
        client.meta.events.unregister("before-send.dynamodb", capture)
    return keys


def test_scoped_tenants_share_botocore_clients_and_sign_with_their_own_keys() -> None:
    from scopeguard import CredentialError, TenantRoleSettings

    settings = TenantRoleSettings(role_name="TenantAccess", services=("dynamodb", "sqs"))
    with moto_factory(account_id="123456789012", scoped_credentials=settings) as factory:
        tenants = [f"t{i}" for i in range(6)]
        for tenant in tenants:
            _table(factory.tenant(tenant).client("dynamodb"))
        stats = factory.stats()
        assert stats["clients.created"] == 1 and stats["sts.assume_role"] == 6
        # Interleaved, and from threads: each call signs with its own scope's keys.
        order = tuple(tenants * 3)
        signed = _signing_keys(factory, order)
        by_tenant: dict[str, set[str]] = {}
        for tenant, key in zip(order, signed):
            by_tenant.setdefault(tenant, set()).add(key)
        assert all(len(k) == 1 for k in by_tenant.values())
        assert len(set().union(*by_tenant.values())) == 6
        expected = {f"t-{t}-orders": next(iter(k)) for t, k in by_tenant.items()}
        seen: list[tuple[str, str]] = []

        def capture(request: Any, **_: Any) -> None:
            import json

            table = json.loads(request.body)["TableName"]
            key = request.headers["Authorization"].decode().split("Credential=")[1].split("/")[0]
            seen.append((table, key))  # list.append is atomic

        def worker(tenant: str) -> None:
            client = factory.tenant(tenant).client("dynamodb")
            for _ in range(10):
                client.describe_table(TableName="orders")

        shared_events = factory.tenant("t0").client("dynamodb").meta.events
        shared_events.register("before-send.dynamodb", capture)
        threads = [threading.Thread(target=worker, args=(t,)) for t in tenants]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        shared_events.unregister("before-send.dynamodb", capture)
        assert len(seen) == 60
        assert all(expected[table] == key for table, key in seen)
        # The shared client itself: the guard refuses it, and it has no keys of its own to
        # sign with outside a scope's call (a second, independent fail-closed layer).
        shared = next(c for k, c in factory._shared.items() if k[0][1] == "scoped-credentials")
        with count_requests(shared) as sent, pytest.raises(ScopeViolation, match="scope handle"):
            shared.describe_table(TableName="t-t0-orders")
        assert sent.total == 0
        with pytest.raises(CredentialError, match="no scope is calling"):
            shared._request_signer._credentials.get_frozen_credentials()


def test_a_tenants_services_share_one_credential_beyond_max_cached() -> None:
    # More tenants than OperatorSettings.max_cached, and few enough shared clients and sessions
    # that each tenant's second service is built afresh: the tenant's credential must still be
    # cached, so every tenant costs exactly one AssumeRole whatever the number of its services.
    from scopeguard import OperatorSettings, TenantRoleSettings

    settings = TenantRoleSettings(role_name="TenantAccess", services=("dynamodb", "sqs"))
    with moto_factory(account_id="123456789012", scoped_credentials=settings,
                      operator=OperatorSettings(max_cached=8), max_shared_clients=4) as factory:
        tenants = [f"t{i}" for i in range(20)]
        for service in ("dynamodb", "sqs"):
            for tenant in tenants:
                factory.tenant(tenant).client(service)
        stats = factory.stats()
        assert stats["sts.assume_role"] == len(tenants)
        assert stats.get("credentials.evicted", 0) == 0


def test_scoped_credentials_refuse_services_outside_the_policy() -> None:
    from scopeguard import ConfigurationError, TenantRoleSettings

    settings = TenantRoleSettings(role_name="TenantAccess", services=("dynamodb",))
    with moto_factory(account_id="123456789012", scoped_credentials=settings) as factory:
        with pytest.raises(ConfigurationError, match="not in TenantRoleSettings.services"):
            factory.tenant("acme").client("sqs")


def test_refusal_escapes_generic_oserror_retry_code(factory: ClientFactory) -> None:
    # The retry loop many services wrap around AWS calls: transient I/O errors are retried. A
    # refusal must pass straight through it, on the first attempt, with nothing sent.
    client = factory.tenant("acme").client("dynamodb")
    attempts = 0

    def with_retries() -> None:
        nonlocal attempts
        for _ in range(3):
            attempts += 1
            try:
                client.get_item(TableName="t-globex-orders", Key={"pk": {"S": "1"}})
            except OSError:
                continue
            return

    with count_requests(client) as sent, pytest.raises(ScopeViolation, match="tenant:globex"):
        with_retries()
    assert attempts == 1
    assert sent.total == 0


def test_service_errors_name_the_physical_resource_and_scope(
    factory: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = factory.tenant("acme").client("dynamodb")
    with caplog.at_level(logging.DEBUG, logger="scopeguard"):
        with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
            client.put_item(TableName="orders", Item={"pk": {"S": "1"}})
    assert info.value.__notes__ == ["scopeguard: tenant:acme: TableName 'orders' -> 't-acme-orders'"]
    mapped = [r.scopeguard for r in caplog.records if r.scopeguard["event"] == "name.mapped"]
    assert mapped == [{"event": "name.mapped", "scope": "tenant:acme", "service": "dynamodb",
                       "logical": "orders", "physical": "t-acme-orders"}]


def test_errors_on_unmapped_names_get_no_note(factory: ClientFactory) -> None:
    client = factory.platform().client("dynamodb")
    with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
        client.describe_table(TableName="shared-config")
    assert not getattr(info.value, "__notes__", [])


def test_signing_never_waits_behind_a_new_tenants_assume_role() -> None:
    from scopeguard import TenantRoleSettings

    settings = TenantRoleSettings(role_name="TenantAccess", services=("dynamodb",))
    with moto_factory(account_id="123456789012", scoped_credentials=settings) as factory:
        _table(factory.tenant("acme").client("dynamodb"))
        entered, release = threading.Event(), threading.Event()

        def slow_sts(params: dict[str, Any], **_: Any) -> None:
            if params["RoleSessionName"].endswith("t-slow"):
                entered.set()
                release.wait(30)

        factory._credentials()._sts_client().meta.events.register(
            "provide-client-params.sts.AssumeRole", slow_sts)
        newcomer = threading.Thread(target=lambda: factory.tenant("slow").client("dynamodb"))
        newcomer.start()
        try:
            assert entered.wait(30)
            # The new tenant's AssumeRole is in flight: an existing tenant's client is still
            # handed out, signs and sends.
            done = threading.Event()
            threading.Thread(target=lambda: (
                factory.tenant("acme").client("dynamodb").describe_table(TableName="orders"),
                done.set())).start()
            assert done.wait(30)
            assert newcomer.is_alive()  # still inside its AssumeRole
        finally:
            release.set()
            newcomer.join()
        assert factory.stats()["sts.assume_role"] == 2


def test_scoped_presigned_urls_carry_the_scopes_own_key() -> None:
    from urllib.parse import parse_qs, urlsplit

    from scopeguard import TenantRoleSettings

    settings = TenantRoleSettings(role_name="TenantAccess", services=("s3",))
    with moto_factory(account_id="123456789012", scoped_credentials=settings) as factory:
        cache = factory._credentials()
        for tenant in ("acme", "globex"):
            url = factory.tenant(tenant).client("s3").generate_presigned_url(
                "get_object", Params={"Bucket": "files", "Key": "report.pdf"})
            query = parse_qs(urlsplit(url).query)
            spec = factory._scoped_spec(factory.naming.tenant(tenant))
            keys = cache.credentials_for(spec).get_frozen_credentials()
            # botocore's default S3 presigning here is query-string SigV2: key ID and token.
            assert query["AWSAccessKeyId"] == [keys.access_key]
            assert query["x-amz-security-token"] == [keys.token]
        assert factory.stats()["clients.created"] == 1


def test_operator_and_scoped_credentials_s3_clients_have_the_guarded_transfer_methods() -> None:
    import io

    from boto3.s3.transfer import TransferConfig

    from scopeguard import TenantRoleSettings
    from scopeguard.testing import count_requests

    settings = TenantRoleSettings(role_name="TenantAccess", services=("s3",))
    with moto_factory(account_id="123456789012", scoped_credentials=settings) as factory:
        acme = factory.tenant("acme").client("s3")
        operator = factory.operator("111111111111").client("s3")
        for client in (acme, operator):
            client.create_bucket(Bucket="files", CreateBucketConfiguration={
                "LocationConstraint": "eu-west-1"})
            client.upload_fileobj(io.BytesIO(b"data"), "files", "a")
            out = io.BytesIO()
            client.download_fileobj("files", "a", out)
            assert out.getvalue() == b"data"
        assert acme.head_object(Bucket="files", Key="a")["ContentLength"] == 4
        with count_requests(acme) as sent:
            with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
                acme.upload_fileobj(io.BytesIO(b"x"), "t-globex-files", "a")
            with pytest.raises(ConfigurationError, match="CRT transfer client"):
                acme.upload_fileobj(io.BytesIO(b"x"), "files", "b", Config=TransferConfig(
                    preferred_transfer_client="crt"))
        assert sent.total == 0
