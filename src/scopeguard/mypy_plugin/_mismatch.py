"""``scopeguard-scope-mismatch``: a client of one scope passed where another scope is required.

Without the plugin, mypy and pyright already reject ``ScopedDynamoDBClient[PlatformScope]`` where
``ScopedDynamoDBClient[TenantScope]`` is expected, as a generic ``arg-type`` error. The plugin
turns that into its own code with a message naming both scopes. It does so in a signature hook of
the callee: when a parameter is scope-typed and the argument's type has another scope (or none:
a raw client), it reports the mismatch and hands mypy the argument's own type for that parameter,
so the call is reported once, under ``scopeguard-scope-mismatch``.

Only callees whose signature mentions a scoped class get the hook; deciding that costs one symbol
lookup per call site.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mypy.nodes import (
    AwaitExpr,
    CallExpr,
    Decorator,
    Expression,
    FuncBase,
    IndexExpr,
    MemberExpr,
    NameExpr,
    SymbolTableNode,
    TypeInfo,
)
from mypy.messages import callable_name
from mypy.plugin import CheckerPluginInterface, FunctionSigContext, MethodSigContext
from mypy.subtypes import is_subtype
from mypy.types import (
    CallableType,
    FunctionLike,
    Instance,
    ProperType,
    Type,
    UnionType,
    get_proper_type,
)

from scopeguard._fullnames import (
    SCOPE_BASE,
    SCOPE_CLASSES,
    SCOPED_ASYNC_CLIENT_CLASSES,
    SCOPED_CLIENT_CLASSES,
    SCOPED_RESOURCE_CLASSES,
)

from ._errors import SCOPE_MISMATCH

__all__ = ["SCOPED_FULLNAMES", "ScopeMismatchCheck", "scope_kind"]

SCOPED_FULLNAMES: Final = frozenset(
    (
        *SCOPED_CLIENT_CLASSES.values(),
        *SCOPED_ASYNC_CLIENT_CLASSES.values(),
        *SCOPED_RESOURCE_CLASSES.values(),
    )
)
_ASYNC_FULLNAMES: Final = frozenset(SCOPED_ASYNC_CLIENT_CLASSES.values())
_KIND_BY_CLASS: Final = {fullname: kind for kind, fullname in SCOPE_CLASSES.items()}
# Argument expressions whose type the hook may infer early without side effects worth worrying
# about; anything else (lambdas, comprehensions, ...) is left to mypy's own arg-type check.
# ``await handle.async_client(...)`` passed straight on is as common as the call itself.
_INFERABLE: Final = (NameExpr, MemberExpr, CallExpr, IndexExpr, AwaitExpr)

Lookup = Callable[[str], "SymbolTableNode | None"]


def scope_kind(scope: Type) -> str:
    """``tenant``, ``capsule``, ... for a handle class; ``any`` for the ``Scope`` base."""
    proper = get_proper_type(scope)
    if isinstance(proper, Instance):
        kind = _KIND_BY_CLASS.get(proper.type.fullname)
        if kind is not None:
            return kind
        if proper.type.fullname == SCOPE_BASE:
            return "any"
        return proper.type.name
    return "unknown"


def _scoped(typ: Type) -> Instance | None:
    """The scoped-class instance ``typ`` is, or the one inside ``X | None``."""
    proper = get_proper_type(typ)
    if isinstance(proper, Instance) and proper.type.fullname in SCOPED_FULLNAMES:
        return proper
    if isinstance(proper, UnionType):
        for item in proper.items:
            found = _scoped(item)
            if found is not None:
                return found
    return None


def _mentions_scoped(callee: ProperType | None) -> bool:
    if isinstance(callee, CallableType):
        return any(_scoped(t) is not None for t in callee.arg_types)
    if isinstance(callee, FunctionLike):
        return any(_mentions_scoped(item) for item in callee.items)
    return False


class ScopeMismatchCheck:
    """Decides which callees to hook and checks their scope-typed arguments."""

    def __init__(self, lookup: Lookup) -> None:
        self._lookup = lookup
        # fullname -> (the node it named, the answer). The node is kept and compared by identity,
        # so an edited definition (a new node, under dmypy) is never answered from the cache.
        self._answers: dict[str, tuple[object, bool]] = {}

    def wants(self, fullname: str) -> bool:
        """True if the function, method or class ``fullname`` takes a scope-typed argument."""
        sym = self._lookup(fullname)
        node = sym.node if sym is not None else None
        cached = self._answers.get(fullname)
        if cached is not None and cached[0] is node:
            return cached[1]
        answer = self._decide(node)
        self._answers[fullname] = (node, answer)
        return answer

    @staticmethod
    def _decide(node: object) -> bool:
        if isinstance(node, TypeInfo):
            init = node.get_method("__init__")
            return init is not None and _mentions_scoped(get_proper_type(init.type))
        if isinstance(node, Decorator):
            node = node.func
        if isinstance(node, FuncBase):
            return _mentions_scoped(get_proper_type(node.type))
        return False

    def function_hook(self, ctx: FunctionSigContext) -> FunctionLike:
        return self._check(ctx.api, ctx.context, ctx.args, ctx.default_signature)

    def method_hook(self, ctx: MethodSigContext) -> FunctionLike:
        return self._check(ctx.api, ctx.context, ctx.args, ctx.default_signature)

    def _check(
        self,
        api: CheckerPluginInterface,
        context: object,
        args: list[list[Expression]],
        sig: CallableType,
    ) -> CallableType:
        arg_types = list(sig.arg_types)
        changed = False
        for index, (formal, actuals) in enumerate(zip(sig.arg_types, args)):
            expected = _scoped(formal)
            if expected is None or len(actuals) != 1 or not isinstance(actuals[0], _INFERABLE):
                continue
            expr = actuals[0]
            given = get_proper_type(api.get_expression_type(expr, type_context=formal))
            if not isinstance(given, Instance) or is_subtype(given, formal):
                continue
            message = _mismatch_message(sig, index, context, expr, expected, given)
            if message is None:
                continue
            api.fail(message, expr, code=SCOPE_MISMATCH)
            arg_types[index] = given
            changed = True
        return sig.copy_modified(arg_types=arg_types) if changed else sig


def _mismatch_message(
    sig: CallableType,
    index: int,
    context: object,
    expr: Expression,
    expected: Instance,
    given: Instance,
) -> str | None:
    want = scope_kind(expected.args[0]) if expected.args else "any"
    service = expected.type.name.removeprefix("Scoped")
    if want == "any":
        required = "a client of any scope"
    else:
        required = f"{_article(want)} {want}-scoped client"
    where = _argument_label(sig, index, context, expr)
    if given.type.fullname == expected.type.fullname:
        have = scope_kind(given.args[0]) if given.args else "unknown"
        if have in ("any", "unknown"):
            return (
                f"{where} is a {service} whose scope is not known statically, but {required} is "
                f"required (scope mismatch: {have} given, {want} expected); take the specific "
                f"handle type ({want.capitalize()}Scope) where the client is made"
            )
        return (
            f"{where} is {_article(have)} {have}-scoped {service}, but {required} is required "
            f"(scope mismatch: {have} given, {want} expected)"
        )
    if any(base.type.fullname == given.type.fullname for base in expected.type.bases):
        sdk = "aiobotocore" if expected.type.fullname in _ASYNC_FULLNAMES else "boto3"
        return (
            f"{where} is an unscoped {given.type.name} (a raw {sdk} client), but {required} is "
            f"required (scope mismatch: none given, {want} expected); get it from the factory's "
            f"{want if want != 'any' else 'scope'} handle"
        )
    return None


def _article(word: str) -> str:
    return "an" if word[:1] in ("a", "e", "i", "o", "u") else "a"


def _argument_label(sig: CallableType, index: int, context: object, expr: Expression) -> str:
    callee = callable_name(sig) or "function"
    if isinstance(context, CallExpr):
        for position, (actual, name) in enumerate(zip(context.args, context.arg_names)):
            if actual is expr:
                if name:
                    return f'Argument "{name}" to {callee}'
                return f"Argument {position + 1} to {callee}"
    return f"Argument {index + 1} to {callee}"
