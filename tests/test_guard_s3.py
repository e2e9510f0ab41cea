"""S3 guard: every THREATS.md S3 case refused with nothing sent; in-scope calls work on moto.

Most tests run on moto's in-process mock (fresh state per test); the last ones go through a real
HTTP moto server, counting requests at the emulator itself.
"""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import boto3
import botocore.session
import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.server import ThreadedMotoServer

from guard_helpers import refused, skip_unless_in_model, tampering

from scopeguard import ClientFactory, NamingPolicy, ScopeViolation
from scopeguard._guard.rules import compile_plan
from scopeguard._guard.s3 import RULES
from scopeguard.testing import count_requests

ACCOUNT = "123456789012"  # moto's default account
REGION = "eu-west-1"
NAMING = NamingPolicy(pooled_buckets=frozenset({"shared"}))
WHERE: dict[str, Any] = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
MB = 1024 * 1024
AP_ARN = f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/reports"


@pytest.fixture(scope="module")
def session() -> boto3.Session:
    # One Session per module: creating one costs ~90 ms.
    return boto3.Session(region_name=REGION, aws_access_key_id="testing",
                         aws_secret_access_key="testing")


@pytest.fixture(scope="module")
def factory(session: boto3.Session) -> Iterator[ClientFactory]:
    # One emulated world for the module: refusals never reach it, and tests that write use keys
    # of their own, so no test depends on another's leftovers.
    with mock_aws():
        factory = ClientFactory(session=session, naming=NAMING, account_id=ACCOUNT)
        for tenant in ("acme", "globex"):
            s3 = factory.tenant(tenant).client("s3")
            s3.create_bucket(Bucket="uploads", **WHERE)
            s3.put_object(Bucket="uploads", Key="doc.txt", Body=tenant.encode())
        platform = factory.platform().client("s3")
        platform.create_bucket(Bucket="shared", **WHERE)
        for tenant in ("acme", "globex", "acme2"):
            platform.put_object(Bucket="shared", Key=f"t-{tenant}/doc.txt", Body=tenant.encode())
        yield factory


@pytest.fixture(scope="module")
def acme(factory: ClientFactory) -> Any:
    return factory.tenant("acme").client("s3")


@pytest.fixture(scope="module")
def operator(factory: ClientFactory) -> Any:
    """Sees physical names: the view used to check where things really landed."""
    return factory.operator(ACCOUNT).client("s3")



def read(client: Any, bucket: str, key: str) -> bytes:
    body: bytes = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return body


# -- coverage: every operation and identifier of botocore's model ------------------------------

MODEL = botocore.session.get_session().get_service_model("s3")


def test_every_s3_operation_is_classified() -> None:
    # Entries for operations newer than the installed botocore are checked for staleness by
    # tests/test_guard_coverage.py, which knows which botocore line added them.
    assert set(MODEL.operation_names) <= set(RULES.operations)
    assert len(RULES.operations) >= 110


@pytest.mark.parametrize("operation", MODEL.operation_names)
def test_every_identifier_member_is_classified(operation: str) -> None:
    plan = compile_plan(RULES, MODEL.operation_model(operation))
    assert plan.unclassified == ()
    assert {kind for _, kind, _ in plan.steps} <= set(RULES.kinds)


def test_every_operation_with_an_object_key_checks_it() -> None:
    # Key is classified "ignore" because it can only be judged against its bucket: the
    # operation's own check must do it, so no operation with a top-level Key may skip it.
    for operation in MODEL.operation_names:
        shape = MODEL.operation_model(operation).input_shape
        if shape is not None and "Key" in shape.members:
            assert RULES.operations[operation] is not None, operation


def test_the_member_table_names_only_known_kinds() -> None:
    assert set(RULES.members.values()) <= set(RULES.kinds) | {"walk", "ignore"}


# -- per-scope buckets -------------------------------------------------------------------------


def test_logical_bucket_names_land_in_the_scopes_physical_bucket(acme: Any, operator: Any) -> None:
    acme.put_object(Bucket="uploads", Key="reports/q1.csv", Body=b"q1")
    assert read(operator, "t-acme-uploads", "reports/q1.csv") == b"q1"
    assert read(acme, "uploads", "reports/q1.csv") == b"q1"
    assert read(acme, "t-acme-uploads", "reports/q1.csv") == b"q1"  # own physical name
    assert read(operator, "t-globex-uploads", "doc.txt") == b"globex"


def test_create_bucket_in_tenant_scope_maps_the_name(acme: Any, operator: Any) -> None:
    acme.create_bucket(Bucket="exports", **WHERE)
    assert "t-acme-exports" in {b["Name"] for b in operator.list_buckets()["Buckets"]}


def test_list_buckets_is_narrowed_to_the_scope(acme: Any, factory: ClientFactory) -> None:
    names = [b["Name"] for b in acme.list_buckets()["Buckets"]]
    assert "t-acme-uploads" in names
    assert all(name.startswith("t-acme-") for name in names)
    assert [b["Name"] for b in acme.list_buckets(Prefix="up")["Buckets"]] == ["t-acme-uploads"]
    globex = factory.tenant("globex").client("s3")
    names = [b["Name"] for b in globex.list_buckets()["Buckets"]]
    assert "t-globex-uploads" in names
    assert all(name.startswith("t-globex-") for name in names)
    refused(acme, "list_buckets", "belongs to tenant:globex", Prefix="t-globex-")


def test_listing_a_per_scope_bucket_needs_no_prefix(acme: Any) -> None:
    keys = [o["Key"] for o in acme.list_objects_v2(Bucket="uploads")["Contents"]]
    assert "doc.txt" in keys


def test_delete_objects_on_own_bucket(acme: Any, operator: Any) -> None:
    acme.put_object(Bucket="uploads", Key="tmp/a", Body=b"")
    out = acme.delete_objects(Bucket="uploads", Delete={"Objects": [{"Key": "tmp/a"}]})
    assert [d["Key"] for d in out["Deleted"]] == ["tmp/a"]
    assert "Contents" not in operator.list_objects_v2(Bucket="t-acme-uploads", Prefix="tmp/")


@pytest.mark.parametrize(
    "source",
    [
        "uploads/doc.txt",
        "/uploads/doc.txt",
        "t-acme-uploads/doc.txt",
        {"Bucket": "uploads", "Key": "doc.txt"},
        {"Bucket": "shared", "Key": "t-acme/doc.txt"},
    ],
    ids=["string", "leading-slash", "physical", "dict", "pooled-dict"],
)
def test_copy_within_scope_resolves_the_source_bucket(acme: Any, operator: Any,
                                                      source: Any) -> None:
    original = dict(source) if isinstance(source, dict) else source
    acme.copy_object(Bucket="uploads", Key="copy.txt", CopySource=source)
    assert read(operator, "t-acme-uploads", "copy.txt") == b"acme"
    assert source == original  # the caller's dict is never rewritten in place


