"""S3: bucket names and ARNs, object keys, listing prefixes, CopySource, and pooled buckets.

Buckets are per-scope (``t-acme-uploads``, mapped from the logical ``uploads``) or pooled
(``NamingPolicy.pooled_buckets``: one physical bucket, each scope's objects under its key prefix
``t-acme/``). In tenant and capsule scope every key, prefix and listing marker on a pooled bucket
must start with that prefix, including its delimiter, so ``acme`` never reaches ``acme2/``.

Keys are compared as the exact string S3 stores, never cleaned: ``.``/``..`` segments, ``//``, a
leading ``/``, ``\\``, control and invisible format characters, and non-NFC text are refused (in
every scope on pooled buckets, and in tenant/capsule scope everywhere). S3 itself would store
``t-acme/../t-globex/x`` literally, but URL libraries, proxies, CDNs and ``aws s3 sync`` to disk
do normalise dot segments, and two keys that render alike are a spoofing tool.

Operations refused in tenant and capsule scope (platform and operator scopes may run them):
bucket policies, bucket ACLs, ownership controls, public access blocks, replication, logging,
notifications, websites, analytics and inventory exports, metadata tables, ABAC: each can grant
another principal access or names a second resource (bucket, topic, queue, function, table) the
guard would have to resolve too. Also refused there: ListDirectoryBuckets (account-wide, nothing
to narrow it by), WriteGetObjectResponse (its target is an opaque Object Lambda route and token),
RenameObject (its URL-encoded source cannot be read back reliably), presigned POSTs (their key
and conditions live in the signed policy, not in the parameters), and CreateSession on a pooled
bucket (the session credentials would reach every tenant's objects without the guard).
ListBuckets is narrowed instead: the scope's name prefix is prepended to ``Prefix``.

Reading any bucket configuration is allowed. Writing the remaining configurations (lifecycle,
CORS, encryption, versioning, tagging, ...) is allowed on the scope's own buckets and refused on
pooled ones, which are shared infrastructure. Canned ACLs are limited to the owner-only ones and
explicit grants are refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote

from .checks import ScopeGuard, drop_owned, forbidden, kms_key, narrow_to_scope, parse_arn
from .rules import SERVICE_RULES, Refuse, ServiceRules
from .targets import own_account, owned_arn, role

if TYPE_CHECKING:
    from botocore.model import OperationModel

SERVICE: Final = "s3"

# -- buckets -----------------------------------------------------------------------------------


# What S3 accepts as a general purpose or directory bucket name, minus dots (see NAME_RULES).


def _bucket(guard: ScopeGuard, value: Any, member: str) -> str:
    if isinstance(value, str) and value.startswith("arn:"):
        return _bucket_arn(guard, value, member)
    # guard.name validates the scope's own physical names too (their remainder must be a valid
    # logical bucket name), so the result is always one S3 reads as a single bucket.
    return guard.name(SERVICE, value, member)


# Resource forms accepted in place of a bucket name, per ARN service. The last component names
# the access point or bucket; it is checked against the naming policy like a bucket name.
_ARN_FORMS: Final = {
    "s3": (("accesspoint", ""),),
    "s3-object-lambda": (("accesspoint", ""),),
    "s3-outposts": (("outpost", "", "accesspoint", ""), ("outpost", "", "bucket", "")),
}


def _bucket_arn(guard: ScopeGuard, value: str, member: str) -> str:
    """Access point, Object Lambda, Outposts and Multi-Region Access Point ARNs, and plain bucket
    ARNs (``arn:aws:s3:::name``, as in replication and inventory destinations)."""
    if guard.isolated:
        raise guard.refuse(
            f"buckets given as ARNs (access points, Outposts, Object Lambda, Multi-Region Access "
            f"Points) are not resolved in {guard.scope.kind} scope; use the bucket's logical name",
            member)
    arn = parse_arn(value)
    if arn is None:
        raise guard.refuse(f"cannot parse {value!r} as an ARN", member)
    if arn.service == "s3" and not arn.region and not arn.account and "/" not in arn.resource \
            and ":" not in arn.resource:
        if arn.partition != guard.partition:
            raise guard.refuse(f"ARN partition {arn.partition!r} is not {guard.partition!r}",
                               member)
        guard.owned_physical(SERVICE, arn.resource, member)
        return value
    forms = _ARN_FORMS.get(arn.service)
    if forms is None:
        raise guard.refuse(f"{value!r} is not an S3 bucket or access point ARN", member)
    guard.arn(value, member, arn.service)
    parts = re.split(r"[/:]", arn.resource)
    if not any(len(parts) == len(form) and all(not f or f == p for f, p in zip(form, parts))
               for form in forms) or not all(parts):
        raise guard.refuse(f"{value!r} is not an S3 bucket or access point ARN", member)
    guard.owned_physical(SERVICE, parts[-1], member)
    return value


def _addressing(guard: ScopeGuard, netloc: str, path: str) -> tuple[str | None, str]:
    """The bucket a signed request addresses, and the rest of its path (the key), read as S3
    reads them: from the host (virtual-hosted style) or else the first path segment."""
    host = netloc.rpartition("@")[2]
    bucket: str | None = None
    pinned = guard.pinned_host
    if pinned is not None:
        if host != pinned and host.endswith("." + pinned):
            bucket = host[:-len(pinned) - 1]
    else:
        # <bucket>.s3[-.]…amazonaws.com: the endpoint part starts at the last label naming S3
        # (s3, s3-<region|fips|accelerate|accesspoint…>, s3express-<zone>); regions never do.
        labels = host.partition(":")[0].split(".")
        for i in range(len(labels) - 1, -1, -1):
            if labels[i] == "s3" or labels[i].startswith(("s3-", "s3express-")):
                bucket = ".".join(labels[:i]) or None
                break
        else:
            raise guard.refuse(f"cannot tell which bucket host {host!r} addresses")
    if bucket is not None:
        return bucket, path
    segment, slash, rest = path[1:].partition("/")
    if not segment:
        return None, path
    try:
        return unquote(segment, errors="strict"), slash + rest
    except UnicodeDecodeError:
        raise guard.refuse(f"bucket {segment!r} in the request path does not decode as UTF-8"
                           ) from None


def _access_point(guard: ScopeGuard, value: Any, member: str) -> str:
    if not isinstance(value, str):
        raise guard.refuse(f"expected an access point ARN string, got {type(value).__name__}",
                           member)
    return _bucket_arn(guard, value, member)


def _is_pooled(guard: ScopeGuard, bucket: Any) -> bool:
    return isinstance(bucket, str) and bucket in guard.naming.pooled_buckets


# -- keys --------------------------------------------------------------------------------------

_UNSAFE_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _check_text(guard: ScopeGuard, text: str, param: str) -> None:
    """Refuse keys and prefixes that some layer between here and the reader would rewrite."""
    if not text:
        raise guard.refuse("object key is empty", param)
    problem = ""
    if text.startswith("/"):
        problem = "starts with '/'"
    elif "//" in text:
        problem = "contains '//'"
    elif "\\" in text:
        problem = "contains a backslash"
    elif "." in (segments := text.split("/")) or ".." in segments:
        problem = "contains a '.' or '..' path segment"
    elif text.isascii() and text.isprintable():
        pass  # ASCII is NFC, and its only unsafe characters are the controls: the common case
    elif any(unicodedata.category(c) in _UNSAFE_CATEGORIES for c in text):
        problem = "contains a control, invisible format or unassigned character"
    elif not unicodedata.is_normalized("NFC", text):
        problem = "is not NFC-normalised Unicode"
    if problem:
        raise guard.refuse(f"{text!r} {problem}; S3 keys are compared exactly, nothing is "
                           "normalised, so such keys are refused rather than cleaned", param)


def _check_key(guard: ScopeGuard, bucket: Any, key: Any, param: str) -> None:
    if not isinstance(key, str):
        raise guard.refuse(f"object key must be a string, got {type(key).__name__}", param)
    pooled = _is_pooled(guard, bucket)
    if pooled or guard.isolated:
        _check_text(guard, key, param)
    if pooled and guard.isolated:
        _check_own_prefix(guard, bucket, key, param)


def _check_own_prefix(guard: ScopeGuard, bucket: Any, key: str, param: str) -> None:
    own = guard.naming.key_prefix(guard.scope, bucket)
    if not key.startswith(own):
        owner = guard.naming.key_owner(key, bucket)
        whose = f"belongs to {owner}" if owner else f"does not start with {own!r}"
        raise guard.refuse(f"{key!r} on a pooled bucket {whose}", param)


def _object(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    """Operations on one object: ``Key`` is checked against the (already resolved) bucket."""
    _check_key(guard, params.get("Bucket"), params.get("Key"), "Key")


def _delete_objects(guard: ScopeGuard, op: str, params: dict[str, Any],
                    _: Mapping[str, Any]) -> None:
    delete = params.get("Delete")
    objects = delete.get("Objects") if isinstance(delete, Mapping) else None
    if not isinstance(objects, list | tuple):
        raise guard.refuse("Delete must be a mapping with an Objects list", "Delete")
    for i, entry in enumerate(objects):
        key = entry.get("Key") if isinstance(entry, Mapping) else None
        _check_key(guard, params.get("Bucket"), key, f"Delete.Objects[{i}].Key")


_MARKERS: Final = ("Marker", "StartAfter", "KeyMarker")


def _listing(guard: ScopeGuard, op: str, params: dict[str, Any], _: Mapping[str, Any]) -> None:
    """ListObjects(V2), ListObjectVersions, ListMultipartUploads.

    On a pooled bucket in tenant/capsule scope, ``Prefix`` is required and must start with the
    scope's full key prefix, delimiter included: ``t-acme`` would also list ``t-acme2/``. The
    start markers must lie under it too. The prefix is not rewritten: a listing that silently
    returned less than asked for would be worse than a clear refusal."""
    bucket = params.get("Bucket")
    prefix = params.get("Prefix")
    if prefix is not None and not isinstance(prefix, str):
        raise guard.refuse("Prefix must be a string", "Prefix")
    pooled = _is_pooled(guard, bucket)
    if (pooled or guard.isolated) and prefix:
        _check_text(guard, prefix, "Prefix")
    if not (pooled and guard.isolated):
        return
    own = guard.naming.key_prefix(guard.scope, bucket)
    if not prefix or not prefix.startswith(own):
        raise guard.refuse(
            f"{op} on pooled bucket {bucket!r} lists every tenant's objects unless Prefix "
            f"starts with {own!r} (the delimiter included: {own[:-1]!r} also matches other "
            f"scopes' keys); got Prefix={prefix!r}", "Prefix")
    for marker in _MARKERS:
        value = params.get(marker)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise guard.refuse(f"{marker} must be a string", marker)
        _check_own_prefix(guard, bucket, value, marker)


# -- CopySource --------------------------------------------------------------------------------

# botocore's own split (handlers.VERSION_ID_SUFFIX): the version is sent unencoded after it.
_VERSION_SUFFIX: Final = re.compile(r"\?versionId=[^\s]+$")
_VERSION_ID: Final = re.compile(r"[A-Za-z0-9._\-+/=]+")
_ARN_OBJECT: Final = "/object/"


def _copy_source(guard: ScopeGuard, value: Any, member: str) -> Any:
    """``CopySource`` names a second bucket and key. The bucket is resolved and rewritten to its
    physical name; the key is checked against that bucket.

    Callers pass a ``bucket/key[?versionId=v]`` string (optionally with a leading ``/``) or a
    ``{Bucket, Key, VersionId}`` dict, but botocore's ``handle_copy_source_param`` is registered
    on the operation's own event, which fires before the service-wide guard hook: by the time
    the guard sees it, either form has become the percent-encoded header string. It is decoded
    here exactly once, as S3 does, so the key checked is the key S3 will read. A dict is still
    accepted in case it arrives unconverted."""
    if isinstance(value, Mapping):
        return _copy_source_dict(guard, value, member)
    if not isinstance(value, str):
        raise guard.refuse(f"{member} must be a 'bucket/key' string or a dict", member)
    match = _VERSION_SUFFIX.search(value)
    encoded, suffix = (value, "") if match is None else (value[:match.start()], match.group())
    if suffix and not _VERSION_ID.fullmatch(suffix[len("?versionId="):]):
        raise guard.refuse(f"{member} version {suffix!r} is not a version ID", member)
    if encoded.startswith("/"):
        encoded = encoded[1:]
    try:
        path = unquote(encoded, errors="strict")
    except UnicodeDecodeError:
        raise guard.refuse(f"{member} {value!r} does not decode as UTF-8", member) from None
    if path.startswith("arn:"):
        cut = path.find(_ARN_OBJECT)
        if cut < 0:
            raise guard.refuse(f"cannot parse {path!r} as '<access point ARN>/object/<key>'",
                               member)
        arn, key = path[:cut], path[cut + len(_ARN_OBJECT):]
        _bucket_arn(guard, arn, member)
        _check_key(guard, arn, key, member)
        return value
    bucket, sep, key = path.partition("/")
    if not sep:
        raise guard.refuse(f"cannot parse {path!r} as 'bucket/key'", member)
    resolved = _bucket(guard, bucket, member)
    _check_key(guard, resolved, key, member)
    if resolved == bucket:
        return value
    # '/' is never encoded, and a valid bucket name has nothing to encode: only the bucket
    # segment changes, the key keeps botocore's encoding byte for byte.
    return resolved + encoded[encoded.index("/"):] + suffix


def _copy_source_dict(guard: ScopeGuard, value: Mapping[str, Any], member: str) -> Any:
    bucket, key, version = value.get("Bucket"), value.get("Key"), value.get("VersionId")
    if version is not None and not (isinstance(version, str) and _VERSION_ID.fullmatch(version)):
        raise guard.refuse(f"{member}.VersionId {version!r} is not a version ID", member)
    resolved = _bucket(guard, bucket, f"{member}.Bucket")
    _check_key(guard, resolved, key, f"{member}.Key")
    return value if resolved == bucket else {**value, "Bucket": resolved}


# -- other kinds -------------------------------------------------------------------------------



def _pin_owner(guard: ScopeGuard, operation: OperationModel, params: dict[str, Any]) -> None:
    """Every request that names a bucket carries the account the scope's buckets live in as
    ``ExpectedBucketOwner`` (and ``ExpectedSourceBucketOwner`` when it copies): bucket names
    are global, and another account may hold ``t-acme-exports`` first (bucket sniping); S3 then
    refuses the request instead of writing to, or reading from, that account's bucket. A value
    the caller gave was checked by ``own_account``."""
    members = operation.input_shape.members if operation.input_shape is not None else {}
    if "ExpectedBucketOwner" in members and "ExpectedBucketOwner" not in params \
            and "Bucket" in params:
        params["ExpectedBucketOwner"] = guard.account()
    if "ExpectedSourceBucketOwner" in members and "ExpectedSourceBucketOwner" not in params \
            and "CopySource" in params:
        params["ExpectedSourceBucketOwner"] = guard.account()


def _foreign_arn(service: str) -> Callable[[ScopeGuard, Any, str], Any]:
    """Notification targets and metadata table buckets: ARNs of this account and partition,
    naming a resource of the scope (the operations are refused in tenant and capsule scope:
    in platform scope, a resource of no tenant or capsule). S3 delivers every event of the
    bucket to a target, so a tenant's queue, topic or function as one would receive them."""
    def check(guard: ScopeGuard, value: Any, member: str) -> Any:
        if service == "s3tables":
            arn = guard.arn(value, member, service)
            kind, _, name = arn.resource.partition("/")
            if kind != "bucket" or not name or "/" in name:
                raise guard.refuse(f"{value!r} is not a table bucket ARN", member)
            guard.owned_physical(service, name, member)
        else:
            owned_arn(guard, value, member, (service,))
        return value

    return check


