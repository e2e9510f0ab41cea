"""Naming templates: the physical names an application already has, written as patterns.

A template is literal text with one scope placeholder (``{tenant}`` or ``{capsule}``), at most
one ``{logical}`` and any number of policy variables (``{app}``), for example::

    {logical}-{tenant}          Product-3f2b9c1e-5d4a-4c1b-9e8f-0a1b2c3d4e5f
    /{app}/{tenant}/{logical}   /saas/3f2b9c1e-…/userPoolId     (SSM)
    settings-{tenant}           one logical name's own template (no {logical})

Two rules make every single template read back in exactly one way, so ``owner()`` is a function:

* the scope ID and the logical name are separated by literal text, and the character of that
  text next to the ID is not an ID character (``[a-z0-9]``). A slug therefore ends at the first
  non-ID character; a UUID has a fixed shape, and the slugs that are a UUID's first or last group
  are refused as IDs (``_scope_ids``);
* one side of the ID is anchored at the start or the end of the name (the template's own edge).

Across templates (tenant and capsule, a service's template and a logical name's own, pooled
names) injectivity is a property of regular languages: two templates may share a physical name
only if their languages intersect. ``check_disjoint`` decides that exactly, with finite automata
(interegular), and refuses the set with a witness name. It runs once, when a policy with
templates is built; the default layout is covered by the tests instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from ._exceptions import ConfigurationError

__all__ = ["Template", "check_disjoint"]

TemplateKind = Literal["tenant", "capsule"]

_PLACEHOLDER: Final = re.compile(r"(\{[^{}]*\})")
_VARIABLE_NAME: Final = re.compile(r"[a-z][a-z0-9_]*")
_ID_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")
_IAM_WILDCARDS: Final = frozenset("*?$")


@dataclass(frozen=True, slots=True)
class Template:
    """One parsed template: ``head``, the ID and the logical name in order, ``middle`` between
    them (None when there is no ``{logical}``), and ``tail``."""

    text: str
    kind: TemplateKind
    head: str
    middle: str | None
    tail: str
    scope_first: bool

    @classmethod
    def parse(cls, text: str, kind: TemplateKind, variables: Mapping[str, str],
              alphabet: re.Pattern[str], where: str, *, needs_logical: bool) -> Template:
        if not isinstance(text, str) or not text:
            raise ConfigurationError(f"{where}: a template must be a non-empty string")
        literal: list[str] = [""]
        order: list[str] = []
        for piece in _PLACEHOLDER.split(text):
            if not piece.startswith("{"):
                if "{" in piece or "}" in piece:
                    raise ConfigurationError(f"{where}: unbalanced brace in template {text!r}")
                literal[-1] += piece
                continue
            name = piece[1:-1]
            if name in ("tenant", "capsule"):
                if name != kind:
                    raise ConfigurationError(
                        f"{where}: template {text!r} uses {{{name}}}; {kind} templates place the "
                        f"scope with {{{kind}}}")
                order.append("scope")
                literal.append("")
            elif name == "logical":
                order.append("logical")
                literal.append("")
            elif name in variables:
                literal[-1] += variables[name]
            else:
                known = ", ".join(f"{{{v}}}" for v in ("logical", kind, *sorted(variables)))
                raise ConfigurationError(
                    f"{where}: unknown placeholder {piece} in {text!r}; known: {known}")
        if order.count("scope") != 1:
            raise ConfigurationError(
                f"{where}: template {text!r} must place the scope exactly once ({{{kind}}})")
        if order.count("logical") > 1 or (needs_logical and "logical" not in order):
            raise ConfigurationError(
                f"{where}: template {text!r} must hold {{logical}} exactly once (a template for "
                "one logical name, keyed service:name, may leave it out)")
        for part in literal:
            if part and any(c in _IAM_WILDCARDS for c in part):
                raise ConfigurationError(
                    f"{where}: template {text!r} contains an IAM wildcard character (* ? $)")
            stripped = part.replace("/", "")
            if stripped and not alphabet.fullmatch(stripped):
                raise ConfigurationError(
                    f"{where}: literal {part!r} in template {text!r} has characters the service "
                    f"does not allow in names (allowed: {alphabet.pattern[1:-2]})")
        if len(order) == 1:
            return cls(text, kind, literal[0], None, literal[1], True)
        head, middle, tail = literal
        scope_first = order[0] == "scope"
        if not middle:
            raise ConfigurationError(
                f"{where}: template {text!r} puts the scope and {{logical}} side by side; "
                "separate them with literal text, or 'acme'+'x' and 'acmex'+'' would share a name")
        facing = middle[0] if scope_first else middle[-1]
        if facing in _ID_CHARS:
            raise ConfigurationError(
                f"{where}: in template {text!r} the scope ID is followed or preceded by "
                f"{facing!r}, a character IDs may contain; the ID would not end unambiguously. "
                "Put a separator such as '-', '_' or '/' next to it")
        return cls(text, kind, head, middle, tail, scope_first)

    @property
    def has_logical(self) -> bool:
        return self.middle is not None

    def render(self, token: str, logical: str) -> str:
        if self.middle is None:
            return self.head + token + self.tail
        if self.scope_first:
            return self.head + token + self.middle + logical + self.tail
        return self.head + logical + self.middle + token + self.tail

    def regex(self, token_re: str, logical_re: str = ".+") -> str:
        """The template's language; groups ``id`` and ``logical`` (if any)."""
        token = f"(?P<id>{token_re})"
        if self.middle is None:
            return re.escape(self.head) + token + re.escape(self.tail)
        logical = f"(?P<logical>{logical_re})"
        first, second = (token, logical) if self.scope_first else (logical, token)
        return (re.escape(self.head) + first + re.escape(self.middle) + second
                + re.escape(self.tail))

    def iam_pattern(self, token: str) -> str:
        """The IAM resource pattern of one scope's names: the logical name becomes ``*``."""
        return self.render(token, "*")

    def root(self, token: str) -> str | None:
        """The prefix every name of the scope starts with, when the template is prefix-shaped
        (scope first, logical name last); None otherwise (listings cannot be narrowed)."""
        if self.middle is None or not self.scope_first or self.tail:
            return None
        return self.head + token + self.middle