def test_copy_source_with_version_id(acme: Any) -> None:
    acme.put_bucket_versioning(Bucket="uploads",
                               VersioningConfiguration={"Status": "Enabled"})
    version = acme.put_object(Bucket="uploads", Key="v.txt", Body=b"v1")["VersionId"]
    acme.put_object(Bucket="uploads", Key="v.txt", Body=b"v2")
    acme.copy_object(Bucket="uploads", Key="old.txt",
                     CopySource=f"uploads/v.txt?versionId={version}")
    assert read(acme, "uploads", "old.txt") == b"v1"


def test_multipart_upload_part_copy_within_scope(acme: Any, operator: Any) -> None:
    upload = acme.create_multipart_upload(Bucket="uploads", Key="mp.bin")["UploadId"]
    part = acme.upload_part_copy(Bucket="uploads", Key="mp.bin", UploadId=upload, PartNumber=1,
                                 CopySource={"Bucket": "uploads", "Key": "doc.txt"})
    acme.complete_multipart_upload(
        Bucket="uploads", Key="mp.bin", UploadId=upload,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["CopyPartResult"]["ETag"]}]})
    assert read(operator, "t-acme-uploads", "mp.bin") == b"acme"


def test_expected_bucket_owner_must_be_the_scopes_account(acme: Any) -> None:
    assert acme.head_object(Bucket="uploads", Key="doc.txt", ExpectedBucketOwner=ACCOUNT)
    refused(acme, "head_object", "not this scope's account", Bucket="uploads", Key="doc.txt",
            ExpectedBucketOwner="999999999999")
    refused(acme, "copy_object", "not this scope's account", Bucket="uploads", Key="c",
            CopySource="uploads/doc.txt", ExpectedSourceBucketOwner="999999999999")


def test_owner_configuration_writes_work_on_own_bucket(acme: Any) -> None:
    acme.put_bucket_tagging(Bucket="uploads", Tagging={"TagSet": [{"Key": "team", "Value": "a"}]})
    acme.put_bucket_lifecycle_configuration(Bucket="uploads", LifecycleConfiguration={"Rules": [
        {"ID": "tmp", "Status": "Enabled", "Filter": {"Prefix": "tmp/"},
         "Expiration": {"Days": 1}}]})
    assert acme.get_bucket_tagging(Bucket="uploads")["TagSet"] == [{"Key": "team", "Value": "a"}]
    acme.put_object(Bucket="uploads", Key="private.txt", Body=b"", ACL="bucket-owner-full-control")


# -- operations added by botocore 1.44.18 -------------------------------------------------------

_NEW_IN_1_44_18: list[tuple[str, dict[str, Any]]] = [
    ("get_part", {"Key": "doc.txt", "UploadId": "u-1", "PartNumber": 1}),
    ("get_bucket_default_storage_class", {}),
    ("put_bucket_default_storage_class",
     {"DefaultStorageClassConfiguration": {"DefaultStorageClass": "INTELLIGENT_TIERING"}}),
]
# An older botocore has no client method for them, hence no method_to_api_mapping entry.
_API = {"get_part": "GetPart", "get_bucket_default_storage_class": "GetBucketDefaultStorageClass",
        "put_bucket_default_storage_class": "PutBucketDefaultStorageClass"}


class _Sent(Exception):
    """Raised by a ``before-send`` handler to stop a request that passed the guard, so tests of
    operations the emulator does not implement can see where the request was going."""


@pytest.mark.parametrize(("call", "params"), _NEW_IN_1_44_18, ids=[c for c, _ in _NEW_IN_1_44_18])
def test_new_operations_reach_the_scopes_physical_bucket(acme: Any, call: str,
                                                         params: dict[str, Any]) -> None:
    skip_unless_in_model(acme, _API[call])
    urls: list[str] = []

    def stop(request: Any, **_: Any) -> None:
        urls.append(request.url)
        raise _Sent

    with tampering(acme, "before-send", stop), pytest.raises(_Sent):
        getattr(acme, call)(Bucket="uploads", **params)
    (url,) = urls
    assert "t-acme-uploads" in url


@pytest.mark.parametrize(("call", "params"), _NEW_IN_1_44_18, ids=[c for c, _ in _NEW_IN_1_44_18])
def test_new_operations_on_another_tenants_bucket_are_refused(acme: Any, call: str,
                                                              params: dict[str, Any]) -> None:
    skip_unless_in_model(acme, _API[call])
    refused(acme, call, "belongs to tenant:globex", Bucket="t-globex-uploads", **params)


def test_new_operations_on_a_pooled_bucket_keep_to_the_key_prefix(acme: Any) -> None:
    skip_unless_in_model(acme, "GetPart")
    part = {"UploadId": "u-1", "PartNumber": 1}
    refused(acme, "get_part", "refused", Bucket="shared", Key="t-globex/doc.txt", **part)
    refused(acme, "put_bucket_default_storage_class", "refused", Bucket="shared",
            DefaultStorageClassConfiguration={"DefaultStorageClass": "STANDARD"})


# -- pooled buckets ----------------------------------------------------------------------------


def test_pooled_bucket_objects_carry_the_key_prefix(acme: Any, operator: Any) -> None:
    acme.put_object(Bucket="shared", Key="t-acme/new/a.txt", Body=b"n")
    assert read(operator, "shared", "t-acme/new/a.txt") == b"n"
    listed = acme.list_objects_v2(Bucket="shared", Prefix="t-acme/")["Contents"]
    assert {"t-acme/doc.txt", "t-acme/new/a.txt"} <= {o["Key"] for o in listed}
    assert all(o["Key"].startswith("t-acme/") for o in listed)
    out = acme.delete_objects(Bucket="shared", Delete={"Objects": [{"Key": "t-acme/new/a.txt"}]})
    assert [d["Key"] for d in out["Deleted"]] == ["t-acme/new/a.txt"]


def test_pooled_listing_paginates_within_the_prefix(acme: Any) -> None:
    for i in range(3):
        acme.put_object(Bucket="shared", Key=f"t-acme/p/{i}", Body=b"")
    # (ListObjects v1 is left out: moto answers it with opaque NextMarkers, S3 with keys.)
    pages = acme.get_paginator("list_object_versions").paginate(
        Bucket="shared", Prefix="t-acme/p/", PaginationConfig={"PageSize": 1})
    assert [v["Key"] for page in pages for v in page["Versions"]] == [
        "t-acme/p/0", "t-acme/p/1", "t-acme/p/2"]
    pages = acme.get_paginator("list_objects_v2").paginate(Bucket="shared", Prefix="t-acme/p/",
                                                           PaginationConfig={"PageSize": 2})
    assert sum(page["KeyCount"] for page in pages) == 3


