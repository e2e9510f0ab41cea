"""The signing hook checks a request again only when it is not what the parameter hook approved.

JSON bodies (batches included) are compared by identity with the body serialised from the
approved parameters' marshal image; REST and query requests are read back from the wire and
compared, member for member, with the members approved. What differs is checked again in full
(and refused when it names another scope's resource); what is equal is not checked twice.
These tests count full re-checks, never time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from guard_helpers import refused, seeded_factory, tampering

from scopeguard import ClientFactory
from scopeguard._guard import SERVICE_RULES, hooks

ACCOUNT = "123456789012"
BATCH = [{"PutRequest": {"Item": {"pk": {"S": f"o-{i}"}}}} for i in range(25)]


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with seeded_factory("acme", "globex") as factory:
        yield factory


@pytest.fixture
def rechecks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operations checked again in full at signing (JSON bodies parsed, or wire requests
    that differ from what was approved)."""
    seen: list[str] = []
    json_check, wire_check = hooks._recheck_json, hooks._recheck

    def counting_json(guard: Any, rules: Any, model: Any, request: Any, plan: Any) -> None:
        seen.append(model.name)
        json_check(guard, rules, model, request, plan)

    def counting_wire(guard: Any, rules: Any, model: Any, params: Any, plan: Any,
                      context: Any) -> None:
        seen.append(model.name)
        wire_check(guard, rules, model, params, plan, context)

    monkeypatch.setattr(hooks, "_recheck_json", counting_json)
    monkeypatch.setattr(hooks, "_recheck", counting_wire)
    return seen


def test_a_25_item_batch_is_checked_by_identity_at_signing(
    factory: ClientFactory, rechecks: list[str]
) -> None:
    ddb = factory.tenant("acme").client("dynamodb")
    ddb.batch_write_item(RequestItems={"orders": BATCH})
    item = ddb.get_item(TableName="orders", Key={"pk": {"S": "o-24"}})["Item"]
    assert item["pk"] == {"S": "o-24"}
    assert rechecks == []


def test_a_batch_changed_after_approval_is_checked_again_and_refused(
    factory: ClientFactory, rechecks: list[str]
) -> None:
    ddb = factory.tenant("acme").client("dynamodb")

    def retarget(params: dict[str, Any], **_: Any) -> None:
        params["RequestItems"] = {"t-globex-orders": params["RequestItems"]["t-acme-orders"]}

    with tampering(ddb, "before-endpoint-resolution.dynamodb", retarget):
        refused(ddb, "batch_write_item", "tenant:globex", RequestItems={"orders": BATCH})


def test_a_nested_member_changed_in_place_after_approval_is_checked_again(
    factory: ClientFactory, rechecks: list[str]
) -> None:
    # Same top-level objects, one string deep inside replaced: the marshal images differ.
    ddb = factory.tenant("acme").client("dynamodb")

    def reach_in(params: dict[str, Any], **_: Any) -> None:
        params["RequestItems"]["t-acme-orders"][3]["PutRequest"]["Item"]["pk"]["S"] = "o-x"

    with tampering(ddb, "before-endpoint-resolution.dynamodb", reach_in):
        ddb.batch_write_item(RequestItems={"orders": BATCH})
    assert rechecks == ["BatchWriteItem"]
    assert ddb.get_item(TableName="orders", Key={"pk": {"S": "o-x"}})["Item"]["pk"] == {"S": "o-x"}


@pytest.mark.parametrize(("service", "call", "params"), [
    ("s3", "put_object", {"Bucket": "files", "Key": "a/b.txt", "Body": b"hello"}),
    ("s3", "get_object", {"Bucket": "files", "Key": "a/b.txt"}),
    ("sns", "publish", {"TopicArn": f"arn:aws:sns:eu-west-1:{ACCOUNT}:t-acme-news",
                        "Message": "x"}),
])
def test_a_wire_request_read_back_as_approved_is_not_checked_again(
    factory: ClientFactory, rechecks: list[str], service: str, call: str,
    params: dict[str, Any],
) -> None:
    client = factory.tenant("acme").client(service)
    if call == "get_object":
        client.put_object(Bucket="files", Key="a/b.txt", Body=b"hello")
    getattr(client, call)(**params)
    assert rechecks == []


def test_a_wire_member_changed_after_approval_is_checked_again_and_refused(
    factory: ClientFactory, rechecks: list[str]
) -> None:
    s3 = factory.tenant("acme").client("s3")

    def other_owner(request: Any, **_: Any) -> None:
        request.headers.replace_header("x-amz-expected-bucket-owner", "210987654321")

    with tampering(s3, "before-sign.s3.PutObject", other_owner):
        refused(s3, "put_object", "210987654321", Bucket="files", Key="k", Body=b"x")
    assert rechecks == ["PutObject"]


def test_a_wire_member_dropped_after_approval_is_checked_again_and_refused(
    factory: ClientFactory, rechecks: list[str]
) -> None:
    # The approved request pinned the bucket's owner; without the header it would not be.
    s3 = factory.tenant("acme").client("s3")

    def drop_owner(request: Any, **_: Any) -> None:
        del request.headers["x-amz-expected-bucket-owner"]

    with tampering(s3, "before-sign.s3.GetObject", drop_owner):
        refused(s3, "get_object", "did not approve", Bucket="files", Key="k")
    assert rechecks == ["GetObject"]


def test_a_bucket_changed_in_the_url_after_approval_is_refused(
    factory: ClientFactory, rechecks: list[str]
) -> None:
    s3 = factory.tenant("acme").client("s3")

    def other_bucket(request: Any, **_: Any) -> None:
        request.url = request.url.replace("t-acme-files", "t-globex-files")

    with tampering(s3, "before-sign.s3.PutObject", other_bucket):
        refused(s3, "put_object", "tenant:globex", Bucket="files", Key="k", Body=b"x")
    assert rechecks == ["PutObject"]


def test_members_left_out_of_the_comparison_name_no_resource() -> None:
    # ``unread`` members may differ between approval and signing without a second check: the
    # service's table must not classify any of them as a resource kind.
    for service, rules in SERVICE_RULES.items():
        for member in rules.unread:
            assert rules.members.get(member) in (None, "ignore"), (service, member)
