"""Guard core: per-scope name/ARN resolution, model-driven plans, and the botocore hooks.

How a request is checked
------------------------
Clients are shared per (credentials, service, region, config) and each scope gets a thin subclass
instance of the shared client whose API entry points run inside ``scope_call(guard)``. Two hooks on
the shared client's event system (and, for JSON-protocol services, the serialiser) read the active
guard from a context variable:

* ``before-parameter-build`` (registered first among the service-wide handlers, so before
  botocore's service-wide handlers rewrite anything; botocore's few operation-specific handlers,
  such as S3's ``CopySource`` quoting, run before it and the service module accounts for them):
  first replaces the parameters by a private copy in exact builtin types (``private``), so no
  object of the caller's is read again; then resolves every resource identifier the
  operation's input shape names, rewrites logical names to physical ones, runs the service's
  extra checks, and stamps the request context.
* the serialiser (JSON-protocol services): copies the parameters again, checks that copy again
  unless it equals the copy taken at approval, and serialises it, so the body it produces names
  only approved resources.
* ``before-sign`` (fires on every path, including presigning and ``_endpoint.make_request``):
  refuses any request whose context was not stamped by the first hook for this very call, and any
  request whose host is not the pinned endpoint. A JSON body that is not the very object the
  serialiser produced is parsed and checked again in full, and its ``X-Amz-Target`` must name
  the operation it is checked as. REST and query requests (S3, SNS, Lambda) are read back from
  their URL, headers and body as the service will read them (``wire``) and checked again.
* ``before-send`` (after every ``request-created`` handler, including those that run after
  botocore's signer): the prepared request's URL and body must be those the signing hook
  approved in this call.

No active guard means the call did not come through a scope handle: refused. This is what makes
sharing one botocore client between 10,000 tenants safe and cheap.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from .._exceptions import InvalidName, ScopeViolation
from .._naming import NAME_RULES, NamingPolicy, ScopeRef
from .private import Unreadable, private_copy
from .._observe import emit

if TYPE_CHECKING:
    from botocore.model import OperationModel, Shape

    from .wire import WireReader

__all__ = [
    "LIST",
    "MAPKEY",
    "MAPVAL",
    "SERVICE_RULES",
    "Addressing",
    "Listing",
    "Plan",
    "Refuse",
    "ScopeGuard",
    "ServiceRules",
    "drop_owned",
    "enter",
    "enter_local",
    "forbidden",
    "header_items",
    "install_hooks",
    "kms_key",
    "leave",
    "narrow_to_scope",
    "private_arguments",
    "scope_call",
]

LIST: Final = "[]"
MAPKEY: Final = "{key}"
MAPVAL: Final = "{value}"

# Member names that look like resource identifiers; the coverage test requires every one of them
# to be classified by the service's member table, so a botocore upgrade that adds one fails CI.
IDENTIFIER_LIKE: Final = re.compile(
    r"(Name|Names|Arn|Arns|ARN|Url|URL|Key|Keys|Id|Ids|Bucket|Prefix|Source|Statement|Statements|"
    r"Items|Account|AccountId|AccountIds|Target|Queue|Table|Resource|Marker|Token|Entries|Path|"
    r"Destination|Policy|Attributes)$"
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
    if operation.input_shape is not None:
        walk(operation.input_shape, (), ())
        for name, member in operation.input_shape.members.items():
            allowed = _TOP_LEVEL_TYPES.get(member.type_name)
            if allowed is not None and not getattr(member, "is_document_type", False) \
                    and name not in _CONVERTED_BY_BOTOCORE:
                members[name] = allowed
    return Plan(tuple(steps), tuple(unclassified), tuple(types), members)


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


class _Mistyped(Exception):
    """A value is not of the type the operation's model gives it (the private copy holds exact
    builtin types, so ``type(value) is expected`` decides); ``_checked`` turns it into
    botocore's ``ParamValidationError``."""


