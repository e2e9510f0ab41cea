"""Remove ``s = boto3.Session(...)`` bindings that ``RewriteClientCalls`` left without a reader.

The same goes for aioboto3/aiobotocore sessions whose clients became ``scope.async_client()``.

Only sessions whose client sites were rewritten in the same run are candidates, so a session
that was already unused before the migration stays as it was. A module-level session with a public
name stays too (another module may import it); ``MarkRawSessions`` marks it instead. The SDK
import goes with the last binding that used it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import libcst as cst
from libcst.metadata import GlobalScope, ScopeProvider

from .._fullnames import (
    ASYNC_SESSION_FACTORIES,
    BOTO3_SESSION_CLASSES,
    BOTOCORE_SESSION_FACTORIES,
)
from ._markers import MarkingCommand
from .rewrite_client_calls import REWRITTEN_SESSIONS_KEY

__all__ = ["REMOVED_LINES_KEY", "RemoveDeadSessions"]

REMOVED_LINES_KEY = "scopeguard.removed_lines"
_SESSIONS = frozenset(
    (*BOTO3_SESSION_CLASSES, *BOTOCORE_SESSION_FACTORIES, *ASYNC_SESSION_FACTORIES)
)


class RemoveDeadSessions(MarkingCommand):
    """Delete session bindings whose every client site was rewritten into a factory call."""

    DESCRIPTION = "Remove session variables left unused by RewriteClientCalls."

    def leave_SimpleStatementLine(
        self, original_node: cst.SimpleStatementLine, updated_node: cst.SimpleStatementLine
    ) -> cst.SimpleStatementLine:
        candidates: set[str] = self.context.scratch.get(REWRITTEN_SESSIONS_KEY, set())
        if not candidates or len(original_node.body) != 1:
            return updated_node
        small = original_node.body[0]
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target, value = small.targets[0].target, small.value
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            target, value = small.target, small.value
        else:
            return updated_node
        if not (
            isinstance(target, cst.Name)
            and target.value in candidates
            and isinstance(value, cst.Call)
            and self.has_name(value.func, _SESSIONS)
        ):
            return updated_node
        scope = self.get_metadata(ScopeProvider, target, None)
        if scope is None or (isinstance(scope, GlobalScope) and not target.value.startswith("_")):
            return updated_node
        binding = [a for a in scope.assignments[target.value] if getattr(a, "node", None) is target]
        if len(binding) != 1 or binding[0].references:
            return updated_node
        self.remove_unused_imports_of(original_node)
        removed = self.context.scratch.get(REMOVED_LINES_KEY, 0)
        self.context.scratch[REMOVED_LINES_KEY] = removed + 1
        self._dead.add(updated_node)
        return updated_node

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Removed in the enclosing body, so that their blank lines and comments move to the
        # next statement instead of disappearing with them.
        self._dead: set[cst.CSTNode] = set()

    def _drop_dead(self, body: Sequence[cst.BaseStatement]) -> list[cst.BaseStatement]:
        kept: list[cst.BaseStatement] = []
        carried: list[cst.EmptyLine] = []
        for statement in body:
            if statement in self._dead and isinstance(statement, cst.SimpleStatementLine):
                carried.extend(statement.leading_lines)
                continue
            if carried and isinstance(
                statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement)
            ):
                if statement.leading_lines and all(line.comment is None for line in carried):
                    carried = []  # the next statement's own blank lines already separate it
                statement = statement.with_changes(
                    leading_lines=[*carried, *statement.leading_lines]
                )
                carried = []
            kept.append(statement)
        return kept

    def leave_IndentedBlock(
        self, original_node: cst.IndentedBlock, updated_node: cst.IndentedBlock
    ) -> cst.IndentedBlock:
        body = self._drop_dead(updated_node.body)
        if not body:
            # A body whose only statement was the session binding keeps valid syntax.
            body = [cst.SimpleStatementLine([cst.Pass()])]
        return updated_node.with_changes(body=body)

    def leave_Module(self, original_node: cst.Module, updated_node: cst.Module) -> cst.Module:
        return updated_node.with_changes(body=self._drop_dead(updated_node.body))