# Canned ACLs that grant nobody outside the bucket owner's account anything.
_PRIVATE_ACLS: Final = frozenset({"private", "bucket-owner-read", "bucket-owner-full-control"})


def _acl(guard: ScopeGuard, value: Any, member: str) -> Any:
    if guard.isolated and value not in _PRIVATE_ACLS:
        raise guard.refuse(f"canned ACL {value!r} grants other principals access; allowed in "
                           f"{guard.scope.kind} scope: {', '.join(sorted(_PRIVATE_ACLS))}", member)
    return value


# -- operation checks --------------------------------------------------------------------------


def _no_pooled_admin(guard: ScopeGuard, op: str, params: dict[str, Any],
                     _: Mapping[str, Any]) -> None:
    if guard.isolated and _is_pooled(guard, params.get("Bucket")):
        raise guard.refuse("pooled buckets are shared infrastructure; manage them from the "
                           "platform scope", "Bucket")


def _create_bucket(guard: ScopeGuard, op: str, params: dict[str, Any],
                   context: Mapping[str, Any]) -> None:
    # generate_presigned_post() reaches the hooks as a presigned CreateBucket carrying only the
    # bucket: the key and every condition live in the signed policy document, which the guard
    # never sees. Refused rather than half-checked.
    if guard.isolated and context.get("is_presign_request"):
        raise guard.refuse(
            "presigned POSTs (and presigned CreateBucket) cannot be checked: the object key and "
            "its conditions are outside the request parameters; use generate_presigned_url("
            "'put_object', Params={'Bucket': ..., 'Key': ...}) instead", "Bucket")
    _no_pooled_admin(guard, op, params, context)


