"""``scopeguard-wrong-name``: a literal or ``Final`` resource name that belongs to another scope.

Application code passes logical names (``TableName="orders"``) and the scoped client adds the
scope's prefix. A physical name written out (``"c-prod-orders"``) is wrong on every scoped client:
on a tenant or capsule client it is not a valid logical name (and would name another scope's
resource if it were), and a platform client refuses names that belong to a tenant or capsule. The
naming policy from ``[tool.scopeguard.naming]`` decides what is scoped, the same object the runtime
guard uses, so the two agree. Operator clients are not checked: they address another account's
resources as that account names them.

The receiver's static type carries the scope kind, not the tenant ID or capsule code, so the
message names the owner the name reveals and the logical name to write instead.
"""

from __future__ import annotations

from typing import Final

from mypy.nodes import CallExpr, Expression
from mypy.plugin import MethodSigContext
from mypy.types import FunctionLike, Instance, get_proper_type

from scopeguard._fullnames import (
    SCOPED_ASYNC_CLIENT_CLASSES,
    SCOPED_CLIENT_CLASSES,
    SCOPED_RESOURCE_CLASSES,
)
from scopeguard._exceptions import InvalidName
from scopeguard._naming import NAME_RULES, NamingPolicy, ScopeRef

from ._errors import WRONG_NAME
from ._literals import str_value
from ._mismatch import scope_kind

__all__ = ["RESOURCE_CONSTRUCTORS", "WrongNameCheck"]

_SERVICE_BY_CLASS: Final = {
    fullname: service
    for table in (SCOPED_CLIENT_CLASSES, SCOPED_ASYNC_CLIENT_CLASSES, SCOPED_RESOURCE_CLASSES)
    for service, fullname in table.items()
}
_ASYNC_CLASSES: Final = frozenset(SCOPED_ASYNC_CLIENT_CLASSES.values())
# Resource API sub-resources that take the resource name as their first positional argument.
RESOURCE_CONSTRUCTORS: Final = frozenset({"Table", "Bucket", "Queue", "Topic"})
_CHECKED_SCOPES: Final = frozenset({"tenant", "capsule", "platform"})


def _candidates(value: str) -> list[str]:
    """The pieces of a name, ARN or URL that may be a physical resource name."""
    pieces = [value]
    tail = value.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if tail and tail != value:
        pieces.append(tail)
    head = value.lstrip("/").split("/", 1)[0]
    if head and head not in pieces and not value.startswith(("arn:", "http")):
        pieces.append(head)
    return pieces


class WrongNameCheck:
    """Signature hook for methods of the scoped client and resource classes."""

    def __init__(self, naming: NamingPolicy, parameters: frozenset[str]) -> None:
        self._naming = naming
        self._parameters = parameters

    def wants(self, fullname: str) -> bool:
        cls, _, method = fullname.rpartition(".")
        return cls in _SERVICE_BY_CLASS and not method.startswith("_")

    def hook(self, ctx: MethodSigContext) -> FunctionLike:
        receiver = get_proper_type(ctx.type)
        call = ctx.context
        if not isinstance(receiver, Instance) or not isinstance(call, CallExpr):
            return ctx.default_signature
        kind = scope_kind(receiver.args[0]) if receiver.args else "any"
        if kind not in _CHECKED_SCOPES:
            return ctx.default_signature
        service = _SERVICE_BY_CLASS.get(receiver.type.fullname, "")
        method = call.callee.name if hasattr(call.callee, "name") else ""
        for position, (expr, name) in enumerate(zip(call.args, call.arg_names)):
            named = name in self._parameters
            constructor = name is None and position == 0 and method in RESOURCE_CONSTRUCTORS
            if named or constructor:
                self._check(ctx, expr, kind, service, f"{name}=" if name else f"{method}(",
                            receiver.type.fullname in _ASYNC_CLASSES)
        return ctx.default_signature

    def _check(
        self,
        ctx: MethodSigContext,
        expr: Expression,
        kind: str,
        service: str,
        param: str,
        is_async: bool,
    ) -> None:
        value = str_value(expr)
        if value is None:
            return
        for piece in _candidates(value):
            owner = self._naming.owner(piece, service if service in NAME_RULES else None)
            if owner is not None:
                message = self._message(value, piece, owner, kind, service, param, is_async)
                ctx.api.fail(message, expr, code=WRONG_NAME)
                return

    def _message(
        self,
        value: str,
        piece: str,
        owner: ScopeRef,
        kind: str,
        service: str,
        param: str,
        is_async: bool,
    ) -> str:
        try:
            logical = self._naming.logical_name(owner, service, piece)
        except InvalidName:
            # Not the image of a valid logical name (or an unknown service): show what follows
            # the default prefix, as the best hint there is.
            logical = piece[len(self._naming.name_prefix(owner)) :]
        shown = f'{param}"{value}"' + (")" if param.endswith("(") else "")
        getter = "async_client" if is_async else "client"
        if kind == "platform":
            return (
                f'{shown} belongs to {owner}; a platform-scoped client refuses tenant '
                f'and capsule names: use factory.{owner.kind}("{owner.id}").{getter}("{service}") '
                f'and the logical name "{logical}"'
            )
        return (
            f'{shown} is a physical name of {owner}; a {kind}-scoped client takes '
            f'logical names and adds its own scope\'s prefix: write "{logical}"'
        )
