"""Copy, then check: the guard decides on a private copy of exact builtin types and serialises
that copy, so nothing the caller still holds (a hostile subclass, a second thread) can change what
is sent after approval. Every service whose guard reads nested structures is attacked."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from botocore.exceptions import ClientError

from guard_helpers import seed_pooled_sessions

from scopeguard import ClientFactory, NamingPolicy, PooledTable, ScopeViolation
from scopeguard._guard import checks
from scopeguard._guard.private import Unreadable, private_copy
from scopeguard.testing import moto_factory

POOLED = NamingPolicy(pooled_tables={"sessions": PooledTable("pk")})


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory(naming=POOLED) as factory:
        platform = factory.platform().client("dynamodb")
        for tenant in ("acme", "globex"):
            tenant_db = factory.tenant(tenant).client("dynamodb")
            tenant_db.create_table(
                TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST")
            tenant_db.put_item(TableName="orders",
                               Item={"pk": {"S": "o-1"}, "owner": {"S": tenant}})
        seed_pooled_sessions(platform)
        yield factory


@contextmanager
def sent(client: Any) -> Iterator[list[bytes]]:
    """Everything the client's requests carry on the wire (URL and body), as they leave."""
    wire: list[bytes] = []

    def capture(request: Any, **_: Any) -> None:
        body = request.body if isinstance(request.body, bytes) else str(request.body).encode()
        wire.append(request.url.encode() + b" " + body)

    client.meta.events.register("before-send", capture, unique_id="test-capture-wire")
    try:
        yield wire
    finally:
        client.meta.events.unregister("before-send", unique_id="test-capture-wire")


def _call(client: Any, method: str, params: dict[str, Any]) -> Any:
    try:
        return getattr(client, method)(**params)
    except (ScopeViolation, ClientError) as exc:
        return exc


# -- attacks: (service, method, parameters, a change that retargets them to globex) ----------
# The change is applied to the caller's own objects right after the guard approved the call:
# exactly where a second thread would strike.


def _transact_get() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    key = {"pk": {"S": "t-acme/s1"}}
    params = {"TransactItems": [{"Get": {"TableName": "sessions", "Key": key}}]}
    return params, lambda p: key["pk"].__setitem__("S", "t-globex/s1")


def _get_item() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    key = {"pk": {"S": "t-acme/s1"}}
    return {"TableName": "sessions", "Key": key}, lambda p: key.__setitem__(
        "pk", {"S": "t-globex/s1"})


def _batch_get() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    items = {"orders": {"Keys": [{"pk": {"S": "o-1"}}]}}
    return {"RequestItems": items}, lambda p: items.__setitem__(
        "t-globex-orders", items.pop("orders"))


def _put_events() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    entry = {"EventBusName": "bus", "Source": "app", "DetailType": "x", "Detail": "{}"}
    return {"Entries": [entry]}, lambda p: entry.__setitem__("EventBusName", "t-globex-bus")


def _get_parameters() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    names = ["db"]
    return {"Names": names}, lambda p: names.__setitem__(0, "t-globex-db")


def _batch_secrets() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    ids = ["db"]
    return {"SecretIdList": ids}, lambda p: ids.__setitem__(0, "t-globex-db")


def _put_targets() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    target = {"Id": "1", "Arn": "arn:aws:sqs:eu-west-1:123456789012:t-acme-q"}
    return ({"Rule": "r", "EventBusName": "bus", "Targets": [target]},
            lambda p: target.__setitem__("Arn", "arn:aws:sqs:eu-west-1:123456789012:t-globex-q"))


def _delete_objects() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    objects = [{"Key": "a"}]
    return ({"Bucket": "files", "Delete": {"Objects": objects}},
            lambda p: objects.__setitem__(0, {"Key": "../t-globex-files/a"}))


def _copy_object() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    source = {"Bucket": "files", "Key": "a"}
    return ({"Bucket": "files", "Key": "b", "CopySource": source},
            lambda p: source.__setitem__("Bucket", "t-globex-files"))


def _event_invoke_config() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    target = {"Destination": "arn:aws:sqs:eu-west-1:123456789012:t-acme-q"}
    return ({"FunctionName": "fn", "DestinationConfig": {"OnFailure": target}},
            lambda p: target.__setitem__("Destination",
                                         "arn:aws:sqs:eu-west-1:123456789012:t-globex-q"))