def test_platform_needs_no_prefix_on_pooled_buckets(factory: ClientFactory) -> None:
    platform = factory.platform().client("s3")
    platform.put_object(Bucket="shared", Key="index.json", Body=b"{}")
    keys = {o["Key"] for o in platform.list_objects_v2(Bucket="shared")["Contents"]}
    assert {"index.json", "t-acme/doc.txt", "t-globex/doc.txt"} <= keys


def test_capsule_scope_uses_its_own_key_prefix(factory: ClientFactory) -> None:
    dev = factory.capsule("dev").client("s3")
    dev.put_object(Bucket="shared", Key="c-dev/x", Body=b"")
    refused(dev, "get_object", "belongs to tenant:acme", Bucket="shared", Key="t-acme/doc.txt")


# -- refusals: tenant scope ----------------------------------------------------------------------

KEY_CASES = [
    ("t-acme/../t-globex/doc.txt", "'..' path segment"),
    ("t-acme/./doc.txt", "'.' or '..' path segment"),
    ("t-acme//doc.txt", "contains '//'"),
    ("/t-acme/doc.txt", "starts with '/'"),
    ("t-acme/a\\b", "backslash"),
    ("t-acme/a\x00b", "control"),
    ("t-acme/a\nb", "control"),
    ("t-acme/a\u202eb", "invisible format"),
    ("t-acme/caf\u0065\u0301", "not NFC"),
    ("", "empty"),
]


@pytest.mark.parametrize(("key", "match"), KEY_CASES)
@pytest.mark.parametrize("bucket", ["shared", "uploads"])
def test_unnormalised_keys_are_refused_not_cleaned(acme: Any, bucket: str, key: str,
                                                   match: str) -> None:
    refused(acme, "get_object", match, Bucket=bucket, Key=key)
    refused(acme, "put_object", match, Bucket=bucket, Key=key, Body=b"")


@pytest.mark.parametrize(
    ("key", "match"),
    [
        ("t-globex/doc.txt", "belongs to tenant:globex"),
        ("t-acme2/doc.txt", "belongs to tenant:acme2"),
        ("t-acme", "does not start with 't-acme/'"),
        ("doc.txt", "does not start with 't-acme/'"),
        ("c-dev/doc.txt", "belongs to capsule:dev"),
    ],
)
def test_pooled_keys_outside_the_key_prefix_are_refused(acme: Any, key: str, match: str) -> None:
    err = refused(acme, "get_object", match, Bucket="shared", Key=key)
    assert (err.scope, err.service, err.operation, err.parameter) == (
        "tenant:acme", "s3", "GetObject", "Key")
    refused(acme, "delete_object", match, Bucket="shared", Key=key)
    refused(acme, "put_object_tagging", match, Bucket="shared", Key=key,
            Tagging={"TagSet": []})


@pytest.mark.parametrize(
    ("bucket", "match"),
    [
        ("t-globex-uploads", "belongs to tenant:globex"),
        ("c-dev-uploads", "belongs to capsule:dev"),
        ("Uploads", "not valid for s3"),
        ("my.uploads", "not valid for s3"),
        ("t-acme2-uploads", "belongs to tenant:acme2"),
        ("x" * 60, "s3 allows 63"),
        ("t-acme-a/b", "not valid for s3"),
        ("t-acme-" + "x" * 57, "not valid for s3|characters"),
        (AP_ARN, "not resolved in tenant scope"),
        (f"arn:aws:s3-object-lambda:{REGION}:{ACCOUNT}:accesspoint/ol", "not resolved"),
        (f"arn:aws:s3-outposts:{REGION}:{ACCOUNT}:outpost/op-1/accesspoint/ap", "not resolved"),
        (f"arn:aws:s3::{ACCOUNT}:accesspoint/mfzwi23gnjvgw.mrap", "not resolved"),
        ("arn:aws:s3:::t-acme-uploads", "not resolved"),
    ],
)
def test_buckets_outside_the_scope_are_refused(acme: Any, bucket: str, match: str) -> None:
    refused(acme, "get_object", match, Bucket=bucket, Key="doc.txt")
    refused(acme, "head_bucket", match, Bucket=bucket)


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("list_objects_v2", {}, "lists every tenant's objects"),
        ("list_objects_v2", {"Prefix": ""}, "lists every tenant's objects"),
        ("list_objects_v2", {"Prefix": "t-acme"}, "delimiter included"),
        ("list_objects_v2", {"Prefix": "t-globex/"}, "got Prefix='t-globex/'"),
        ("list_objects_v2", {"Prefix": "t-acme/../"}, "'..' path segment"),
        ("list_objects_v2", {"Prefix": "t-acme/", "StartAfter": "t-globex/"}, "tenant:globex"),
        ("list_objects", {}, "lists every tenant's objects"),
        ("list_objects", {"Prefix": "t-acme/", "Marker": "t-acme"}, "does not start with"),
        ("list_object_versions", {"Prefix": "t-acme"}, "delimiter included"),
        ("list_object_versions", {"Prefix": "t-acme/", "KeyMarker": "t-globex/a"}, "globex"),
        ("list_multipart_uploads", {}, "lists every tenant's objects"),
        ("list_multipart_uploads", {"Prefix": "t-acme/", "KeyMarker": "x"}, "does not start"),
    ],
)
def test_pooled_listing_must_stay_under_the_full_key_prefix(acme: Any, call: str,
                                                            params: dict[str, Any],
                                                            match: str) -> None:
    refused(acme, call, match, Bucket="shared", **params)


def test_listing_paginator_on_a_pooled_bucket_without_prefix_is_refused(acme: Any) -> None:
    pages = acme.get_paginator("list_objects_v2").paginate(Bucket="shared")
    with count_requests(acme) as sent, pytest.raises(ScopeViolation, match="Prefix"):
        list(pages)
    assert sent.total == 0


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("t-globex-uploads/doc.txt", "belongs to tenant:globex"),
        ("/t-globex-uploads/doc.txt", "belongs to tenant:globex"),
        ("t-globex-uploads/doc.txt?versionId=abc", "belongs to tenant:globex"),
        ("shared/t-globex/doc.txt", "belongs to tenant:globex"),
        ("shared/t-acme/../t-globex/doc.txt", "'..' path segment"),
        ("uploads/a//b", "contains '//'"),
        ("uploads/doc.txt?versionId=a&b=c", "not a version ID"),
        ("uploads", "cannot parse"),
        ("t-globex-uploads/a b", "belongs to tenant:globex"),
        ("uploads/caf\u0065\u0301", "not NFC"),
        (f"{AP_ARN}/object/doc.txt", "not resolved in tenant scope"),
        ({"Bucket": "t-globex-uploads", "Key": "doc.txt"}, "belongs to tenant:globex"),
        ({"Bucket": "shared", "Key": "t-globex/doc.txt"}, "belongs to tenant:globex"),
        ({"Bucket": "uploads", "Key": "../x"}, "'..' path segment"),
        ({"Bucket": AP_ARN, "Key": "doc.txt"}, "not resolved in tenant scope"),
    ],
)
def test_copy_source_is_a_second_resource(acme: Any, source: Any, match: str) -> None:
    refused(acme, "copy_object", match, Bucket="uploads", Key="copy.txt", CopySource=source)
    refused(acme, "upload_part_copy", match, Bucket="uploads", Key="copy.txt", UploadId="u",
            PartNumber=1, CopySource=source)


