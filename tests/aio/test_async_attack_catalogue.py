"""The attack catalogue (``tests/test_attack_catalogue.py``) through async clients: every attempt
refused with nothing sent, as through sync ones."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from test_attack_catalogue import ATTACKS, NAMING, R, Attack

from scopeguard import ClientFactory, ScopeViolation
from scopeguard.testing import MotoServer, count_requests, test_session


@pytest.fixture(scope="module")
def factory(scopeguard_server: MotoServer) -> ClientFactory:
    # Refusals never reach the server; it only gives the clients an endpoint.
    return ClientFactory(session=test_session(R), endpoint_url=scopeguard_server.endpoint_url,
                         account_id="123456789012", naming=NAMING)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: f"{a.scope}-{a.service}-{a.name}")
def test_attack_is_refused_with_nothing_sent(factory: ClientFactory, attack: Attack) -> None:
    scope: Any = {"tenant": factory.tenant("acme"), "platform": factory.platform(),
                  "capsule": factory.capsule("dev")}[attack.scope]

    async def attempt() -> None:
        async with factory:
            client = await scope.async_client(attack.service)
            operation = client.meta.method_to_api_mapping[attack.call]
            if operation not in client.meta.service_model.operation_names:
                pytest.skip(f"{operation} is not in this botocore's model")
            with count_requests(client) as sent, pytest.raises(ScopeViolation):
                await getattr(client, attack.call)(**attack.params)
            assert sent.total == 0

    asyncio.run(attempt())
