"""Mark whatever the lint rules would still report after the other codemods ran.

The rewrite and session passes mark the sites they recognise, each with its precise reason. The
lint rules follow values further (a parameter annotated ``boto3.Session``, ``self.session``
assigned in ``__init__``, credentials passed to any callable), so this last pass asks them
directly: each finding of a code the codemods own (``tools`` includes ``migrate`` in the
registry) that no marker acknowledges gets one, above the innermost statement holding it. After a
migration the lint rules therefore report no raw site that is not marked, by construction.

The rules work on the ``ast`` of the migrated text; this pass runs only when they report
something, so a clean file costs one ``ast.parse``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import libcst as cst
from libcst.codemod import CodemodContext

from .. import _codes
from ._markers import MarkingCommand
from ._settings import MigrateSettings

__all__ = ["Finding", "MarkRemainingFindings", "remaining_findings"]


@dataclass(frozen=True)
class Finding:
    line: int
    code: str
    reason: str


# Codes the last pass writes markers for: the codemods' own, and SG020, a scope-prefixed physical
# name, which is what makes platform() the wrong scope for the code around it.
_MARKED_ALSO: Final = frozenset({"SG020"})
# Callables that take credentials for AWS: the SDK's client and session constructors. Credentials
# passed to anything else (a requests auth, a helper) are not an SDK site and get no marker.
_SDK_CALLABLES: Final = frozenset(
    {"client", "resource", "create_client", "Session", "AioSession", "get_session"}
)


def _callee(call: ast.Call) -> str | None:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None


def _credential_calls(tree: ast.AST) -> dict[tuple[int, int], str | None]:
    """(line, column) of each credential keyword -> the name of the callable it is passed to."""
    found: dict[tuple[int, int], str | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                found[(keyword.lineno, keyword.col_offset)] = _callee(node)
    return found


def remaining_findings(
    source: str, path: str | None, settings: MigrateSettings
) -> tuple[list[Finding], list[Finding]]:
    """Unacknowledged lint findings in ``source``: those the last pass marks, and the others
    (``--check`` fails on them). Both empty without the lint rules."""
    try:
        from ..lint_rules import LintSettings, check_tree
    except ImportError:  # the lint rules are optional for the codemods
        return [], []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return [], []
    lint = LintSettings.from_config(settings.config)
    result = check_tree(tree, source.splitlines(True), Path(path or "module.py"), lint, noqa=True)
    found: list[Finding] = []
    unmarked: list[Finding] = []
    calls: dict[tuple[int, int], str | None] | None = None
    for reported in result.reported:
        finding = reported.finding
        entry = _codes.CODES.get(finding.code)
        if reported.acknowledged is not None or entry is None:
            continue
        item = Finding(finding.line, finding.code, f"{entry.message} ({finding.detail})")
        if finding.code == "SG010":
            calls = _credential_calls(tree) if calls is None else calls
            if calls.get((finding.line, finding.col)) not in _SDK_CALLABLES:
                continue  # credentials for a request signer or a helper: no AWS client site
        markable = "migrate" in entry.tools or finding.code in _MARKED_ALSO
        (found if markable else unmarked).append(item)
    return found, unmarked


class MarkRemainingFindings(MarkingCommand):
    """Put a TODO marker above each statement the lint rules would still flag."""

    DESCRIPTION = "Mark the sites the lint rules still report after the rewrite."

    def __init__(
        self,
        context: CodemodContext,
        settings: MigrateSettings | None = None,
        findings: list[Finding] | None = None,
    ) -> None:
        super().__init__(context, settings)
        self.findings = findings or []

    def transform_module_impl(self, tree: cst.Module) -> cst.Module:
        if not self.findings:
            self.findings = remaining_findings(tree.code, self.context.filename, self.settings)[0]
        if not self.findings:
            return tree
        outer = self
        # line -> (size of the smallest statement holding it so far, that statement)
        holders: dict[int, tuple[int, cst.CSTNode]] = {}

        class _Holders(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                    span = outer.position(node)
                    if span is None:
                        return True
                    for finding in outer.findings:
                        if span.start.line <= finding.line <= span.end.line:
                            size = span.end.line - span.start.line
                            best = holders.get(finding.line)
                            if best is None or size <= best[0]:
                                holders[finding.line] = (size, node)
                return True

        tree.visit(_Holders())
        wanted: dict[cst.CSTNode, list[tuple[str, str]]] = {}
        for finding in self.findings:
            if finding.line in holders:
                wanted.setdefault(holders[finding.line][1], []).append((finding.code, finding.reason))
        return tree.visit(_AddMarkers(wanted, self))


class _AddMarkers(cst.CSTTransformer):
    def __init__(
        self, wanted: dict[cst.CSTNode, list[tuple[str, str]]], command: MarkRemainingFindings
    ) -> None:
        super().__init__()
        self.wanted = wanted
        self.command = command

    def on_leave(self, original_node: Any, updated_node: Any) -> Any:
        markers = self.wanted.get(original_node)
        statement = (cst.SimpleStatementLine, cst.BaseCompoundStatement)
        if markers and isinstance(updated_node, statement):
            for code, reason in markers:
                self.command.record(original_node, "todo", code, reason)
            return MarkingCommand._with_markers(updated_node, markers)
        return updated_node
