"""The pytest plugin users get: fixtures on moto, in-process and through the HTTP server."""

from __future__ import annotations

from typing import Any

import pytest

from scopeguard import ClientFactory, ScopeViolation
from scopeguard.testing import MotoServer, count_requests


def _table(client: Any) -> None:
    client.create_table(
        TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_plugin_is_registered(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("scopeguard")


def test_in_process_factory_fixture(scopeguard_factory: ClientFactory) -> None:
    client = scopeguard_factory.tenant("acme").client("dynamodb")
    _table(client)
    with count_requests(client) as sent:
        client.describe_table(TableName="orders")
        with pytest.raises(ScopeViolation):
            client.describe_table(TableName="t-globex-orders")
    assert sent.total == 1


def test_count_requests_records_operation_names_in_order(
    scopeguard_factory: ClientFactory,
) -> None:
    client = scopeguard_factory.tenant("acme").client("dynamodb")
    s3 = scopeguard_factory.tenant("acme").client("s3")
    _table(client)
    with count_requests(client, s3) as sent:
        client.put_item(TableName="orders", Item={"pk": {"S": "1"}})
        client.get_item(TableName="orders", Key={"pk": {"S": "1"}})
        s3.list_buckets()
    assert sent.operations == ["PutItem", "GetItem", "ListBuckets"]


def test_server_factory_fixture_counts_at_the_emulator(
    scopeguard_server: MotoServer, scopeguard_server_factory: ClientFactory
) -> None:
    client = scopeguard_server_factory.tenant("acme").client("dynamodb")
    before = scopeguard_server.requests
    _table(client)
    assert scopeguard_server.requests == before + 1
    assert client.meta.endpoint_url == scopeguard_server.endpoint_url


def test_server_state_is_reset_between_tests(scopeguard_server_factory: ClientFactory) -> None:
    client = scopeguard_server_factory.tenant("acme").client("dynamodb")
    # The previous test created t-acme-orders on the shared server; the fixture reset it.
    _table(client)


def test_motoserver_requires_start() -> None:
    with pytest.raises(RuntimeError, match="not started"):
        MotoServer().endpoint_url
