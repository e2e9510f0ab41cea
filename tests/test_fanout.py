"""fan_out: Organization listing, bounded concurrency, per-account results, deterministic order."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import botocore.session
import pytest
from botocore.stub import Stubber

import scopeguard
from scopeguard import AccountResult, ConfigurationError, InvalidScope
from scopeguard._fanout import fan_out, organization_accounts

SELF = "999999999999"


class FakeScope:
    def __init__(self, account_id: str, role_name: str | None) -> None:
        self.account_id, self.role_name = account_id, role_name


class FakePlatform:
    def __init__(self, clients: dict[str, Any]) -> None:
        self.clients = clients

    def client(self, service_name: str) -> Any:
        return self.clients[service_name]


class FakeFactory:
    """Just what fan_out uses: ``operator(account, role)`` and ``platform().client(...)``."""

    def __init__(self, clients: dict[str, Any] | None = None) -> None:
        self._platform = FakePlatform(clients or {})

    def operator(self, account_id: str, role_name: str | None = None) -> FakeScope:
        return FakeScope(account_id, role_name)

    def platform(self) -> FakePlatform:
        return self._platform


def account(account_id: str, state: str) -> dict[str, Any]:
    return {"Id": account_id, "Name": account_id, "Status": state, "State": state}


@pytest.fixture
def stubbed_org() -> Iterator[tuple[FakeFactory, Stubber, Stubber]]:
    session = botocore.session.get_session()
    org = session.create_client("organizations", region_name="us-east-1")
    sts = session.create_client("sts", region_name="us-east-1")
    with Stubber(org) as org_stub, Stubber(sts) as sts_stub:
        yield FakeFactory({"organizations": org, "sts": sts}), org_stub, sts_stub


def account_of(scope: Any) -> str:
    return str(scope.account_id)


def stub_two_pages(org: Stubber) -> None:
    page1 = [account("333333333333", "ACTIVE"), account(SELF, "ACTIVE")]
    page2 = [account("111111111111", "ACTIVE"), account("222222222222", "SUSPENDED")]
    page2.append(account("444444444444", "PENDING_CLOSURE"))
    org.add_response("list_accounts", {"Accounts": page1, "NextToken": "t1"}, {})
    org.add_response("list_accounts", {"Accounts": page2}, {"NextToken": "t1"})


def test_lists_active_accounts_across_pages_sorted_without_self(
    stubbed_org: tuple[FakeFactory, Stubber, Stubber],
) -> None:
    factory, org, sts = stubbed_org
    stub_two_pages(org)
    sts.add_response("get_caller_identity", {"Account": SELF, "Arn": "a" * 20, "UserId": "u"})
    results = fan_out(factory, account_of)  # type: ignore[arg-type]
    assert [r.account_id for r in results] == ["111111111111", "333333333333"]
    assert [r.unwrap() for r in results] == ["111111111111", "333333333333"]
    org.assert_no_pending_responses()


def test_include_self_keeps_the_callers_own_account(
    stubbed_org: tuple[FakeFactory, Stubber, Stubber],
) -> None:
    factory, org, _ = stubbed_org
    stub_two_pages(org)
    ids = organization_accounts(factory, include_self=True)  # type: ignore[arg-type]
    assert ids == ["111111111111", "333333333333", SELF]


def test_one_failing_account_does_not_abort_the_rest() -> None:
    boom = RuntimeError("role missing")

    def fn(scope: FakeScope) -> str:
        if scope.account_id == "222222222222":
            raise boom
        return scope.account_id

    ids = ["333333333333", "222222222222", "111111111111"]
    results = fan_out(FakeFactory(), fn, accounts=ids)  # type: ignore[arg-type]
    assert [r.account_id for r in results] == ids
    assert [r.ok for r in results] == [True, False, True]
    assert results[1].error is boom and results[1].value is None
    with pytest.raises(RuntimeError, match="role missing"):
        results[1].unwrap()


def test_order_is_the_input_order_whatever_finishes_first() -> None:
    ids = [f"{n:012d}" for n in range(1, 9)]

    def fn(scope: FakeScope) -> str:
        time.sleep(0.002 * (9 - int(scope.account_id)))  # the first finishes last
        return scope.account_id

    results = fan_out(FakeFactory(), fn, accounts=ids, max_workers=8)  # type: ignore[arg-type]
    assert [r.value for r in results] == ids


def test_concurrency_is_bounded_by_max_workers() -> None:
    lock = threading.Lock()
    running = peak = 0

    def fn(scope: FakeScope) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.01)
        with lock:
            running -= 1

    ids = [f"{n:012d}" for n in range(1, 13)]
    results = fan_out(FakeFactory(), fn, accounts=ids, max_workers=3)  # type: ignore[arg-type]
    assert all(r.ok for r in results) and 1 < peak <= 3


def test_role_name_reaches_every_operator_scope() -> None:
    def role_of(scope: Any) -> str:
        return str(scope.role_name)

    results = fan_out(
        FakeFactory(),  # type: ignore[arg-type]
        role_of,
        accounts=["111111111111", "222222222222"],
        role_name="Auditor",
    )
    assert [r.value for r in results] == ["Auditor", "Auditor"]


def test_malformed_account_is_that_accounts_error_and_duplicates_run_once() -> None:
    calls: list[str] = []

    def fn(scope: FakeScope) -> str:
        calls.append(scope.account_id)
        return scope.account_id

    ids = ["111111111111", "1111", "111111111111"]
    results = fan_out(FakeFactory(), fn, accounts=ids)  # type: ignore[arg-type]
    assert [r.account_id for r in results] == ["111111111111", "1111"]
    assert isinstance(results[1].error, InvalidScope) and calls == ["111111111111"]


def test_bad_arguments_are_refused_before_any_call() -> None:
    with pytest.raises(ConfigurationError, match="one string"):
        fan_out(FakeFactory(), repr, accounts="111111111111")  # type: ignore[arg-type]
    with pytest.raises(ConfigurationError, match="max_workers"):
        fan_out(FakeFactory(), repr, accounts=[], max_workers=0)  # type: ignore[arg-type]
    assert fan_out(FakeFactory(), repr, accounts=[]) == []  # type: ignore[arg-type]


def test_account_result_is_frozen() -> None:
    result = AccountResult("111111111111", value=1)
    with pytest.raises(AttributeError):
        result.value = 2  # type: ignore[misc]


def test_fan_out_over_a_moto_server_organization() -> None:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        session = boto3.Session(region_name="eu-west-1")
        org = session.client("organizations", endpoint_url=url)
        org.create_organization(FeatureSet="ALL")
        created = []
        for n in range(4):
            status = org.create_account(Email=f"a{n}@example.com", AccountName=f"a{n}")
            created.append(status["CreateAccountStatus"]["AccountId"])
        factory = scopeguard.ClientFactory(session=session, endpoint_url=url)

        def whoami(scope: scopeguard.OperatorScope) -> str:
            sts = scope.client("sts")
            assert sts.get_caller_identity()["Account"] == sts.get_caller_identity()["Account"]
            arn: str = sts.get_caller_identity()["Arn"]
            return arn

        results = fan_out(factory, whoami, max_workers=2)
        assert [r.account_id for r in results] == sorted(created)
        for r in results:
            assert r.ok, r.error
            assert r.value == (
                f"arn:aws:sts::{r.account_id}:assumed-role/OrganizationAccountAccessRole/"
                f"scopeguard-{r.account_id}"
            )
        assert fan_out(factory, whoami) == results
    finally:
        server.stop()