def _redrive() -> tuple[dict[str, Any], Callable[[dict[str, Any]], None]]:
    import json

    def policy(queue: str) -> str:
        return json.dumps({"deadLetterTargetArn": f"arn:aws:sqs:eu-west-1:123456789012:{queue}",
                           "maxReceiveCount": 3})

    attributes = {"RedrivePolicy": policy("t-acme-dlq")}
    return ({"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/123456789012/t-acme-q",
             "Attributes": attributes},
            lambda p: attributes.__setitem__("RedrivePolicy", policy("t-globex-dlq")))


ATTACKS = {
    "lambda.put_function_event_invoke_config": ("lambda", "put_function_event_invoke_config",
                                                _event_invoke_config),
    "sqs.set_queue_attributes": ("sqs", "set_queue_attributes", _redrive),
    "dynamodb.transact_get_items": ("dynamodb", "transact_get_items", _transact_get),
    "dynamodb.get_item": ("dynamodb", "get_item", _get_item),
    "dynamodb.batch_get_item": ("dynamodb", "batch_get_item", _batch_get),
    "events.put_events": ("events", "put_events", _put_events),
    "events.put_targets": ("events", "put_targets", _put_targets),
    "ssm.get_parameters": ("ssm", "get_parameters", _get_parameters),
    "secretsmanager.batch_get_secret_value": ("secretsmanager", "batch_get_secret_value",
                                              _batch_secrets),
    "s3.delete_objects": ("s3", "delete_objects", _delete_objects),
    "s3.copy_object": ("s3", "copy_object", _copy_object),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_changing_the_callers_objects_after_approval_changes_nothing_sent(
    factory: ClientFactory, attack: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    service, method, build = ATTACKS[attack]
    client = factory.tenant("acme").client(service)
    params, retarget = build()
    original = checks.ScopeGuard.check
    fired: list[bool] = []

    def check_then_strike(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        if not fired:
            fired.append(True)
            retarget(params)

    monkeypatch.setattr(checks.ScopeGuard, "check", check_then_strike)
    with sent(client) as wire:
        _call(client, method, params)
    assert fired
    assert not any(b"globex" in request for request in wire), wire


def test_an_item_of_another_tenant_never_comes_back_after_a_late_change(
    factory: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    acme = factory.tenant("acme").client("dynamodb")
    params, retarget = _transact_get()
    original = checks.ScopeGuard.check

    def check_then_strike(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        retarget(params)

    monkeypatch.setattr(checks.ScopeGuard, "check", check_then_strike)
    result = acme.transact_get_items(**params)
    assert [r["Item"]["owner"] for r in result["Responses"]] == [{"S": "acme"}]


# -- hostile subclasses -------------------------------------------------------------------------


class Trap(str):
    """A name that, the first time any of its methods runs, puts an exact string in its own
    place and retargets a sibling: an approval read through it would not be what is sent."""

    spring: Callable[[], None] = staticmethod(lambda: None)

    def _fire(self) -> None:
        spring, Trap.spring = Trap.spring, staticmethod(lambda: None)
        spring()

    def __hash__(self) -> int:
        self._fire()
        return str.__hash__(self)

    def __eq__(self, other: object) -> bool:
        self._fire()
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        self._fire()
        return str.__ne__(self, other)

    def startswith(self, *args: Any) -> bool:  # type: ignore[override]
        self._fire()
        return str.startswith(self, *args)

    def __str__(self) -> str:
        self._fire()
        return str.__str__(self)

    def __len__(self) -> int:
        self._fire()
        return str.__len__(self)


def test_a_name_whose_methods_retarget_a_sibling_is_read_without_calling_them(
    factory: ClientFactory,
) -> None:
    acme = factory.tenant("acme").client("dynamodb")
    first = {"Get": {"TableName": Trap("sessions"), "Key": {"pk": {"S": "t-acme/s1"}}}}
    second_key = {"pk": {"S": "t-acme/s1"}}
    items = [first, {"Get": {"TableName": "sessions", "Key": second_key}}]

    def spring() -> None:
        first["Get"]["TableName"] = "sessions"
        second_key["pk"] = {"S": "t-globex/s1"}

    Trap.spring = staticmethod(spring)
    with sent(acme) as wire:
        result = _call(acme, "transact_get_items", {"TransactItems": items})
    assert not any(b"globex" in request for request in wire)
    assert [r["Item"]["owner"] for r in result["Responses"]] == [{"S": "acme"}] * 2


def test_a_hostile_map_key_in_put_events_cannot_retarget_an_entry(
    factory: ClientFactory,
) -> None:
    events = factory.tenant("acme").client("events")
    events.create_event_bus(Name="bus")
    second = {"EventBusName": "bus", "Source": "app", "DetailType": "x", "Detail": "{}"}
    entries = [{Trap("EventBusName"): "bus", "Source": "app", "DetailType": "x", "Detail": "{}"},
               second]
    Trap.spring = staticmethod(lambda: second.__setitem__("EventBusName", "t-globex-bus"))
    with sent(events) as wire:
        _call(events, "put_events", {"Entries": entries})
    assert wire and not any(b"globex" in request for request in wire)


class LyingDict(dict[str, Any]):
    """Answers the guard's reads with one table, the serialiser's with another."""

    def get(self, key: str, default: Any = None) -> Any:
        return "orders" if key == "TableName" else dict.get(self, key, default)

    def __getitem__(self, key: str) -> Any:
        return "orders" if key == "TableName" else dict.__getitem__(self, key)

    def items(self) -> Any:
        return dict.items(self)


class LyingList(list[Any]):
    """Iterates as one entry for whoever asks first, as its real content afterwards."""

    asked = False

    def __iter__(self) -> Any:
        if not self.asked:
            self.asked = True
            return iter([{"Get": {"TableName": "orders", "Key": {"pk": {"S": "o-1"}}}}])
        return list.__iter__(self)

    def __len__(self) -> int:
        return 1


@pytest.mark.parametrize("container", ["dict", "list"])
def test_containers_are_copied_from_their_real_content(
    factory: ClientFactory, container: str
) -> None:
    acme = factory.tenant("acme").client("dynamodb")
    real = {"TableName": "t-globex-orders", "Key": {"pk": {"S": "o-1"}}}
    items = ([{"Get": LyingDict(real)}] if container == "dict"
             else LyingList([{"Get": real}]))
    with sent(acme) as wire, pytest.raises(ScopeViolation, match="tenant:globex"):
        acme.transact_get_items(TransactItems=items)
    assert wire == []


# -- a real second thread -----------------------------------------------------------------------


def test_a_thread_flipping_a_nested_key_never_reaches_another_tenants_item(
    factory: ClientFactory,
) -> None:
    acme = factory.tenant("acme").client("dynamodb")
    key = {"pk": {"S": "t-acme/s1"}}
    stop = threading.Event()

    def flip() -> None:
        while not stop.is_set():
            key["pk"] = {"S": "t-globex/s1"}
            key["pk"] = {"S": "t-acme/s1"}

    thread = threading.Thread(target=flip, daemon=True)
    thread.start()
    owners: set[str] = set()
    try:
        for _ in range(300):
            result = _call(acme, "transact_get_items",
                           {"TransactItems": [{"Get": {"TableName": "sessions", "Key": key}}]})
            if isinstance(result, dict):
                owners.update(r["Item"]["owner"]["S"] for r in result["Responses"])
    finally:
        stop.set()
        thread.join()
    assert owners <= {"acme"}


# -- the copy itself ------------------------------------------------------------------------------


def test_the_private_copy_holds_only_exact_builtin_types() -> None:
    from decimal import Decimal

    class Int(int):
        pass

    class Num(Decimal):
        pass

    class Blob(bytes):
        pass

    copied = private_copy({Trap("k"): [Trap("v"), Int(3), Num("1.5"), Blob(b"x"),
                                       bytearray(b"y"), (Trap("t"),), {Trap("s")}]})
    assert copied == {"k": ["v", 3, Decimal("1.5"), b"x", b"y", ["t"], {"s"}]}
    ((key, value),) = copied.items()
    assert type(key) is str
    assert [type(v) for v in value] == [str, int, Decimal, bytes, bytes, list, set]
    assert type(value[5][0]) is str and all(type(v) is str for v in value[6])


def test_containers_that_are_not_builtin_and_self_holding_ones_are_refused() -> None:
    from types import MappingProxyType

    with pytest.raises(Unreadable, match="not a dict or list"):
        private_copy({"Key": MappingProxyType({"pk": {"S": "x"}})})
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(Unreadable, match="could not be copied"):
        private_copy({"Items": loop})
