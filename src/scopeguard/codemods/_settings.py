"""``[tool.scopeguard.migrate]``: where rewritten code gets its factory and which scope it uses.

    [tool.scopeguard.migrate]
    factory = "myapp.aws:get_factory"          # accessor: `from myapp.aws import get_factory`
    scopes = { "myapp/tenants/**" = "tenant(request.tenant_id)", "jobs/**" = "capsule(CAPSULE)" }
    endpoint-url = "todo"                      # or "drop" when the factory pins the endpoint
    default-scope = "platform"                 # or "todo": mark paths no glob matches
    tenant-id = "event['tenant_id']"           # the tenant ID, where tenant code is evident
    capsule-id = "settings.CAPSULE"            # the capsule code, likewise
    scoped-credentials = false                 # true: the factory has scoped_credentials
    exclude = ["migrations/**"]
    exclude-tests = false
    batch-size = 20

``factory`` takes two forms. ``"module:callable"`` names an accessor, as in entry points: the
callable is imported from the module and called with no arguments (``get_factory()``). Anything
without a colon is an expression used as written, for a parameter or an attribute
(``"factory"``, ``"self.factory"``, ``"request.app.state.factory"``); the codemod checks that its
first name is bound where the site is and leaves a TODO marker where it is not.

``scopes`` maps path globs (relative to the pyproject directory, ``fnmatch`` semantics, first match
wins, so put the specific globs first) to a scope call: ``platform()`` (the default for paths no
glob matches), ``tenant(EXPR)``, ``capsule(EXPR)`` or ``operator(EXPR, role_name=...)``. EXPR is
copied verbatim, so it must name something the code has in scope, and the same binding check
applies.

``default-scope`` is what a path no glob matches gets when its code does not say otherwise:
``"platform"`` (``platform()``) or ``"todo"`` (an SG001 marker, nothing assumed). Code that names
tenant or capsule resources under the naming policy gets that scope whatever the default (see
``_evidence``), with ``tenant-id`` / ``capsule-id`` as the ID expression when the code shows none.
``scoped-credentials = true`` says the factory runs tenants on their own assumed-role
credentials, so clients built from per-tenant STS credentials (a token vending machine) become
``tenant(...)`` clients instead of being marked.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Literal

import libcst as cst
import pathspec

from .._config import ScopeguardConfig, str_list, warn_unknown
from .._exceptions import ConfigurationError
from ._files import is_test_path

__all__ = ["FactoryAccessor", "MigrateSettings", "ScopeRule", "names_in", "scope_id_expression"]

_KEYS: Final = (
    "factory", "scopes", "endpoint-url", "exclude", "exclude-tests", "batch-size",
    "default-scope", "tenant-id", "capsule-id", "scoped-credentials",
)
_SCOPE_ARITY: Final = {"platform": (0, 0), "tenant": (1, 1), "capsule": (1, 1), "operator": (1, 2)}
DEFAULT_FACTORY: Final = "factory"
EndpointPolicy = Literal["todo", "drop"]
DefaultScope = Literal["platform", "todo"]


def _root_name(expression: cst.BaseExpression) -> str | None:
    """The leftmost name of ``a.b(c)[d]``: what must be bound for the expression to run."""
    node: cst.BaseExpression = expression
    while True:
        if isinstance(node, cst.Name):
            return node.value
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        elif isinstance(node, cst.Subscript):
            node = node.value
        else:
            return None


def names_in(expression: cst.BaseExpression) -> frozenset[str]:
    """Every free root name an expression reads (``request`` in ``tenant(request.tenant_id)``)."""
    found: set[str] = set()

    class _Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.add(node.value)

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            node.value.visit(self)
            return False

        def visit_Arg(self, node: cst.Arg) -> bool:
            node.value.visit(self)  # keyword names are not reads
            return False

    expression.visit(_Collect())
    return frozenset(found)


@dataclass(frozen=True)
class FactoryAccessor:
    """How rewritten code reaches the ClientFactory: an imported accessor or an expression."""

    expression: str
    import_module: str | None = None
    import_name: str | None = None

    @classmethod
    def parse(cls, spec: str, where: str = "factory") -> FactoryAccessor:
        if ":" in spec:
            module, _, name = spec.partition(":")
            if not module or not all(p.isidentifier() for p in module.split(".")):
                raise ConfigurationError(f"{where}: {spec!r}: {module!r} is not a module name")
            if not name.isidentifier():
                raise ConfigurationError(
                    f"{where}: {spec!r}: after the colon write the accessor's name, e.g. "
                    "'myapp.aws:get_factory'"
                )
            return cls(f"{name}()", module, name)
        try:
            cst.parse_expression(spec)
        except cst.ParserSyntaxError:
            raise ConfigurationError(
                f"{where}: {spec!r} is neither 'module:accessor' nor a Python expression"
            ) from None
        return cls(spec)

    @property
    def required_names(self) -> frozenset[str]:
        """Names the site must have bound; an imported accessor brings its own."""
        if self.import_name is not None:
            return frozenset()
        return names_in(cst.parse_expression(self.expression))


@dataclass(frozen=True)
class ScopeRule:
    """One ``scopes`` entry: files matching ``pattern`` ask the factory for ``call``."""

    pattern: str
    call: str
    kind: str

    @classmethod
    def parse(cls, pattern: str, call: str, where: str = "scopes") -> ScopeRule:
        try:
            expression = cst.parse_expression(call)
        except cst.ParserSyntaxError:
            expression = None
        if not isinstance(expression, cst.Call) or not isinstance(expression.func, cst.Name):
            raise ConfigurationError(
                f"{where}: {pattern!r} = {call!r} must be a scope call such as 'platform()', "
                "'tenant(request.tenant_id)' or 'capsule(settings.CAPSULE)'"
            )
        kind = expression.func.value
        if kind not in _SCOPE_ARITY:
            raise ConfigurationError(
                f"{where}: {pattern!r} = {call!r}: unknown scope {kind!r}; "
                f"use one of {', '.join(_SCOPE_ARITY)}"
            )
        low, high = _SCOPE_ARITY[kind]
        if not low <= len(expression.args) <= high:
            raise ConfigurationError(
                f"{where}: {pattern!r} = {call!r}: {kind}() takes {low}-{high} argument(s)"
                if low != high
                else f"{where}: {pattern!r} = {call!r}: {kind}() takes {low} argument(s)"
            )
        return cls(pattern, call, kind)

    @property
    def required_names(self) -> frozenset[str]:
        expression = cst.parse_expression(self.call)
        assert isinstance(expression, cst.Call)
        names: set[str] = set()
        for arg in expression.args:
            names |= names_in(arg.value)
        return frozenset(names)


PLATFORM: Final = ScopeRule("**", "platform()", "platform")


def scope_id_expression(value: object, where: str) -> str:
    """A ``tenant-id`` / ``capsule-id`` value: any Python expression, checked to parse."""
    if not isinstance(value, str):
        raise ConfigurationError(f"{where} must be a string holding a Python expression")
    try:
        cst.parse_expression(value)
    except cst.ParserSyntaxError:
        raise ConfigurationError(f"{where}: {value!r} is not a Python expression") from None
    return value


@dataclass(frozen=True)
class MigrateSettings:
    """The validated ``[tool.scopeguard.migrate]`` table plus the top-level settings it needs."""

    factory: FactoryAccessor = field(default_factory=lambda: FactoryAccessor(DEFAULT_FACTORY))
    scopes: tuple[ScopeRule, ...] = ()
    endpoint_url: EndpointPolicy = "todo"
    exclude: tuple[str, ...] = ()
    exclude_tests: bool = False
    batch_size: int = 20
    default_scope: DefaultScope = "platform"
    tenant_id: str | None = None
    capsule_id: str | None = None
    scoped_credentials: bool = False
    root: Path | None = None
    config: ScopeguardConfig = field(default_factory=ScopeguardConfig)

    @classmethod
    def from_config(cls, config: ScopeguardConfig) -> MigrateSettings:
        table: Mapping[str, Any] = config.tool("migrate")
        where = f"{config.path} [tool.scopeguard.migrate]"
        warn_unknown(where, table, _KEYS)
        factory = FactoryAccessor(DEFAULT_FACTORY)
        if "factory" in table:
            if not isinstance(table["factory"], str):
                raise ConfigurationError(f"{where}: 'factory' must be a string")
            factory = FactoryAccessor.parse(table["factory"], f"{where}: 'factory'")
        raw_scopes = table.get("scopes", {})
        if not isinstance(raw_scopes, Mapping) or not all(
            isinstance(v, str) for v in raw_scopes.values()
        ):
            raise ConfigurationError(f"{where}: 'scopes' must be a table of glob = \"scope call\"")
        scopes = tuple(ScopeRule.parse(k, v, f"{where}: 'scopes'") for k, v in raw_scopes.items())
        endpoint = table.get("endpoint-url", "todo")
        if endpoint not in ("todo", "drop"):
            raise ConfigurationError(f"{where}: 'endpoint-url' must be \"todo\" or \"drop\"")
        exclude_tests = table.get("exclude-tests", False)
        if not isinstance(exclude_tests, bool):
            raise ConfigurationError(f"{where}: 'exclude-tests' must be true or false")
        batch_size = table.get("batch-size", 20)
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size < 1:
            raise ConfigurationError(f"{where}: 'batch-size' must be a positive integer")
        default_scope = table.get("default-scope", "platform")
        if default_scope == "platform()":
            default_scope = "platform"
        if default_scope not in ("platform", "todo"):
            raise ConfigurationError(f"{where}: 'default-scope' must be \"platform\" or \"todo\"")
        ids: dict[str, str | None] = {}
        for key in ("tenant-id", "capsule-id"):
            value = table.get(key)
            if value is not None:
                ids[key] = scope_id_expression(value, f"{where}: {key!r}")
        scoped_credentials = table.get("scoped-credentials", False)
        if not isinstance(scoped_credentials, bool):
            raise ConfigurationError(f"{where}: 'scoped-credentials' must be true or false")
        return cls(
            factory=factory,
            default_scope=default_scope,
            tenant_id=ids.get("tenant-id"),
            capsule_id=ids.get("capsule-id"),
            scoped_credentials=scoped_credentials,
            scopes=scopes,
            endpoint_url=endpoint,
            exclude=str_list(where, "exclude", table.get("exclude", [])),
            exclude_tests=exclude_tests,
            batch_size=batch_size,
            root=config.path.parent if config.path is not None else None,
            config=config,
        )

    def relative(self, path: str | Path) -> str:
        """``path`` relative to the pyproject directory, as a posix string (as-is when outside)."""
        p = Path(path)
        if self.root is not None:
            try:
                return p.resolve().relative_to(self.root.resolve()).as_posix()
            except ValueError:
                pass
        return p.as_posix()

    @cached_property
    def _test_spec(self) -> pathspec.GitIgnoreSpec | None:
        # Only a test-paths the project wrote replaces the convention: the built-in one also
        # knows test packages (myapp_tests/), which the lint rules' default patterns do not.
        if "test-paths" not in self.config.raw:
            return None
        return pathspec.GitIgnoreSpec.from_lines(self.config.test_paths)

    def is_test(self, path: str | Path) -> bool:
        """Test code, for ``exclude-tests`` and the SG050 pass: ``[tool.scopeguard] test-paths``
        when the project sets it (the patterns the lint rules use, relative to the pyproject),
        otherwise the convention of ``is_test_path``."""
        relative = self.relative(path)
        if self._test_spec is None:
            return is_test_path(relative)
        return self._test_spec.match_file(relative)

    def scope_for(self, path: str | Path | None) -> ScopeRule:
        """The first ``scopes`` rule whose glob matches ``path``; platform when none does."""
        return self.matched_scope(path) or PLATFORM

    def matched_scope(self, path: str | Path | None) -> ScopeRule | None:
        """The first ``scopes`` rule whose glob matches ``path``, or None."""
        if path is not None:
            relative = self.relative(path)
            for rule in self.scopes:
                if fnmatch.fnmatch(relative, rule.pattern):
                    return rule
        return None

    def id_expression(self, kind: str) -> str | None:
        """The configured expression for a tenant ID or capsule code (``tenant-id``)."""
        return self.tenant_id if kind == "tenant" else self.capsule_id if kind == "capsule" else None

    def _modules(self, path: str | Path) -> set[str]:
        dotted = self.relative(path).removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        return {dotted, dotted.removeprefix("src.")}

    def is_factory_module(self, path: str | Path | None) -> bool:
        """True for the composition root (``factory-modules``), where raw boto3 is allowed,
        and for the module that defines the configured accessor (it must not import itself)."""
        if path is None:
            return False
        modules = self._modules(path)
        if self.factory.import_module is not None and self.factory.import_module in modules:
            return True
        return any(self.config.is_factory_module(module=m, path=path) for m in modules)
