"""What the guard knows about each service, and the plans it compiles from botocore's model.

A service module (``dynamodb``, ``s3``, ...) declares its ``ServiceRules``: which input members
name resources and how each kind is checked, and for every operation of the service whether it
is checked, checked with an extra step, or refused. ``compile_plan`` walks an operation's input
shape once and records where its identifiers are, so a call only follows the recorded paths.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

    from .checks import ScopeGuard

__all__ = [
    "IDENTIFIER_LIKE",
    "LIST",
    "MAPKEY",
    "MAPVAL",
    "SERVICE_RULES",
    "Addressing",
    "ExtraCheck",
    "Handler",
    "Listing",
    "Plan",
    "Refuse",
    "ServiceRules",
    "compile_plan",
]

LIST: Final = "[]"
MAPKEY: Final = "{key}"
MAPVAL: Final = "{value}"

# Member names that look like resource identifiers; the coverage test requires every one of them
# to be classified by the service's member table, so a botocore upgrade that adds one fails CI.
IDENTIFIER_LIKE: Final = re.compile(
    r"(Name|Names|Arn|Arns|ARN|Url|URL|Key|Keys|Id|Ids|ID|Bucket|Prefix|Source|Statement|"
    r"Statements|Items|Account|AccountId|AccountIds|Target|Queue|Table|Resource|Marker|Token|"
    r"Entries|Path|Destination|Policy|Attributes)$"
)


@dataclass(frozen=True, slots=True)
class Refuse:
    """An operation refused in tenant and capsule scope, with the reason shown to the caller."""

    reason: str


_UNCLASSIFIED: Final = Refuse("operation is not classified by scopeguard")


def _unclassified_reason() -> str:
    # Built at refusal time: the usual cause is a botocore newer than this scopeguard, so the
    # message names the installed version and the command that lists every such operation.
    import botocore

    return (f"operation is not classified by scopeguard for the installed botocore "
            f"{botocore.__version__} (run 'scopeguard coverage' to list every such operation)")

Handler = Callable[["ScopeGuard", Any, str], Any]
ExtraCheck = Callable[["ScopeGuard", str, dict[str, Any], Mapping[str, Any]], None]
# (guard, netloc, path) of a signed request -> (the resource its host or first path segment
# names, or None; the rest of the path). How S3 addresses buckets.
Addressing = Callable[["ScopeGuard", str, str], tuple[str | None, str]]
# (guard, parsed response) -> None: removes the items of other scopes from a listing's response.
Listing = Callable[["ScopeGuard", dict[str, Any]], None]


@dataclass(frozen=True)
class ServiceRules:
    """Everything the guard knows about one service.

    ``members`` classifies input members (by member name, or by map-key shape name in braces) as
    a kind handled by ``kinds``, ``"walk"`` (a container: look inside) or ``"ignore"`` (not a
    resource: index names, client tokens, ...).
    ``operations`` lists every operation of the service: ``None`` (the plan checks it),
    an ``ExtraCheck`` (plan plus a service-specific check), or ``Refuse``.
    ``platform_refused`` lists operations refused in platform scope too.
    ``addressing`` splits a resource the service reads from the request's host or first path
    segment (S3's bucket) off a signed request's URL.
    ``early_types``: botocore has operation-specific parameter handlers for the service, which
    run before the guard's parameter hook; top-level member types are then checked earlier, at
    ``provide-client-params``, so they never see a value of the wrong type.
    ``complete`` runs last on every checked request of the service: it may add members the
    request must carry (S3's ``ExpectedBucketOwner``).
    ``listings`` drops tenant- and capsule-owned items from the responses of listing operations
    in platform scope (``drop_owned``): their results span every scope."""

    service: str
    members: Mapping[str, str]
    kinds: Mapping[str, Handler]
    operations: Mapping[str, ExtraCheck | Refuse | None]
    scoped_only: frozenset[str] = frozenset()
    addressing: Addressing | None = None
    listings: Mapping[str, Listing] = field(default_factory=dict)
    complete: Callable[[ScopeGuard, OperationModel, dict[str, Any]], None] | None = None
    early_types: bool = False
    # Members botocore's own handlers add to a request after the parameter check, which no
    # check reads (S3's checksum headers): a signed request read back from the wire may carry
    # them and still be the request the check approved.
    unread: frozenset[str] = frozenset()


SERVICE_RULES: dict[str, ServiceRules] = {}


@dataclass(frozen=True, slots=True)
class Plan:
    """Compiled from an operation's input shape: where its identifiers are, and what they are."""

    steps: tuple[tuple[tuple[str, ...], str, str], ...]  # (path, kind, member name)
    unclassified: tuple[str, ...]
    # The builtin type the model gives each step's value (None: not one type), in step order.
    types: tuple[type | None, ...] = ()
    # The exact types each top-level member may have, for members of a plain type.
    members: Mapping[str, frozenset[type]] = field(default_factory=dict)
    # The steps as the check runs them, resolved once per operation instead of on every call:
    # (top-level member, handler, member name, expected builtin type, path below the member).
    program: tuple[tuple[str, Handler, str, type | None, tuple[str, ...]], ...] = ()
    # The operation's entry in the service's table, split: its refusal, or its extra check.
    refusal: Refuse | None = None
    extra: ExtraCheck | None = None
    # Top-level members that are maps of strings to strings (S3's Metadata): botocore's own
    # operation-specific handlers read their values as strings before the guard's hook runs.
    string_maps: tuple[str, ...] = ()


def compile_plan(rules: ServiceRules, operation: OperationModel) -> Plan:
    """Walk the input shape once; collect every classified identifier's path."""
    steps: list[tuple[tuple[str, ...], str, str]] = []
    types: list[type | None] = []
    unclassified: list[str] = []

    def walk(shape: Shape, path: tuple[str, ...], stack: tuple[str, ...]) -> None:
        if shape.name in stack:  # recursive shapes (e.g. AttributeValue) hold no identifiers
            return
        stack = (*stack, shape.name)
        if shape.type_name == "structure":
            for name, member in shape.members.items():  # type: ignore[attr-defined]
                kind = rules.members.get(name)
                if kind is None and IDENTIFIER_LIKE.search(name):
                    unclassified.append(".".join((*path, name)))
                if kind is None or kind == "walk":
                    walk(member, (*path, name), stack)
                elif kind != "ignore":
                    steps.append(((*path, name), kind, name))
                    types.append(_builtin_type(member))
        elif shape.type_name == "list":
            walk(shape.member, (*path, LIST), stack)  # type: ignore[attr-defined]
        elif shape.type_name == "map":
            key_kind = rules.members.get(f"{{{shape.key.name}}}")  # type: ignore[attr-defined]
            if key_kind is not None and key_kind != "ignore":
                steps.append(((*path, MAPKEY), key_kind, path[-1] if path else "key"))
                types.append(str)
            walk(shape.value, (*path, MAPVAL), stack)  # type: ignore[attr-defined]

    members: dict[str, frozenset[type]] = {}
    string_maps: list[str] = []
    if operation.input_shape is not None:
        walk(operation.input_shape, (), ())
        for name, member in operation.input_shape.members.items():
            allowed = _TOP_LEVEL_TYPES.get(member.type_name)
            if allowed is not None and not getattr(member, "is_document_type", False) \
                    and name not in _CONVERTED_BY_BOTOCORE:
                members[name] = allowed
            if member.type_name == "map" and {
                    member.key.type_name,  # type: ignore[attr-defined]
                    member.value.type_name} == {"string"}:  # type: ignore[attr-defined]
                string_maps.append(name)
    program = tuple((path[0], rules.kinds.get(kind) or _unknown_kind(kind), member, expected,
                     path[1:]) for (path, kind, member), expected in zip(steps, types, strict=True))
    entry = rules.operations.get(operation.name, _UNCLASSIFIED)
    return Plan(tuple(steps), tuple(unclassified), tuple(types), members, program,
                entry if isinstance(entry, Refuse) else None,
                None if isinstance(entry, Refuse) else entry, tuple(string_maps))


def _unknown_kind(kind: str) -> Handler:
    # A member classified as a kind the service's table has no handler for: a reading failure
    # at check time (fails closed, like any other), not at plan time.
    def unknown(guard: ScopeGuard, value: Any, member: str) -> Any:
        raise KeyError(kind)

    return unknown


# What botocore's validator accepts for a member, as exact types (the private copy has only
# these): checked for every top-level member before any other handler of botocore's reads one
# (its S3 SSE-C handler hashes a key it assumes is bytes or str, for instance).
_TOP_LEVEL_TYPES: Final = {
    "string": frozenset({str}), "list": frozenset({list, tuple}), "map": frozenset({dict}),
    "structure": frozenset({dict}), "boolean": frozenset({bool}),
    "integer": frozenset({int, bool}), "long": frozenset({int, bool}),
    "blob": frozenset({bytes, str}),  # or a file-like object: any type but the plain ones
}
# Members botocore's own handlers accept in more types than the model says (S3's CopySource
# may be a {"Bucket", "Key", "VersionId"} dict): the service's check reads them.
_CONVERTED_BY_BOTOCORE: Final = frozenset({"CopySource"})
_PLAIN_TYPES: Final = frozenset({str, list, dict, bool, int, float, type(None)})


def _mistyped(value: Any, allowed: frozenset[type]) -> bool:
    kind = type(value)
    if kind in allowed or issubclass(kind, tuple(allowed)):  # subclasses: the copy converts them
        return False
    return kind in _PLAIN_TYPES or allowed is not _TOP_LEVEL_TYPES["blob"]


_BUILTIN_TYPES: Final = {"string": str, "list": list, "map": dict, "boolean": bool,
                         "integer": int, "long": int}


def _builtin_type(shape: Shape) -> type | None:
    if shape.type_name == "structure":
        return None if getattr(shape, "is_document_type", False) else dict
    return _BUILTIN_TYPES.get(shape.type_name)
