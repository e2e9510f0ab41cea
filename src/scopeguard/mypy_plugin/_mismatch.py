"""``scopeguard-scope-mismatch``: a client of one scope passed where another scope is required.

Without the plugin, mypy and pyright already reject ``ScopedDynamoDBClient[PlatformScope]`` where
``ScopedDynamoDBClient[TenantScope]`` is expected, as a generic ``arg-type`` error. The plugin
turns that into its own code with a message naming both scopes. It does so in a signature hook of
the callee: when a parameter is scope-typed and the argument's type has another scope (or none:
a raw client), it reports the mismatch and hands mypy the argument's own type for that parameter,
so the call is reported once, under ``scopeguard-scope-mismatch``.

Where the required scope is a type variable (``ScopedDynamoDBClient[ScopeT]`` in a generic
function or a ``Generic[ScopeT]`` class), the scope is not known until mypy solves the call, after
this hook. A client of the same class is then left to mypy, whose ``arg-type`` error (if any)
names the solved scope; only a raw client, which no solution can accept, is reported here, and its
parameter keeps the argument's type, which constrains the type variable exactly as mypy's own
failed match does (not at all).

Only callees whose signature mentions a scoped class get the hook; deciding that costs one symbol
lookup per call site.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mypy.nodes import (
    AwaitExpr,
    CallExpr,
    Context,
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
    AnyType,
    CallableType,
    FunctionLike,
    Instance,
    NoneType,
    ProperType,
    Type,
    TypeOfAny,
    TypeVarType,
    UnionType,
    get_proper_type,
    has_type_vars,
)

from scopeguard._fullnames import (
    SCOPE_BASE,
    SCOPE_CLASSES,
    SCOPED_ASYNC_CLIENT_CLASSES,
    SCOPED_CLIENT_CLASSES,
    SCOPED_RESOURCE_CLASSES,
)

from ._errors import SCOPE_MISMATCH, code_for_line

__all__ = ["SCOPED_FULLNAMES", "ScopeMismatchCheck", "scope_kind", "scope_label"]

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
    """``tenant``, ``capsule``, ... for a handle class or a subclass of one; ``any`` for the
    ``Scope`` base; ``unknown`` for anything else (a union, a type variable)."""
    proper = get_proper_type(scope)
    if isinstance(proper, Instance):
        for base in proper.type.mro:
            kind = _KIND_BY_CLASS.get(base.fullname)
            if kind is not None:
                return kind
        if proper.type.fullname == SCOPE_BASE:
            return "any"
    return "unknown"


def scope_label(scope: Type) -> str:
    """A scope as the mismatch summary names it: ``tenant``, ``tenant (AuditedTenant)`` for a
    handle subclass, ``tenant or capsule`` for a union, the name of a type variable."""
    proper = get_proper_type(scope)
    if isinstance(proper, UnionType):
        return " or ".join(dict.fromkeys(scope_label(item) for item in proper.items))
    if isinstance(proper, TypeVarType):
        return proper.name
    if isinstance(proper, Instance):
        kind = scope_kind(proper)
        if proper.type.fullname in _KIND_BY_CLASS or proper.type.fullname == SCOPE_BASE:
            return kind
        if kind in ("any", "unknown"):
            return proper.type.name
        return f"{kind} ({proper.type.name})"
    return "unknown"


def _items(typ: Type) -> list[ProperType]:
    proper = get_proper_type(typ)
    if isinstance(proper, UnionType):
        return [item for member in proper.items for item in _items(member)]
    return [proper]


def _scope_words(scope: Type) -> list[str]:
    """The words before ``-scoped``: the kind of a handle class, a subclass's own name."""
    words: list[str] = []
    for item in _items(scope):
        if isinstance(item, Instance) and item.type.fullname in _KIND_BY_CLASS:
            words.append(_KIND_BY_CLASS[item.type.fullname])
        elif isinstance(item, Instance):
            words.append(item.type.name)
        elif isinstance(item, TypeVarType):
            words.append(item.name)
        else:
            words.append("unknown")
    return list(dict.fromkeys(words))


def _handle_names(scope: Type) -> str:
    """The handle classes to annotate with, for the fix of an unknown scope."""
    names = [item.type.name for item in _items(scope) if isinstance(item, Instance)]
    return " or ".join(dict.fromkeys(names)) or "the specific handle type"


def _scoped(typ: Type) -> Instance | None:
    """The scoped-class instance ``typ`` is, or the first one inside a union."""
    for item in _items(typ):
        if isinstance(item, Instance) and item.type.fullname in SCOPED_FULLNAMES:
            return item
    return None


def _expected(formal: Type, given: Instance) -> tuple[Instance, Type] | None:
    """The scoped class the parameter asks for in place of ``given``, and the scope it requires
    (a union when the parameter accepts several scopes of that class)."""
    scoped = [
        item
        for item in _items(formal)
        if isinstance(item, Instance) and item.type.fullname in SCOPED_FULLNAMES
    ]
    same = [item for item in scoped if item.type.fullname == given.type.fullname]
    if not same:
        same = [
            item
            for item in scoped
            if any(base.type.fullname == given.type.fullname for base in item.type.bases)
        ]
    if not same:
        return None
    scopes = [item.args[0] for item in same if item.args]
    if not scopes:
        return same[0], AnyType(TypeOfAny.special_form)
    scope = scopes[0] if len(scopes) == 1 else UnionType.make_union(scopes)
    return same[0], scope