def _fsm_regex(regex: str) -> str:
    # interegular does not know named groups; the language is what matters here.
    return re.sub(r"\(\?P<[a-z]+>", "(", regex)


def check_disjoint(where: str, languages: Sequence[tuple[str, str]]) -> None:
    """Refuse when two of ``languages`` (label, regex) share a string; name a witness."""
    # Imported here: only policies with templates pay for it, the default layout never does.
    from interegular import parse_pattern

    fsms = [(label, parse_pattern(_fsm_regex(regex)).to_fsm()) for label, regex in languages]
    for i, (label_a, fsm_a) in enumerate(fsms):
        for label_b, fsm_b in fsms[i + 1:]:
            both = fsm_a & fsm_b
            if both.empty():
                continue
            witness = _witness(both)
            raise ConfigurationError(
                f"{where}: {label_a} and {label_b} can produce the same physical name (for "
                f"example {witness!r}), so names would not say whose they are. Make the "
                "templates differ in literal text, restrict NamingPolicy.tenant_ids, give capsule "
                "templates, or set capsules=[] where the application has no capsule scopes")


def _witness(fsm: object) -> str:
    """A shortest string ``fsm`` accepts, by breadth-first search over its states (interegular's
    own ``strings()`` enumerates every string of each length, which explodes on name alphabets)."""
    by_class: dict[object, list[object]] = fsm.alphabet.by_transition  # type: ignore[attr-defined]
    initial, finals = fsm.initial, fsm.finals  # type: ignore[attr-defined]
    transitions: dict[object, dict[object, object]] = fsm.map  # type: ignore[attr-defined]
    paths: dict[object, str] = {initial: ""}
    queue = [initial]
    for state in queue:
        if state in finals:
            return paths[state]
        for label, target in sorted(transitions.get(state, {}).items(), key=lambda kv: str(kv[0])):
            chars = sorted(c for c in by_class.get(label, []) if isinstance(c, str))
            if chars and target not in paths:
                paths[target] = paths[state] + chars[0]
                queue.append(target)
    return ""
