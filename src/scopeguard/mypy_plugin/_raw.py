"""``scopeguard-raw-client``: boto3/botocore clients and sessions created outside factory-modules.

Calls are matched by the callee's resolved dotted name, so import aliases (``import boto3 as b``,
``from boto3 import client as make``) are caught, and by the receiver's type for methods, so a
variable or parameter typed ``boto3.Session`` or ``botocore.session.Session`` is caught wherever it
came from. A callable stored in a variable (``make = boto3.client``) has no name left to match:
the lint rule SG001 covers that spelling.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mypy.nodes import Context, Expression, MypyFile, OverloadedFuncDef
from mypy.plugin import CheckerPluginInterface, FunctionSigContext, MethodSigContext
from mypy.types import CallableType, FunctionLike, Overloaded

from scopeguard._fullnames import (
    ASYNC_SESSION_FACTORIES,
    BOTO3_CLIENT_FACTORIES,
    BOTO3_DEFAULT_SESSION,
    BOTO3_SESSION_CLASSES,
    BOTOCORE_SESSION_FACTORIES,
    SESSION_CLIENT_METHODS,
)

from ._errors import RAW_CLIENT
from ._literals import str_value
from ._services import Lookup, ServiceMap, literal_service, service_argument
from ._settings import PluginSettings

__all__ = ["RAW_FUNCTIONS", "RAW_METHODS", "RawClientCheck"]

_FIX_CLIENT: Final = (
    "ask the injected ClientFactory instead, e.g. factory.tenant(tenant_id).client(...)"
)
_FIX_SESSION: Final = (
    "create the session once in a factory module and pass it to ClientFactory(session=...)"
)

# Dotted name of a function or class -> what it creates.
RAW_FUNCTIONS: Final[dict[str, str]] = {
    **{name: "client" for name in BOTO3_CLIENT_FACTORIES},
    **{name: "session" for name in BOTO3_SESSION_CLASSES},
    **{name: "session" for name in BOTOCORE_SESSION_FACTORIES},
    **{name: "session" for name in ASYNC_SESSION_FACTORIES},
    **{name: "default session" for name in BOTO3_DEFAULT_SESSION},
}
_SESSION_TYPES: Final = (
    *BOTO3_SESSION_CLASSES,
    "botocore.session.Session",
    "aioboto3.session.Session",
    "aiobotocore.session.AioSession",
)
# Dotted name of a session method -> the stub service map that types it (client or resource).
RAW_METHODS: Final[dict[str, str]] = {
    f"{cls}.{method}": "resource" if method == "resource" else "client"
    for cls in _SESSION_TYPES
    for method in SESSION_CLIENT_METHODS
}

class RawClientCheck:
    """Signature hooks for the raw creators; one instance per mypy run."""

    def __init__(self, settings: PluginSettings, services: ServiceMap, lookup: Lookup) -> None:
        self._settings = settings
        self._lookup = lookup
        self._services = services
        self._allowed: dict[str, bool] = {}
        # Creator's fullname -> the literal of its first overload item (see _first_report).
        self._first_items: dict[str, str] = {}

    def function_hook(self, fullname: str) -> Callable[[FunctionSigContext], FunctionLike]:
        what = RAW_FUNCTIONS[fullname]
        method = "resource" if fullname.endswith(".resource") else "client"

        def hook(ctx: FunctionSigContext) -> FunctionLike:
            sig = ctx.default_signature
            self._check(ctx.api, ctx.context, ctx.args, sig, method, what, fullname)
            return ctx.default_signature

        return hook

    def method_hook(self, fullname: str) -> Callable[[MethodSigContext], FunctionLike]:
        method = RAW_METHODS[fullname]

        def hook(ctx: MethodSigContext) -> FunctionLike:
            self._check(
                ctx.api, ctx.context, ctx.args, ctx.default_signature, method, "session", fullname
            )
            return ctx.default_signature

        return hook

    def _check(
        self,
        api: CheckerPluginInterface,
        context: Context,
        args: list[list[Expression]],
        sig: CallableType,
        method: str,
        what: str,
        fullname: str,
    ) -> None:
        if self._is_allowed(api) or not self._first_report(fullname, args, sig, method):
            return
        short = fullname.rpartition(".")[2]
        if what == "client":
            message = (
                f"Raw boto3 {method} created outside factory-modules ({fullname}()): it carries "
                f"no scope, so nothing stops it from reaching another tenant's resources; "
                f"{_FIX_CLIENT}"
            )
        elif what == "session":
            if fullname in RAW_METHODS:
                message = (
                    f"{method.capitalize()} created from a raw session outside factory-modules "
                    f"(.{short}()): it bypasses the scope guard; {_FIX_CLIENT}"
                )
            else:
                message = (
                    f"Raw session created outside factory-modules ({fullname}()): sessions are "
                    f"the root of credentials and clients; {_FIX_SESSION}"
                )
        else:
            message = (
                f"boto3's process-wide default session used outside factory-modules "
                f"({fullname}()): it is global state shared by every tenant; {_FIX_CLIENT}"
            )
        api.fail(message, context, code=RAW_CLIENT)

    def _is_allowed(self, api: CheckerPluginInterface) -> bool:
        path = api.path
        allowed = self._allowed.get(path)
        if allowed is None:
            tree = getattr(api, "tree", None)
            module = tree.fullname if isinstance(tree, MypyFile) else None
            allowed = self._settings.is_factory_module(module, path)
            self._allowed[path] = allowed
        return allowed

    def _first_report(
        self, fullname: str, args: list[list[Expression]], sig: CallableType, method: str
    ) -> bool:
        """True for one overload item per call: a signature hook runs once per item (hundreds
        for boto3.client), so report from the item the call's literal matches, or else from the
        callee's first item.

        Stateless on purpose: mypy may check one call several times and keep only the last
        pass's errors (a ``return`` is inferred with the declared type as context, then again
        without it if the first pass reported anything), so each pass must report again."""
        item = literal_service(sig)
        if item is None:
            return True
        expr = service_argument(args, sig)
        actual = str_value(expr) if expr is not None else None
        if actual is not None and actual in self._services.get(method):
            return item == actual
        first = self._first_items.get(fullname)
        if first is None:
            first = self._first_items[fullname] = self._first_item(fullname)
        # Where the callee's overloads cannot be read, every item reports: mypy prints a message
        # repeated on one line once, so that costs time, never a duplicate.
        return first == "" or item == first

    def _first_item(self, fullname: str) -> str:
        """The literal of the callee's first overload item ("" if not known)."""
        sym = self._lookup(fullname)
        node = sym.node if sym is not None else None
        if isinstance(node, OverloadedFuncDef) and isinstance(node.type, Overloaded):
            return literal_service(node.type.items[0]) or ""
        return ""