def _apply(node: Any, path: tuple[str, ...], fn: Callable[[Any], Any]) -> Any:
    """Return ``node`` with ``fn`` applied at ``path``; copy-on-write, so the caller's nested
    dicts and lists are never mutated (they may be reused for another tenant's call)."""
    if not path:
        return fn(node)
    step, rest = path[0], path[1:]
    if step == LIST:
        if not isinstance(node, list | tuple):
            raise _Mistyped
        new = [_apply(item, rest, fn) for item in node]
        return node if all(a is b for a, b in zip(new, node, strict=True)) else new
    if step == MAPKEY:
        if not isinstance(node, dict):
            raise _Mistyped
        keys = {k: fn(k) for k in node}
        if len(set(keys.values())) != len(keys):
            raise ScopeViolation("two map keys resolve to the same resource", scope="?")
        return node if all(k == v for k, v in keys.items()) else {keys[k]: v for k, v in node.items()}
    if step == MAPVAL:
        if not isinstance(node, dict):
            raise _Mistyped
        new_map = {k: _apply(v, rest, fn) for k, v in node.items()}
        return node if all(new_map[k] is node[k] for k in node) else new_map
    if not isinstance(node, dict):
        raise _Mistyped
    if step not in node:
        return node
    value = _apply(node[step], rest, fn)
    return node if value is node[step] else {**node, step: value}


@dataclass(frozen=True, slots=True)
class Arn:
    partition: str
    service: str
    region: str
    account: str
    resource: str


def parse_arn(value: str) -> Arn | None:
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


