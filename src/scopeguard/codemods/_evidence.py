"""What the code around a client site says about the scope it runs in.

A path no ``scopes`` glob matches used to get ``platform()``. Tenant code often says otherwise in
its own text: it names resources the naming policy gives to a tenant or capsule
(``f"t-{tenant_id}-uploads"``, ``.Table("t-acme-orders")``, ``"arn:...:c-dev-events"``), or it has a
tenant ID at hand. ``platform()`` there would be refused at run time (``ScopeViolation``) or, worse,
be the wrong boundary. This module reads that evidence, in the function holding the site (the
module for a module-level site), so the rewrite can pick the owner's scope when an expression for
its ID is configured or evident, and leave a marker otherwise.

The naming policy is the configured one (``[tool.scopeguard.naming]``) and is asked through its
public ``owner()``: whatever templates it uses, a name it says a scope owns is that scope's.

An f-string's replacement fields are read as placeholder IDs, so ``f"t-{tenant_id}-uploads"``
is owned by the tenant whose ID is the expression ``tenant_id``: that expression is the evident
scope ID. A literal owner (``"t-acme-orders"``) gives a kind but no expression: the code is pinned
to one tenant's physical name, which a human must turn into a logical name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import libcst as cst

from .._naming import NamingPolicy
from ._markers import code_of

__all__ = ["Evidence", "find_evidence"]

# Names that hold a tenant's ID by the usual spellings (tenant_id, tenantId, TENANT_ID, tenant).
TENANT_ID_NAME: Final = re.compile(r"(?i)^_*tenant(?:_?id)?$")
_PLACEHOLDER: Final = "zq{}qz"  # lowercase ASCII and digits: a valid ID under every policy
_PLACEHOLDER_RE: Final = re.compile(r"^zq(\d+)qz$")


@dataclass(frozen=True)
class Evidence:
    """A scope the site's surroundings point to.

    ``kind`` is ``tenant`` or ``capsule``; ``expression`` the code for the scope ID when it is
    evident from an f-string, else None; ``literal`` the owned name (as written) that says so, or
    the tenant-ID name in scope (``via_name``)."""

    kind: str
    expression: str | None
    literal: str
    via_name: bool = False


def _candidates(text: str) -> list[str]:
    """The parts of a name, ARN or URL AWS reads as the resource name (as SG020 reads them)."""
    found = [text]
    if text.startswith("s3://"):
        found.append(text[5:].partition("/")[0])
    if text.startswith("arn:"):
        resource = text.split(":", 5)[-1]
        found += [resource, resource.rsplit("/", 1)[-1], resource.rsplit(":", 1)[-1]]
    if text.startswith("https://"):
        found.append(text.rsplit("/", 1)[-1])
    return found


def _owned(node: cst.BaseExpression, naming: NamingPolicy) -> Evidence | None:
    expressions: list[str] = []
    if isinstance(node, cst.SimpleString):
        value = node.evaluated_value
        if not isinstance(value, str):
            return None
        text = value
    elif isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            else:
                assert isinstance(part, cst.FormattedStringExpression)
                parts.append(_PLACEHOLDER.format(len(expressions)))
                expressions.append(code_of(part.expression))
        text = "".join(parts)
    else:
        return None
    for candidate in _candidates(text):
        owner = naming.owner(candidate)
        if owner is None or owner.kind not in ("tenant", "capsule"):
            continue
        placeholder = _PLACEHOLDER_RE.match(owner.id)
        expression = expressions[int(placeholder.group(1))] if placeholder else None
        if placeholder is None and _PLACEHOLDER_RE.search(owner.id):
            continue  # the ID mixes text and a field: no expression is the ID
        return Evidence(owner.kind, expression, code_of(node))
    return None


class _Strings(cst.CSTVisitor):
    """Every string in a body, nested functions and classes excluded (they are other sites'
    surroundings)."""

    def __init__(self, naming: NamingPolicy, top: cst.CSTNode) -> None:
        self.naming, self.top = naming, top
        self.found: list[Evidence] = []

    def _nested(self, node: cst.CSTNode) -> bool:
        return node is not self.top

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return not self._nested(node)

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return not self._nested(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self._add(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        self._add(node)
        return False

    def visit_Annotation(self, node: cst.Annotation) -> bool:
        return False

    def _add(self, node: cst.BaseExpression) -> None:
        evidence = _owned(node, self.naming)
        if evidence is not None:
            self.found.append(evidence)


def find_evidence(
    holder: cst.CSTNode, naming: NamingPolicy, tenant_names: frozenset[str] = frozenset()
) -> list[Evidence]:
    """Evidence of tenant or capsule code in ``holder`` (a function or the module): owned names
    first, then a tenant-ID name bound there (``tenant_names``)."""
    strings = _Strings(naming, holder)
    holder.visit(strings)
    found = list(strings.found)
    for name in sorted(tenant_names):
        if TENANT_ID_NAME.match(name):
            found.append(Evidence("tenant", None, name, via_name=True))
    return found
