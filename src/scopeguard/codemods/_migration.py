"""One file through the three codemods: rewrite client sites, drop dead sessions, mark the rest.

``migrate_source`` is what the CLI runs per file (in worker processes) and what the tests call:
text in, text and per-site records out. It never raises on user code: a file that does not parse
comes back skipped with the parser's reason.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Final

import libcst as cst
from libcst.codemod import CodemodContext

from libcst.helpers import get_full_name_for_node

from .._codes import parse_marker
from ._markers import SITES_KEY, code_of
from ._settings import MigrateSettings
from ._sites import SiteRecord
from .mark_raw_sessions import MarkRawSessions
from .mark_sdk_patches import MarkSdkPatches
from .mark_remaining_findings import Finding, MarkRemainingFindings, remaining_findings
from .remove_dead_sessions import REMOVED_LINES_KEY, RemoveDeadSessions
from .rewrite_client_calls import REWRITTEN_SESSIONS_KEY, RewriteClientCalls

__all__ = ["SDK_MENTION", "FileResult", "could_have_sites", "migrate_source"]

# The pre-filter: a file that never names an SDK module cannot create a client through one, and
# every site spells one of SITE_WORDS somewhere in the file (the call, or the import it goes
# through), so files importing only, say, botocore.exceptions are not parsed either.
SDK_MENTION: Final = re.compile(r"\b(?:boto3|botocore|aioboto3|aiobotocore)\b")
SITE_WORDS: Final = re.compile(
    r"\b(?:client|resource|create_client|Session|get_session|AioSession|setup_default_session"
    r"|DEFAULT_SESSION|_get_default_session)\b"
)
# SG006 needs no SDK name in the file: a client made from a session handed in
# (``self.session.client("s3")``, ``get_session().client(...)``); such a file must reach the lint
# pass, or ``--check`` passes over a raw client it never looked at.
SESSION_CLIENT: Final = re.compile(
    r"sess\w*\W{0,4}\.\s*(?:client|resource|create_client)\s*\(", re.IGNORECASE
)


def could_have_sites(source: str) -> bool:
    """The pre-filter: False for a file in which neither a codemod nor a lint rule can find a
    site, which is then not even parsed."""
    return bool(
        (SDK_MENTION.search(source) and SITE_WORDS.search(source)) or SESSION_CLIENT.search(source)
    )


# What MarkRawSessions looks for: session factories, the default session, an uncalled factory.
RAW_LEFT: Final = re.compile(
    r"Session\s*\(|get_session|default_session|DEFAULT_SESSION"
    r"|boto3\s*\.\s*(?:client|resource)\b(?!\s*\()|import\s[^\n]*\b(?:client|resource)\b"
)
MARKER_LINE: Final = re.compile(r"^[ \t]*# scopeguard: TODO\(.*$", re.MULTILINE)
# What MarkSdkPatches looks for, in test files: mock.patch(...), patch.object(...), setattr(...).
PATCH_CALL: Final = re.compile(r"\b(?:patch|setattr)\b")
COMMANDS: Final = (RewriteClientCalls, RemoveDeadSessions, MarkRawSessions, MarkSdkPatches)
_CARRIED: Final = (SITES_KEY, REWRITTEN_SESSIONS_KEY, REMOVED_LINES_KEY)


@dataclass
class FileResult:
    """What migrating one file produced. ``skipped`` holds the reason when it was not migrated."""

    path: str
    original: str
    migrated: str
    sites: list[SiteRecord] = field(default_factory=list)
    skipped: str | None = None
    filtered: bool = False
    sessions_removed: int = 0
    unmarked: list[Finding] = field(default_factory=list)
    """Lint findings left without a marker in the migrated text (``--check`` fails on them)."""

    @property
    def changed(self) -> bool:
        return self.migrated != self.original

    @property
    def markers_added(self) -> Counter[str]:
        """The codes of the TODO markers this run wrote, each counted: a marker line carrying
        two codes counts once for each (``marker_lines_added`` counts the lines)."""
        added = _marker_codes(self.migrated)
        added.subtract(_marker_codes(self.original))
        return +added

    @property
    def marker_lines_added(self) -> int:
        """TODO marker lines this run wrote (or extended with further codes): one per statement
        left for review, whatever the number of codes it carries."""
        lines = Counter(line.strip() for line in MARKER_LINE.findall(self.migrated))
        lines.subtract(line.strip() for line in MARKER_LINE.findall(self.original))
        return sum((+lines).values())

    @property
    def lines_removed(self) -> int:
        """Net lines of client-creation boilerplate gone (session bindings, imports).

        TODO marker lines are added review aids, not code, so they do not offset the count."""
        markers = len(MARKER_LINE.findall(self.migrated)) - len(MARKER_LINE.findall(self.original))
        grown = self.migrated.count("\n") - max(markers, 0)
        return max(0, self.original.count("\n") - grown)


def _marker_codes(text: str) -> Counter[str]:
    """Codes acknowledged by the marker lines in ``text``, each code of a line counted."""
    counted: Counter[str] = Counter()
    for line in MARKER_LINE.findall(text):
        parsed = parse_marker(line)
        if parsed is not None:
            counted.update(parsed[0])
    return counted


def migrate_source(
    source: str, path: str | None = None, settings: MigrateSettings | None = None
) -> FileResult:
    """Run the migrate codemods over one module's text."""
    settings = settings if settings is not None else MigrateSettings()
    name = path or "<string>"
    if not could_have_sites(source):
        return FileResult(name, source, source, filtered=True)
    if settings.is_factory_module(path):
        return FileResult(name, source, source, skipped="factory module (factory-modules)")
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        return FileResult(name, source, source, skipped=f"does not parse: {reason}")
    original = tree
    carried: dict[str, object] = {}
    # Each pass reports positions in the text it was given; (first record, that text) per pass
    # lets every record be placed in the original file and in the migrated one.
    stages: list[tuple[int, str]] = []
    text = source
    for command in COMMANDS:
        # Each pass copies the tree and computes scope metadata; skip the ones with nothing to do.
        if command is RemoveDeadSessions and not carried.get(REWRITTEN_SESSIONS_KEY):
            continue
        if command is not RewriteClientCalls:
            text = tree.code
        if command is MarkRawSessions and not RAW_LEFT.search(text):
            continue
        if command is MarkSdkPatches and not (
            path is not None
            and PATCH_CALL.search(text)
            and settings.is_test(path)
        ):
            continue
        stages.append((len(_sites_of(carried)), text))
        context = CodemodContext(filename=path, scratch=dict(carried))
        tree = command(context, settings).transform_module(tree)
        carried = {k: context.scratch[k] for k in _CARRIED if k in context.scratch}
    # The safety net: whatever the lint rules would still report gets a marker too.
    text = tree.code
    findings, unmarked = remaining_findings(text, path, settings)
    if findings:
        stages.append((len(_sites_of(carried)), text))
        context = CodemodContext(filename=path, scratch=dict(carried))
        tree = MarkRemainingFindings(context, settings, findings).transform_module(tree)
        carried = {k: context.scratch[k] for k in _CARRIED if k in context.scratch}
    sites = _sites_of(carried)
    removed = carried.get(REMOVED_LINES_KEY, 0)
    assert isinstance(removed, int)
    migrated = _place_like_isort(original, _keep_import_separators(original, tree), settings).code
    if migrated != source and migrated.startswith("\n") and not source.startswith("\n"):
        # The removed import was the first statement; its blank separator lines are not kept.
        migrated = migrated.lstrip("\n")
    sites = _placed(sites, stages, source, migrated)
    return FileResult(
        name, source, migrated, sites=sites, sessions_removed=removed, unmarked=unmarked
    )


