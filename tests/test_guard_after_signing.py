"""Handlers that run after signing (``request-created`` registered the ordinary way, or last) and
rewrite the request's URL or body are refused before anything is sent: the request must still be
one the signing hook approved in this call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from guard_helpers import EqualToAnything, refused, seeded_factory

from scopeguard import ClientFactory


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with seeded_factory("acme") as factory:
        yield factory


def _after_signing(client: Any, operation: str, how: str, change: Callable[[Any], None]) -> Any:
    # On "request-created" itself, where botocore's signer is: registered normally or last, the
    # handler runs after it (a more specific event's handlers run before the signer).
    event = "request-created"
    signed: list[bool] = []

    def handler(request: Any, operation_name: str, **_: Any) -> None:
        if operation_name == operation:
            signed.append("Authorization" in request.headers)
            change(request)

    register = {"register": client.meta.events.register,
                "register_last": client.meta.events.register_last}[how]
    register(event, handler, unique_id=f"after-signing-{how}-{event}")
    return signed, lambda: client.meta.events.unregister(
        event, unique_id=f"after-signing-{how}-{event}")


@pytest.mark.parametrize("how", ["register", "register_last"])
def test_a_json_body_rewritten_after_signing_is_refused(factory: ClientFactory, how: str) -> None:
    db = factory.tenant("acme").client("dynamodb")

    def retarget(request: Any) -> None:
        request.data = request.data.replace(b"t-acme-orders", b"t-globex-orders")

    signed, undo = _after_signing(db, "GetItem", how, retarget)
    try:
        refused(db, "get_item", "changed after it was checked and signed", TableName="orders",
                Key={"pk": {"S": "o-1"}})
    finally:
        undo()
    assert signed == [True]


@pytest.mark.parametrize("how", ["register", "register_last"])
def test_an_s3_url_rewritten_after_signing_is_refused(factory: ClientFactory, how: str) -> None:
    s3 = factory.tenant("acme").client("s3")

    def retarget(request: Any) -> None:
        request.url = request.url.replace("t-acme-files", "t-globex-files")

    signed, undo = _after_signing(s3, "GetObject", how, retarget)
    try:
        refused(s3, "get_object", "changed after it was checked and signed", Bucket="files",
                Key="a.txt")
    finally:
        undo()
    assert signed == [True]


def test_a_form_body_changed_in_place_after_signing_is_refused(factory: ClientFactory) -> None:
    sns = factory.tenant("acme").client("sns")
    arn = sns.create_topic(Name="news")["TopicArn"]

    def retarget(request: Any) -> None:
        request.data["TopicArn"] = arn.replace("t-acme-news", "t-globex-news")

    signed, undo = _after_signing(sns, "Publish", "register", retarget)
    try:
        refused(sns, "publish", "changed after it was checked and signed", TopicArn=arn,
                Message="hi")
    finally:
        undo()
    assert signed == [True]


def test_untouched_requests_are_sent(factory: ClientFactory) -> None:
    acme = factory.tenant("acme")
    seen: list[str] = []
    db = acme.client("dynamodb")
    signed, undo = _after_signing(db, "PutItem", "register",
                                  lambda request: seen.append(request.url))
    try:
        db.put_item(TableName="orders", Item={"pk": {"S": "o-1"}})
        assert db.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"]
    finally:
        undo()
    assert len(seen) == 1 and signed == [True]
    arn = acme.client("sns").create_topic(Name="news")["TopicArn"]
    acme.client("sns").publish(TopicArn=arn, Message="hi")
    acme.client("s3").put_object(Bucket="files", Key="a.txt", Body=b"x")


def test_a_url_that_only_claims_to_be_the_approved_one_is_refused(
    factory: ClientFactory,
) -> None:
    s3 = factory.tenant("acme").client("s3")

    def retarget(request: Any) -> None:
        request.url = EqualToAnything(request.url.replace("t-acme-files", "t-globex-files"))

    signed, undo = _after_signing(s3, "GetObject", "register", retarget)
    try:
        refused(s3, "get_object", "changed after it was checked and signed", Bucket="files",
                Key="a.txt")
    finally:
        undo()
    assert signed == [True]
