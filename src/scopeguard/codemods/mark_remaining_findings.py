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
from typing import Any

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.metadata import PositionProvider

from .. import _codes
from ._markers import MarkingCommand
from ._settings import MigrateSettings

__all__ = ["Finding", "MarkRemainingFindings", "remaining_findings"]


@dataclass(frozen=True)
class Finding:
    line: int
    code: str
    reason: str


def remaining_findings(source: str, path: str | None, settings: MigrateSettings) -> list[Finding]:
    """Unacknowledged lint findings of the codemods' codes in ``source`` (none without the rules)."""
    try:
        from ..lint_rules import LintSettings, check_tree
    except ImportError:  # the lint rules are optional for the codemods
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    lint = LintSettings.from_config(settings.config)
    result = check_tree(tree, source.splitlines(True), Path(path or "module.py"), lint, noqa=True)
    found = []
    for reported in result.reported:
        finding = reported.finding
        entry = _codes.CODES.get(finding.code)
        if reported.acknowledged is None and entry is not None and "migrate" in entry.tools:
            found.append(Finding(finding.line, finding.code, f"{entry.message} ({finding.detail})"))
    return found


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
            self.findings = remaining_findings(tree.code, self.context.filename, self.settings)
        if not self.findings:
            return tree
        outer = self
        # line -> (size of the smallest statement holding it so far, that statement)
        holders: dict[int, tuple[int, cst.CSTNode]] = {}

        class _Holders(cst.CSTVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                if isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
                    span = outer.get_metadata(PositionProvider, node, None)
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
