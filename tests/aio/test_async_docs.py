"""docs/async.md's example runs as written, against moto's HTTP server."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest

import scopeguard
from scopeguard.testing import MotoServer, test_session

DOC = Path(__file__).resolve().parents[2] / "docs" / "async.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_async_doc_example_runs_and_its_refusal_holds(
    scopeguard_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = blocks()[0]
    # The example builds its factory from the environment, as an application would.
    monkeypatch.setenv("SCOPEGUARD_ENDPOINT_URL", scopeguard_server.endpoint_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    setup = scopeguard.ClientFactory(session=test_session("eu-west-1"))
    for tenant in ("acme", "globex"):
        setup.tenant(tenant).client("dynamodb").create_table(  # provisioning, done elsewhere
            TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST")
    try:
        namespace: dict[str, Any] = {}
        exec(compile(example, str(DOC), "exec"), namespace)
        asyncio.run(namespace["main"]())
        acme = setup.tenant("acme").client("dynamodb")
        assert acme.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"]
        factory = namespace["factory"]
        before = scopeguard_server.requests

        async def steal() -> None:
            async with factory:
                await namespace["steal"]("acme")

        with pytest.raises(scopeguard.ScopeViolation, match="belongs to tenant:globex"):
            asyncio.run(steal())
        assert scopeguard_server.requests == before
    finally:
        scopeguard_server.reset()


def test_async_doc_testing_example_passes(
    scopeguard_server_factory: scopeguard.ClientFactory, scopeguard_server: MotoServer
) -> None:
    (example,) = [b for b in blocks() if "def test_" in b]
    namespace: dict[str, Any] = {}
    exec(compile(example, str(DOC), "exec"), namespace)
    (test,) = [v for k, v in namespace.items() if k.startswith("test_")]
    test(scopeguard_server_factory, scopeguard_server)
    assert scopeguard_server_factory.stats()["refusals"] == 1


def test_async_doc_fan_out_example_audits_every_member_account(
    scopeguard_server_factory: scopeguard.ClientFactory,
) -> None:
    (example,) = [b for b in blocks() if "async_for_each_account" in b]
    namespace: dict[str, Any] = {}
    exec(compile(example, str(DOC), "exec"), namespace)
    factory = scopeguard_server_factory
    org = factory.platform().client("organizations")
    org.create_organization(FeatureSet="ALL")
    for name in ("billing", "analytics"):
        org.create_account(AccountName=name, Email=f"{name}@example.com")

    async def body() -> Any:
        async with factory:
            return await namespace["audit"](factory)

    audit = asyncio.run(body())
    assert len(audit) == 2
    for account, arn in audit.items():
        assert f":{account}:assumed-role/OrganizationAccountAccessRole/" in arn