def _create_session(guard: ScopeGuard, op: str, params: dict[str, Any],
                    context: Mapping[str, Any]) -> None:
    # CreateSession returns credentials for a whole directory bucket; on a pooled one they would
    # reach every tenant's objects without passing the guard again.
    if guard.isolated and _is_pooled(guard, params.get("Bucket")):
        raise guard.refuse("session credentials for a pooled bucket reach every tenant's "
                           "objects", "Bucket")


def _restore(guard: ScopeGuard, op: str, params: dict[str, Any],
             context: Mapping[str, Any]) -> None:
    _object(guard, op, params, context)
    request = params.get("RestoreRequest")
    if guard.isolated and isinstance(request, Mapping) and (
            "OutputLocation" in request or "SelectParameters" in request):
        raise guard.refuse("a restore with an output location writes to a second bucket; run "
                           "it from the platform scope", "RestoreRequest")


def _list_buckets(guard: ScopeGuard, op: str, params: dict[str, Any],
                  _: Mapping[str, Any]) -> None:
    # Pooled buckets are not listed: their names carry no scope prefix.
    narrow_to_scope(guard, params, "Prefix", SERVICE)


_OBJECT: Final = _object
_COPY: Final = _object  # CopySource is checked by its member kind; the destination key here
_POOLED_ADMIN: Final = _no_pooled_admin
_GRANTS: Final = Refuse("the operation can grant other principals access to the bucket; set it "
                        "from the platform scope")
