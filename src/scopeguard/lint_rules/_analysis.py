"""One walk over a module's AST that finds every place AWS access is set up.

The walk resolves what each name means (``import boto3 as b3``, ``from boto3 import client as
mk``, function-local and conditional imports, re-exports through the project's own modules) and
tracks the values that matter: sessions (``s = boto3.Session()``, ``self.session = ...`` within a
class, parameters annotated ``boto3.Session``, calls of functions annotated ``-> boto3.Session``
anywhere in the project) and factory scope handles of each scope kind. It emits neutral ``Site``
records; the rules (one per module in ``rules/``) decide which sites are findings.

A session handed around untyped (``def f(boto_session): ...``, ``obj.boto_session``,
``get_session()``, ``kwargs.get("session")``) is tracked as a *named session*: a value the walk
only knows by the name it is given. Its clients are ``named-session-client`` sites, which a rule
judges together with the call's shape. A name bound in the same function to anything else (a
mock, an HTTP session, an unknown call) is not a named session.

Scoping follows Python's execution model, as pyflakes does: a function body is analysed after
the enclosing module or function body has run, so a module-level ``SESSION = boto3.Session()``
written below the function that uses it is still known; class bodies do not leak into methods.
Names are tracked flow-insensitively within a scope: the last binding seen wins, except that a
``None`` assignment (``except ImportError: boto3 = None``) never hides an import.
"""

from __future__ import annotations

import ast
import re
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Final, Literal

from .. import _fullnames as fn
from ._imports import SDK_ROOTS, ProjectModules, absolute_module

__all__ = ["RESOURCE_NAME_ARGUMENTS", "Site", "SiteKind", "collect_sites"]

SiteKind = Literal[
    "raw-client",
    "raw-session",
    "session-client",
    "named-session-client",
    "default-session",
    "async-session",
    "async-client",
    "factory-client",
    "credentials",
    "name-literal",
    "key-literal",
]

# Keyword arguments of AWS API calls that take a resource name, ARN or URL, and the resource-API
# constructors whose first argument is one. Literal values passed here are checked against the
# naming policy (SG020).
RESOURCE_NAME_ARGUMENTS: Final = frozenset(
    {
        "TableName",
        "Bucket",
        "QueueName",
        "QueueUrl",
        "TopicArn",
        "TopicName",
        "SecretId",
        "FunctionName",
        "StreamName",
        "StreamARN",
        "EventBusName",
        "Name",
        "Names",
        "ResourceArn",
    }
)
_RESOURCE_CONSTRUCTORS: Final = frozenset({"Table", "Bucket", "Queue", "Topic", "Object"})
_BATCH_ARGUMENTS: Final = frozenset({"RequestItems"})

# AWS's own documentation keys: published, never valid, used throughout tests and docs.
_DOCUMENTED_EXAMPLE_KEYS: Final = frozenset({"AKIAIOSFODNN7EXAMPLE", "ASIAIOSFODNN7EXAMPLE"})
ACCESS_KEY_RE: Final = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])")

_HANDLE_METHODS: Final = frozenset(m.rsplit(".", 1)[1] for m in fn.SCOPE_METHODS)
_SCOPE_CLASS_NAMES: Final = frozenset(
    {c.rsplit(".", 1)[1] for c in fn.SCOPE_CLASSES.values()} | {"Scope"}
)
# ``handle.async_client(...)`` (an aiobotocore client from the factory) is a factory site exactly
# like ``handle.client(...)``: counted as migrated by the report, judged by SG031 at import time.
_SCOPE_CLIENT_METHODS: Final = frozenset((*fn.SCOPE_CLIENT_METHODS, "async_client"))
_CLIENT_METHODS: Final = frozenset(fn.SESSION_CLIENT_METHODS) | _SCOPE_CLIENT_METHODS
_SCOPE_KIND_BY_CLASS: Final = {c.rsplit(".", 1)[1]: kind for kind, c in fn.SCOPE_CLASSES.items()}
_SCOPE_KIND_BY_METHOD: Final = {m.rsplit(".", 1)[1]: kind for m, kind in fn.SCOPE_METHODS.items()}
# Process-wide caches (as in the codemod); ``cached_property`` lives as long as its instance.
_CACHING_DECORATORS: Final = frozenset({"cache", "lru_cache", "cached", "ttl_cache"})
_PROPERTY_DECORATORS: Final = frozenset({"property", "cached_property"})
# What a boto3/botocore session is usually called: ``session``, ``sess``, ``boto_session``,
# ``self._session``, ``botoSession``; and what returns one: ``get_session()``,
# ``local_session(...)``, ``get_boto3_session()``, ``session_factory()``.
_SESSION_NAME: Final = re.compile(r"(?:^|_)(?:sess|session|boto3?session)$")
_SESSION_GETTER: Final = re.compile(r"(?:^|_)(?:sess|session|boto3?session)(?:_factory)?$")
_SESSION_FACTORY_CLASS: Final = re.compile(r"session_?factory$")
# Annotations that say nothing about the value (``Optional[Any]``): the name decides.
_UNTYPED_ANNOTATIONS: Final = frozenset({"Any", "object"})