@dataclass
class ScopeGuard:
    """The checks of one scope. Lives as long as the scope's entry in the factory's cache.

    ``account`` returns the account the scope's names live in (resolved lazily: it costs one STS
    call for tenant/platform scopes and only when a request carries an ARN or URL)."""

    scope: ScopeRef
    naming: NamingPolicy
    account: Callable[[], str]
    partition: str
    pinned_host: str | None
    on_refusal: Callable[[ScopeViolation], None] = lambda exc: None
    _names: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    _hosts: dict[str, bool] = field(default_factory=dict, repr=False)

    @property
    def isolated(self) -> bool:
        return self.scope.kind in ("tenant", "capsule")

    def refuse(self, reason: str, parameter: str = "", service: str = "", op: str = "") -> ScopeViolation:
        return ScopeViolation(
            reason, scope=str(self.scope), service=service, operation=op, parameter=parameter
        )

    # -- names -------------------------------------------------------------------------------

    def cached(self, kind: str, value: str) -> str | None:
        """A previous verdict for ``value`` (only successful resolutions are remembered)."""
        return self._names.get((kind, value))

    def remember(self, kind: str, value: str, resolved: str) -> None:
        if len(self._names) < 4096:  # bounded: values come from requests, possibly a user's
            self._names[(kind, value)] = resolved

    def name(self, service: str, value: Any, parameter: str) -> str:
        """Resolve a bare resource name: logical → physical, own physical → as is, else refuse."""
        if not isinstance(value, str):
            raise self.refuse(f"expected a name string, got {type(value).__name__}", parameter)
        cached = self._names.get((service, value))
        if cached is not None:
            return cached
        owner = self.naming.owner(value, service)
        if not self.isolated:
            if owner is not None and self.scope.kind == "platform":
                raise self.refuse(f"{value!r} belongs to {owner}; platform clients may not use "
                                  f"it: use factory.{owner.kind}({owner.id!r})", parameter)
            resolved = value
        elif owner is not None:
            if owner != self.scope:
                raise self.refuse(f"{value!r} belongs to {owner}", parameter)
            resolved = self._own(service, value, parameter)
        else:
            try:
                resolved = self.naming.physical_name(self.scope, service, value)
            except InvalidName as exc:
                raise self.refuse(str(exc), parameter) from None
            # Once per name and scope (verdicts are remembered): which table a request touched.
            emit("name.mapped", scope=str(self.scope), service=service, logical=value,
                 physical=resolved)
        self.remember(service, value, resolved)
        return resolved

    def owned_physical(self, service: str, name: str, parameter: str) -> str:
        """A physical name taken from an ARN or URL: must belong to this scope (or be pooled)."""
        owner = self.naming.owner(name, service if service in NAME_RULES else None)
        if self.isolated:
            if owner == self.scope:
                return self._own(service, name, parameter)
            if owner is None and self.naming.is_pooled(service, name):
                return name
            whose = f"belongs to {owner}" if owner else "is not a resource of this scope"
            raise self.refuse(f"{name!r} {whose}", parameter)
        if owner is not None and self.scope.kind == "platform":
            raise self.refuse(f"{name!r} belongs to {owner}", parameter)
        return name

    def _own(self, service: str, name: str, parameter: str) -> str:
        # One of this scope's physical names, given as is: it must still be the image of a valid
        # logical name, or accepting it would admit names (t-acme-../x) that mapping refuses.
        if service in NAME_RULES:
            try:
                self.naming.logical_name(self.scope, service, name)
            except InvalidName as exc:
                raise self.refuse(str(exc), parameter) from None
        return name

    def arn(self, value: Any, parameter: str, service: str) -> Arn:
        """Parse an ARN and check partition, service and account; return it for resource checks."""
        if not isinstance(value, str):
            raise self.refuse(f"expected an ARN string, got {type(value).__name__}", parameter)
        arn = parse_arn(value)
        if arn is None:
            raise self.refuse(f"cannot parse {value!r} as an ARN", parameter)
        if arn.partition != self.partition:
            raise self.refuse(f"ARN partition {arn.partition!r} is not {self.partition!r}", parameter)
        if arn.service != service:
            raise self.refuse(f"ARN names service {arn.service!r}, expected {service!r}", parameter)
        if arn.account != self.account():
            raise self.refuse(f"ARN account {arn.account} is not this scope's account", parameter)
        return arn

    def check_host(self, url: str, operation: str) -> None:
        # The netloc is the third "/"-separated field of an absolute URL; cheaper than urlsplit
        # on the per-request path, and the verdict per host is cached (hosts are few).
        netloc = url.split("/", 3)[2] if url.count("/") >= 2 else ""
        verdict = self._hosts.get(netloc)
        if verdict is None:
            host = urlsplit(url).netloc.rsplit("@", 1)[-1]
            if self.pinned_host is not None:
                verdict = host == self.pinned_host or host.endswith("." + self.pinned_host)
            else:
                name = host.split(":", 1)[0]
                verdict = name.endswith((".amazonaws.com", ".amazonaws.com.cn", ".api.aws"))
            if len(self._hosts) < 1024:
                self._hosts[netloc] = verdict
        if not verdict:
            raise self.refuse(f"request host {netloc!r} is not the pinned endpoint", "",
                              op=operation)

    # -- whole requests ----------------------------------------------------------------------

    def check(self, rules: ServiceRules, operation: OperationModel, params: dict[str, Any],
              plan: Plan, context: Mapping[str, Any]) -> None:
        op = operation.name
        entry = rules.operations.get(op, _UNCLASSIFIED)
        if isinstance(entry, Refuse) and (self.isolated or op in rules.scoped_only):
            reason = _unclassified_reason() if entry is _UNCLASSIFIED else entry.reason
            raise self.refuse(reason, service=rules.service, op=op)
        if plan.unclassified and self.isolated:
            raise self.refuse(
                f"unclassified identifier parameters {', '.join(plan.unclassified)}",
                service=rules.service, op=op,
            )
        try:
            for (path, kind, member), expected in zip(plan.steps, plan.types, strict=True):
                top = path[0]
                if top not in params:
                    continue
                handler = rules.kinds[kind]
                if len(path) == 1:
                    value = params[top]
                    if expected is not None and type(value) is not expected \
                            and not (expected is list and type(value) is tuple):
                        raise _Mistyped
                    new = handler(self, value, member)
                else:
                    new = _apply(params[top], path[1:],
                                 partial(_call, handler, self, member, expected))
                if new is not params[top]:
                    params[top] = new
            if callable(entry) and not isinstance(entry, Refuse):
                entry(self, op, params, context)
            if rules.complete is not None:
                rules.complete(self, operation, params)
        except ScopeViolation as exc:
            if not exc.operation:
                exc = ScopeViolation(exc.reason, scope=str(self.scope), service=rules.service,
                                     operation=op, parameter=exc.parameter)
            raise exc from None


