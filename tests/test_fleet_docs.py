"""docs/fleet.md's example runs: two processes' factories on one real Redis and moto's STS."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis_helpers import RedisServer
from test_readme import python_blocks

from scopeguard.testing import MotoServer

DOC = Path(__file__).resolve().parent.parent / "docs" / "fleet.md"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path).start()
    yield srv
    srv.kill()


def test_fleet_doc_example_shares_one_assume_role(
    server: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    (example,) = python_blocks(DOC)[:1]
    monkeypatch.setenv("REDIS_URL", server.url)
    monkeypatch.setenv("SCOPEGUARD_STORE_KEY", os.urandom(32).hex())
    with MotoServer() as moto:
        monkeypatch.setenv("SCOPEGUARD_ENDPOINT_URL", moto.endpoint_url)
        processes = []
        for _ in range(2):
            namespace: dict[str, object] = {}
            exec(compile(example, str(DOC), "exec"), namespace)
            processes.append(namespace["factory"])
    stats = [p.stats() for p in processes]  # type: ignore[attr-defined]
    assert stats[0]["sts.assume_role"] == 1 and stats[1].get("sts.assume_role", 0) == 0
    assert stats[1]["store.hit"] == 1
    assert len(redis.Redis.from_url(server.url).keys("orders-service:credentials:*")) == 1
