"""A small IAM policy evaluator: enough of IAM's semantics to prove what a session policy denies.

moto does not evaluate session policies, ``dynamodb:LeadingKeys`` or ``s3:prefix``, so the tests
of ``scopeguard._policy`` evaluate the generated policies here instead. It implements one policy
(not the intersection with identity or resource policies) and, inside it, what IAM documents:

* An explicit ``Deny`` that matches wins; otherwise a matching ``Allow`` allows; otherwise the
  request is implicitly denied.
* ``Action`` / ``NotAction`` match ``service:Action`` case-insensitively, with ``*`` and ``?``.
* ``Resource`` / ``NotResource`` match case-sensitively, colon-separated ARN segment by segment
  (the sixth segment is the rest of the ARN, colons included), ``*`` crossing ``/`` and, in the
  last segment, ``:``, as IAM does: ``table/t-acme-*`` covers ``table/t-acme-x/index/i``.
* Conditions: every operator of a block and every key of an operator must hold; any one of a
  key's policy values may match. Condition key names are case-insensitive.
* Missing keys, as documented for IAM: a positive operator is false, a negated one
  (``StringNotEquals``, ``StringNotLike``) true, ``...IfExists`` true, ``Null`` tests presence.
* Multivalued keys need a set qualifier: ``ForAllValues:`` holds when every value matches, and
  therefore also when the key is absent or empty (the hole session policies must close with
  ``Null``); ``ForAnyValue:`` holds when at least one value matches, never for an absent key.

Anything outside that subset (policy variables ``${...}``, numeric, date, IP or ARN operators, a
list value given to a single-valued operator) raises ``ValueError`` instead of guessing, so a
test cannot pass on a policy this module does not understand.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, Final, Literal

__all__ = ["Decision", "evaluate"]

Decision = Literal["Allow", "Deny", "ImplicitDeny"]


@lru_cache(maxsize=4096)
def _glob(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    if "${" in pattern:
        raise ValueError(f"policy variables are not supported by this evaluator: {pattern!r}")
    body = "".join(
        ".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern
    )
    return re.compile(body, re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def _like(value: str, pattern: str) -> bool:
    return _glob(pattern, False).fullmatch(value) is not None


_STRING_OPERATORS: Final[Mapping[str, tuple[Callable[[str, str], bool], bool]]] = {
    # operator: (how one request value is compared with one policy value, negated?)
    "StringEquals": (lambda value, pattern: value == pattern, False),
    "StringNotEquals": (lambda value, pattern: value == pattern, True),
    "StringEqualsIgnoreCase": (lambda value, pattern: value.lower() == pattern.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda value, pattern: value.lower() == pattern.lower(), True),
    "StringLike": (lambda value, pattern: _like(value, pattern), False),
    "StringNotLike": (lambda value, pattern: _like(value, pattern), True),
}


def _strings(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in items):
        raise ValueError(f"{where} must be a string or a list of strings, got {value!r}")
    return items


def _action_matches(patterns: Iterable[str], action: str) -> bool:
    return any(_glob(p, True).fullmatch(action) for p in patterns)


def _resource_matches(patterns: Iterable[str], resource: str) -> bool:
    for pattern in patterns:
        if pattern == "*":
            return True
        want, have = pattern.split(":", 5), resource.split(":", 5)
        if len(want) == len(have) and all(
            _glob(w, False).fullmatch(h) for w, h in zip(want, have, strict=True)
        ):
            return True
    return False


def _context_values(
    context: Mapping[str, str | list[str]], key: str
) -> tuple[list[str] | None, bool]:
    """The request's values for ``key`` (names compared case-insensitively), None if absent,
    and whether the key is multivalued (given as a list)."""
    wanted = key.lower()
    for name, value in context.items():
        if name.lower() == wanted:
            return ([value], False) if isinstance(value, str) else (list(value), True)
    return None, False


def _policy_values(value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    # IAM reads JSON true/false as the strings "true"/"false".
    values = _strings(
        [("true" if v else "false") if isinstance(v, bool) else v for v in items], where
    )
    if any("${" in v for v in values):
        raise ValueError(f"policy variables are not supported by this evaluator: {where}")
    return values


def _condition_holds(
    operator: str, key: str, policy_values: list[str], present: list[str] | None, multi: bool
) -> bool:
    qualifier, _, name = operator.rpartition(":")
    if_exists = name.endswith("IfExists")
    name = name.removesuffix("IfExists")
    if name == "Null":
        if qualifier or if_exists:
            raise ValueError(f"{operator!r} is not an IAM condition operator")
        absent = present is None or len(present) == 0
        wants = {v.lower() for v in policy_values}
        if not wants <= {"true", "false"}:
            raise ValueError(f"Null takes 'true' or 'false', got {policy_values!r}")
        return any(absent == (w == "true") for w in wants)
    if name not in _STRING_OPERATORS:
        raise ValueError(f"condition operator {operator!r} is not supported by this evaluator")
    compare, negated = _STRING_OPERATORS[name]

    def holds_for(value: str) -> bool:
        matched = any(compare(value, p) for p in policy_values)
        return not matched if negated else matched

    if if_exists and present is None:
        return True
    if qualifier == "ForAllValues":
        return all(holds_for(v) for v in present or ())
    if qualifier == "ForAnyValue":
        return any(holds_for(v) for v in present or ())
    if qualifier:
        raise ValueError(f"unknown set qualifier in {operator!r}")
    if present is None:
        return negated
    if multi:
        raise ValueError(
            f"{operator} on the multivalued key {key!r}: qualify it with ForAllValues or "
            "ForAnyValue"
        )
    return holds_for(present[0])


def _conditions_hold(block: Mapping[str, Any], context: Mapping[str, str | list[str]]) -> bool:
    for operator, tests in block.items():
        if not isinstance(tests, Mapping):
            raise ValueError(f"condition {operator!r} must map keys to values")
        for key, wanted in tests.items():
            present, multi = _context_values(context, key)
            values = _policy_values(wanted, f"{operator}/{key}")
            if not _condition_holds(operator, key, values, present, multi):
                return False
    return True


def _statement_applies(
    statement: Mapping[str, Any], action: str, resource: str,
    context: Mapping[str, str | list[str]],
) -> bool:
    if ("Action" in statement) == ("NotAction" in statement):
        raise ValueError(f"a statement needs exactly one of Action, NotAction: {statement!r}")
    if ("Resource" in statement) == ("NotResource" in statement):
        raise ValueError(f"a statement needs exactly one of Resource, NotResource: {statement!r}")
    if "Principal" in statement or "NotPrincipal" in statement:
        raise ValueError("session and identity policies have no Principal element")
    if "Action" in statement:
        if not _action_matches(_strings(statement["Action"], "Action"), action):
            return False
    elif _action_matches(_strings(statement["NotAction"], "NotAction"), action):
        return False
    if "Resource" in statement:
        if not _resource_matches(_strings(statement["Resource"], "Resource"), resource):
            return False
    elif _resource_matches(_strings(statement["NotResource"], "NotResource"), resource):
        return False
    condition = statement.get("Condition", {})
    if not isinstance(condition, Mapping):
        raise ValueError("Condition must be an object")
    return _conditions_hold(condition, context)


def evaluate(
    policy: Mapping[str, Any],
    action: str,
    resource: str,
    context: Mapping[str, str | list[str]],
) -> Decision:
    """Decide ``action`` on ``resource`` with request ``context`` under ``policy`` alone.

    ``context`` holds the request's condition keys: a ``str`` for a single-valued key, a ``list``
    for a multivalued one (``dynamodb:LeadingKeys``); leave a key out when the request does not
    carry it. Returns ``"Deny"`` for an explicit deny, ``"Allow"``, or ``"ImplicitDeny"``.
    """
    if policy.get("Version") != "2012-10-17":
        raise ValueError("policy Version must be '2012-10-17'")
    statements = policy.get("Statement")
    if isinstance(statements, Mapping):
        statements = [statements]
    if not isinstance(statements, list):
        raise ValueError("Statement must be an object or a list of objects")
    allowed = False
    for statement in statements:
        effect = statement.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise ValueError(f"Effect must be Allow or Deny, got {effect!r}")
        if _statement_applies(statement, action, resource, context):
            if effect == "Deny":
                return "Deny"
            allowed = True
    return "Allow" if allowed else "ImplicitDeny"