def test_copy_source_of_another_type_is_a_validation_error(acme: Any) -> None:
    from botocore.exceptions import ParamValidationError

    from scopeguard.testing import count_requests

    with count_requests(acme) as sent, pytest.raises(ParamValidationError, match="CopySource"):
        acme.copy_object(Bucket="uploads", Key="copy.txt", CopySource=42)
    assert sent.total == 0


def test_copy_destination_is_checked_too(acme: Any) -> None:
    refused(acme, "copy_object", "belongs to tenant:globex", Bucket="t-globex-uploads",
            Key="x", CopySource="uploads/doc.txt")
    refused(acme, "copy_object", "belongs to tenant:globex", Bucket="shared",
            Key="t-globex/x", CopySource="uploads/doc.txt")


def test_delete_objects_checks_every_key(acme: Any, operator: Any) -> None:
    refused(acme, "delete_objects", r"Delete\.Objects\[1\]\.Key", Bucket="shared",
            Delete={"Objects": [{"Key": "t-acme/doc.txt"}, {"Key": "t-globex/doc.txt"}]})
    refused(acme, "delete_objects", "'..' path segment", Bucket="shared",
            Delete={"Objects": [{"Key": "t-acme/../t-globex/doc.txt"}]})
    assert read(operator, "shared", "t-acme/doc.txt") == b"acme"  # nothing was deleted


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("put_bucket_policy", {"Policy": "{}"}, "grant other principals"),
        ("delete_bucket_policy", {}, "platform scope"),
        ("put_bucket_acl", {"ACL": "private"}, "grant other principals"),
        ("put_bucket_ownership_controls",
         {"OwnershipControls": {"Rules": [{"ObjectOwnership": "ObjectWriter"}]}}, "grant"),
        ("put_public_access_block", {"PublicAccessBlockConfiguration": {}}, "grant"),
        ("delete_public_access_block", {}, "grant"),
        ("put_bucket_logging", {"BucketLoggingStatus": {"LoggingEnabled": {
            "TargetBucket": "uploads", "TargetPrefix": "logs/"}}}, "second resource"),
        ("put_bucket_notification_configuration", {"NotificationConfiguration": {
            "QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:q",
                                     "Events": ["s3:ObjectCreated:*"]}]}}, "second resource"),
        ("put_bucket_replication", {"ReplicationConfiguration": {"Role": "r", "Rules": []}},
         "second resource"),
        ("delete_bucket_replication", {}, "platform scope"),
        ("put_bucket_website", {"WebsiteConfiguration": {}}, "anonymous"),
        ("put_bucket_inventory_configuration", {"Id": "i", "InventoryConfiguration": {}},
         "second resource"),
        ("put_bucket_analytics_configuration", {"Id": "a", "AnalyticsConfiguration": {}},
         "second resource"),
        ("create_bucket_metadata_table_configuration", {"MetadataTableConfiguration": {}},
         "second resource"),
        ("put_bucket_abac", {"AbacStatus": {}}, "attribute-based"),
        ("rename_object", {"Key": "b", "RenameSource": "uploads/a"}, "rename source"),
    ],
)
def test_operations_that_grant_access_or_name_a_second_resource_are_refused(
    acme: Any, call: str, params: dict[str, Any], match: str
) -> None:
    refused(acme, call, match, Bucket="uploads", **params)


def test_account_wide_and_unscoped_operations_are_refused(acme: Any) -> None:
    refused(acme, "list_directory_buckets", "account-wide listing")
    refused(acme, "write_get_object_response", "Object Lambda", RequestRoute="r",
            RequestToken="t")


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("put_object", {"Key": "x", "ACL": "public-read"}, "canned ACL 'public-read'"),
        ("put_object", {"Key": "x", "GrantRead": 'uri="http://acs"'}, "grant other principals"),
        ("put_object_acl", {"Key": "doc.txt", "ACL": "authenticated-read"}, "canned ACL"),
        ("put_object_acl", {"Key": "doc.txt", "AccessControlPolicy": {}}, "grant other"),
        ("create_bucket", {"ACL": "public-read-write"}, "canned ACL"),
        ("put_object", {"Key": "x", "SSEKMSKeyId":
                        f"arn:aws:kms:{REGION}:999999999999:key/k"}, "not this scope's account"),
        # Default encryption under another account's key: every later object is written with
        # a key that account controls.
        ("put_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rules": [{
            "ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms",
                "KMSMasterKeyID": f"arn:aws:kms:{REGION}:999999999999:key/k"}}]}},
         "KMSMasterKeyID refused: ARN account 999999999999"),
        ("restore_object", {"Key": "doc.txt", "RestoreRequest": {"OutputLocation": {}}},
         "second bucket"),
    ],
)
def test_acls_grants_and_foreign_keys_are_refused(acme: Any, call: str, params: dict[str, Any],
                                                  match: str) -> None:
    refused(acme, call, match, Bucket="uploads", **params)


def test_default_encryption_under_the_accounts_own_key_is_set(acme: Any) -> None:
    """The in-scope counterpart: a key of the scope's account (by ARN or alias) is accepted
    and read back as set."""
    acme.create_bucket(Bucket="encrypted", **WHERE)
    for key in (f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k", "alias/tenant-data"):
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                       "KMSMasterKeyID": key}}
        acme.put_bucket_encryption(Bucket="encrypted", ServerSideEncryptionConfiguration={
            "Rules": [rule]})
        read = acme.get_bucket_encryption(Bucket="encrypted")
        assert read["ServerSideEncryptionConfiguration"]["Rules"][0][
            "ApplyServerSideEncryptionByDefault"]["KMSMasterKeyID"] == key


@pytest.mark.parametrize(
    ("call", "params"),
    [
        ("create_bucket", WHERE),
        ("delete_bucket", {}),
        ("put_bucket_lifecycle_configuration", {"LifecycleConfiguration": {"Rules": []}}),
        ("put_bucket_cors", {"CORSConfiguration": {"CORSRules": []}}),
        ("put_bucket_versioning", {"VersioningConfiguration": {"Status": "Suspended"}}),
        ("delete_bucket_tagging", {}),
        ("create_session", {}),
    ],
)
def test_pooled_buckets_are_managed_from_the_platform_only(acme: Any, call: str,
                                                           params: dict[str, Any]) -> None:
    refused(acme, call, "pooled bucket", Bucket="shared", **params)


