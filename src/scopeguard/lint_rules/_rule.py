"""What a rule is: a code from the registry, a judgement over sites, and its own examples.

Each rule module in ``rules/`` defines one ``Rule`` subclass. Its ``VALID`` and ``INVALID``
snippets are executable documentation: ``tests/lint_rules/test_rules.py`` runs every rule's
examples through the real checker, and ``docs/rules/*.md`` are generated from them. In an
``INVALID`` snippet, a trailing ``# SG0xx`` comment marks each line that must be reported, with
every code expected on that line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import ClassVar, Final

from .._codes import Code, lookup
from .._naming import NamingPolicy
from ._analysis import Site

__all__ = ["EXPECT_RE", "Context", "Finding", "Rule", "expected_findings"]

EXPECT_RE: Final = re.compile(r"#\s*(SG\d{3}(?:\s*,\s*SG\d{3})*)\s*$")


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may consult besides the sites: the naming policy of the file's project."""

    naming: NamingPolicy


@dataclass(frozen=True, slots=True)
class Finding:
    line: int
    col: int
    code: str
    detail: str
    end_line: int

    def message(self, acknowledged: str | None = None) -> str:
        """flake8's text: the code, what is wrong, why it matters, and what to write instead."""
        entry = lookup(self.code)
        head = f"{self.code} {entry.message} ({self.detail})"
        if acknowledged is not None:
            reason = f" {acknowledged}" if acknowledged else ""
            head += f" [acknowledged: TODO({self.code}){reason}]"
        return f"{head}: {entry.why}; instead, {entry.fix}"


class Rule:
    """One lint code. Subclasses set ``code``, the examples, and implement ``check``."""

    code: ClassVar[str]
    VALID: ClassVar[tuple[str, ...]]
    INVALID: ClassVar[tuple[str, ...]]

    @classmethod
    def entry(cls) -> Code:
        return lookup(cls.code)

    def check(self, sites: list[Site], context: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(self, site: Site, detail: str | None = None) -> Finding:
        return Finding(site.line, site.col, self.code, detail or site.target, site.end_line)


def expected_findings(source: str) -> list[tuple[int, str]]:
    """The sorted ``(line, code)`` pairs an example marks with trailing ``# SG0xx`` comments."""
    expected: list[tuple[int, str]] = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = EXPECT_RE.search(line)
        if match:
            expected += [(number, code.strip()) for code in match.group(1).split(",")]
    return sorted(expected)
