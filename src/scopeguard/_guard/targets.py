"""ARNs of a scope's own resources in other services: delivery targets and event sources.

EventBridge targets, Lambda destinations, dead-letter queues and event source mappings name a
resource of another service by ARN, and the service then reads from or writes to it with its own
permissions. Such an ARN must be of this account and partition, of one of the services the caller
allows, and name a resource whose physical name belongs to the scope (``owned_physical``: in
platform scope, a resource of no tenant or capsule).

Only the resource shapes listed here are understood; anything else is refused, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from typing import Any, Final

from .checks import Arn, ScopeGuard, kms_key, parse_arn

__all__ = [
    "FUNCTION_NAME",
    "QUALIFIER",
    "account_arn",
    "bucket",
    "kms_key",
    "own_account",
    "owned_arn",
    "owned_arn_kind",
    "platform_only",
    "resource_name",
    "role",
]

# Names as AWS accepts them in ARNs; anything else (a '/', a ':', whitespace) would make the ARN
# mean something other than what was checked.
_PLAIN: Final = re.compile(r"[A-Za-z0-9_.\-]{1,256}")
FUNCTION_NAME: Final = re.compile(r"[A-Za-z0-9_\-]{1,64}")
QUALIFIER: Final = re.compile(r"\$LATEST(\.PUBLISHED)?|[A-Za-z0-9_\-]{1,128}")
_ROLE_PATH: Final = re.compile(r"[A-Za-z0-9_+=,.@\-/]{1,512}")
# AWS appends ":<creation timestamp>"; emulators (moto, LocalStack) may omit it.
_CONSUMER: Final = re.compile(r"[A-Za-z0-9_.\-]{1,128}(:[0-9]{1,20})?")


def resource_name(arn: Arn, *, consumers: bool = False) -> str | None:
    """The physical name of the scoped resource an ARN names, or None if its shape is unknown.

    ``consumers``: also accept Kinesis stream consumer ARNs (``stream/<name>/consumer/<c>:<ts>``),
    which are the stream's own (their name is the stream's)."""
    service, resource = arn.service, arn.resource
    name: str | None = None
    if service in ("sqs", "sns"):
        name = resource  # a subscription ARN (topic:uuid) fails the pattern below
    elif service == "lambda":
        kind, _, rest = resource.partition(":")
        fn, _, qualifier = rest.partition(":")
        if kind == "function" and (not qualifier or QUALIFIER.fullmatch(qualifier)):
            name = fn if FUNCTION_NAME.fullmatch(fn) else None
    elif service == "kinesis":
        parts = resource.split("/")
        if parts[0] == "stream" and len(parts) == 2:
            name = parts[1]
        elif (consumers and parts[0] == "stream" and len(parts) == 4
              and parts[2] == "consumer" and _CONSUMER.fullmatch(parts[3])):
            name = parts[1]
    elif service == "events":
        kind, _, name = resource.partition("/")
        name = name if kind == "event-bus" else None
    elif service == "dynamodb":
        parts = resource.split("/")
        if len(parts) == 4 and parts[0] == "table" and parts[2] == "stream" and parts[3]:
            name = parts[1]
    if name is None or not _PLAIN.fullmatch(name):
        return None
    return name


def owned_arn(guard: ScopeGuard, value: Any, member: str, services: Collection[str],
              *, consumers: bool = False) -> Arn:
    """Check that ``value`` is the ARN of one of the scope's own resources in ``services``."""
    if not isinstance(value, str):
        raise guard.refuse(f"expected an ARN string, got {type(value).__name__}", member)
    parsed = parse_arn(value)
    if parsed is None:
        raise guard.refuse(f"cannot parse {value!r} as an ARN", member)
    if parsed.service not in services:
        raise guard.refuse(f"{parsed.service!r} ARNs are not accepted here; accepted: "
                           f"{', '.join(sorted(services))}", member)
    arn = guard.arn(value, member, parsed.service)
    name = resource_name(arn, consumers=consumers)
    if name is None:
        raise guard.refuse(f"{value!r} is not an ARN of a {arn.service} resource scopeguard "
                           "understands here", member)
    guard.owned_physical(arn.service, name, member)
    if guard.isolated and guard.naming.is_pooled(arn.service, name):
        # A pooled table's stream (or bucket) carries every scope's items: a service reading it
        # on a tenant's behalf would deliver all of them.
        raise guard.refuse(f"{name!r} is pooled (shared by every scope); it cannot be a target "
                           "or event source in a tenant or capsule scope", member)
    return arn


def owned_arn_kind(services: Collection[str], *, consumers: bool = False
                   ) -> Callable[[ScopeGuard, Any, str], Any]:
    """A member kind accepting ARNs of the scope's own resources in ``services``."""
    accepted = frozenset(services)

    def check(guard: ScopeGuard, value: Any, member: str) -> Any:
        owned_arn(guard, value, member, accepted, consumers=consumers)
        return value

    return check


def platform_only(what: str) -> Callable[[ScopeGuard, Any, str], Any]:
    """A member kind refused in tenant and capsule scope: ``what`` names a resource the naming
    policy does not cover (network placement, file systems, foreign sources), so the guard
    cannot tell whose it is."""
    def check(guard: ScopeGuard, value: Any, member: str) -> Any:
        if guard.isolated:
            raise guard.refuse(f"{what}; scopeguard cannot verify it belongs to "
                               f"{guard.scope}: set it from the platform scope", member)
        return value

    return check


def account_arn(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Any ARN, checked only for this account and partition (platform-scope parameters of
    operations refused in tenant and capsule scope)."""
    parsed = parse_arn(value) if isinstance(value, str) else None
    if parsed is None:
        raise guard.refuse(f"cannot parse {value!r} as an ARN", member)
    guard.arn(value, member, parsed.service)
    return value


def own_account(guard: ScopeGuard, value: Any, member: str) -> str:
    """An account ID member (an expected owner, a bucket owner, a queue owner): if given, it
    must be the scope's own account."""
    if not isinstance(value, str) or value != guard.account():
        raise guard.refuse(f"{member} {value!r} is not this scope's account", member)
    return value


def bucket(guard: ScopeGuard, value: Any, member: str) -> Any:
    """A physical S3 bucket name one service hands to another (an export's destination, a
    command's output): the scope's own or a shared one, never another scope's."""
    if not isinstance(value, str):
        raise guard.refuse(f"expected a bucket name, got {type(value).__name__}", member)
    guard.owned_physical("s3", value, member)
    return value


def role(guard: ScopeGuard, value: Any, member: str) -> Any:
    """An IAM role handed to a service (``iam:PassRole``): this account's, and in tenant/capsule
    scope one whose name carries the scope's prefix (``t-acme-…``), i.e. a role the platform
    provisioned for this scope from the same naming policy. Any other role could carry another
    scope's or the platform's permissions into the service acting on the caller's behalf."""
    arn = guard.arn(value, member, "iam")
    kind, _, path = arn.resource.partition("/")
    name = path.rsplit("/", 1)[-1]
    if (arn.region or kind != "role" or not name or "//" in path
            or not _ROLE_PATH.fullmatch(path)):
        raise guard.refuse(f"{value!r} is not an IAM role ARN", member)
    # IAM role names are case-insensitive: "T-GLOBEX-x" is globex's "t-globex-x". Scope prefixes
    # are lower case, so the lower-cased name is the one whose owner counts.
    guard.owned_physical("iam", name.lower(), member)
    return value
