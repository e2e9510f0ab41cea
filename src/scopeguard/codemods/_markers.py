"""The base every scopeguard codemod builds on: where a site sits, and how it is marked.

It tracks, while the tree is walked, what the codemods must know about a site's surroundings and
cannot read from the node alone: the statement that will carry a TODO marker, whether the site runs
at all (``if TYPE_CHECKING:`` bodies and annotations never do), and whether it runs once for the
whole process (module level, class bodies, default arguments, ``lru_cache``-decorated functions),
which is what SG031 is about.

Markers are comment lines written directly above the statement that contains the site, in the
format of ``scopeguard._codes.TODO_MARKER``, one line per statement whatever the number of codes: a
later pass adds its codes to the line an earlier one wrote. A statement that already carries a
marker with the same code gets it no second time, which keeps every codemod idempotent.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import ClassVar, Final, TypeVar, cast

import libcst as cst
from libcst.codemod import CodemodContext, VisitorBasedCodemodCommand
from libcst.codemod.visitors import RemoveImportsVisitor
from libcst.metadata import (
    ProviderT,
    ClassScope,
    ComprehensionScope,
    GlobalScope,
    CodeRange,
    PositionProvider,
    QualifiedName,
    ScopeProvider,
)

from .. import _codes
from ._imports import add_scheduled_imports, nodes_of, remove_scheduled_imports
from ._settings import MigrateSettings
from ._sites import Outcome, SiteRecord

__all__ = ["MarkingCommand", "SITES_KEY", "code_of"]

SITES_KEY: Final = "scopeguard.sites"
_CACHE_DECORATORS: Final = frozenset(
    {
        "functools.lru_cache",
        "functools.cache",
        "cachetools.cached",
        "cachetools.func.lru_cache",
        "cachetools.func.ttl_cache",
    }
)
_TYPE_CHECKING: Final = frozenset({"typing.TYPE_CHECKING", "typing_extensions.TYPE_CHECKING"})
_EMPTY: Final = cst.Module(body=[])
CSTNodeT = TypeVar("CSTNodeT", bound=cst.CSTNode)


def code_of(node: cst.CSTNode) -> str:
    """Source text of a node, as LibCST would print it."""
    return _EMPTY.code_for_node(node)


def _bare_code(node: cst.CSTNode) -> str:
    """A site's own text for the report: a statement without the comment lines above it (the
    markers of earlier passes among them) and without its line break."""
    if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        node = node.with_changes(leading_lines=())
    return code_of(node).strip("\r\n")


class MarkingCommand(VisitorBasedCodemodCommand):
    """Shared walk state and TODO-marker writing for the migrate codemods."""

    # Scope analysis only: qualified names are asked of the scope node by node (what
    # QualifiedNameProvider does, without its walk over every node), and positions are computed
    # when the first site is recorded (a codegen pass over the module), not for files without one.
    METADATA_DEPENDENCIES: ClassVar[Collection[ProviderT]] = (ScopeProvider,)

    def __init__(self, context: CodemodContext, settings: MigrateSettings | None = None) -> None:
        super().__init__(context)
        self.settings = settings if settings is not None else MigrateSettings()
        self._statements: list[cst.CSTNode] = []
        self._pending: dict[cst.CSTNode, list[tuple[str, str]]] = {}
        # Nodes on entry to which a region starts: inert (never executed) or default argument.
        self._inert_entries: set[cst.CSTNode] = set()
        self._default_entries: set[cst.CSTNode] = set()
        self._inert = 0
        self._in_default = 0
        self._cached: list[bool] = []
        self._functions: list[cst.FunctionDef] = []
        # For the import clean-up after the walk: every import statement met, and the subtrees
        # the pass removed (minus the parts of them it kept).
        self._imports: list[cst.Import | cst.ImportFrom] = []
        self._removed: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = []
        self._positions: Mapping[cst.CSTNode, CodeRange] | None = None

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        updated = super().transform_module_impl(tree)
        # Instead of the framework's whole-module AddImportsVisitor/RemoveImportsVisitor runs,
        # which transform_module would start on the keys left in the scratch (see _imports).
        removed: set[cst.CSTNode] = set()
        for root, kept in self._removed:
            removed |= nodes_of([root]) - nodes_of(kept)
        imports = [(s, self.get_metadata(ScopeProvider, s, None)) for s in self._imports]
        module_scope = self.get_metadata(ScopeProvider, tree, None)
        exports = module_scope is None or bool(module_scope.assignments["__all__"])
        updated = add_scheduled_imports(self.context, updated)
        return remove_scheduled_imports(self.context, updated, imports, removed, exports)

    def remove_unused_imports_of(
        self, node: cst.CSTNode, kept: tuple[cst.CSTNode, ...] = ()
    ) -> None:
        """Schedule the imports ``node`` references for removal, as LibCST's
        ``remove_unused_import_by_node``; ``node`` (an original node) leaves the tree, except the
        ``kept`` subtrees, which the replacement carries over."""
        RemoveImportsVisitor.remove_unused_import_by_node(self.context, node)
        self._removed.append((node, kept))

    # -- walk state ---------------------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            self._imports.append(node)
        if isinstance(node, cst.BaseStatement):
            self._statements.append(node)
        if isinstance(node, cst.Annotation) or node in self._inert_entries:
            self._inert += 1
        if node in self._default_entries:
            self._in_default += 1
        if isinstance(node, cst.If) and self.has_name(node.test, _TYPE_CHECKING):
            self._inert_entries.add(node.body)
        if isinstance(node, cst.FunctionDef):
            self._functions.append(node)
            self._cached.append(any(self._is_cache(d.decorator) for d in node.decorators))
            params = node.params
            for param in (*params.posonly_params, *params.params, *params.kwonly_params):
                if param.default is not None:
                    self._default_entries.add(param.default)
        return super().on_visit(node)

    def on_leave(
        self, original_node: CSTNodeT, updated_node: CSTNodeT
    ) -> CSTNodeT | cst.RemovalSentinel:
        result = super().on_leave(original_node, updated_node)
        if isinstance(original_node, cst.Annotation) or original_node in self._inert_entries:
            self._inert -= 1
        if original_node in self._default_entries:
            self._in_default -= 1
        if isinstance(original_node, cst.FunctionDef):
            self._cached.pop()
            self._functions.pop()
        if isinstance(original_node, cst.BaseStatement):
            self._statements.pop()
            markers = self._pending.pop(original_node, None)
            if markers and isinstance(result, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                result = cast(CSTNodeT, self._with_markers(result, markers))
        return result

    def _is_cache(self, decorator: cst.BaseExpression) -> bool:
        target = decorator.func if isinstance(decorator, cst.Call) else decorator
        return self.has_name(target, _CACHE_DECORATORS)

    def has_name(self, node: cst.CSTNode, names: frozenset[str] | tuple[str, ...]) -> bool:
        """True if ``node`` resolves (imports and aliases followed) to one of ``names``."""
        return any(q.name in names for q in self.qualified_names(node))

    def qualified_names(self, node: cst.CSTNode) -> Collection[QualifiedName]:
        """What QualifiedNameProvider gives for ``node``, computed for this node only."""
        scope = self.get_metadata(ScopeProvider, node, None)
        return scope.get_qualified_names_for(node) if scope is not None else set()

    def position(self, node: cst.CSTNode) -> CodeRange | None:
        """PositionProvider's range for ``node`` (an original node), resolved on first use."""
        if self._positions is None:
            wrapper = self.context.wrapper
            self._positions = wrapper.resolve(PositionProvider) if wrapper is not None else {}
        return self._positions.get(node)

    @property
    def enclosing_function(self) -> cst.FunctionDef | None:
        """The innermost function the walk is in (its original node), or None at module level."""
        return self._functions[-1] if self._functions else None

    @property
    def inert(self) -> bool:
        """The walk is inside code that never runs (``if TYPE_CHECKING:``, annotations)."""
        return self._inert > 0

    def runs_once(self, node: cst.CSTNode) -> str | None:
        """Why a site at ``node`` would be created once for the whole process, or None."""
        if self._in_default:
            return "created in a default argument, evaluated once at import"
        if any(self._cached):
            return "created in a cached function, shared by every caller"
        scope = self.get_metadata(ScopeProvider, node, None)
        while isinstance(scope, ComprehensionScope):
            scope = scope.parent
        if isinstance(scope, GlobalScope):
            return "created at import time, shared by every request"
        if isinstance(scope, ClassScope):
            return "created in a class body, shared by every instance"
        return None

    def is_bound(self, node: cst.CSTNode, name: str) -> bool:
        """True if ``name`` is visible (bound or a builtin) where ``node`` is."""
        scope = self.get_metadata(ScopeProvider, node, None)
        return scope is not None and name in scope

    # -- markers and records ------------------------------------------------------------------

    def mark(self, node: cst.CSTNode, code: str, reason: str, *, record: bool = True) -> None:
        """Queue a TODO marker above the statement containing ``node`` (and record the site)."""
        _codes.lookup(code)
        if self._statements:
            self._pending.setdefault(self._statements[-1], []).append((code, reason))
        if record:
            self.record(node, "todo", code, reason)

    @property
    def current_statement(self) -> cst.CSTNode | None:
        """The innermost statement the walk is in (the one a marker goes above)."""
        return self._statements[-1] if self._statements else None

    def requeue(self, code: str, reason: str) -> bool:
        """Replace the reason of ``code`` already queued for the current statement; False when
        none is queued there (then ``mark`` it)."""
        pending = self._pending.get(self._statements[-1]) if self._statements else None
        for index, (queued, _) in enumerate(pending or ()):
            if queued == code:
                assert pending is not None
                pending[index] = (code, reason)
                return True
        return False

    def record(
        self,
        node: cst.CSTNode,
        outcome: Outcome,
        code: str | None,
        reason: str,
        after: cst.CSTNode | None = None,
        runtime: tuple[str, ...] = (),
    ) -> None:
        position = self.position(node)
        line, column = (position.start.line, position.start.column) if position else (0, 0)
        sites = self.context.scratch.setdefault(SITES_KEY, [])
        sites.append(
            SiteRecord(
                path=self.context.filename or "<string>",
                line=line,
                column=column,
                outcome=outcome,
                code=code,
                reason=reason,
                before=_bare_code(node),
                after=code_of(after) if after is not None else "",
                runtime=runtime,
            )
        )

    @staticmethod
    def _with_markers(
        statement: cst.SimpleStatementLine | cst.BaseCompoundStatement,
        markers: list[tuple[str, str]],
    ) -> cst.SimpleStatementLine | cst.BaseCompoundStatement:
        """Add ``markers``' codes to the statement's one marker line (writing it if there is none
        yet); codes it already carries, on any marker line above it, are not repeated."""
        lines = list(statement.leading_lines)
        present: list[str] = []
        target: int | None = None
        for index, line in enumerate(lines):
            parsed = _codes.parse_marker(line.comment.value) if line.comment is not None else None
            if parsed is not None:
                present += parsed[0]
                target = index
            elif line.comment is None:
                # A blank line parts the comment block the lint rules read: merge below it only.
                target = None
        codes: list[str] = []
        reasons: list[str] = []
        for code, reason in markers:
            if code in present or code in codes:
                continue
            codes.append(code)
            reasons.append(reason)
        if not codes:
            return statement
        if target is None:
            text = _codes.format_marker(codes, reasons)
            lines.append(cst.EmptyLine(indent=True, comment=cst.Comment(text)))
        else:
            comment = lines[target].comment
            assert comment is not None
            old_codes, old_reason = _codes.parse_marker(comment.value) or ((), "")
            text = _codes.format_marker([*old_codes, *codes], [old_reason, *reasons])
            prefix = comment.value[: comment.value.index("#")]
            lines[target] = lines[target].with_changes(comment=cst.Comment(prefix + text))
        return statement.with_changes(leading_lines=lines)