_SECOND: Final = Refuse("the operation names a second resource (bucket, topic, queue, function, "
                        "table) that scopeguard does not resolve; run it from the platform scope")
_PLATFORM: Final = Refuse("bucket-wide protection settings are managed from the platform scope")

RULES: Final = ServiceRules(
    service=SERVICE,
    members={
        "Bucket": "bucket",
        "BucketName": "bucket",  # RestoreRequest.OutputLocation.S3
        "TargetBucket": "bucket",  # logging target
        "AccessPointArn": "bucket_arn",  # metrics filter
        "CopySource": "copy_source",
        "ExpectedBucketOwner": "account",
        "ExpectedSourceBucketOwner": "account",
        "Account": "account",  # replication destination
        "AccountId": "account",  # inventory destination
        "BucketAccountId": "account",  # analytics export destination
        "SSEKMSKeyId": "kms_key",
        "KMSKeyArn": "kms_key",
        "KMSKeyId": "kms_key",
        "KMSMasterKeyID": "kms_key",  # default bucket encryption
        "ReplicaKmsKeyID": "kms_key",  # replicas' encryption
        "KmsKeyArn": "kms_key",
        "KeyId": "kms_key",
        "TopicArn": "sns_arn",
        "Topic": "sns_arn",
        "QueueArn": "sqs_arn",
        "Queue": "sqs_arn",
        "LambdaFunctionArn": "lambda_arn",
        "CloudFunction": "lambda_arn",
        "TableBucketArn": "s3tables_arn",
        "Role": "role",  # replication, metadata annotation table (refused when isolated)
        "InvocationRole": "role",  # legacy notification to a function
        "ACL": "acl",
        "AccessControlPolicy": "forbidden",
        "AccessControlList": "forbidden",
        "GrantFullControl": "forbidden",
        "GrantRead": "forbidden",
        "GrantReadACP": "forbidden",
        "GrantWrite": "forbidden",
        "GrantWriteACP": "forbidden",
        "TargetGrants": "forbidden",
        "Policy": "forbidden",
        "Destination": "walk",
        "S3BucketDestination": "walk",
        "S3TablesDestination": "walk",
        # Location and tags only: no resource of another scope can be named in it.
        "CreateBucketConfiguration": "ignore",
        # Checked by the operation's own check, against the bucket they live in: Key (top level;
        # nested Keys are tag keys, DeleteObjects' keys are checked by _delete_objects), listing
        # prefixes and markers. Nested Prefix members are rule filters inside configurations,
        # which are refused on pooled buckets in tenant/capsule scope.
        "Key": "ignore",
        "Prefix": "ignore",
        "Marker": "ignore",
        "KeyMarker": "ignore",
        # Not resources: opaque handles and tokens issued for this bucket, names inside an
        # object or a configuration, settings, customer-supplied key material.
        "AnnotationName": "ignore",
        "AnnotationPrefix": "ignore",
        "BlockPublicPolicy": "ignore",
        "ClientToken": "ignore",
        "ContinuationToken": "ignore",
        "CopySourceSSECustomerKey": "ignore",
        "DeleteMarker": "ignore",
        "DisplayName": "ignore",
        "ExpiredObjectDeleteMarker": "ignore",
        "HostName": "ignore",  # website redirects; PutBucketWebsite is refused when isolated
        "Id": "ignore",
        "ID": "ignore",  # a rule's own ID inside a configuration
        "MaxKeys": "ignore",
        "Name": "ignore",
        "ObjectAttributes": "ignore",
        "ObjectLockEnabledForBucket": "ignore",
        "OptionalObjectAttributes": "ignore",
        "PartNumberMarker": "ignore",
        "PartitionDateSource": "ignore",
        "PartitionedPrefix": "ignore",
        "RenameSource": "ignore",  # RenameObject is refused when isolated; same bucket only
        "RequestToken": "ignore",  # WriteGetObjectResponse is refused when isolated
        "SSECustomerKey": "ignore",
        "SimplePrefix": "ignore",
        "TableName": "ignore",  # a table inside the checked TableBucketArn
        "TargetPrefix": "ignore",
        "Token": "ignore",
        "UploadId": "ignore",
        "UploadIdMarker": "ignore",
        "UseSourceMultiRegionKey": "ignore",
        "VersionId": "ignore",
        "VersionIdMarker": "ignore",
        "{MetadataKey}": "ignore",
    },
    kinds={
        "bucket": _bucket,
        "bucket_arn": _access_point,
        "copy_source": _copy_source,
        "account": own_account,
        "kms_key": kms_key,
        "sns_arn": _foreign_arn("sns"),
        "sqs_arn": _foreign_arn("sqs"),
        "lambda_arn": _foreign_arn("lambda"),
        "s3tables_arn": _foreign_arn("s3tables"),
        "acl": _acl,
        "role": role,
        "forbidden": forbidden,
    },
    operations={
        "AbortMultipartUpload": _OBJECT,
        "CompleteMultipartUpload": _OBJECT,
        "CopyObject": _COPY,
        "CreateBucket": _create_bucket,
        "CreateBucketMetadataConfiguration": _SECOND,
        "CreateBucketMetadataTableConfiguration": _SECOND,
        "CreateMultipartUpload": _OBJECT,
        "CreateSession": _create_session,
        "DeleteBucket": _POOLED_ADMIN,
        "DeleteBucketAnalyticsConfiguration": _POOLED_ADMIN,
        "DeleteBucketCors": _POOLED_ADMIN,
        "DeleteBucketEncryption": _POOLED_ADMIN,
        "DeleteBucketIntelligentTieringConfiguration": _POOLED_ADMIN,
        "DeleteBucketInventoryConfiguration": _POOLED_ADMIN,
        "DeleteBucketLifecycle": _POOLED_ADMIN,
        "DeleteBucketMetadataConfiguration": _SECOND,
        "DeleteBucketMetadataTableConfiguration": _SECOND,
        "DeleteBucketMetricsConfiguration": _POOLED_ADMIN,
        "DeleteBucketOwnershipControls": _GRANTS,
        "DeleteBucketPolicy": _PLATFORM,
        "DeleteBucketReplication": _PLATFORM,
        "DeleteBucketTagging": _POOLED_ADMIN,
        "DeleteBucketWebsite": _POOLED_ADMIN,
        "DeleteObject": _OBJECT,
        "DeleteObjectAnnotation": _OBJECT,
        "DeleteObjectTagging": _OBJECT,
        "DeleteObjects": _delete_objects,
        "DeletePublicAccessBlock": _GRANTS,
        "GetBucketAbac": None,
        "GetBucketAccelerateConfiguration": None,
        "GetBucketAcl": None,
        "GetBucketAnalyticsConfiguration": None,
        "GetBucketCors": None,
        "GetBucketDefaultStorageClass": None,
        "GetBucketEncryption": None,
        "GetBucketIntelligentTieringConfiguration": None,
        "GetBucketInventoryConfiguration": None,
        "GetBucketLifecycle": None,
        "GetBucketLifecycleConfiguration": None,
        "GetBucketLocation": None,
        "GetBucketLogging": None,
        "GetBucketMetadataConfiguration": None,
        "GetBucketMetadataTableConfiguration": None,
        "GetBucketMetricsConfiguration": None,
        "GetBucketNotification": None,
        "GetBucketNotificationConfiguration": None,
        "GetBucketOwnershipControls": None,
        "GetBucketPolicy": None,
        "GetBucketPolicyStatus": None,
        "GetBucketReplication": None,
        "GetBucketRequestPayment": None,
        "GetBucketTagging": None,
        "GetBucketVersioning": None,
        "GetBucketWebsite": None,
        "GetObject": _OBJECT,
        "GetObjectAcl": _OBJECT,
        "GetObjectAnnotation": _OBJECT,
        "GetObjectAttributes": _OBJECT,
        "GetObjectLegalHold": _OBJECT,
        "GetObjectLockConfiguration": None,
        "GetObjectRetention": _OBJECT,
        "GetObjectTagging": _OBJECT,
        "GetObjectTorrent": _OBJECT,
        "GetPart": _OBJECT,
        "GetPublicAccessBlock": None,
        "HeadBucket": None,
        "HeadObject": _OBJECT,
        "ListBucketAnalyticsConfigurations": None,
        "ListBucketIntelligentTieringConfigurations": None,
        "ListBucketInventoryConfigurations": None,
        "ListBucketMetricsConfigurations": None,
        "ListBuckets": _list_buckets,
        "ListDirectoryBuckets": Refuse("account-wide listing would reveal other scopes' "
                                       "buckets (ListDirectoryBuckets has no Prefix to narrow)"),
        "ListMultipartUploads": _listing,
        "ListObjectAnnotations": _OBJECT,
        "ListObjectVersions": _listing,
        "ListObjects": _listing,
        "ListObjectsV2": _listing,
        "ListParts": _OBJECT,
        "PutBucketAbac": Refuse("attribute-based access control decides who may access the "
                                "bucket; set it from the platform scope"),
        "PutBucketAccelerateConfiguration": _POOLED_ADMIN,
        "PutBucketAcl": _GRANTS,
        "PutBucketAnalyticsConfiguration": _SECOND,
        "PutBucketCors": _POOLED_ADMIN,
        "PutBucketDefaultStorageClass": _POOLED_ADMIN,
        "PutBucketEncryption": _POOLED_ADMIN,
        "PutBucketIntelligentTieringConfiguration": _POOLED_ADMIN,
        "PutBucketInventoryConfiguration": _SECOND,
        "PutBucketLifecycle": _POOLED_ADMIN,
        "PutBucketLifecycleConfiguration": _POOLED_ADMIN,
        "PutBucketLogging": _SECOND,
        "PutBucketMetricsConfiguration": _POOLED_ADMIN,
        "PutBucketNotification": _SECOND,
        "PutBucketNotificationConfiguration": _SECOND,
        "PutBucketOwnershipControls": _GRANTS,
        "PutBucketPolicy": _GRANTS,
        "PutBucketReplication": _SECOND,
        "PutBucketRequestPayment": _POOLED_ADMIN,
        "PutBucketTagging": _POOLED_ADMIN,
        "PutBucketVersioning": _POOLED_ADMIN,
        "PutBucketWebsite": Refuse("a website configuration serves the bucket to anonymous "
                                   "readers and redirects to other hosts; set it from the "
                                   "platform scope"),
        "PutObject": _OBJECT,
        "PutObjectAcl": _OBJECT,
        "PutObjectAnnotation": _OBJECT,
        "PutObjectLegalHold": _OBJECT,
        "PutObjectLockConfiguration": _POOLED_ADMIN,
        "PutObjectRetention": _OBJECT,
        "PutObjectTagging": _OBJECT,
        "PutPublicAccessBlock": _GRANTS,
        "RenameObject": Refuse("the rename source is a URL-encoded string whose bucket and key "
                               "cannot be verified; run it from the platform scope"),
        "RestoreObject": _restore,
        "SelectObjectContent": _OBJECT,
        "UpdateBucketMetadataAnnotationTableConfiguration": _SECOND,
        "UpdateBucketMetadataInventoryTableConfiguration": _SECOND,
        "UpdateBucketMetadataJournalTableConfiguration": _SECOND,
        "UpdateObjectEncryption": _OBJECT,
        "UploadPart": _OBJECT,
        "UploadPartCopy": _COPY,
        # Object Lambda functions answer a request identified only by an opaque route and token:
        # nothing in it can be checked against a scope.
        "WriteGetObjectResponse": Refuse("the response target is an opaque Object Lambda "
                                         "route and token that cannot be checked against a "
                                         "scope"),
    },
    addressing=_addressing,
    complete=_pin_owner,
    # botocore's SSE-C, CopySource and Content-MD5 handlers for S3 operations run before the
    # guard's parameter hook and assume well-typed members.
    early_types=True,
    # botocore's checksum handlers set these after the parameter check (a streaming
    # checksum's aws-chunked encoding, the algorithm, the digests, response validation); none
    # names a resource.
    unread=frozenset({"ContentEncoding", "ContentMD5", "ContentLength", "ChecksumAlgorithm",
                      "ChecksumCRC32", "ChecksumCRC32C", "ChecksumCRC64NVME", "ChecksumSHA1",
                      "ChecksumSHA256", "ChecksumMode"}),
    listings={
        "ListBuckets": drop_owned("Buckets", lambda b: b["Name"]),
        "ListDirectoryBuckets": drop_owned("Buckets", lambda b: b["Name"]),
    },
)

SERVICE_RULES[SERVICE] = RULES