def _sites_of(carried: dict[str, object]) -> list[SiteRecord]:
    sites = carried.get(SITES_KEY, [])
    assert isinstance(sites, list)
    return sites


def _line_map(before: str, after: str) -> Callable[[int], int]:
    """Map a 1-based line of ``before`` to the line holding the same text in ``after``; a line
    that was replaced maps to its replacement's place."""
    if before == after:
        return lambda line: line
    a, b = before.splitlines(), after.splitlines()
    # The common head and tail map one to one; only the middle is diffed. difflib's autojunk
    # heuristic stays on: without it, a long module of repetitive lines (blank lines, `return`)
    # costs seconds per map, and the matching blocks it finds around the edits are the same.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    middle_a, middle_b = a[head : len(a) - tail], b[head : len(b) - tail]
    opcodes = difflib.SequenceMatcher(None, middle_a, middle_b).get_opcodes()

    def place(line: int) -> int:
        index = line - 1
        if index < head:
            return line
        if index >= len(a) - tail:
            return line + len(b) - len(a)
        index -= head
        for tag, i1, i2, j1, j2 in opcodes:
            if i1 <= index < i2:
                if tag == "equal":
                    return head + j1 + (index - i1) + 1
                return head + min(j1 + (index - i1), max(j2 - 1, j1)) + 1
        return line

    return place


def _placed(
    sites: list[SiteRecord], stages: list[tuple[int, str]], source: str, migrated: str
) -> list[SiteRecord]:
    placed: list[SiteRecord] = []
    for number, (first, text) in enumerate(stages):
        last = stages[number + 1][0] if number + 1 < len(stages) else len(sites)
        if first == last:
            continue
        to_source, to_migrated = _line_map(text, source), _line_map(text, migrated)
        for site in sites[first:last]:
            placed.append(
                replace(site, line=to_source(site.line), line_after=to_migrated(site.line))
            )
    return placed


def _bare(statement: cst.BaseStatement) -> cst.BaseStatement:
    return statement.with_changes(leading_lines=())


