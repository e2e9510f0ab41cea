"""The shortcuts on the guard's per-call path decide on exact builtin values only.

The signing hook remembers approved endpoint URLs, classifies each header spelling once, and
reads the X-Amz-Target header without parsing; the parameter hook copies S3 calls without
trying marshal once it has refused them. None of these may let a ``str`` subclass (whose
``__eq__``, ``__hash__``, ``split`` or ``lower`` lie) or a changed host through: a URL, a
header name, or the value of a header the guard reads must be an exact ``str`` when the request
is signed. Each case below is refused with nothing sent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guard_helpers import EqualToAnything, refused, seeded_factory, tampering

from scopeguard import ClientFactory
from scopeguard.testing import count_requests


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with seeded_factory("acme", "globex") as factory:
        yield factory


def test_an_x_amz_target_that_only_claims_to_be_the_approved_one_is_refused(
    factory: ClientFactory,
) -> None:
    db = factory.tenant("acme").client("dynamodb")

    def to_scan(request: Any, **_: Any) -> None:
        request.headers.replace_header("X-Amz-Target", EqualToAnything("DynamoDB_20120810.Scan"))

    with tampering(db, "before-sign.dynamodb", to_scan):
        refused(db, "get_item", "X-Amz-Target is not DynamoDB_20120810.GetItem",
                TableName="orders", Key={"pk": {"S": "o-1"}})


def test_a_second_x_amz_target_header_is_refused(factory: ClientFactory) -> None:
    db = factory.tenant("acme").client("dynamodb")

    def add(request: Any, **_: Any) -> None:
        request.headers["x-amz-target"] = "DynamoDB_20120810.GetItem"

    with tampering(db, "before-sign.dynamodb", add):
        refused(db, "get_item", "X-Amz-Target is not", TableName="orders",
                Key={"pk": {"S": "o-1"}})


def test_a_remembered_url_does_not_admit_another_host(factory: ClientFactory) -> None:
    db = factory.tenant("acme").client("dynamodb")
    db.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})  # its URL is now remembered

    def elsewhere(request: Any, **_: Any) -> None:
        request.url = request.url.replace("://", "://collector.example.com/?", 1)

    with tampering(db, "before-sign.dynamodb", elsewhere):
        refused(db, "get_item", "is not the pinned endpoint", TableName="orders",
                Key={"pk": {"S": "o-1"}})


@pytest.mark.parametrize("rewrite", [
    # Another authority after the remembered root's host: each URL has a root of its own.
    lambda url: url.replace(".amazonaws.com/", ".amazonaws.com.collector.example/", 1),
    lambda url: url.replace(".amazonaws.com/", ".amazonaws.com@collector.example/", 1),
    lambda url: url.replace(".amazonaws.com/", ".amazonaws.com\\@collector.example/", 1),
    lambda url: url.replace("://", "://collector.example/", 1),
])
def test_a_remembered_endpoint_root_does_not_admit_another_host_for_object_urls(
    factory: ClientFactory, rewrite: Any,
) -> None:
    s3 = factory.tenant("acme").client("s3")
    # An S3 object URL: its endpoint root (scheme and host up to the first "/") is now
    # remembered.
    s3.put_object(Bucket="files", Key="a.txt", Body=b"x")

    def elsewhere(request: Any, **_: Any) -> None:
        request.url = rewrite(request.url)

    with tampering(s3, "before-sign.s3", elsewhere):
        refused(s3, "put_object", "is not the pinned endpoint", Bucket="files", Key="a.txt",
                Body=b"x")


def test_a_url_subclass_equal_to_a_remembered_one_is_refused(
    factory: ClientFactory,
) -> None:
    db = factory.tenant("acme").client("dynamodb")
    db.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})
    approved: list[str] = []

    class Disguised(str):
        # Hashes and compares as the approved URL, splits as it, holds another host.
        def __hash__(self) -> int:
            return hash(approved[0])

        def __eq__(self, other: object) -> bool:
            return True

        def split(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
            return approved[0].split(*args, **kwargs)

    def elsewhere(request: Any, **_: Any) -> None:
        approved.append(request.url)
        request.url = Disguised("https://collector.example.com/")

    with tampering(db, "before-sign.dynamodb", elsewhere):
        refused(db, "get_item", "URL is not an exact string", TableName="orders",
                Key={"pk": {"S": "o-1"}})


def test_a_header_name_whose_lower_lies_is_refused(
    factory: ClientFactory,
) -> None:
    s3 = factory.tenant("acme").client("s3")
    s3.put_object(Bucket="files", Key="a.txt", Body=b"x")  # header spellings now remembered

    class Innocent(str):
        def lower(self) -> str:  # type: ignore[override]
            return "user-agent"

        __hash__ = str.__hash__

    def copy_from_globex(request: Any, **_: Any) -> None:
        # x-amz-copy-source turns a PutObject into a CopyObject of another tenant's object.
        request.headers[Innocent("X-Amz-Copy-Source")] = "t-globex-files/secret.txt"

    with tampering(s3, "before-sign.s3", copy_from_globex):
        refused(s3, "put_object", "is not an exact string", Bucket="files",
                Key="b.txt", Body=b"x")


def test_an_s3_call_copied_without_marshal_still_converts_subclasses(
    factory: ClientFactory,
) -> None:
    s3 = factory.tenant("acme").client("s3")
    s3.put_object(Bucket="files", Key="a.txt", Body=b"x")  # PutObject now skips marshal

    class Looks(str):
        # Compares and hashes as acme's logical bucket; holds globex's physical one.
        def __eq__(self, other: object) -> bool:
            return other == "files" or str.__eq__(self, other)

        def __hash__(self) -> int:
            return hash("files")

    refused(s3, "put_object", "tenant:globex", Bucket=Looks("t-globex-files"), Key="a.txt",
            Body=b"x")


def test_the_shortcuts_leave_ordinary_calls_alone(factory: ClientFactory) -> None:
    acme = factory.tenant("acme")
    db, s3, sns = acme.client("dynamodb"), acme.client("s3"), acme.client("sns")
    topic = sns.create_topic(Name="news")["TopicArn"]
    with count_requests(db) as db_sent, count_requests(s3) as s3_sent, \
            count_requests(sns) as sns_sent:
        for i in range(3):
            db.put_item(TableName="orders", Item={"pk": {"S": f"h-{i}"}})
            s3.put_object(Bucket="files", Key=f"h-{i}.txt", Body=b"x")
            sns.publish(TopicArn=topic, Message=f"m{i}")
    assert (db_sent.total, s3_sent.total, sns_sent.total) == (3, 3, 3)
    assert db.get_item(TableName="orders", Key={"pk": {"S": "h-2"}})["Item"]
    assert s3.get_object(Bucket="files", Key="h-2.txt")["Body"].read() == b"x"


def test_a_header_value_that_only_claims_to_be_the_approved_one_is_refused(
    factory: ClientFactory,
) -> None:
    s3 = factory.tenant("acme").client("s3")
    s3.put_object(Bucket="files", Key="a.txt", Body=b"x")

    def from_globex(request: Any, **_: Any) -> None:
        # Compared with the approved member it claims equality; sent, it copies globex's object.
        request.headers.replace_header("x-amz-copy-source",
                                       EqualToAnything("t-globex-files/a.txt"))

    with tampering(s3, "before-sign.s3", from_globex):
        refused(s3, "copy_object", "not an exact string", Bucket="files", Key="b.txt",
                CopySource={"Bucket": "files", "Key": "a.txt"})


def test_a_url_that_is_not_an_exact_str_is_refused_at_signing(factory: ClientFactory) -> None:
    s3 = factory.tenant("acme").client("s3")

    class Url(str):
        pass

    def wrap(request: Any, **_: Any) -> None:
        request.url = Url(request.url)

    with tampering(s3, "before-sign.s3", wrap):
        refused(s3, "get_object", "not an exact string", Bucket="files", Key="a.txt")


def test_only_file_bodies_send_an_operation_to_the_slower_copy(
    factory: ClientFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scopeguard._guard import hooks

    copies: list[str] = []
    builtin = hooks.builtin_copy

    def counting(value: Any) -> Any:
        copies.append("builtin")
        return builtin(value)

    monkeypatch.setattr(hooks, "builtin_copy", counting)
    db = factory.tenant("acme").client("dynamodb")

    class Id(str):
        pass

    # A str subclass makes marshal refuse one call; the next call is copied by marshal again.
    db.put_item(TableName="orders", Item={"pk": {"S": Id("o-sub")}})
    db.put_item(TableName="orders", Item={"pk": {"S": "o-plain"}})
    assert copies == ["builtin"]
    assert db.get_item(TableName="orders", Key={"pk": {"S": "o-sub"}})["Item"]
    # An S3 body is a file object by the time the guard copies it: every call takes that copy.
    s3 = factory.tenant("acme").client("s3")
    copies.clear()
    for key in ("f-1.txt", "f-2.txt"):
        s3.put_object(Bucket="files", Key=key, Body=b"x")
    assert copies == ["builtin", "builtin"]
