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

``StubFactory`` is the seam for unit tests that stubbed ``boto3.client`` with mocks: after
``scopeguard migrate`` the code asks a factory, so the test hands it one whose scope handles
return the stubs (see docs/migration.md, "Tests that mock the SDK").

moto is imported lazily: loading this plugin costs nothing until a fixture is used.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from ._emulator import MotoServer

if TYPE_CHECKING:
    import boto3

    from ._factory import ClientFactory

__all__ = [
    "DEFAULT_REGION",
    "MotoServer",
    "RequestCount",
    "StubFactory",
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

    return boto3.Session(
        region_name=region_name,
        aws_access_key_id=_FAKE_KEYS["aws_access_key_id"],
        aws_secret_access_key=_FAKE_KEYS["aws_secret_access_key"],
    )


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
    """Counts HTTP requests that reached the point of sending (after signing); ``operations``
    holds their operation names (``"PutItem"``), in the order they were sent."""

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

    def handler(request: Any, event_name: str = "", **_: Any) -> None:
        # The event is ``before-send.<service>.<Operation>``: what a test wants to read back
        # ("the flow sent PutItem, then UpdateItem"); the URL of a JSON-protocol request is
        # the same for every operation.
        parts = event_name.split(".")
        count(parts[2] if len(parts) == 3 else request.url)

    emitters = {id(c.meta.events): c.meta.events for c in clients}
    for events in emitters.values():
        events.register("before-send", handler, unique_id=f"scopeguard-count-{id(count)}")
    try:
        yield count
    finally:
        for events in emitters.values():
            events.unregister("before-send", unique_id=f"scopeguard-count-{id(count)}")


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


class StubFactory:
    """A stand-in for ``ClientFactory`` in unit tests: every scope handle returns the stub given
    for a service, and ``requests`` records who asked, as ``(scope, service)`` pairs such as
    ``("tenant:acme", "dynamodb")``.

    ``clients`` (and ``resources``) is either a mapping from service name to stub, or a callable
    called as ``clients(service_name, **options)`` with the options the code passed: the
    ``Mock`` that ``mock.patch("boto3.client")`` used to return goes in as it is, so its
    ``return_value``, ``side_effect`` and call assertions (``assert_called_with("ecs")``) keep
    working after the code asks the factory instead of boto3.

    Tenant IDs, capsule codes and account IDs are validated as the factory validates them
    (``InvalidScope``), so a test still catches an ID production would refuse. A service without
    a stub in a mapping raises ``LookupError`` naming it, rather than returning a mock that
    accepts anything.
    """

    def __init__(
        self,
        clients: Mapping[str, Any] | Callable[..., Any],
        *,
        resources: Mapping[str, Any] | Callable[..., Any] | None = None,
    ) -> None:
        from ._naming import DEFAULT_POLICY

        self._clients = _stub_source(clients, "clients")
        self._resources = _stub_source({} if resources is None else resources, "resources")
        self._naming = DEFAULT_POLICY
        self.requests: list[tuple[str, str]] = []

    def platform(self) -> _StubHandle:
        return _StubHandle(self, "platform")

    def tenant(self, tenant_id: str) -> _StubHandle:
        return _StubHandle(self, str(self._naming.tenant(tenant_id)))

    def capsule(self, code: str) -> _StubHandle:
        return _StubHandle(self, str(self._naming.capsule(code)))

    def operator(self, account_id: str, role_name: str | None = None) -> _StubHandle:
        return _StubHandle(self, str(self._naming.account(account_id)))

    def _get(
        self,
        source: dict[str, Any] | Callable[..., Any],
        kind: str,
        scope: str,
        service: str,
        options: dict[str, Any],
    ) -> Any:
        self.requests.append((scope, service))
        if not isinstance(source, dict):
            return source(service, **options)
        try:
            return source[service]
        except KeyError:
            raise LookupError(
                f"StubFactory has no {kind} stub for {service!r} (asked by {scope}); "
                f"pass it: StubFactory({{{service!r}: ...}})"
            ) from None


def _stub_source(
    value: Mapping[str, Any] | Callable[..., Any], name: str
) -> dict[str, Any] | Callable[..., Any]:
    # A mapping is looked up; anything else callable (the Mock a patched boto3.client returned)
    # is called with the code's arguments, so the test's call assertions keep their meaning.
    if isinstance(value, Mapping):
        return dict(value)
    if callable(value):
        return value
    raise TypeError(
        f"StubFactory {name} must be a mapping of service name to stub or a callable "
        f"like boto3.{name[:-1]}, not {type(value).__name__}"
    )


class _StubHandle:
    """What ``StubFactory.platform()`` and friends return: ``client()``, ``resource()`` and
    ``async_client()`` with the factory's signature; options reach a callable stub source and
    are ignored by a mapping."""

    def __init__(self, factory: StubFactory, scope: str) -> None:
        self._factory, self.scope = factory, scope

    def client(self, service_name: str, **options: Any) -> Any:
        return self._factory._get(
            self._factory._clients, "client", self.scope, service_name, options
        )

    def async_client(self, service_name: str, **options: Any) -> Any:
        return self._factory._get(
            self._factory._clients, "client", self.scope, service_name, options
        )

    def resource(self, service_name: str, **options: Any) -> Any:
        return self._factory._get(
            self._factory._resources, "resource", self.scope, service_name, options
        )