# -- side doors: presigning, resource API, transfer helpers --------------------------------------


def test_presigned_url_in_scope_names_the_physical_bucket(acme: Any) -> None:
    url = acme.generate_presigned_url("get_object", Params={"Bucket": "uploads", "Key": "doc.txt"})
    assert "t-acme-uploads" in url


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"Bucket": "t-globex-uploads", "Key": "doc.txt"}, "belongs to tenant:globex"),
        ({"Bucket": "shared", "Key": "t-globex/doc.txt"}, "belongs to tenant:globex"),
        ({"Bucket": "shared", "Key": "t-acme/../t-globex/doc.txt"}, "'..' path segment"),
    ],
)
def test_cross_tenant_presigned_url_is_refused(acme: Any, params: dict[str, Any],
                                               match: str) -> None:
    for method in ("get_object", "put_object"):
        with pytest.raises(ScopeViolation, match=match):
            acme.generate_presigned_url(method, Params=params)


def test_presigned_put_in_scope_and_waiters_go_through_the_guard(acme: Any) -> None:
    url = acme.generate_presigned_url("put_object",
                                      Params={"Bucket": "shared", "Key": "t-acme/up.bin"})
    assert "/shared/t-acme/up.bin" in url or "shared.s3" in url
    acme.get_waiter("object_exists").wait(Bucket="uploads", Key="doc.txt")
    with count_requests(acme) as sent, pytest.raises(ScopeViolation, match="tenant:globex"):
        acme.get_waiter("object_exists").wait(Bucket="t-globex-uploads", Key="doc.txt")
    assert sent.total == 0


def test_presigned_post_is_refused_in_tenant_scope(acme: Any, factory: ClientFactory) -> None:
    with pytest.raises(ScopeViolation, match="presigned POST"):
        acme.generate_presigned_post("uploads", "t-acme/doc.txt")
    post = factory.platform().client("s3").generate_presigned_post("shared", "index.json")
    assert post["fields"]["key"] == "index.json"
    with pytest.raises(ScopeViolation, match="belongs to tenant:acme"):
        factory.platform().client("s3").generate_presigned_post("t-acme-uploads", "x")


def test_resource_api_goes_through_the_guard(factory: ClientFactory, operator: Any) -> None:
    s3 = factory.tenant("acme").resource("s3")
    s3.Object("uploads", "res/r.txt").put(Body=b"r")
    assert read(operator, "t-acme-uploads", "res/r.txt") == b"r"
    assert s3.Bucket("uploads").Object("res/r.txt").get()["Body"].read() == b"r"
    assert {"doc.txt", "res/r.txt"} <= {o.key for o in s3.Bucket("uploads").objects.all()}
    assert "t-acme/doc.txt" in {o.key for o in s3.Bucket("shared").objects.filter(
        Prefix="t-acme/")}
    with count_requests(s3.meta.client) as sent:
        with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
            s3.Object("t-globex-uploads", "doc.txt").get()
        with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
            s3.Bucket("shared").Object("t-globex/doc.txt").delete()
        with pytest.raises(ScopeViolation, match="lists every tenant's objects"):
            list(s3.Bucket("shared").objects.all())
        with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
            s3.Object("uploads", "c").copy_from(CopySource="t-globex-uploads/doc.txt")
    assert sent.total == 0


def test_transfer_helpers_go_through_the_guard(acme: Any, operator: Any, tmp_path: Path) -> None:
    source, target = tmp_path / "in.bin", tmp_path / "out.bin"
    source.write_bytes(b"payload")
    acme.upload_file(str(source), "uploads", "files/in.bin")
    assert read(operator, "t-acme-uploads", "files/in.bin") == b"payload"
    acme.download_file("uploads", "files/in.bin", str(target))
    assert target.read_bytes() == b"payload"
    acme.copy({"Bucket": "uploads", "Key": "files/in.bin"}, "uploads", "files/copy.bin")
    assert read(operator, "t-acme-uploads", "files/copy.bin") == b"payload"
    with count_requests(acme) as sent:
        with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
            acme.upload_file(str(source), "t-globex-uploads", "in.bin")
        with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
            acme.download_file("shared", "t-globex/doc.txt", str(target))
        with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
            acme.copy({"Bucket": "t-globex-uploads", "Key": "doc.txt"}, "uploads", "x")
    assert sent.total == 0
    assert target.read_bytes() == b"payload"


def test_multipart_transfer_on_worker_threads_goes_through_the_guard(
    acme: Any, operator: Any, tmp_path: Path
) -> None:
    # s3transfer runs CreateMultipartUpload / UploadPart / CompleteMultipartUpload on its own
    # thread pool: each call still enters the scoped client's guard.
    config = TransferConfig(multipart_threshold=5 * MB, multipart_chunksize=5 * MB,
                            max_concurrency=3)
    source = tmp_path / "big.bin"
    source.write_bytes(b"m" * (10 * MB + 1))
    with count_requests(acme) as sent:
        acme.upload_file(str(source), "shared", "t-acme/big.bin", Config=config)
    assert sent.total == 5  # create, 3 parts, complete
    assert operator.head_object(Bucket="shared", Key="t-acme/big.bin")["ContentLength"] == (
        10 * MB + 1)
    with count_requests(acme) as sent, pytest.raises(ScopeViolation, match="tenant:globex"):
        acme.upload_file(str(source), "shared", "t-globex/big.bin", Config=config)
    assert sent.total == 0


# -- platform and operator scopes ----------------------------------------------------------------


def test_platform_cannot_use_a_tenants_bucket(factory: ClientFactory) -> None:
    platform = factory.platform().client("s3")
    refused(platform, "get_object", "belongs to tenant:acme", Bucket="t-acme-uploads",
            Key="doc.txt")
    refused(platform, "copy_object", "belongs to tenant:acme", Bucket="shared", Key="x",
            CopySource="t-acme-uploads/doc.txt")
    refused(platform, "put_bucket_logging", "belongs to tenant:acme", Bucket="shared",
            BucketLoggingStatus={"LoggingEnabled": {"TargetBucket": "t-acme-uploads",
                                                    "TargetPrefix": "logs/"}})


def test_platform_key_rules_apply_on_pooled_buckets_only(factory: ClientFactory) -> None:
    platform = factory.platform().client("s3")
    refused(platform, "put_object", "'..' path segment", Bucket="shared",
            Key="t-acme/../t-globex/x", Body=b"")
    platform.create_bucket(Bucket="assets", **WHERE)
    platform.put_object(Bucket="assets", Key="a//b", Body=b"odd but platform-owned")
    assert read(platform, "assets", "a//b") == b"odd but platform-owned"


