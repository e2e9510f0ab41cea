"""The imports a pass adds and removes, at a cost proportional to the sites, not the module.

LibCST's codemod framework runs ``AddImportsVisitor`` and ``RemoveImportsVisitor`` after every
pass that scheduled an import: each walks the whole module, and the remover first recomputes
scope and qualified-name metadata for the whole transformed tree. On a 15,000-line module with one
site that was most of the run, and ``AddImportsVisitor`` fails with ``RecursionError`` on a module
with more than about 1,000 top-level statements (its docstring matcher recurses once per
statement). The passes here keep both visitors' behaviour, byte for byte, and do less:

- the added import: ``AddImportsVisitor`` reads and rewrites only the leading import block, so it
  runs on a module made of the statements up to the first one that is not an import;
- the removed imports: whether an import is still used after the pass follows from the scope
  metadata the pass already computed on the tree it was given (its references, minus those in
  the subtrees the pass removed), so no metadata is recomputed; ``RemoveImportsVisitor``'s own
  ``leave_Import``/``leave_ImportFrom`` then edit the import lines, in a walk that does not
  descend into expressions. A module with ``__all__`` (whose strings keep imports alive) takes
  the visitor's full pass, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, ImportItem, RemoveImportsVisitor
from libcst.helpers import get_absolute_module_from_package_for_import
from libcst.metadata import ImportAssignment, Scope
from libcst.metadata.scope_provider import _gen_dotted_names

__all__ = ["add_scheduled_imports", "nodes_of", "remove_scheduled_imports"]

_Imports = cst.Import | cst.ImportFrom
# Matches RemoveImportsVisitor/GatherUnusedImportsVisitor: these are never reported unused.
_IGNORED_MODULES: Final = frozenset({"__future__"})


def nodes_of(roots: Iterable[cst.CSTNode]) -> set[cst.CSTNode]:
    """Every node of the given subtrees (original-tree nodes, compared by identity)."""
    found: set[cst.CSTNode] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(node.children)
    return found


# -- adding -----------------------------------------------------------------------------------


def _is_import_line(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[0], (cst.Import, cst.ImportFrom)
    )


def add_scheduled_imports(context: CodemodContext, tree: cst.Module) -> cst.Module:
    """Run the imports scheduled with ``AddImportsVisitor.add_needed_import`` on ``tree``'s
    leading statements only; what follows the first non-import statement is never read."""
    items: list[ImportItem] = list(context.scratch.pop(AddImportsVisitor.CONTEXT_KEY, []))
    if not items:
        return tree
    body = list(tree.body)
    # The visitor reads the imports from the top (a docstring or ``__strict__`` first) down to the
    # first other statement, inserts after the last of them, and puts a blank line before that
    # statement: it needs exactly these.
    end = 1
    while end < len(body) and _is_import_line(body[end]):
        end += 1
    head = tree.with_changes(body=body[: end + 1])
    added = AddImportsVisitor(context, items).transform_module(head)
    return tree.with_changes(body=[*added.body, *body[end + 1 :]])


# -- removing ---------------------------------------------------------------------------------


_BLOCKS: Final = (
    cst.Module,
    cst.BaseSuite,
    cst.BaseCompoundStatement,
    cst.Else,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Finally,
    cst.MatchCase,
)


def _holds_imports(node: cst.CSTNode) -> bool:
    """Whether an import statement can be below ``node``: the walks below descend through
    statements and blocks only, never into expressions, decorators or parameters."""
    if isinstance(node, cst.SimpleStatementLine):
        return any(isinstance(small, (cst.Import, cst.ImportFrom)) for small in node.body)
    return isinstance(node, _BLOCKS)


class _ImportLines(RemoveImportsVisitor):
    """RemoveImportsVisitor's edits on import lines (its ``leave_Import``/``leave_ImportFrom``),
    without its whole-module analysis and without walking where no import can be."""

    def __init__(
        self,
        context: CodemodContext,
        scheduled: Sequence[tuple[str, str | None, str | None]],
        unused: dict[cst.ImportAlias, _Imports],
    ) -> None:
        super().__init__(context, scheduled)
        self._unused_imports = unused

    def visit_Module(self, node: cst.Module) -> None:
        return None  # the unused aliases are given, not gathered

    def on_visit(self, node: cst.CSTNode) -> bool:
        return _holds_imports(node) and super().on_visit(node)


def _scheduled(context: CodemodContext) -> list[tuple[str, str | None, str | None]]:
    return list(context.scratch.pop(RemoveImportsVisitor.CONTEXT_KEY, []))


def _matches(
    context: CodemodContext,
    statement: _Imports,
    alias: cst.ImportAlias,
    scheduled: Sequence[tuple[str, str | None, str | None]],
) -> bool:
    """Whether RemoveImportsVisitor would consider ``alias`` for removal."""
    if isinstance(statement, cst.Import):
        return any(
            obj is None and module == alias.evaluated_name and asname == alias.evaluated_alias
            for module, obj, asname in scheduled
        )
    module = get_absolute_module_from_package_for_import(context.full_package_name, statement)
    if module is None:
        return False
    return any(
        (m, o, a) == (module, alias.evaluated_name, alias.evaluated_alias)
        for m, o, a in scheduled
        if o is not None
    )


def _still_used(scope: Scope, alias: cst.ImportAlias, removed: set[cst.CSTNode]) -> bool:
    """GatherUnusedImportsVisitor.is_in_use, with the references in removed code discounted
    (string annotations count: LibCST's scope analysis records them as references)."""
    asname = alias.asname
    name = cst.ensure_type(asname.name, cst.Name) if asname is not None else alias.name
    for dotted, _ in _gen_dotted_names(name):
        for assignment in scope[dotted]:
            if isinstance(assignment, ImportAssignment) and any(
                reference.node not in removed for reference in assignment.references
            ):
                return True
    return False


def remove_scheduled_imports(
    context: CodemodContext,
    updated: cst.Module,
    imports: Sequence[tuple[_Imports, Scope | None]],
    removed: set[cst.CSTNode],
    exports: bool,
) -> cst.Module:
    """Remove the imports scheduled with ``RemoveImportsVisitor.remove_unused_import*`` that the
    pass left unused.

    ``imports`` are every import statement of the tree the pass was given (in walk order) with its
    scope, ``removed`` every node of that tree the pass dropped, ``exports`` whether the module
    assigns ``__all__``. Import statements the pass did not insert are found again in ``updated``
    in the same order; if one is not, the visitor's full pass decides.
    """
    scheduled = _scheduled(context)
    if not scheduled:
        return updated
    if exports:
        # Names exported by string keep imports alive; the visitor's own analysis reads them.
        return RemoveImportsVisitor(context, scheduled).transform_module(updated)
    unused: list[tuple[_Imports, cst.ImportAlias]] = []
    for statement, scope in imports:
        if isinstance(statement.names, cst.ImportStar) or scope is None:
            continue
        if isinstance(statement, cst.ImportFrom) and (
            statement.module is not None and statement.module.value in _IGNORED_MODULES
        ):
            continue
        for alias in statement.names:
            if _matches(context, statement, alias, scheduled) and not _still_used(
                scope, alias, removed
            ):
                unused.append((statement, alias))
    if not unused:
        return updated
    # The same statements in the transformed tree: imports are not rewritten, so they are the
    # original ones, in the same order, among those the pass inserted (the factory import).
    after = _import_statements(updated)
    counterparts: dict[_Imports, _Imports] = {}
    position = 0
    for statement, _ in imports:
        while position < len(after) and not after[position].deep_equals(statement):
            position += 1
        if position == len(after):
                return RemoveImportsVisitor(context, scheduled).transform_module(updated)
        counterparts[statement] = after[position]
        position += 1
    mapping: dict[cst.ImportAlias, _Imports] = {}
    for statement, alias in unused:
        counterpart = counterparts[statement]
        assert not isinstance(counterpart.names, cst.ImportStar)
        assert not isinstance(statement.names, cst.ImportStar)
        mapping[counterpart.names[list(statement.names).index(alias)]] = counterpart
    result = updated.visit(_ImportLines(context, scheduled, mapping))
    assert isinstance(result, cst.Module)
    return result


def _import_statements(tree: cst.Module) -> list[_Imports]:
    found: list[_Imports] = []

    class _Collect(cst.CSTVisitor):
        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, (cst.Import, cst.ImportFrom)):
                found.append(node)
            return _holds_imports(node)

    tree.visit(_Collect())
    return found
