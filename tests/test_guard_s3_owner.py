"""S3 bucket names are global: every request that names a bucket carries the scope's account as
``ExpectedBucketOwner`` (``ExpectedSourceBucketOwner`` for copies), so a bucket another account
created first under the scope's physical name (bucket sniping) is refused by S3 instead of
written to or read from. Client API, resource API, transfer manager and presigned URLs alike."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from guard_helpers import refused

from scopeguard import ClientFactory
from scopeguard.testing import moto_factory

ACCOUNT = "123456789012"
OWNER = "x-amz-expected-bucket-owner"
SOURCE_OWNER = "x-amz-source-expected-bucket-owner"


@pytest.fixture(scope="module")
def factory() -> Iterator[ClientFactory]:
    with moto_factory() as factory:
        for scope in (factory.tenant("acme"), factory.platform()):
            scope.client("s3").create_bucket(
                Bucket="files", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
        yield factory


@contextmanager
def headers_sent(client: Any) -> Iterator[list[dict[str, str]]]:
    sent: list[dict[str, str]] = []

    def capture(request: Any, **_: Any) -> None:
        sent.append({k.lower(): v for k, v in request.headers.items()})

    client.meta.events.register("before-send", capture, unique_id="test-owner-headers")
    try:
        yield sent
    finally:
        client.meta.events.unregister("before-send", unique_id="test-owner-headers")


def _owner(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


@pytest.mark.parametrize("scope", ["tenant", "platform", "operator"])
def test_every_bucket_request_carries_the_expected_owner(factory: ClientFactory,
                                                         scope: str) -> None:
    handle = {"tenant": factory.tenant("acme"), "platform": factory.platform(),
              "operator": factory.operator(ACCOUNT)}[scope]
    bucket = "t-acme-files" if scope == "operator" else "files"
    s3 = handle.client("s3")
    with headers_sent(s3) as sent:
        s3.put_object(Bucket=bucket, Key="a.txt", Body=b"x")
        s3.get_object(Bucket=bucket, Key="a.txt")["Body"].read()
        s3.head_bucket(Bucket=bucket)
        s3.list_objects_v2(Bucket=bucket, Prefix="a")
        s3.copy_object(Bucket=bucket, Key="b.txt", CopySource={"Bucket": bucket, "Key": "a.txt"})
        s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b.txt"}]})
    assert len(sent) == 6
    assert all(_owner(h[OWNER]) == ACCOUNT for h in sent)
    assert _owner(sent[4][SOURCE_OWNER]) == ACCOUNT


def test_the_resource_api_and_the_transfer_manager_carry_it_too(factory: ClientFactory,
                                                                tmp_path: Any) -> None:
    handle = factory.tenant("acme")
    s3 = handle.client("s3")
    resource = handle.resource("s3")
    source = tmp_path / "up.txt"
    source.write_bytes(b"hello")
    with headers_sent(s3) as sent:
        s3.upload_file(str(source), "files", "up.txt")
        s3.download_file("files", "up.txt", str(tmp_path / "down.txt"))
    with headers_sent(resource.meta.client) as sent_by_resource:
        assert resource.Bucket("files").Object("up.txt").get()["Body"].read() == b"hello"
        resource.Bucket("files").upload_file(str(source), "up2.txt")
    assert sent and sent_by_resource
    assert all(_owner(h[OWNER]) == ACCOUNT for h in sent + sent_by_resource)


def test_presigned_urls_carry_the_expected_owner(factory: ClientFactory) -> None:
    url = factory.tenant("acme").client("s3").generate_presigned_url(
        "get_object", Params={"Bucket": "files", "Key": "a.txt"})
    assert f"{OWNER}={ACCOUNT}" in url


@pytest.mark.parametrize("member", ["ExpectedBucketOwner", "ExpectedSourceBucketOwner"])
def test_another_expected_owner_is_refused(factory: ClientFactory, member: str) -> None:
    s3 = factory.platform().client("s3")
    refused(s3, "copy_object", "is not this scope's account", Bucket="files", Key="b",
            CopySource={"Bucket": "files", "Key": "a.txt"}, **{member: "999999999999"})