@pytest.mark.parametrize(
    ("bucket", "match"),
    [
        (f"arn:aws:s3:{REGION}:999999999999:accesspoint/reports", "not this scope's account"),
        (f"arn:aws-cn:s3:{REGION}:{ACCOUNT}:accesspoint/reports", "partition"),
        (f"arn:aws:s3:{REGION}:{ACCOUNT}:accesspoint/t-acme-reports", "belongs to tenant:acme"),
        (f"arn:aws:s3:{REGION}:{ACCOUNT}:job/1", "not an S3 bucket or access point ARN"),
        (f"arn:aws:sqs:{REGION}:{ACCOUNT}:q", "not an S3 bucket or access point ARN"),
        ("arn:aws:s3", "cannot parse"),
    ],
)
def test_platform_bucket_arns_are_checked(factory: ClientFactory, bucket: str,
                                          match: str) -> None:
    refused(factory.platform().client("s3"), "get_object", match, Bucket=bucket, Key="k")


@pytest.mark.parametrize(
    ("call", "params", "match"),
    [
        ("put_bucket_notification_configuration", {"NotificationConfiguration": {
            "QueueConfigurations": [{"QueueArn": "arn:aws:sqs:eu-west-1:999999999999:q",
                                     "Events": ["s3:ObjectCreated:*"]}]}},
         "not this scope's account"),
        ("put_bucket_notification_configuration", {"NotificationConfiguration": {
            "TopicConfigurations": [{"TopicArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:t",
                                     "Events": ["s3:ObjectCreated:*"]}]}},
         "'sqs' ARNs are not accepted here"),
        # A tenant's queue, topic or function would receive every event of the bucket.
        ("put_bucket_notification_configuration", {"NotificationConfiguration": {
            "QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-acme-q",
                                     "Events": ["s3:ObjectCreated:*"]}]}},
         "'t-acme-q' belongs to tenant:acme"),
        ("put_bucket_notification_configuration", {"NotificationConfiguration": {
            "TopicConfigurations": [{"TopicArn": f"arn:aws:sns:{REGION}:{ACCOUNT}:t-acme-t",
                                     "Events": ["s3:ObjectCreated:*"]}]}},
         "'t-acme-t' belongs to tenant:acme"),
        ("put_bucket_notification_configuration", {"NotificationConfiguration": {
            "LambdaFunctionConfigurations": [{
                "LambdaFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:t-acme-f:1",
                "Events": ["s3:ObjectCreated:*"]}]}},
         "'t-acme-f' belongs to tenant:acme"),
        ("put_bucket_notification", {"NotificationConfiguration": {
            "QueueConfiguration": {"Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:t-acme-q"}}},
         "'t-acme-q' belongs to tenant:acme"),
        ("put_bucket_replication", {"ReplicationConfiguration": {
            "Role": f"arn:aws:iam::{ACCOUNT}:role/replication", "Rules": [{
                "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::t-acme-uploads"}}]}},
         "belongs to tenant:acme"),
        # S3 replicates with the role it is given: a tenant's (IAM names ignore case).
        ("put_bucket_replication", {"ReplicationConfiguration": {
            "Role": f"arn:aws:iam::{ACCOUNT}:role/T-ACME-replication", "Rules": [{
                "Status": "Enabled", "Destination": {"Bucket": "arn:aws:s3:::backups"}}]}},
         "'t-acme-replication' belongs to tenant:acme"),
        ("put_bucket_notification", {"NotificationConfiguration": {"CloudFunctionConfiguration": {
            "CloudFunction": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:indexer",
            "InvocationRole": f"arn:aws:iam::{ACCOUNT}:role/t-acme-invoker"}}},
         "'t-acme-invoker' belongs to tenant:acme"),
        ("put_bucket_inventory_configuration", {"Id": "i", "InventoryConfiguration": {
            "Id": "i", "IsEnabled": True, "IncludedObjectVersions": "Current",
            "Schedule": {"Frequency": "Daily"}, "Destination": {"S3BucketDestination": {
                "Bucket": "arn:aws:s3:::reports", "Format": "CSV",
                "AccountId": "999999999999"}}}}, "not this scope's account"),
        ("copy_object", {"Key": "x", "CopySource":
                         f"arn:aws:s3:{REGION}:999999999999:accesspoint/ap/object/k"},
         "not this scope's account"),
    ],
)
def test_platform_second_resources_are_checked_too(factory: ClientFactory, call: str,
                                                   params: dict[str, Any], match: str) -> None:
    refused(factory.platform().client("s3"), call, match, Bucket="shared", **params)


def test_platform_notifies_a_shared_queue_and_function(factory: ClientFactory) -> None:
    """The in-scope counterpart: shared targets (and a shared function's alias) pass the guard;
    moto's answer about the missing bucket or queue shows the request was sent."""
    platform = factory.platform().client("s3")
    configurations = [
        {"QueueConfigurations": [{"QueueArn": f"arn:aws:sqs:{REGION}:{ACCOUNT}:shared-q",
                                  "Events": ["s3:ObjectCreated:*"]}]},
        {"LambdaFunctionConfigurations": [{
            "LambdaFunctionArn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:indexer:live",
            "Events": ["s3:ObjectCreated:*"]}]},
    ]
    for configuration in configurations:
        with count_requests(platform) as sent, pytest.raises(ClientError):
            platform.put_bucket_notification_configuration(
                Bucket="no-such-bucket", NotificationConfiguration=configuration)
        assert sent.total == 1


def test_platform_replicates_with_its_own_role(factory: ClientFactory) -> None:
    """The in-scope counterpart of a tenant's replication role: the platform's own role (with
    a path) passes the guard; moto answers."""
    platform = factory.platform().client("s3")
    with count_requests(platform) as sent, pytest.raises(ClientError):
        platform.put_bucket_replication(Bucket="no-such-bucket", ReplicationConfiguration={
            "Role": f"arn:aws:iam::{ACCOUNT}:role/service-role/replication",
            "Rules": [{"Status": "Enabled",
                       "Destination": {"Bucket": "arn:aws:s3:::backups"}}]})
    assert sent.total == 1


def test_platform_access_point_arn_of_its_own_account_passes_the_guard(
    factory: ClientFactory,
) -> None:
    platform = factory.platform().client("s3")
    with pytest.raises(Exception, match="NoSuchAccessPoint") as info:
        platform.get_object(Bucket=AP_ARN, Key="k")  # moto's answer: the guard let it through
    assert not isinstance(info.value, ScopeViolation)


def test_operator_reaches_only_its_account(factory: ClientFactory) -> None:
    operator = factory.operator(ACCOUNT).client("s3")
    assert read(operator, "t-globex-uploads", "doc.txt") == b"globex"
    other = f"arn:aws:s3:{REGION}:210987654321:accesspoint/reports"
    refused(operator, "get_object", "not this scope's account", Bucket=other, Key="k")
    refused(operator, "get_object", "not this scope's account", Bucket="t-acme-uploads",
            Key="k", ExpectedBucketOwner="210987654321")


