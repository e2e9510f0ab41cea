"""The string a call argument is known to hold: a literal, or a ``Final`` name bound to one."""

from __future__ import annotations

from mypy.nodes import Expression, RefExpr, StrExpr, Var

__all__ = ["str_value"]


def str_value(expr: Expression) -> str | None:
    """The string ``expr`` always evaluates to, or None when that is not known statically."""
    if isinstance(expr, StrExpr):
        return expr.value
    if isinstance(expr, RefExpr) and isinstance(expr.node, Var):
        var = expr.node
        if var.is_final and isinstance(var.final_value, str):
            return var.final_value
    return None