def kms_key(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Kind for KMS keys: bare key IDs and aliases resolve in the caller's own account; a key ARN
    could name any, so it must be this scope's account and partition."""
    if isinstance(value, str) and value.startswith("arn:"):
        guard.arn(value, member, "kms")
    elif not isinstance(value, str):
        raise guard.refuse(f"expected a KMS key ID, alias or ARN, got {type(value).__name__}",
                           member)
    return value


def narrow_to_scope(guard: ScopeGuard, params: dict[str, Any], member: str,
                    service: str | None = None) -> None:
    """Rewrite a listing's name-prefix parameter so the service returns only this scope's
    resources (listing is narrowed, not refused). A prefix that is already physical must be the
    scope's own. Platform and operator scopes list as asked."""
    if not guard.isolated:
        return
    prefix = params.get(member, "")
    if not isinstance(prefix, str):
        raise guard.refuse(f"{member} must be a string", member)
    if service is None:
        own: str | None = guard.naming.name_prefix(guard.scope)
    else:
        own = guard.naming.listing_prefix(guard.scope, service)
    if own is None:
        # The scope does not come first in this service's names ({logical}-{tenant}): no
        # prefix selects them, and listing everything would show other scopes' names.
        raise guard.refuse(f"this service's naming template does not start with the scope, so "
                           f"a listing cannot be narrowed to {guard.scope}", member)
    if prefix.startswith(own):
        return
    owner = guard.naming.owner(prefix, service)
    if owner is not None:
        raise guard.refuse(f"{prefix!r} belongs to {owner}", member)
    params[member] = own + prefix


def drop_owned(key: str, name_of: Callable[[Any], str | None]) -> Listing:
    """A ``Listing`` removing from ``parsed[key]`` every item whose name (``name_of(item)``, on
    the canonical spelling) belongs to a tenant or capsule. Platform clients see shared
    resources only; an item whose name cannot be read is dropped too."""

    def listing(guard: ScopeGuard, parsed: dict[str, Any]) -> None:
        items = parsed.get(key)
        if isinstance(items, list):
            parsed[key] = [item for item in items if not _owned_or_unreadable(guard, name_of,
                                                                              item)]

    return listing


def _owned_or_unreadable(guard: ScopeGuard, name_of: Callable[[Any], str | None],
                         item: Any) -> bool:
    try:
        name = name_of(item)
    except (AttributeError, IndexError, KeyError, TypeError):
        return True
    return not isinstance(name, str) or guard.naming.owner(name) is not None


def forbidden(guard: ScopeGuard, value: Any, member: str) -> Any:
    """Kind for members that grant access to others (resource policies): refused in tenant and
    capsule scope, where only the platform may set them."""
    if guard.isolated:
        raise guard.refuse(f"{member} can grant other principals access; set it from the "
                           "platform scope", member)
    return value


def _call(handler: Handler, guard: ScopeGuard, member: str, expected: type | None,
          value: Any) -> Any:
    if expected is not None and type(value) is not expected \
            and not (expected is list and type(value) is tuple):
        raise _Mistyped
    return handler(guard, value, member)


# -- hooks -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Call:
    guard: ScopeGuard
    # Stamps of the requests this call approved, each mapped to the body serialised from its
    # parameters after they passed the check a second time (None until then). A mapping, not
    # one value: botocore may make nested requests inside a call (S3 Express CreateSession,
    # region-redirect HeadBucket) through the shared client, and their approval must not
    # replace the outer request's. Each stamp is a fresh (object, operation) pair, held here, so
    # it cannot be forged or reused.
    approved: dict[tuple[object, str], bytes | str | None] = field(default_factory=dict)
    # The parameters just approved (the dict botocore goes on with), their stamp, context and
    # a private copy of them as approved (None for batches, see _worth_copying), until the
    # serialiser picks them up.
    pending: tuple[dict[str, Any], tuple[object, str], Mapping[str, Any], Any] | None = None
    # What each request this call signed looked like when the signing hook approved it: its
    # URL, query parameters and body (a dict body as a copy: the request holds the dict).
    signed: list[tuple[str, Any, Any, Any]] = field(default_factory=list)
    # Set for a local token generator (rds.generate_db_auth_token, ...): it signs a request of
    # its own making that is never sent, only returned as a database password.
    local: bool = False


_ACTIVE: contextvars.ContextVar[_Call | None] = contextvars.ContextVar("scopeguard_call",
                                                                       default=None)
_APPROVAL: Final = "scopeguard.approved"


@contextmanager
def scope_call(guard: ScopeGuard) -> Iterator[None]:
    """Run one API call (or presign) on behalf of ``guard``'s scope."""
    token = _ACTIVE.set(_Call(guard))
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def enter(guard: ScopeGuard) -> contextvars.Token[_Call | None]:
    """``scope_call`` without the context-manager overhead, for the per-call hot path."""
    return _ACTIVE.set(_Call(guard))


def enter_local(guard: ScopeGuard, method: str) -> contextvars.Token[_Call | None]:
    """``enter`` for a local token generator: refused in tenant and capsule scope (the services
    they sign for are not covered there); elsewhere the signature they make is allowed."""
    if guard.isolated:
        exc = guard.refuse(f"{method} signs for a database service that is not covered in "
                           f"{guard.scope.kind} scope", op=method)
        guard.on_refusal(exc)
        raise exc
    call = _Call(guard)
    call.local = True
    return _ACTIVE.set(call)


def leave(token: contextvars.Token[_Call | None]) -> None:
    _ACTIVE.reset(token)


def private_arguments(guard: ScopeGuard, args: tuple[Any, ...],
                      kwargs: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """Private copies of a presigner's arguments (``Params``, ``Fields``, ``Conditions``):
    botocore rewrites ``Params`` in place, and the caller may reuse or share it."""
    try:
        return (tuple(private_copy(a) for a in args),
                {str.__str__(k): private_copy(v) for k, v in kwargs.items()})
    except Unreadable as exc:
        raise guard.refuse(exc.reason) from None


def _unscoped(operation: str) -> ScopeViolation:
    return ScopeViolation(
        "the request did not come through a scope handle (a shared client was used directly, or "
        "an internal botocore path was called); use factory.<scope>(...).client(...)",
        scope="unscoped", operation=operation,
    )


_WIRE_PROTOCOLS: Final = frozenset({"rest-xml", "rest-json", "query"})
_ABSENT: Final = object()
_NOT_APPROVED: Final = "the serialised request names resources the parameter check did not approve"


def _recheck(guard: ScopeGuard, rules: ServiceRules, model: OperationModel,
             params: dict[str, Any], plan: Plan, context: Mapping[str, Any]) -> None:
    """Run the checks again on parameters that should already be approved, physical and owned.

    Checking such parameters must not change them (handlers copy on write, so unchanged
    containers compare by identity first: cheap); a change means something logical or
    unapproved took the place of what the first check approved."""
    checked = dict(params)
    _checked(guard, rules, model, checked, plan, context)
    if not _same(checked, params):
        raise guard.refuse(_NOT_APPROVED, service=rules.service, op=model.name)


def _adopt(guard: ScopeGuard, params: Any, service: str, op: str) -> None:
    """Replace the contents of the dict botocore goes on with by a private copy of them in
    exact builtin types (``private``): the checks read it, the serialiser serialises it, and
    the caller's own objects are never read again."""
    if type(params) is not dict:
        raise guard.refuse("the parameters are not a dict", service=service, op=op)
    try:
        copied = private_copy(params)
    except Unreadable as exc:
        raise guard.refuse(exc.reason, service=service, op=op) from None
    dict.clear(params)
    dict.update(params, copied)


def _checked(guard: ScopeGuard, rules: ServiceRules, model: OperationModel,
             params: dict[str, Any], plan: Plan, context: Mapping[str, Any]) -> None:
    """``guard.check``, where input of the wrong shape ends in botocore's own
    ``ParamValidationError`` or a refusal, never in another exception from inside the guard."""
    try:
        guard.check(rules, model, params, plan, context)
    except ScopeViolation:
        raise
    except Exception as exc:  # noqa: BLE001  (any failure reading input: fail closed)
        from botocore.validate import validate_parameters

        if model.input_shape is not None:
            validate_parameters(params, model.input_shape)  # raises ParamValidationError
        raise guard.refuse(f"the parameters cannot be read as {model.name}'s input "
                           f"({type(exc).__name__})", service=rules.service,
                           op=model.name) from None


def _same(checked: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    # Equal sizes, and every checked member present in params with the same value: equal
    # mappings. A plain loop: a generator under any() costs more than the check it guards.
    if len(checked) != len(params):
        return False
    for key, value in checked.items():
        before = params.get(key, _ABSENT)
        if value is not before and value != before:
            return False
    return True


def _as_signed(prepared: Any, signed: list[tuple[str, Any, Any, Any]]) -> bool:
    """Whether a prepared request is, URL and body, one of the requests approved at signing.

    Exact types only (a ``str`` subclass could compare equal and be sent as another). A form
    body (a dict, encoded when the request is prepared, after every ``request-created``
    handler) is compared as the dict the request still holds against its copy taken at
    signing, which costs less than encoding it again."""
    url = prepared.url
    if type(url) is not str:
        return False
    body = prepared.body
    for approved_url, params, data, request in reversed(signed):
        if params:
            from urllib.parse import urlencode

            approved_url += ("&" if "?" in approved_url else "?") + urlencode(
                list(params.items()), doseq=True)
        if url != approved_url:
            continue
        if body is data or (not body and not data):
            return True
        if type(data) is dict:
            now = request.data
            if type(now) is dict and all(type(k) is str and type(v) is str
                                         for k, v in now.items()) and now == data:
                return True
        elif type(data) in (bytes, str) and type(body) is type(data) and body == data:
            return True
    return False


def header_items(headers: Any) -> Any:
    """The (name, value) pairs of a request's headers, duplicates included."""
    # HTTPHeaders is an email.message.Message: items() runs every value through the e-mail
    # policy's sanitiser, which costs more than the whole check; the raw list is the same pairs.
    raw = getattr(headers, "_headers", None)
    return raw if isinstance(raw, list) else headers.items()


def _sent_to(request: Any) -> list[str]:
    # A JSON-protocol request's operation is its X-Amz-Target header (every copy of it).
    return [value for name, value in header_items(request.headers)
            if len(name) == 12 and name.lower() == "x-amz-target"]


def _recheck_json(guard: ScopeGuard, rules: ServiceRules, model: OperationModel, request: Any,
                  plan: Plan) -> None:
    # ``data`` is what the serialiser produced and what will be sent; ``body`` would re-prepare
    # the whole request on every access (~30 µs).
    body = request.data
    if not body:
        return
    if not isinstance(body, bytes | str):
        raise guard.refuse("the request body is not the serialised JSON botocore produces",
                           service=rules.service, op=model.name)
    try:
        sent = json.loads(body)
    except (TypeError, ValueError):
        raise guard.refuse("the serialised request body is not the JSON botocore produces",
                           service=rules.service, op=model.name) from None
    if not isinstance(sent, dict):
        raise guard.refuse("the serialised request body is not a JSON object",
                           service=rules.service, op=model.name)
    _recheck(guard, rules, model, sent, plan, request.context)


# Containers and members an approval-time copy may hold. For simple calls copying is about four
# times cheaper than checking again; a batch (25 items of nested maps) copies three times dearer
# than json.loads parses its body: batches are parsed and checked at signing instead.
_COPY_BUDGET: Final = 32


def _worth_copying(params: Mapping[str, Any]) -> bool:
    """A look two levels deep, without allocating (the parameters are exact builtins here)."""
    size = len(params)
    for value in params.values():
        kind = type(value)
        if kind is dict or kind is list or kind is tuple:
            size += len(value)
            for child in (value.values() if kind is dict else value):
                if type(child) is dict or type(child) is list or type(child) is tuple:
                    size += len(child)
    return size <= _COPY_BUDGET


class _CheckingSerializer:
    """A shared client's serializer, re-checking approved parameters as it serialises them.

    The parameter hook replaced the parameters' contents with a private copy (``private``),
    checked it and kept a second copy of it as approved; but later ``before-parameter-build``
    and ``before-endpoint-resolution`` handlers still hold the dict botocore goes on with and
    may change it (botocore itself adds idempotency tokens). So the serialiser copies it once
    more into exact builtin types and serialises that copy: nothing else can reach it, so the
    bytes produced are the image of what it holds. If it differs from the approved copy it is
    checked again first; the check on parameters that are already approved and physical
    changes nothing (its handlers copy on write, so unchanged members compare by identity), so
    a change means a handler put something unapproved in. The signing hook then only has to see that the
    request still carries that very body object (bytes are immutable: any rewrite is a new
    object) and can skip parsing it, batches included; any other body is parsed and checked
    in full."""

    __slots__ = ("_inner", "_plan_for", "_rules")

    def __init__(self, inner: Any, rules: ServiceRules,
                 plan_for: Callable[[OperationModel], Plan]) -> None:
        self._inner = inner
        self._rules = rules
        self._plan_for = plan_for

    def serialize_to_request(self, parameters: Any, operation_model: OperationModel) -> Any:
        call = _ACTIVE.get()
        pending = None if call is None else call.pending
        if call is None or pending is None or pending[0] is not parameters:
            # Not this call's approved parameters (unscoped, or a path that skipped the
            # parameter hook): serialised as is, and the signing hook checks in full or refuses.
            return self._inner.serialize_to_request(parameters, operation_model)
        call.pending = None
        if pending[3] is None:
            # A batch: copying it again costs three times what parsing its body does, so it is
            # serialised from the (private) parameters and the signing hook parses and checks
            # the body instead.
            return self._inner.serialize_to_request(parameters, operation_model)
        guard = call.guard
        try:
            try:
                private = private_copy(parameters)
            except Unreadable as exc:
                raise guard.refuse(exc.reason, service=self._rules.service,
                                   op=operation_model.name) from None
            # Equal to the copy taken when they were approved (both copies hold only exact
            # builtin types, so == runs no code of anyone else's): nothing to check again.
            # Copying is about four times cheaper than checking, so this pays for itself.
            if private != pending[3]:
                _recheck(guard, self._rules, operation_model, private,
                         self._plan_for(operation_model), pending[2])
        except ScopeViolation as exc:
            guard.on_refusal(exc)
            raise
        request = self._inner.serialize_to_request(private, operation_model)
        body = request.get("body")
        if isinstance(body, bytes | str):
            call.approved[pending[1]] = body
        return request

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def install_hooks(client: Any, rules: ServiceRules | None,
                  on_refusal: Callable[[ScopeViolation], None], *,
                  recheck_serialized: bool = True,
                  prepare: Callable[[dict[str, Any], OperationModel], None] | None = None) -> None:
    """Register the two guard hooks on a shared client's event system.

    ``prepare`` runs on the parameters before they are copied and checked: the resource API's
    client turns Python values and condition objects into the wire format there, so the guard
    checks what will be sent, not what the caller wrote."""
    service_model = client.meta.service_model
    service_id = service_model.service_id.hyphenize()
    plans: dict[str, Plan] = {}
    # For JSON-protocol services the serialised body is the parameters again, so the signing
    # hook can re-run the same checks on exactly what will be sent: a handler that rewrote the
    # request after the parameter check cannot smuggle a foreign name past the guard.
    recheck_body = recheck_serialized and rules is not None and service_model.protocol == "json"
    # For the REST and query protocols the parameters are spread over the URL, headers and body:
    # the signing hook reads them back from there and checks them again.
    wire: WireReader | None = None
    if recheck_serialized and rules is not None and service_model.protocol in _WIRE_PROTOCOLS:
        from .wire import WireReader

        members = rules.members
        wire = WireReader(service_model,
                          lambda member: members.get(member) not in (None, "ignore", "walk"),
                          rules.addressing)

    target_prefix = service_model.metadata.get("targetPrefix", "")
    targets: dict[str, str] = {}

    def plan_for(model: OperationModel) -> Plan:
        plan = plans.get(model.name)
        if plan is None:
            assert rules is not None
            plan = plans[model.name] = compile_plan(rules, model)
        return plan

    def check_params(params: dict[str, Any], model: OperationModel, context: dict[str, Any],
                     **_: Any) -> None:
        call = _ACTIVE.get()
        if call is None:
            exc = _unscoped(model.name)
            on_refusal(exc)
            raise exc
        guard = call.guard
        try:
            if rules is None:
                if guard.isolated:
                    raise guard.refuse(
                        f"service {service_id!r} is not covered in {guard.scope.kind} scope",
                        service=service_id, op=model.name,
                    )
            else:
                if prepare is not None:
                    prepare(params, model)
                _adopt(guard, params, service_id, model.name)
                _checked(guard, rules, model, params, plan_for(model), context)
        except ScopeViolation as exc:
            guard.on_refusal(exc)
            raise
        stamp = (object(), model.name)
        call.approved[stamp] = None
        if recheck_body:
            call.pending = (params, stamp, context,
                            private_copy(params) if _worth_copying(params) else None)
        context[_APPROVAL] = stamp

    def check_types(params: Any, model: OperationModel, **_: Any) -> None:
        # provide-client-params: before every before-parameter-build handler, botocore's
        # operation-specific ones included (its S3 SSE-C handler hashes a key it assumes is
        # bytes), so a top-level member of the wrong type ends in ParamValidationError here.
        if not isinstance(params, dict):
            return
        allowed_types = plan_for(model).members
        for name, value in params.items():
            allowed = allowed_types.get(name)
            if allowed is not None and type(value) not in allowed and _mistyped(value, allowed):
                from botocore.validate import validate_parameters

                if model.input_shape is not None:
                    validate_parameters(params, model.input_shape)
                call = _ACTIVE.get()
                exc = ScopeViolation(f"{name} is not of the type {model.name} takes",
                                     scope=str(call.guard.scope) if call else "unscoped",
                                     service=service_id, operation=model.name, parameter=name)
                on_refusal(exc)
                raise exc

    def check_send(request: Any, **_: Any) -> None:
        # before-send: after every request-created handler, however it was registered, and just
        # before the bytes leave. The request must still be one the signing hook approved in
        # this call: a handler that ran after signing and rewrote the URL or body is refused.
        call = _ACTIVE.get()
        if call is not None and _as_signed(request, call.signed):
            return
        exc = (_unscoped("send") if call is None else call.guard.refuse(
            "the request was changed after it was checked and signed (a request-created "
            "handler that runs after signing?)", service=service_id))
        (on_refusal if call is None else call.guard.on_refusal)(exc)
        raise exc

    def check_sign(request: Any, operation_name: str, **_: Any) -> None:
        call = _ACTIVE.get()
        if call is not None and call.local:
            # A database auth token: signed locally and returned, never sent (its host is the
            # database's, not an endpoint of the factory's).
            return
        stamp = request.context.get(_APPROVAL)
        # Not compared with operation_name: a presigned POST is approved as CreateBucket (the
        # operation botocore emits parameters for) and signed as PutObject.
        if call is None or stamp not in call.approved:
            exc = _unscoped(operation_name)
            on_refusal(exc)
            raise exc
        try:
            call.guard.check_host(request.url, operation_name)
            if recheck_body:
                # The checks below read the body as operation_name's parameters: the service
                # must run that operation, or a body approved for GetItem could be a Scan.
                target = targets.get(operation_name)
                if target is None:
                    target = targets[operation_name] = f"{target_prefix}.{operation_name}"
                if _sent_to(request) != [target]:
                    raise call.guard.refuse(f"the request's X-Amz-Target is not {target}",
                                            service=service_id, op=operation_name)
                serialised = call.approved[stamp]
                # The body the serialiser produced from re-checked parameters of this very
                # operation, untouched since: nothing to parse.
                if serialised is None or request.data is not serialised \
                        or stamp[1] != operation_name:
                    assert rules is not None
                    model = service_model.operation_model(operation_name)
                    _recheck_json(call.guard, rules, model, request, plan_for(model))
            elif wire is not None:
                assert rules is not None
                # Read as the operation that was approved: a presigned POST is approved as
                # CreateBucket, whose bucket-only URL it is, and signed as PutObject.
                model = service_model.operation_model(stamp[1])
                _recheck(call.guard, rules, model, wire.read(call.guard, model, request,
                                                             operation_name),
                         plan_for(model), request.context)
        except ScopeViolation as exc:
            call.guard.on_refusal(exc)
            raise
        data = request.data
        call.signed.append((request.url, dict(request.params) if request.params else None,
                            dict(data) if type(data) is dict else data, request))

    def filter_listing(parsed: Any, model: OperationModel, **_: Any) -> None:
        call = _ACTIVE.get()
        if call is None or call.guard.scope.kind != "platform" or not isinstance(parsed, dict):
            return
        assert rules is not None
        listing = rules.listings.get(model.name)
        if listing is not None:
            listing(call.guard, parsed)

    events = client.meta.events
    for listed in (rules.listings if rules is not None else ()):
        events.register(f"after-call.{service_id}.{listed}", filter_listing,
                        unique_id=f"scopeguard-listing-{service_id}-{listed}")
    events.register_first(f"before-send.{service_id}", check_send,
                          unique_id=f"scopeguard-send-{service_id}")
    if rules is not None and rules.early_types and prepare is None:
        # (A resource API's parameters are Python values until ``prepare`` has run.)
        events.register_first(f"provide-client-params.{service_id}", check_types,
                              unique_id=f"scopeguard-types-{service_id}")
    events.register_first(f"before-parameter-build.{service_id}", check_params,
                          unique_id=f"scopeguard-params-{service_id}")
    events.register_last(f"before-sign.{service_id}", check_sign,
                         unique_id=f"scopeguard-sign-{service_id}")
    if recheck_body and rules is not None and not isinstance(client._serializer,
                                                             _CheckingSerializer):
        # Scope handles copy the shared client's attributes when they are made, after this.
        client._serializer = _CheckingSerializer(client._serializer, rules, plan_for)
