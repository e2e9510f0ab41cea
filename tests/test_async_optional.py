"""The async API without aiobotocore installed: a clear error, nothing sent, nothing opened."""

from __future__ import annotations

import asyncio
import sys

import pytest

from scopeguard import ClientFactory, ConfigurationError
from scopeguard.testing import count_requests


def test_async_client_without_aiobotocore_says_how_to_install_it(
    scopeguard_factory: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes the import fail as if the package were absent.
    monkeypatch.setitem(sys.modules, "aiobotocore", None)
    monkeypatch.setitem(sys.modules, "aiobotocore.session", None)
    sync = scopeguard_factory.tenant("acme").client("dynamodb")

    async def body() -> None:
        async with scopeguard_factory:
            await scopeguard_factory.tenant("acme").async_client("dynamodb")

    with count_requests(sync) as sent, pytest.raises(ConfigurationError) as info:
        asyncio.run(body())
    assert "pip install 'scopeguard[async]'" in str(info.value)
    assert sent.total == 0
    assert scopeguard_factory.stats().get("async.clients.created", 0) == 0


def test_aclose_without_async_clients_is_a_no_op(scopeguard_factory: ClientFactory) -> None:
    asyncio.run(scopeguard_factory.aclose())
    assert scopeguard_factory._async_loops is None


def test_an_invalid_tenant_is_refused_before_any_async_work(
    scopeguard_factory: ClientFactory,
) -> None:
    from scopeguard import InvalidScope

    with pytest.raises(InvalidScope):
        scopeguard_factory.tenant("../globex").async_client("dynamodb")