def session_named(name: str) -> bool:
    """True for names a session is usually given (``boto_session``, ``self._session``)."""
    # Called on every name and attribute the walk evaluates: the suffix test settles most.
    lower = name.lower()
    return lower.endswith(("sess", "session")) and _SESSION_NAME.search(lower) is not None


def _session_getter(name: str) -> bool:
    lower = name.lower()
    return lower.endswith(("sess", "session", "_factory")) and (
        _SESSION_GETTER.search(lower) is not None
    )


@dataclass(frozen=True, slots=True)
class Site:
    """One place where AWS access is set up, before any rule judges it."""

    kind: SiteKind
    line: int
    col: int
    end_line: int
    target: str
    """The resolved callee (``boto3.client``), ``<session>.client``, or the keyword name."""
    call: ast.Call | None = None
    import_time: str | None = None
    """Why the site runs once for the whole process (``at module level`` ...), else None."""
    value: str | None = None
    """The literal text, for literal sites; ``sdk-imported`` on a ``named-session-client`` site
    when its module, or its project, imports an AWS SDK."""
    stmt_line: int = 0
    """First line of the innermost statement holding the site (where TODO markers go above)."""
    scope: str | None = None
    """For factory sites: the scope kind of the handle (``tenant``...), when known."""


@dataclass(frozen=True, slots=True)
class SdkNames:
    """The dotted names treated as client/session factories (the table plus configured extras)."""

    client_factories: frozenset[str] = frozenset(fn.BOTO3_CLIENT_FACTORIES)
    session_factories: frozenset[str] = frozenset(
        fn.BOTO3_SESSION_CLASSES + fn.BOTOCORE_SESSION_FACTORIES
    )
    async_session_factories: frozenset[str] = frozenset(fn.ASYNC_SESSION_FACTORIES)
    name_arguments: frozenset[str] = RESOURCE_NAME_ARGUMENTS


@dataclass(slots=True)
class _SessionRecord:
    site: Site
    emit: bool
    used: bool = False
    metadata_used: bool = False


@dataclass(frozen=True, slots=True)
class _Qual:
    name: str


@dataclass(frozen=True, slots=True)
class _Value:
    kind: Literal["session", "async-session", "named-session", "handle"]
    record: _SessionRecord | None = None
    scope: str | None = None
    """For handles: ``tenant``, ``capsule``, ``platform`` or ``operator`` when known."""


_NAMED_SESSION: Final = _Value("named-session")


@dataclass(frozen=True, slots=True)
class _Other:
    """Bound to something known not to be a session (an annotated parameter of another type,
    an instance of a third-party class): never a named session, whatever its name."""


_OTHER: Final = _Other()


@dataclass(frozen=True, slots=True)
class _Returns:
    """A function annotated to return a session or scope handle (``-> boto3.Session``)."""

    value: _Value


_Binding = _Qual | _Value | _Returns | _Other


@dataclass(slots=True)
class _ClassInfo:
    attrs: dict[str, _Binding] = field(default_factory=dict)
    base: _Value | None = None
    """``class CustomSession(boto3.Session)``: what ``super()`` is in its methods."""


