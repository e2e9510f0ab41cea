"""Test helpers for code that uses a ``ClientFactory``, against moto.

Installed as a pytest plugin (entry point ``scopeguard``), so these fixtures are available in any
project that has scopeguard and moto installed:

``scopeguard_factory``
    A ``ClientFactory`` on moto's in-process mock (``mock_aws``): fastest, no sockets.
``scopeguard_server``
    A ``MotoServer`` on 127.0.0.1 (random port) for the whole session, with a request counter,
    for tests where the endpoint path matters, as with LocalStack.
``scopeguard_server_factory``
    A ``ClientFactory`` pinned to that server.

Outside pytest, use ``moto_factory()`` and ``MotoServer`` directly. ``count_requests(client)``
counts requests that actually left the process, to prove a refused call sent nothing.

moto is imported lazily: loading this plugin costs nothing until a fixture is used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import boto3

    from ._factory import ClientFactory

__all__ = [
    "DEFAULT_REGION",
    "MotoServer",
    "RequestCount",
    "count_requests",
    "moto_factory",
    "scopeguard_factory",
    "scopeguard_server",
    "scopeguard_server_factory",
    "test_session",
]

DEFAULT_REGION = "eu-west-1"
_FAKE_KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def test_session(region_name: str = DEFAULT_REGION) -> boto3.Session:
    """A boto3 Session with fake static keys: it can never sign a request AWS would accept."""
    import boto3

    return boto3.Session(region_name=region_name, **_FAKE_KEYS)


test_session.__test__ = False  # type: ignore[attr-defined]  # not a test, despite the name


@contextmanager
def moto_factory(
    region_name: str = DEFAULT_REGION, **factory_options: Any
) -> Iterator[ClientFactory]:
    """A ClientFactory inside moto's in-process mock; everything it creates is gone on exit."""
    from moto import mock_aws

    from ._factory import ClientFactory

    with mock_aws():
        yield ClientFactory(session=test_session(region_name), **factory_options)


class RequestCount:
    """Counts HTTP requests that reached the point of sending (after signing)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.operations: list[str] = []

    def __call__(self, operation: str) -> None:
        with self._lock:
            self.operations.append(operation)

    @property
    def total(self) -> int:
        with self._lock:
            return len(self.operations)


@contextmanager
def count_requests(*clients: Any) -> Iterator[RequestCount]:
    """Count requests the given clients send (``before-send`` fires only after every check
    and signing, just before bytes leave). Clients sharing an event system are counted once."""
    count = RequestCount()

    def handler(request: Any, **_: Any) -> None:
        count(getattr(request, "context", {}).get("scopeguard.operation", request.url))

    emitters = {id(c.meta.events): c.meta.events for c in clients}
    for events in emitters.values():
        events.register("before-send", handler, unique_id=f"scopeguard-count-{id(count)}")
    try:
        yield count
    finally:
        for events in emitters.values():
            events.unregister("before-send", unique_id=f"scopeguard-count-{id(count)}")


class MotoServer:
    """moto's server on 127.0.0.1 in a background thread, counting the requests it receives.

    ``requests`` counts every HTTP request that reached the emulator, which is the proof a test
    needs that a refused call sent nothing::

        with MotoServer() as server:
            factory = ClientFactory(session=..., endpoint_url=server.endpoint_url)
            before = server.requests
            ...
            assert server.requests == before
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._host, self._port = host, port
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._requests = 0
        self.paths: list[str] = []

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    @property
    def endpoint_url(self) -> str:
        if self._server is None:
            raise RuntimeError("MotoServer is not started; use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _count(self, app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
        def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if not environ.get("PATH_INFO", "").startswith("/moto-api"):
                with self._lock:
                    self._requests += 1
                    self.paths.append(environ.get("PATH_INFO", ""))
            return app(environ, start_response)

        return counting

    def start(self) -> MotoServer:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        app = self._count(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._host, self._port, app, threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def reset(self) -> None:
        """Drop all emulated AWS state (moto's reset API), keeping the server running."""
        import urllib.request

        request = urllib.request.Request(f"{self.endpoint_url}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture
def scopeguard_factory() -> Iterator[ClientFactory]:
    """A ClientFactory on moto's in-process mock (fresh state per test)."""
    with moto_factory() as factory:
        yield factory


@pytest.fixture(scope="session")
def scopeguard_server() -> Iterator[MotoServer]:
    """One moto server on 127.0.0.1 for the test session."""
    with MotoServer() as server:
        yield server


@pytest.fixture
def scopeguard_server_factory(scopeguard_server: MotoServer) -> Iterator[ClientFactory]:
    """A ClientFactory pinned to the session's moto server; emulator state reset after."""
    from ._factory import ClientFactory

    yield ClientFactory(session=test_session(), endpoint_url=scopeguard_server.endpoint_url)
    scopeguard_server.reset()