def _only_scoped(formal: Type) -> bool:
    """True if every member of ``formal`` is a scoped class (or None): no bare type variable
    or other type could take a raw client instead."""
    return all(
        isinstance(item, NoneType)
        or isinstance(item, Instance)
        and item.type.fullname in SCOPED_FULLNAMES
        for item in _items(formal)
    )


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
        # fullname -> (the node it named, the signature it had, the answer). Both are compared
        # by identity: under dmypy an edited function keeps its node (mypy merges the new
        # definition into the old object) but gets a new signature object.
        self._answers: dict[str, tuple[object, object, bool]] = {}

    def wants(self, fullname: str) -> bool:
        """True if the function, method or class ``fullname`` takes a scope-typed argument."""
        sym = self._lookup(fullname)
        node = sym.node if sym is not None else None
        signature = _signature(node)
        cached = self._answers.get(fullname)
        if cached is not None and cached[0] is node and cached[1] is signature:
            return cached[2]
        answer = _mentions_scoped(get_proper_type(signature)) if signature is not None else False
        self._answers[fullname] = (node, signature, answer)
        return answer

    def function_hook(self, ctx: FunctionSigContext) -> FunctionLike:
        return self._check(ctx.api, ctx.context, ctx.args, ctx.default_signature)

    def method_hook(self, ctx: MethodSigContext) -> FunctionLike:
        return self._check(ctx.api, ctx.context, ctx.args, ctx.default_signature)

    def _check(
        self,
        api: CheckerPluginInterface,
        context: Context,
        args: list[list[Expression]],
        sig: CallableType,
    ) -> CallableType:
        arg_types = list(sig.arg_types)
        changed = False
        for index, (formal, actuals) in enumerate(zip(sig.arg_types, args)):
            if _scoped(formal) is None or len(actuals) != 1:
                continue
            expr = actuals[0]
            if not isinstance(expr, _INFERABLE):
                continue
            generic = has_type_vars(formal)
            if generic and not _only_scoped(formal):
                continue
            # Inferred early, in the parameter's context as mypy will; mypy infers and checks
            # the argument again itself, so anything this pass would report is dropped here.
            with api.msg.filter_errors():
                given = get_proper_type(api.get_expression_type(expr, type_context=formal))
            if not isinstance(given, Instance):
                continue
            # A formal with type variables is no subtype of anything until mypy solves it.
            if not generic and is_subtype(given, formal):
                continue
            found = _expected(formal, given)
            if found is None:
                continue  # another service or class altogether: mypy's own error stands
            expected, scope = found
            raw = given.type.fullname != expected.type.fullname
            if generic and not raw:
                continue  # the scope mypy solves decides; its arg-type error names it
            where = _argument_label(sig, index, context, expr)
            message = _message(where, expected, scope, given, raw)
            api.fail(message, expr, code=code_for_line(api, expr, SCOPE_MISMATCH))
            arg_types[index] = given
            changed = True
        return sig.copy_modified(arg_types=arg_types) if changed else sig


def _signature(node: object) -> Type | None:
    """What decides whether calls to ``node`` are checked: its signature, or ``__init__``'s."""
    if isinstance(node, TypeInfo):
        init = node.get_method("__init__")
        return init.type if init is not None else None
    if isinstance(node, Decorator):
        node = node.func
    if isinstance(node, FuncBase):
        return node.type
    return None


def _message(where: str, expected: Instance, scope: Type, given: Instance, raw: bool) -> str:
    service = expected.type.name.removeprefix("Scoped")
    want = scope_label(scope)
    required = _required(scope)
    if raw:
        sdk = "aiobotocore" if expected.type.fullname in _ASYNC_FULLNAMES else "boto3"
        kinds = [scope_kind(item) for item in _items(scope)]
        handle = " or ".join(dict.fromkeys(k for k in kinds if k not in ("any", "unknown")))
        return (
            f"{where} is an unscoped {given.type.name} (a raw {sdk} client), but {required} is "
            f"required (scope mismatch: none given, {want} expected); get it from the factory's "
            f"{handle or 'scope'} handle"
        )
    given_scope: Type = given.args[0] if given.args else AnyType(TypeOfAny.special_form)
    have = scope_label(given_scope)
    if scope_kind(given_scope) == "any" or have == "unknown":
        return (
            f"{where} is a {service} whose scope is not known statically, but {required} is "
            f"required (scope mismatch: {have} given, {want} expected); take the specific "
            f"handle type ({_handle_names(scope)}) where the client is made"
        )
    return (
        f"{where} is {_scoped_phrase(given_scope)} {service}, but {required} is required "
        f"(scope mismatch: {have} given, {want} expected)"
    )


def _required(scope: Type) -> str:
    proper = get_proper_type(scope)
    if isinstance(proper, AnyType) or scope_label(proper) == "any":
        return "a client of any scope"
    if isinstance(proper, TypeVarType):
        return f"a client of scope {proper.name}"
    return f"{_scoped_phrase(proper)} client"


def _scoped_phrase(scope: Type) -> str:
    """``a tenant-scoped``, ``an AuditedTenant-scoped``, ``a tenant-scoped or capsule-scoped``."""
    words = _scope_words(scope)
    return f"{_article(words[0])} " + " or ".join(f"{word}-scoped" for word in words)


def _article(word: str) -> str:
    return "an" if word[:1].lower() in ("a", "e", "i", "o", "u") else "a"


def _argument_label(sig: CallableType, index: int, context: Context, expr: Expression) -> str:
    callee = callable_name(sig) or "function"
    if isinstance(context, CallExpr):
        for position, (actual, name) in enumerate(zip(context.args, context.arg_names)):
            if actual is expr:
                if name:
                    return f'Argument "{name}" to {callee}'
                return f"Argument {position + 1} to {callee}"
    return f"Argument {index + 1} to {callee}"
