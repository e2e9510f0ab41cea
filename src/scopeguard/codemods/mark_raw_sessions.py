"""Mark the raw SDK entry points that remain after the client sites were rewritten.

Sessions that are still created outside the factory (SG002, plus SG010 when they carry
credentials), the process-wide default session (SG004), aioboto3/aiobotocore sessions (SG005) and
``boto3.client`` passed around uncalled (SG030) get a TODO marker, so that after a migration the
lint rules report nothing that is not marked. Sessions used only for metadata
(``get_available_regions()``, ``region_name``, ...) are left alone, as are annotations and
``if TYPE_CHECKING:`` blocks.
"""

from __future__ import annotations

from typing import Final

import libcst as cst
from libcst.metadata import GlobalScope, ParentNodeProvider, ScopeProvider

from .._fullnames import (
    ASYNC_SESSION_FACTORIES,
    BOTO3_CLIENT_FACTORIES,
    BOTO3_DEFAULT_SESSION,
    BOTO3_SESSION_CLASSES,
    BOTOCORE_SESSION_FACTORIES,
    SESSION_CLIENT_METHODS,
    SESSION_METADATA_METHODS,
)
from ._markers import MarkingCommand
from ._sites import session_verdict

__all__ = ["MarkRawSessions"]

_SYNC_SESSIONS: Final = frozenset((*BOTO3_SESSION_CLASSES, *BOTOCORE_SESSION_FACTORIES))
_ASYNC_SESSIONS: Final = frozenset(ASYNC_SESSION_FACTORIES)
_DEFAULT_SESSION: Final = frozenset(BOTO3_DEFAULT_SESSION)
_CLIENT_FACTORIES: Final = frozenset(BOTO3_CLIENT_FACTORIES)


class MarkRawSessions(MarkingCommand):
    """Put a TODO marker on every raw session or default-session use left after rewriting."""

    DESCRIPTION = "Mark raw boto3/botocore/aioboto3 sessions that remain after the rewrite."
    METADATA_DEPENDENCIES = (ParentNodeProvider,)  # added to the base class's providers

    def visit_Import(self, node: cst.Import) -> bool:
        return False

    def visit_ImportFrom(self, node: cst.ImportFrom) -> bool:
        return False

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        parent: cst.CSTNode | None = self.get_metadata(ParentNodeProvider, node, None)
        return parent

    def visit_Call(self, node: cst.Call) -> None:
        if self.inert:
            return
        if self.has_name(node.func, _DEFAULT_SESSION):
            self.mark(node, "SG004", "configures boto3's process-wide default session")
            return
        is_async = self.has_name(node.func, _ASYNC_SESSIONS)
        if not (is_async or self.has_name(node.func, _SYNC_SESSIONS)) or self._metadata_only(node):
            return
        parent = self._parent(node)
        if isinstance(parent, cst.Attribute) and parent.attr.value in SESSION_CLIENT_METHODS:
            return  # a chained client site: RewriteClientCalls rewrote or marked it
        self.mark(node, "SG005" if is_async else "SG002", self._session_reason(node, is_async))
        verdict = session_verdict(node.args)
        if verdict.code == "SG010":
            self.mark(node, "SG010", verdict.reason)

    def _session_reason(self, node: cst.Call, is_async: bool) -> str:
        target = self._bound_name(node)
        if target is not None:
            scope = self.get_metadata(ScopeProvider, target, None)
            if isinstance(scope, GlobalScope) and not target.value.startswith("_"):
                return (
                    f"session {target.value!r} kept: other modules may import it; "
                    "inject the factory there and delete it"
                )
        if is_async:
            # Sessions whose every client became scope.async_client() are gone by now.
            return (
                "async session still needed (returned, passed on, or a client left as is); "
                "ask a scope handle for async_client() instead"
            )
        return "session created outside the factory; inject the factory instead"

    def _bound_name(self, node: cst.Call) -> cst.Name | None:
        parent = self._parent(node)
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
        elif isinstance(parent, cst.AnnAssign):
            target = parent.target
        else:
            return None
        return target if isinstance(target, cst.Name) else None

    def _metadata_only(self, node: cst.Call) -> bool:
        """Used only for ``session.get_available_regions()``, ``.region_name`` and the like."""
        parent = self._parent(node)
        if isinstance(parent, cst.Attribute):
            return parent.attr.value in SESSION_METADATA_METHODS
        target = self._bound_name(node)
        if target is None:
            return False
        scope = self.get_metadata(ScopeProvider, target, None)
        if scope is None:
            return False
        binding = [a for a in scope.assignments[target.value] if getattr(a, "node", None) is target]
        if len(binding) != 1 or not binding[0].references:
            return False
        for access in binding[0].references:
            holder = self._parent(access.node)
            if not (
                isinstance(holder, cst.Attribute)
                and holder.value is access.node
                and holder.attr.value in SESSION_METADATA_METHODS
            ):
                return False
        return True

    def _in_type_expression(self, node: cst.CSTNode) -> bool:
        """``Generic[boto3.client]`` and the like name the type, they create nothing."""
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(current, cst.BaseStatement):
            if isinstance(current, (cst.SubscriptElement, cst.Annotation)):
                return True
            current = self._parent(current)
        return False

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._uncalled(node)

    def visit_Name(self, node: cst.Name) -> None:
        self._uncalled(node)

    def _uncalled(self, node: cst.Attribute | cst.Name) -> None:
        if self.inert:
            return
        parent = self._parent(node)
        if isinstance(parent, cst.Attribute) and parent.value is node:
            return  # the inner part of a dotted name; the whole name is checked on its own
        if self.has_name(node, _DEFAULT_SESSION) and not isinstance(parent, cst.Call):
            self.mark(node, "SG004", "uses boto3's process-wide default session")
        elif (
            self.has_name(node, _CLIENT_FACTORIES)
            and not (isinstance(parent, cst.Call) and parent.func is node)
            and not self._in_type_expression(node)
        ):
            self.mark(node, "SG030", "client factory passed around uncalled; service unknown")
