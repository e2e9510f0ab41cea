"""Client inference: ``handle.client("<service>")`` gets the stubs' exact client type.

The service map is the one types-boto3 already ships: ``boto3.session.Session.client`` and
``.resource`` are overloaded on one ``Literal`` service name per service. The plugin reads those
overloads once per run (a dictionary from service name to return type) instead of keeping its own
list, so a new stub release brings its services with it. Scope handles declare overloads only for
the services with a scoped type (``scopeguard.typing``); every other literal lands on their
``str`` fallback, which this hook refines to the stub's class with one dictionary lookup instead of
the stubs' linear walk over hundreds of overloads.

``handle.async_client("<service>")`` is refined the same way from types-aiobotocore's map,
``aiobotocore.session.AioSession.create_client`` (each item returns
``ClientCreatorContext[<client class>]``): its ``AsyncClientRequest[Any]`` fallback becomes
``AsyncClientRequest[<client class>]``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Final

from mypy.nodes import Expression, OverloadedFuncDef, SymbolTableNode, TypeInfo
from mypy.plugin import MethodSigContext
from mypy.types import (
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    LiteralType,
    Overloaded,
    Type,
    get_proper_type,
)

from scopeguard._fullnames import ASYNC_STUBS_SESSION, SCOPE_ASYNC_CLIENT_METHOD, STUBS_SESSION

from ._errors import UNKNOWN_SERVICE
from ._literals import str_value

__all__ = [
    "ServiceMap",
    "infer_scoped_client",
    "is_fallback",
    "literal_service",
    "service_argument",
]

_SERVICE_ARG: Final = "service_name"

Lookup = Callable[[str], "SymbolTableNode | None"]

# Scope handle method -> (stub class, its overloaded method) that maps service names to types.
_SOURCES: Final = {
    "client": (STUBS_SESSION, "client"),
    "resource": (STUBS_SESSION, "resource"),
    SCOPE_ASYNC_CLIENT_METHOD: (ASYNC_STUBS_SESSION, "create_client"),
}


class ServiceMap:
    """Service name -> stub client type, for ``client``, ``resource`` and ``async_client``, read
    lazily."""

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        self._maps: dict[str, dict[str, Type]] = {}

    def get(self, method: str) -> dict[str, Type]:
        """The map for one handle method; empty if its stubs are not in the build."""
        found = self._maps.get(method)
        if found is None:
            found = self._read(method)
            if found:  # an empty map may just mean boto3.session is not loaded yet: retry later
                self._maps[method] = found
        return found

    def _read(self, method: str) -> dict[str, Type]:
        owner, stub_method = _SOURCES[method]
        sym = self._lookup(owner)
        if sym is None or not isinstance(sym.node, TypeInfo):
            return {}
        member = sym.node.names.get(stub_method)
        if member is None or not isinstance(member.node, OverloadedFuncDef):
            return {}
        overloaded = member.node.type
        if not isinstance(overloaded, Overloaded):
            return {}
        services: dict[str, Type] = {}
        for item in overloaded.items:
            literal = literal_service(item)
            if literal is not None:
                services.setdefault(literal, _created(item.ret_type, method))
        return services


def _created(ret_type: Type, method: str) -> Type:
    """The client type an overload item gives: async ones wrap it in ``ClientCreatorContext``."""
    if method != SCOPE_ASYNC_CLIENT_METHOD:
        return ret_type
    proper = get_proper_type(ret_type)
    if isinstance(proper, Instance) and len(proper.args) == 1:
        return proper.args[0]
    return ret_type


def literal_service(sig: CallableType) -> str | None:
    """The ``Literal`` service name one overload item is for, or None for a ``str`` fallback."""
    try:
        index = sig.arg_names.index(_SERVICE_ARG)
    except ValueError:
        return None
    proper = get_proper_type(sig.arg_types[index])
    if isinstance(proper, LiteralType) and isinstance(proper.value, str):
        return proper.value
    return None


def service_argument(args: list[list[Expression]], sig: CallableType) -> Expression | None:
    """The expression passed for ``service_name``, if exactly one was."""
    try:
        index = sig.arg_names.index(_SERVICE_ARG)
    except ValueError:
        return None
    actuals = args[index] if index < len(args) else []
    return actuals[0] if len(actuals) == 1 else None


def infer_scoped_client(
    services: ServiceMap, method: str, infer: bool, ctx: MethodSigContext
) -> FunctionLike:
    """Signature hook for ``Scope.client`` / ``Scope.resource``, applied to each overload item.

    Only the ``str`` fallback item is touched: the typed overloads already name their scoped
    class. Diagnostics come from this hook (never from a function hook, which would run inside
    overload matching and make every item look like a mismatch), and from the fallback item only,
    so each call reports at most once.
    """
    sig = ctx.default_signature
    if not is_fallback(sig, method):
        return sig  # a typed overload item (most of the calls: return before any other work)
    expr = service_argument(ctx.args, sig)
    if expr is None:
        return sig
    name = str_value(expr)
    if name is None:
        return sig  # a dynamic service name: the lint rule SG030 covers it
    known = services.get(method)
    names = known
    if not names and method == SCOPE_ASYNC_CLIENT_METHOD:
        names = services.get("client")  # no types-aiobotocore: boto3's map knows the same names
    if not names:
        return sig  # no stubs in the build: nothing to infer from, nothing to judge by
    if name not in names:
        hint = difflib.get_close_matches(name, names, n=1)
        fix = f'; did you mean "{hint[0]}"?' if hint else ""
        what = "resource API" if method == "resource" else "client"
        stubs = "aiobotocore" if method == SCOPE_ASYNC_CLIENT_METHOD and known else "boto3"
        ctx.api.fail(
            f'"{name}" is not an AWS service with a {what} in the installed {stubs} stubs{fix}',
            expr,
            code=UNKNOWN_SERVICE,
        )
        return sig
    inferred = known.get(name)
    if inferred is None or not infer or not isinstance(get_proper_type(inferred), Instance):
        return sig  # the service's stub package is not installed: the stubs say Any, so do we
    if method == SCOPE_ASYNC_CLIENT_METHOD:
        request = get_proper_type(sig.ret_type)
        assert isinstance(request, Instance)  # checked by is_fallback
        return sig.copy_modified(ret_type=request.copy_modified(args=[inferred]))
    return sig.copy_modified(ret_type=inferred)


def is_fallback(sig: CallableType, method: str) -> bool:
    """True for the ``str`` overload item: ``Any`` for ``client``/``resource``,
    ``AsyncClientRequest[Any]`` for ``async_client``."""
    ret = get_proper_type(sig.ret_type)
    if method == SCOPE_ASYNC_CLIENT_METHOD:
        if not isinstance(ret, Instance) or len(ret.args) != 1:
            return False
        ret = get_proper_type(ret.args[0])
    return isinstance(ret, AnyType) and literal_service(sig) is None