# -- through a real HTTP endpoint (moto server) --------------------------------------------------


class Emulator:
    """A moto server whose WSGI app counts the requests that actually reached it."""

    def __init__(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._lock = threading.Lock()
        self.requests = 0
        self.endpoint = ""

    def start(self) -> None:
        self.server.start()
        wsgi = self.server._server
        assert wsgi is not None
        app: Callable[..., Iterable[bytes]] = wsgi.app

        def counting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            with self._lock:
                self.requests += 1
            return app(environ, start_response)

        wsgi.app = counting
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emulator = Emulator()
    emulator.start()
    yield emulator
    emulator.server.stop()


@pytest.fixture(scope="module")
def remote(emulator: Emulator, session: boto3.Session) -> ClientFactory:
    factory = ClientFactory(session=session, naming=NAMING, endpoint_url=emulator.endpoint)
    for tenant in ("acme", "globex"):
        s3 = factory.tenant(tenant).client("s3")
        s3.create_bucket(Bucket="inbox", **WHERE)
        s3.put_object(Bucket="inbox", Key="doc.txt", Body=tenant.encode())
    return factory


def refused_at_emulator(emulator: Emulator, client: Any, call: str, match: str,
                        **params: Any) -> None:
    before = emulator.requests
    refused(client, call, match, **params)
    assert emulator.requests == before


def test_server_in_scope_calls_work_and_land_in_the_physical_bucket(
    remote: ClientFactory, emulator: Emulator
) -> None:
    acme = remote.tenant("acme").client("s3")
    before = emulator.requests
    acme.put_object(Bucket="inbox", Key="a/b.txt", Body=b"hello")
    acme.copy_object(Bucket="inbox", Key="a/c.txt", CopySource="inbox/a/b.txt")
    keys = [o["Key"] for o in acme.list_objects_v2(Bucket="inbox", Prefix="a/")["Contents"]]
    assert keys == ["a/b.txt", "a/c.txt"]
    assert emulator.requests - before == 3
    operator = remote.operator(ACCOUNT).client("s3")
    assert read(operator, "t-acme-inbox", "a/c.txt") == b"hello"
    acme.delete_object(Bucket="inbox", Key="a/c.txt")


def test_server_cross_tenant_requests_never_reach_the_emulator(
    remote: ClientFactory, emulator: Emulator
) -> None:
    acme = remote.tenant("acme").client("s3")
    refused_at_emulator(emulator, acme, "get_object", "belongs to tenant:globex",
                        Bucket="t-globex-inbox", Key="doc.txt")
    refused_at_emulator(emulator, acme, "copy_object", "belongs to tenant:globex",
                        Bucket="inbox", Key="stolen.txt", CopySource="t-globex-inbox/doc.txt")
    refused_at_emulator(emulator, acme, "delete_objects", "belongs to tenant:globex",
                        Bucket="t-globex-inbox", Delete={"Objects": [{"Key": "doc.txt"}]})
    refused_at_emulator(emulator, acme, "put_object", "'..' path segment", Bucket="inbox",
                        Key="../t-globex-inbox/doc.txt", Body=b"")
    globex = remote.tenant("globex").client("s3")
    assert read(globex, "inbox", "doc.txt") == b"globex"


def test_server_presigned_url_works_in_scope_and_is_refused_across(
    remote: ClientFactory, emulator: Emulator
) -> None:
    acme = remote.tenant("acme").client("s3")
    url = acme.generate_presigned_url("get_object", Params={"Bucket": "inbox", "Key": "doc.txt"})
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"acme"
    before = emulator.requests
    with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
        acme.generate_presigned_url("get_object",
                                    Params={"Bucket": "t-globex-inbox", "Key": "doc.txt"})
    with pytest.raises(ScopeViolation, match="presigned POST"):
        acme.generate_presigned_post("inbox", "doc.txt")
    assert emulator.requests == before


def test_server_transfer_helpers_and_resource(remote: ClientFactory, emulator: Emulator,
                                              tmp_path: Path) -> None:
    acme = remote.tenant("acme").client("s3")
    source, target = tmp_path / "in.bin", tmp_path / "out.bin"
    source.write_bytes(b"x" * 1024)
    acme.upload_file(str(source), "inbox", "files/in.bin")
    acme.download_file("inbox", "files/in.bin", str(target))
    assert target.read_bytes() == source.read_bytes()
    bucket = remote.tenant("acme").resource("s3").Bucket("inbox")
    assert "files/in.bin" in {o.key for o in bucket.objects.all()}
    before = emulator.requests
    with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
        acme.upload_file(str(source), "t-globex-inbox", "in.bin")
    with pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
        remote.tenant("acme").resource("s3").Object("t-globex-inbox", "doc.txt").get()
    assert emulator.requests == before


# -- the signed request, read back at signing time -------------------------------------------------
# Hostile handlers rewrite the serialised request after the parameter check; the signing hook
# reads bucket, key, query and headers back from it as S3 would, and refuses.


def _rewrite_url(old: str, new: str) -> Callable[..., None]:
    def rewrite(request: Any, **_: Any) -> None:
        request.url = request.url.replace(old, new, 1)

    return rewrite


@pytest.mark.parametrize("event", ["before-sign.s3", "request-created.s3"])
def test_url_retargeted_to_another_tenants_bucket_is_refused(acme: Any, event: str) -> None:
    with tampering(acme, event, _rewrite_url("t-acme-uploads", "t-globex-uploads")):
        refused(acme, "get_object", "belongs to tenant:globex", Bucket="uploads", Key="doc.txt")


def test_presigned_url_retargeted_before_signing_is_not_handed_out(acme: Any) -> None:
    # Presigning emits before-sign (not request-created): the URL is refused, not returned.
    with tampering(acme, "before-sign.s3", _rewrite_url("t-acme-uploads", "t-globex-uploads")), \
            pytest.raises(ScopeViolation, match="belongs to tenant:globex"):
        acme.generate_presigned_url("get_object", Params={"Bucket": "uploads", "Key": "doc.txt"})


def test_key_rewritten_on_a_pooled_bucket_is_refused(acme: Any) -> None:
    with tampering(acme, "before-sign.s3", _rewrite_url("/t-acme/", "/t-globex/")):
        refused(acme, "put_object", "belongs to tenant:globex", Bucket="shared",
                Key="t-acme/doc.txt", Body=b"x")


def test_pooled_listing_prefix_rewritten_or_dropped_is_refused(acme: Any) -> None:
    with tampering(acme, "before-sign.s3", _rewrite_url("prefix=t-acme%2F", "prefix=t-globex%2F")):
        refused(acme, "list_objects_v2", "Prefix", Bucket="shared", Prefix="t-acme/")
    with tampering(acme, "before-sign.s3", _rewrite_url("prefix=t-acme%2F", "")):
        refused(acme, "list_objects_v2", "lists every tenant's objects", Bucket="shared",
                Prefix="t-acme/")


def test_copy_source_header_rewritten_or_added_is_refused(acme: Any) -> None:
    def retarget(request: Any, **_: Any) -> None:
        request.headers.replace_header("x-amz-copy-source", "t-globex-uploads/doc.txt")

    with tampering(acme, "before-sign.s3", retarget):
        refused(acme, "copy_object", "belongs to tenant:globex", Bucket="uploads",
                Key="copy.txt", CopySource="uploads/doc.txt")

    def add(request: Any, **_: Any) -> None:  # a PutObject with a copy source is a copy
        request.headers["x-amz-copy-source"] = "t-globex-uploads/doc.txt"

    with tampering(acme, "before-sign.s3", add):
        refused(acme, "put_object", "another operation", Bucket="uploads", Key="copy.txt",
                Body=b"x")


def test_request_turned_into_another_operation_is_refused(acme: Any) -> None:
    def delete(request: Any, **_: Any) -> None:
        request.method = "DELETE"

    with tampering(acme, "before-sign.s3", delete):
        refused(acme, "get_object", "method DELETE", Bucket="uploads", Key="doc.txt")
    # GetBucketCors on the own bucket, turned into a GetBucketPolicy...
    with tampering(acme, "before-sign.s3", _rewrite_url("?cors", "?policy")):
        refused(acme, "get_bucket_cors", "another operation", Bucket="uploads")
    # ...and ListBuckets into a listing of another tenant's bucket (virtual-hosted style).
    with tampering(acme, "before-sign.s3", _rewrite_url("://s3.", "://t-globex-uploads.s3.")):
        refused(acme, "list_buckets", "bucket 't-globex-uploads'")


def test_host_header_or_fragment_that_would_address_another_bucket_is_refused(acme: Any) -> None:
    def host(request: Any, **_: Any) -> None:
        request.headers["Host"] = "t-globex-uploads.s3.eu-west-1.amazonaws.com"

    with tampering(acme, "before-sign.s3", host):
        refused(acme, "get_object", "Host header", Bucket="uploads", Key="doc.txt")

    def fragment(request: Any, **_: Any) -> None:  # "#..." is checked, but never sent
        request.url = request.url.replace("/t-acme/", "/t-globex/doc.txt#/t-acme/")

    with tampering(acme, "before-sign.s3", fragment):
        refused(acme, "get_object", "fragment", Bucket="shared", Key="t-acme/doc.txt")


def test_delete_objects_body_rewritten_is_refused(acme: Any) -> None:
    def retarget(request: Any, **_: Any) -> None:
        request.data = request.data.replace(b"t-acme/gone.txt", b"t-globex/doc.txt")

    with tampering(acme, "before-sign.s3", retarget):
        refused(acme, "delete_objects", "belongs to tenant:globex", Bucket="shared",
                Delete={"Objects": [{"Key": "t-acme/gone.txt"}]})


# Keys S3 stores as given: percent-encoded on the wire and read back exactly once.
ODD_KEYS = ["with space.txt", "ünïcode/ß.txt", "a/b/c/d.txt", "plus+and%percent.txt",
            "question?mark&amp=eq.txt", "tilde~star*.txt"]


@pytest.mark.parametrize("key", ODD_KEYS)
def test_in_scope_traffic_with_odd_keys_passes(acme: Any, operator: Any, key: str) -> None:
    acme.put_object(Bucket="uploads", Key=f"odd/{key}", Body=b"odd")
    assert read(acme, "uploads", f"odd/{key}") == b"odd"
    acme.copy_object(Bucket="uploads", Key=f"odd-copy/{key}",
                     CopySource={"Bucket": "uploads", "Key": f"odd/{key}"})
    listed = acme.list_objects_v2(Bucket="uploads", Prefix=f"odd-copy/{key}")["Contents"]
    assert [o["Key"] for o in listed] == [f"odd-copy/{key}"]
    acme.put_object(Bucket="shared", Key=f"t-acme/{key}", Body=b"pooled")
    assert read(operator, "shared", f"t-acme/{key}") == b"pooled"
    acme.delete_objects(Bucket="uploads", Delete={"Objects": [{"Key": f"odd-copy/{key}"}]})
    assert acme.generate_presigned_url(
        "get_object", Params={"Bucket": "uploads", "Key": f"odd/{key}"}).startswith(
        "https://t-acme-uploads.s3.")


@pytest.mark.parametrize("key", ODD_KEYS)
def test_server_traffic_with_odd_keys_passes_path_style(remote: ClientFactory, key: str) -> None:
    acme = remote.tenant("acme").client("s3")
    acme.put_object(Bucket="inbox", Key=f"odd/{key}", Body=b"odd")
    acme.copy_object(Bucket="inbox", Key=f"odd-copy/{key}", CopySource=f"inbox/odd/{key}")
    assert read(acme, "inbox", f"odd-copy/{key}") == b"odd"
    url = acme.generate_presigned_url("get_object",
                                      Params={"Bucket": "inbox", "Key": f"odd/{key}"})
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.read() == b"odd"
    acme.delete_object(Bucket="inbox", Key=f"odd-copy/{key}")


def test_server_path_rewritten_to_another_tenants_bucket_never_reaches_the_emulator(
    remote: ClientFactory, emulator: Emulator
) -> None:
    acme = remote.tenant("acme").client("s3")
    with tampering(acme, "before-sign.s3", _rewrite_url("/t-acme-inbox/", "/t-globex-inbox/")):
        refused_at_emulator(emulator, acme, "get_object", "belongs to tenant:globex",
                            Bucket="inbox", Key="doc.txt")


class _Sent(Exception):
    """Raised at before-send: the request passed every check and was signed."""


def test_platform_object_lambda_response_keeps_its_route_in_the_host(factory: ClientFactory
                                                                     ) -> None:
    platform = factory.platform().client("s3")

    def stop(request: Any, **_: Any) -> None:  # moto does not emulate Object Lambda
        assert request.url.startswith("https://route-1.s3-object-lambda.")
        raise _Sent

    with tampering(platform, "before-send.s3", stop), pytest.raises(_Sent):
        platform.write_get_object_response(RequestRoute="route-1", RequestToken="t", Body=b"x")


def test_server_listing_turned_to_another_tenants_bucket_never_reaches_the_emulator(
    remote: ClientFactory, emulator: Emulator
) -> None:
    acme = remote.tenant("acme").client("s3")

    def to_bucket(request: Any, **_: Any) -> None:  # path-style: GET /<bucket> lists it
        request.url = request.url.replace("/?", "/t-globex-inbox?", 1)

    with tampering(acme, "before-sign.s3", to_bucket):
        refused_at_emulator(emulator, acme, "list_buckets", "path '/t-globex-inbox'")
