"""One scope's checks: ``ScopeGuard`` resolves names and ARNs and runs an operation's plan.

A ``ScopeGuard`` lives as long as its scope's entry in the factory's cache and remembers its
verdicts (names, hosts). The kinds shared by several services (KMS keys, resource policies,
listing prefixes, listings filtered in platform scope) are here too; each service's own kinds
are in its module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from .._exceptions import InvalidName, ScopeViolation
from .._naming import NAME_RULES, NamingPolicy, ScopeRef
from .._observe import emit
from .rules import (
    _UNCLASSIFIED,
    LIST,
    MAPKEY,
    MAPVAL,
    Handler,
    Listing,
    Plan,
    ServiceRules,
    _unclassified_reason,
)

if TYPE_CHECKING:
    from botocore.model import OperationModel

__all__ = [
    "Arn",
    "ScopeGuard",
    "drop_owned",
    "forbidden",
    "kms_key",
    "narrow_to_scope",
    "parse_arn",
]

# An authority as endpoints spell it: DNS labels (S3 bucket names as virtual hosts may hold
# '_') or a bracketed IPv6 address, and an optional port. No userinfo.
_NETLOC: Final = re.compile(r"(?:[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*|\[[0-9A-Fa-f:.]+\])"
                            r"(?::[0-9]{1,5})?")


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
    # Tenant or capsule scope. An attribute, not a property: read several times on every call.
    isolated: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.isolated = self.scope.kind in ("tenant", "capsule")

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
        # on the per-request path, and the verdict per host is cached (hosts are few). The
        # signing hook has already refused a URL that is not an exact str.
        absolute = url.startswith(("https://", "http://")) or url[:8].lower().startswith(
            ("https://", "http://"))
        netloc = url.split("/", 3)[2] if absolute else ""
        verdict = self._hosts.get(netloc)
        if verdict is None:
            # Only a plain host[:port]: the HTTP stack reads an authority differently from
            # urlsplit where it holds a backslash, '@', '%' or whitespace ('evil\.amazonaws.com'
            # ends in the right suffix here and connects to 'evil' there).
            if _NETLOC.fullmatch(netloc) is None:
                verdict = False
            elif self.pinned_host is not None:
                verdict = netloc == self.pinned_host or netloc.endswith("." + self.pinned_host)
            else:
                name = netloc.split(":", 1)[0]
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
        refusal = plan.refusal
        if refusal is not None and (self.isolated or op in rules.scoped_only):
            reason = _unclassified_reason() if refusal is _UNCLASSIFIED else refusal.reason
            raise self.refuse(reason, service=rules.service, op=op)
        if plan.unclassified and self.isolated:
            raise self.refuse(
                f"unclassified identifier parameters {', '.join(plan.unclassified)}",
                service=rules.service, op=op,
            )
        try:
            for top, handler, member, expected, rest in plan.program:
                value = params.get(top, _ABSENT)
                if value is _ABSENT:
                    continue
                if rest:
                    new = _apply(value, rest, partial(_call, handler, self, member, expected))
                else:
                    if expected is not None and type(value) is not expected \
                            and not (expected is list and type(value) is tuple):
                        raise _Mistyped
                    new = handler(self, value, member)
                if new is not value:
                    params[top] = new
            if plan.extra is not None:
                plan.extra(self, op, params, context)
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
_ABSENT: Final = object()
_NOT_APPROVED: Final = "the serialised request names resources the parameter check did not approve"


def _checked(guard: ScopeGuard, rules: ServiceRules, model: OperationModel,
             params: dict[str, Any], plan: Plan, context: Mapping[str, Any]) -> None:
    """``guard.check``, where input of the wrong shape ends in botocore's own
    ``ParamValidationError`` or a refusal, never in another exception from inside the guard."""
    try:
        guard.check(rules, model, params, plan, context)
    except ScopeViolation:
        raise
    except Exception as exc:  # noqa: BLE001  (any failure reading input: fail closed)
        raise _unreadable(guard, rules, model, params, exc) from None


def _unreadable(guard: ScopeGuard, rules: ServiceRules, model: OperationModel,
                params: dict[str, Any], exc: Exception) -> ScopeViolation:
    """The verdict on a failure to read the input: botocore's own ``ParamValidationError``
    (raised here) where the shape is wrong, else a refusal (returned)."""
    from botocore.validate import validate_parameters

    if model.input_shape is not None:
        validate_parameters(params, model.input_shape)  # raises ParamValidationError
    return guard.refuse(f"the parameters cannot be read as {model.name}'s input "
                        f"({type(exc).__name__})", service=rules.service, op=model.name)


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