def _keep_import_separators(original: cst.Module, migrated: cst.Module) -> cst.Module:
    """Give a removed top-level import's blank lines and comments to the statement after it.

    LibCST's RemoveImportsVisitor drops a removed import's leading lines, which would glue
    ``import json`` to the next import group once ``import boto3`` between them is gone."""
    body = list(migrated.body)
    bare = [_bare(statement) for statement in body]
    for index, statement in enumerate(original.body):
        if not (
            _is_import(statement)
            and statement.leading_lines
            and not any(_bare(statement).deep_equals(b) for b in bare)
        ):
            continue
        placed = False
        for following in original.body[index + 1 :]:
            target = next((i for i, b in enumerate(bare) if _bare(following).deep_equals(b)), None)
            if target is not None:
                if not body[target].leading_lines:
                    body[target] = body[target].with_changes(leading_lines=statement.leading_lines)
                placed = True
                break
            if not _is_import(following):
                break  # the statement after it was rewritten, not removed: leave the layout
        if not placed and index > 0:
            # The factory import the codemod added took the removed import's place, after the
            # statement before it: it starts the group the removed import started.
            before = _bare(original.body[index - 1])
            at = next((i for i, b in enumerate(bare) if before.deep_equals(b)), None)
            if at is not None and at + 1 < len(body):
                added = body[at + 1]
                if (
                    _is_import(added)
                    and not added.leading_lines
                    and not any(_bare(added).deep_equals(_bare(o)) for o in original.body)
                ):
                    body[at + 1] = added.with_changes(leading_lines=statement.leading_lines)
    return migrated.with_changes(body=body)


def _is_import(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, cst.SimpleStatementLine) and isinstance(
        statement.body[0], (cst.Import, cst.ImportFrom)
    )


def _import_root(statement: cst.BaseStatement) -> tuple[str, bool] | None:
    """(top-level package, is a ``from`` import) of a module-level import line; None for others
    and for relative imports."""
    if not isinstance(statement, cst.SimpleStatementLine) or len(statement.body) != 1:
        return None
    small = statement.body[0]
    if isinstance(small, cst.Import):
        name = get_full_name_for_node(small.names[0].name) or ""
        return name.partition(".")[0], False
    if isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None:
        return (get_full_name_for_node(small.module) or "").partition(".")[0], True
    return None


def _from_module(statement: cst.BaseStatement) -> str:
    assert isinstance(statement, cst.SimpleStatementLine)
    small = statement.body[0]
    assert isinstance(small, cst.ImportFrom) and small.module is not None
    return get_full_name_for_node(small.module) or ""


_Statement = cst.SimpleStatementLine | cst.BaseCompoundStatement


def _no_lines(statement: _Statement) -> _Statement:
    return statement.with_changes(leading_lines=())


def _place_like_isort(
    original: cst.Module, migrated: cst.Module, settings: MigrateSettings
) -> cst.Module:
    """Move the accessor import the rewrite added to where isort would put it.

    LibCST appends it to the last import line, which is usually a third-party group. isort puts
    the application's own package in the first-party section, after third-party: in the group
    that already imports from the same package (as the group's last line when it sorts last, so
    the move stays small), else in a group of its own after the others, before relative imports.
    """
    module = settings.factory.import_module
    name = settings.factory.import_name
    if module is None or name is None:
        return migrated
    wanted = f"from {module} import {name}"
    body: list[_Statement] = list(migrated.body)
    before = {code_of(_bare(s)).strip() for s in original.body}
    index = next(
        (i for i, s in enumerate(body) if code_of(_no_lines(s)).strip() == wanted), None
    )
    if index is None or wanted in before:
        return migrated
    added = body.pop(index)
    root = module.partition(".")[0]
    imports = [i for i, s in enumerate(body) if _import_root(s) is not None or _is_import(s)]
    # The leading import block: imports, docstrings and comments before the first other statement.
    block = []
    for i, statement in enumerate(body):
        if _is_import(statement):
            block.append(i)
        elif block or not (
            isinstance(statement, cst.SimpleStatementLine)
            and isinstance(statement.body[0], cst.Expr)
        ):
            break
    if not imports or not block:
        body.insert(index, added)
        return migrated.with_changes(body=body)
    same = [i for i in block if (_import_root(body[i]) or ("", False))[0] == root]
    if same:
        # isort: plain imports first, then from-imports, each sorted by module name.
        later = [
            i for i in same
            if (_import_root(body[i]) or ("", False))[1]
            and _from_module(body[i]) > module
        ]
        at = later[0] if later else same[-1] + 1
        if later and at == same[0]:
            added = added.with_changes(leading_lines=body[at].leading_lines)
            body[at] = _no_lines(body[at])
        else:
            added = _no_lines(added)
        body.insert(at, added)
        return migrated.with_changes(body=body)
    relative = [i for i in block if _import_root(body[i]) is None]
    separator = [cst.EmptyLine()]
    if relative:
        # First-party goes before the relative group, which then starts after a blank line.
        at = relative[0]
        if at == block[0]:
            added = added.with_changes(leading_lines=body[at].leading_lines)
            separator = []
        else:
            added = added.with_changes(leading_lines=separator)
        if not body[at].leading_lines or at == block[0]:
            body[at] = body[at].with_changes(leading_lines=[cst.EmptyLine()])
        body.insert(at, added)
    else:
        body.insert(block[-1] + 1, _no_lines(added).with_changes(leading_lines=separator))
    return migrated.with_changes(body=body)