class _Scope:
    __slots__ = ("names", "parent", "self_name", "cls")

    def __init__(
        self,
        parent: _Scope | None,
        self_name: str | None = None,
        cls: _ClassInfo | None = None,
    ) -> None:
        self.names: dict[str, _Binding | None] = {}
        self.parent = parent
        self.self_name = self_name
        self.cls = cls

    def lookup(self, name: str) -> _Binding | None:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None

    def binds(self, name: str) -> bool:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.names:
                return True
            scope = scope.parent
        return False


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _is_main_guard(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and len(test.comparators) == 1
        and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def _last_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Call):
        return _last_name(expr.func)
    if isinstance(expr, ast.Attribute):
        return expr.attr
    if isinstance(expr, ast.Name):
        return expr.id
    return None


_METHODS: dict[type[ast.AST], Callable[[_Collector, ast.AST], None]] = {}


class _Collector(ast.NodeVisitor):
    def __init__(
        self,
        module: str | None,
        is_package: bool,
        names: SdkNames,
        project: ProjectModules | None,
    ) -> None:
        self.module = module
        self.is_package = is_package
        self.sdk = names
        self.factories = names.client_factories | names.session_factories
        self.factories |= names.async_session_factories
        self.project = project
        self.sites: list[Site] = []
        self.scope = _Scope(None)
        self.emit = True
        self.import_time: str | None = "at module level"
        self.deferred: deque[Callable[[], None]] = deque()
        self.records: dict[int, _SessionRecord] = {}
        self.call_values: dict[int, _Binding] = {}
        self.canonical_cache: dict[str, str] = {}
        # ``self.x.client(...)`` seen before any ``self.x = ...`` of its class: methods run in
        # source order, so the assignment may come in a later method. Judged after the walk.
        self.pending: list[tuple[_ClassInfo, str, str, Site]] = []

    stmt_line = 0

    def visit(self, node: ast.AST) -> None:
        # ``ast.NodeVisitor.visit`` looks the method up by name on every node; the walk visits
        # every node of every file that passes the pre-filter, so cache it per node type.
        method = _METHODS.get(type(node))
        if method is None:
            method = getattr(type(self), "visit_" + type(node).__name__, type(self).generic_visit)
            _METHODS[type(node)] = method
        if isinstance(node, ast.stmt):
            outer, self.stmt_line = self.stmt_line, node.lineno
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                # Markers go above the decorators, which belong to the statement.
                for decorator in node.decorator_list:
                    self.stmt_line = min(self.stmt_line, decorator.lineno)
            method(self, node)
            self.stmt_line = outer
        else:
            method(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        for _, value in ast.iter_fields(node):
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        self.visit(item)
            elif isinstance(value, ast.AST):
                self.visit(value)

    # -- results ------------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> list[Site]:
        for stmt in tree.body:
            self.visit(stmt)
        while self.deferred:
            self.deferred.popleft()()
        for cls, attr, method, template in self.pending:
            value = cls.attrs.get(attr)
            if value is None and session_named(attr):
                value = _NAMED_SESSION
            if isinstance(value, _Value):
                if value.record is not None:
                    value.record.used = True
                kind = self._client_kind(value, method)
                if kind is not None:
                    target = f"{_label(value)}.{method}"
                    self.sites.append(replace(template, kind=kind, target=target))
        for record in self.records.values():
            # A session that is only asked for metadata (regions, partitions) reaches no
            # resource; flagging it would teach people to noqa the rule.
            if record.emit and (record.used or not record.metadata_used):
                self.sites.append(record.site)
        named = any(s.kind == "named-session-client" for s in self.sites)
        if named and (self.sdk_imported or (self.project and self.project.imports_sdk)):
            self.sites = [
                replace(s, value="sdk-imported") if s.kind == "named-session-client" else s
                for s in self.sites
            ]
        self.sites.sort(key=lambda s: (s.line, s.col, s.kind))
        return self.sites

    def add(self, kind: SiteKind, node: ast.AST, target: str, **extra: object) -> Site:
        site = self.site(kind, node, target, **extra)
        if self.emit:
            self.sites.append(site)
        return site

    def site(self, kind: SiteKind, node: ast.AST, target: str, **extra: object) -> Site:
        line: int = getattr(node, "lineno", 1)
        end_line: int | None = getattr(node, "end_lineno", None)
        return Site(
            kind,
            line,
            getattr(node, "col_offset", 0),
            end_line or line,
            target,
            import_time=self.import_time,
            stmt_line=self.stmt_line,
            **extra,  # type: ignore[arg-type]
        )

    # -- names ------------------------------------------------------------------------------

    def canonical(self, dotted: str) -> str:
        cached = self.canonical_cache.get(dotted)
        if cached is None:
            cached = self.project.resolve(dotted) if self.project is not None else dotted
            self.canonical_cache[dotted] = cached
        return cached

    def bind(self, name: str, value: _Binding | None, *, keep_imports: bool = False) -> None:
        if value is None and keep_imports and isinstance(self.scope.lookup(name), _Qual):
            return
        self.scope.names[name] = value

    def value_of(self, expr: ast.expr) -> _Binding | None:
        if isinstance(expr, ast.Name):
            value = self.scope.lookup(expr.id)
            if value is None and session_named(expr.id) and not self.scope.binds(expr.id):
                return _NAMED_SESSION  # a global the module never binds (a star import, ...)
            return value
        if isinstance(expr, ast.Attribute):
            if isinstance(expr.value, ast.Name):
                cls = self.class_of(expr.value.id)
                if cls is not None:
                    # Unknown yet: the assignment may come in a later method (``pending``).
                    return cls.attrs.get(expr.attr)
            base = self.value_of(expr.value)
            if isinstance(base, _Qual):
                return _Qual(f"{base.name}.{expr.attr}")
            if session_named(expr.attr):
                return _NAMED_SESSION  # ``obj.boto_session``, ``self.hook.session``
            return None
        if isinstance(expr, ast.Call):
            return self.call_values.get(id(expr))
        if isinstance(expr, ast.Await):
            return self.value_of(expr.value)
        if isinstance(expr, ast.Subscript):  # ``kwargs["boto_session"]``
            key = expr.slice
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                return _NAMED_SESSION if session_named(key.value) else None
            return None
        # ``session or boto3.Session()``, ``a if cond else b``: whichever branch is a session,
        # a typed one before a named one.
        if isinstance(expr, (ast.BoolOp, ast.IfExp)):
            branches = expr.values if isinstance(expr, ast.BoolOp) else [expr.body, expr.orelse]
            values = [self.value_of(branch) for branch in branches]
            typed = [v for v in values if isinstance(v, _Value) and v.kind != "named-session"]
            if typed:
                return typed[0]
            if _NAMED_SESSION in values:
                return _NAMED_SESSION
        return None

    def _method_class(self) -> _ClassInfo | None:
        scope: _Scope | None = self.scope
        while scope is not None:
            if scope.self_name is not None:
                return scope.cls
            scope = scope.parent
        return None

    def class_of(self, name: str) -> _ClassInfo | None:
        """The class whose instance ``name`` is (``self`` in a method or a closure inside it)."""
        scope: _Scope | None = self.scope
        while scope is not None:
            if scope.self_name is not None:
                return scope.cls if scope.self_name == name else None
            if name in scope.names:
                return None
            scope = scope.parent
        return None

    def parameter_value(self, arg: ast.arg) -> _Binding | None:
        """A parameter's value: from its annotation, or by its name when it is untyped."""
        value = self.annotation_value(arg.annotation)
        if value is not None:
            return value
        if arg.annotation is None or self._untyped(arg.annotation):
            return _NAMED_SESSION if session_named(arg.arg) else None
        return _OTHER

    def _untyped(self, annotation: ast.expr) -> bool:
        """``Any``, ``Optional[Any]``, ``Any | None``, ``object``, and their string forms."""
        if isinstance(annotation, ast.Constant):
            if annotation.value is None:
                return True
            if isinstance(annotation.value, str):
                try:
                    annotation = ast.parse(annotation.value, mode="eval").body
                except SyntaxError:
                    return False
        if isinstance(annotation, ast.Subscript) and _last_name(annotation.value) == "Optional":
            return self._untyped(annotation.slice)
        if isinstance(annotation, ast.BinOp):
            return self._untyped(annotation.left) and self._untyped(annotation.right)
        return _last_name(annotation) in _UNTYPED_ANNOTATIONS

    def annotation_value(self, annotation: ast.expr | None) -> _Value | None:
        """What a parameter annotated ``boto3.Session`` / ``TenantScope`` holds."""
        if annotation is None:
            return None
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
        candidates: list[ast.expr] = [annotation]
        if isinstance(annotation, ast.Subscript):  # Optional[X]
            candidates.append(annotation.slice)
        elif isinstance(annotation, ast.BinOp):  # X | None
            candidates += [annotation.left, annotation.right]
        for candidate in candidates:
            value = self.value_of(candidate)
            if isinstance(value, _Qual):
                found = self._annotated_value(self.canonical(value.name))
                if found is not None:
                    return found
        return None

    def _annotated_value(self, name: str) -> _Value | None:
        if name in self.sdk.session_factories:
            return _Value("session")
        if name in self.sdk.async_session_factories:
            return _Value("async-session")
        if name.startswith("scopeguard.") and name.rsplit(".", 1)[1] in _SCOPE_CLASS_NAMES:
            return _Value("handle", scope=_SCOPE_KIND_BY_CLASS.get(name.rsplit(".", 1)[1]))
        return None

    # -- statements -----------------------------------------------------------------------------

    sdk_imported = False

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.sdk_imported |= alias.name.partition(".")[0] in SDK_ROOTS
            if alias.asname:
                self.bind(alias.asname, _Qual(alias.name))
            else:
                top = alias.name.partition(".")[0]
                self.bind(top, _Qual(top))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = absolute_module(self.module, self.is_package, node.module, node.level)
        self.sdk_imported |= base.partition(".")[0] in SDK_ROOTS
        for alias in node.names:
            if alias.name == "*":
                prefix = f"{base}."
                for known in self.sdk.client_factories | self.sdk.session_factories | set(
                    fn.BOTO3_DEFAULT_SESSION
                ):
                    rest = known[len(prefix) :]
                    if known.startswith(prefix) and "." not in rest:
                        self.bind(rest, _Qual(known))
                continue
            dotted = f"{base}.{alias.name}" if base else alias.name
            self.bind(alias.asname or alias.name, _Qual(dotted))

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> None:
        outer_time = self.import_time
        if not isinstance(node, ast.Lambda):
            for decorator in node.decorator_list:
                self.visit(decorator)
        self.import_time = "in a default argument" if outer_time else None
        for default in (*node.args.defaults, *node.args.kw_defaults):
            if default is not None:
                self.visit(default)
        self.import_time = outer_time

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._function(node)
        cls = self.scope.cls if self._in_class_body else None
        parent = self.scope.parent if self._in_class_body and self.scope.parent else self.scope
        returns = self.annotation_value(node.returns)
        self.bind(node.name, _Returns(returns) if returns is not None else None)
        decorators = {_last_name(d) for d in node.decorator_list}
        if cls is not None and returns is not None and decorators & _PROPERTY_DECORATORS:
            cls.attrs[node.name] = returns
        cached = bool(decorators & _CACHING_DECORATORS)
        emit = self.emit
        self.deferred.append(lambda: self._run_function(node, parent, cls, cached, emit))

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._function(node)
        outer, outer_time = self.scope, self.import_time
        self.scope = _Scope(outer if not self._in_class_body else outer.parent)
        self.import_time = None
        for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs):
            self.scope.names[arg.arg] = None
        self.visit(node.body)
        self.scope, self.import_time = outer, outer_time

    _in_class_body = False

    def _run_function(
        self,
        node: ast.FunctionDef | ast.AsyncFunctionDef,
        parent: _Scope,
        cls: _ClassInfo | None,
        cached: bool,
        emit: bool,
    ) -> None:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        decorators = {_last_name(d) for d in node.decorator_list}
        self_name = (
            positional[0].arg
            if cls is not None and positional and not decorators & {"staticmethod", "classmethod"}
            else None
        )
        scope = _Scope(parent, self_name, cls if self_name else None)
        saved = (self.scope, self.import_time, self.emit, self._in_class_body)
        self.scope = scope
        for arg in (*positional, *args.kwonlyargs):
            scope.names[arg.arg] = self.parameter_value(arg)
        for star in (args.vararg, args.kwarg):
            if star is not None:
                scope.names[star.arg] = None
        self.import_time = "in a cached function" if cached else None
        self.emit, self._in_class_body = emit, False
        for stmt in node.body:
            self.visit(stmt)
        self.scope, self.import_time, self.emit, self._in_class_body = saved

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.visit(expr)
        info = _ClassInfo()
        for base in node.bases:
            info.base = info.base or self.annotation_value(base)
        outer, outer_time, outer_in_class = self.scope, self.import_time, self._in_class_body
        self.scope = _Scope(outer, cls=info)
        self.import_time = "in a class body"
        self._in_class_body = True
        for stmt in node.body:
            self.visit(stmt)
        self.scope, self.import_time, self._in_class_body = outer, outer_time, outer_in_class
        self.bind(node.name, _OTHER)

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        if _is_type_checking(node.test):
            # Typing-only imports are bound (annotations use them) but nothing here runs.
            emit, self.emit = self.emit, False
            for stmt in node.body:
                self.visit(stmt)
            self.emit = emit
        elif _is_main_guard(node.test):
            outer_time, self.import_time = self.import_time, None
            for stmt in node.body:
                self.visit(stmt)
            self.import_time = outer_time
        else:
            for stmt in node.body:
                self.visit(stmt)
        for stmt in node.orelse:
            self.visit(stmt)

    def _bind_target(
        self, target: ast.expr, value: _Binding | None, source: ast.expr | None
    ) -> None:
        if isinstance(target, ast.Name):
            keep = isinstance(source, ast.Constant) and source.value is None
            self.bind(target.id, value, keep_imports=keep)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
            cls = self.class_of(target.value.id)
            if cls is not None and not (isinstance(source, ast.Constant) and source.value is None):
                # ``self.session = None`` is a placeholder; any assignment of a session, in any
                # method, makes the attribute a session; anything else makes it "not a session".
                known = cls.attrs.get(target.attr)
                if isinstance(value, _Value) or not isinstance(known, _Value):
                    cls.attrs[target.attr] = value if value is not None else _OTHER
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element, self._by_name(element), None)
        elif isinstance(target, ast.Starred):
            self._bind_target(target.value, None, None)
        if not isinstance(target, ast.Name):
            self.visit(target)

    @staticmethod
    def _by_name(target: ast.expr) -> _Value | None:
        """A target whose value the walk cannot follow (``_, session = get_session()``, a loop
        or ``with`` variable) is what its name says."""
        if isinstance(target, ast.Name) and session_named(target.id):
            return _NAMED_SESSION
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        value = self.value_of(node.value)
        for target in node.targets:
            self._bind_target(target, value, node.value)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        value: _Binding | None = None
        if node.value is not None:
            self.visit(node.value)
            value = self.value_of(node.value)
        if value is None:
            value = self.annotation_value(node.annotation)
        if self._in_class_body and isinstance(node.target, ast.Name) and self.scope.cls:
            # ``session: boto3.Session`` declared in the class body types ``self.session``.
            declared = self.annotation_value(node.annotation)
            if declared is not None:
                self.scope.cls.attrs[node.target.id] = declared
        if node.value is not None or value is not None:
            self._bind_target(node.target, value, node.value)

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        self._bind_target(node.target, self.value_of(node.value), node.value)

    def visit_For(self, node: ast.For | ast.AsyncFor) -> None:
        self.visit(node.iter)
        self._bind_target(node.target, self._by_name(node.target), None)
        for stmt in (*node.body, *node.orelse):
            self.visit(stmt)

    visit_AsyncFor = visit_For

    def visit_With(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            if item.optional_vars is not None:
                self._bind_target(item.optional_vars, self._by_name(item.optional_vars), None)
        for stmt in node.body:
            self.visit(stmt)

    visit_AsyncWith = visit_With

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.type is not None:
            self.visit(node.type)
        if node.name:
            self.bind(node.name, None)
        for stmt in node.body:
            self.visit(stmt)

    # Annotations describe types, they create nothing: never look inside them.
    def visit_arg(self, node: ast.arg) -> None:
        return None

    # -- expressions ----------------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        value = self.scope.lookup(node.id)
        if isinstance(value, _Value) and value.record is not None:
            value.record.used = True
        elif isinstance(value, _Qual) and self.canonical(value.name) == "boto3.DEFAULT_SESSION":
            self.add("default-session", node, "boto3.DEFAULT_SESSION")

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if not isinstance(node.value, ast.Name):
            self.visit(node.value)
        receiver = self.value_of(node.value)
        if isinstance(receiver, _Value) and receiver.record is not None:
            if node.attr in fn.SESSION_METADATA_METHODS:
                receiver.record.metadata_used = True
            else:
                receiver.record.used = True
            return
        if isinstance(node.value, ast.Name):
            self.visit(node.value)
        value = self.value_of(node)
        if isinstance(value, _Qual) and self.canonical(value.name) == "boto3.DEFAULT_SESSION":
            self.add("default-session", node, "boto3.DEFAULT_SESSION")

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and ("AKIA" in node.value or "ASIA" in node.value):
            for match in ACCESS_KEY_RE.finditer(node.value):
                if match.group() not in _DOCUMENTED_EXAMPLE_KEYS:
                    self.add("key-literal", node, "literal", value=match.group())
                    break

    def visit_Call(self, node: ast.Call) -> None:
        self.visit(node.func)
        for arg in node.args:
            self.visit(arg)
        for kw in node.keywords:
            self.visit(kw.value)
        self._classify(node)
        self._literals(node)

    def _classify(self, node: ast.Call) -> None:
        func = node.func
        callee = self.value_of(func)
        if isinstance(callee, _Returns):
            self.call_values[id(node)] = callee.value
            return
        if isinstance(callee, _Qual):
            name = self.canonical(callee.name)
            if callee.name in self.factories:
                # A configured wrapper is flagged as itself, wherever it leads.
                name = callee.name
            elif name.endswith("()"):
                returned = self._annotated_value(self.canonical(name[:-2]))
                if returned is not None:
                    self.call_values[id(node)] = returned
                    return
            if name in self.sdk.client_factories:
                self.add("raw-client", node, name, call=node)
                return
            if name in self.sdk.session_factories:
                self._session(node, name, "session", "raw-session")
                return
            if name in self.sdk.async_session_factories:
                self._session(node, name, "async-session", "async-session")
                return
            if name in fn.BOTO3_DEFAULT_SESSION and name != "boto3.DEFAULT_SESSION":
                self.add("default-session", node, name, call=node)
                return
            if not isinstance(func, ast.Attribute) or func.attr not in _HANDLE_METHODS:
                last = name.rpartition(".")[2]
                if _SESSION_FACTORY_CLASS.search(last.lower()):
                    # ``factory = SessionFactory(...)``: calling the instance makes a session.
                    self.call_values[id(node)] = _Returns(_NAMED_SESSION)
                elif last[:1].isupper():
                    # Any class but boto3's (``requests.Session``) is something else.
                    self.call_values[id(node)] = _OTHER
                elif _session_getter(last):
                    self.call_values[id(node)] = _NAMED_SESSION
                return
        if not isinstance(func, ast.Attribute):
            if isinstance(func, ast.Name) and func.id == "super" and not self.scope.binds("super"):
                cls = self._method_class()
                if cls is not None and cls.base is not None:
                    self.call_values[id(node)] = cls.base
            elif isinstance(func, ast.Name):
                self._returned_value(node, func.id, self.scope.lookup(func.id))
            return
        receiver = self.value_of(func.value)
        if isinstance(receiver, _Value):
            kind = self._client_kind(receiver, func.attr)
            if kind is not None:
                self.add(kind, node, f"{_label(receiver)}.{func.attr}", call=node)
                if kind == "factory-client" and self.emit:
                    self.sites[-1] = replace(self.sites[-1], scope=receiver.scope)
        elif func.attr in _HANDLE_METHODS:
            self.call_values[id(node)] = _Value("handle", scope=_SCOPE_KIND_BY_METHOD[func.attr])
        elif func.attr == "get" and node.args:  # ``kwargs.get("boto_session")``
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                if session_named(key.value):
                    self.call_values[id(node)] = _NAMED_SESSION
        elif func.attr not in _CLIENT_METHODS and self._returned_value(node, func.attr, None):
            pass
        elif (
            func.attr in _CLIENT_METHODS
            and isinstance(func.value, ast.Attribute)
            and isinstance(func.value.value, ast.Name)
            and self.emit
        ):
            cls = self.class_of(func.value.value.id)
            if cls is not None and func.value.attr not in cls.attrs:
                template = self.site("session-client", node, func.attr, call=node)
                self.pending.append((cls, func.value.attr, func.attr, template))

    def _returned_value(self, node: ast.Call, name: str, callee: _Binding | None) -> bool:
        """A call of an unresolved function or method: what the project's annotations (the
        index of ``-> boto3.Session`` functions) or, failing that, its name say it returns."""
        if isinstance(callee, (_Other, _Value)):
            return False
        if self.project is not None:
            for returned in self.project.returns_of(name):
                value = self._annotated_value(returned)
                if value is not None:
                    self.call_values[id(node)] = value
                    return True
        if _session_getter(name):
            self.call_values[id(node)] = _NAMED_SESSION
            return True
        return False

    @staticmethod
    def _client_kind(receiver: _Value, method: str) -> SiteKind | None:
        if receiver.kind == "handle":
            return "factory-client" if method in _SCOPE_CLIENT_METHODS else None
        if method not in fn.SESSION_CLIENT_METHODS:
            return None
        if receiver.kind == "named-session":
            return "named-session-client"
        return "async-client" if receiver.kind == "async-session" else "session-client"

    def _session(
        self,
        node: ast.Call,
        name: str,
        kind: Literal["session", "async-session"],
        site_kind: SiteKind,
    ) -> None:
        record = self.records.get(id(node))
        if record is None:
            site = Site(
                site_kind,
                node.lineno,
                node.col_offset,
                node.end_lineno or node.lineno,
                name,
                call=node,
                import_time=self.import_time,
                stmt_line=self.stmt_line,
            )
            record = self.records[id(node)] = _SessionRecord(site, self.emit)
        record.emit |= self.emit
        self.call_values[id(node)] = _Value(kind, record)

    def _literals(self, node: ast.Call) -> None:
        for kw in node.keywords:
            if kw.arg in fn.CREDENTIAL_ARGUMENTS and not (
                isinstance(kw.value, ast.Constant) and kw.value.value is None
            ):
                self.add("credentials", kw, kw.arg, call=node)
            elif kw.arg in self.sdk.name_arguments:
                self._name_literals(kw.arg, [kw.value])
            elif kw.arg in _BATCH_ARGUMENTS and isinstance(kw.value, ast.Dict):
                self._name_literals(kw.arg, [k for k in kw.value.keys if k is not None])
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _RESOURCE_CONSTRUCTORS and node.args:
            self._name_literals(func.attr, node.args[:1])

    def _name_literals(self, target: str, values: Iterable[ast.expr]) -> None:
        for value in values:
            elements = value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value]
            for element in elements:
                if isinstance(element, ast.Constant) and isinstance(element.value, str):
                    self.add("name-literal", element, target, value=element.value)


def _label(value: _Value) -> str:
    return "scope" if value.kind == "handle" else "session"


def collect_sites(
    tree: ast.Module,
    *,
    module: str | None = None,
    is_package: bool = False,
    names: SdkNames | None = None,
    project: ProjectModules | None = None,
) -> list[Site]:
    """Every AWS set-up site in ``tree``, sorted by position."""
    collector = _Collector(module, is_package, names or SdkNames(), project)
    return collector.run(tree)
