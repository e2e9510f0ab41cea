"""DynamoDB's embedded languages, read by strict grammars: what they do not accept is refused.

Two languages name resources or keys inside a string: PartiQL statements name their table, and
a Query's ``KeyConditionExpression`` names the partition key value that decides whose items come
back. A clause the guard skipped because it could not read it would be a clause DynamoDB reads
and the guard did not, so each is parsed by a small grammar covering what applications write,
and everything outside it is refused.

PartiQL subset (one statement; keywords are case-insensitive)::

    SELECT <projection> FROM <table> [WHERE ...]
    INSERT INTO <table> VALUE ...
    UPDATE <table> (SET|REMOVE) ... [WHERE ...] [RETURNING ...]
    DELETE FROM <table> [WHERE ...] [RETURNING ...]
    [NOT] EXISTS ( SELECT ... )              (ExecuteTransaction condition checks)

``<table>`` is one identifier, bare or double-quoted, with an optional ``."index"``; a table ARN,
several tables, joins and sub-queries are refused. Tokens are ``'string'`` literals (``''``
escapes a quote), ``"identifiers"``, bare words, numbers, ``?`` and operators; comments (``--``,
``/* */``), backslashes, backtick (Ion) literals, control characters and non-ASCII text outside
string literals are refused, as is any second ``SELECT``/``FROM``/``INTO``/``UPDATE``/
``INSERT``/``DELETE`` keyword.

Key-condition subset::

    cond     := term (AND term)*            at most two terms
    term     := '(' cond ')' | operand op operand | operand BETWEEN operand AND operand
              | begins_with '(' operand ',' operand ')'
    operand  := #name | :value | attribute      (attribute: letters, digits, underscore)
    op       := = | < | <= | > | >=

The partition key must appear in exactly one term, as ``<key> = :value``; a literal in place of
a placeholder, ``OR``, ``NOT``, functions other than ``begins_with`` and document paths are
refused.

Update expressions (``UpdateItem``, ``TransactWriteItems`` updates) on pooled tables whose
indexes carry a tenant partition key::

    update   := clause+                     each of SET, REMOVE, ADD, DELETE at most once
    clause   := SET path '=' value (',' path '=' value)*
              | REMOVE path (',' path)*
              | (ADD | DELETE) path :value (',' path :value)*
    path     := element ('.' element | '[' digits ']')*     element: attribute or #name
    value    := tokens up to the next top-level ',' or clause keyword (#name, :value,
                attribute, digits, '.', '[', ']', '(', ')', ',', '+', '-')

Each action is read for the attribute it writes; what a value computes is the service's
business unless the attribute is an index key (``dynamodb`` decides).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["KeyTerm", "Malformed", "PartiqlTable", "UpdateAction", "key_terms", "partiql_table",
           "update_actions"]


class Malformed(Exception):
    """Outside the grammar: the caller refuses the request with this reason."""


# -- PartiQL -----------------------------------------------------------------------------------

_PARTIQL_TOKEN: Final = re.compile(
    r"""(?P<space>[ \t\r\n]+)
      | (?P<string>'(?:[^'\\\x00-\x1f\x7f]|'')*')
      | (?P<quoted>"(?:[^"\\\x00-\x1f\x7f]|"")*")
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
      | (?P<comment>--|/\*)
      | (?P<op><=|>=|<>|!=|<<|>>|\|\||[=<>(),.\[\]{}:*+\-/%?])""",
    re.VERBOSE,
)
_STATEMENT_KEYWORDS: Final = frozenset({"SELECT", "FROM", "INTO", "UPDATE", "INSERT", "DELETE",
                                        "JOIN", "UNION", "EXCEPT", "INTERSECT"})
_AFTER_TABLE: Final = {
    "SELECT": frozenset({"WHERE"}),
    "DELETE": frozenset({"WHERE", "RETURNING"}),
    "INSERT": frozenset({"VALUE"}),
    "UPDATE": frozenset({"SET", "REMOVE"}),
}
# A DynamoDB table or index name: what may stand, unquoted or quoted, where the table goes.
_TABLE_NAME: Final = re.compile(r"[A-Za-z0-9_.\-]{1,255}")


@dataclass(frozen=True, slots=True)
class PartiqlTable:
    """Where a statement names its table: token index, the name, and the statement's tokens."""

    tokens: list[str]
    index: int
    name: str

    def replaced(self, physical: str) -> str:
        """The statement with its table written as ``physical`` (quoted)."""
        tokens = list(self.tokens)
        tokens[self.index] = '"' + physical + '"'
        return "".join(tokens)


def _scan(pattern: re.Pattern[str], text: str, where: str) -> Iterator[re.Match[str]]:
    """The matches of ``pattern`` that cover ``text`` end to end, or ``Malformed`` at the first
    character none of its alternatives accepts."""
    pos = 0
    while pos < len(text):
        m = pattern.match(text, pos)
        if m is None:
            raise Malformed(f"unexpected {text[pos:pos + 10]!r} at offset {pos} in {where} "
                            "(outside the subset scopeguard reads)")
        yield m
        pos = m.end()


def _partiql_tokens(statement: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for m in _scan(_PARTIQL_TOKEN, statement, "the PartiQL statement"):
        kind = m.lastgroup or ""
        if kind == "comment":
            raise Malformed("comments are not accepted in PartiQL statements")
        tokens.append((kind, m.group()))
    return tokens


def partiql_table(statement: str) -> PartiqlTable:
    """The one table ``statement`` reads or writes, or ``Malformed``."""
    tokens = _partiql_tokens(statement)
    code = [i for i, (kind, _) in enumerate(tokens) if kind != "space"]
    words = [tokens[i][1].upper() if tokens[i][0] == "word" else tokens[i][1] for i in code]
    # [NOT] EXISTS ( SELECT ... ): the condition check of ExecuteTransaction.
    start, end = 0, len(code)
    if words[:1] == ["NOT"]:
        start = 1
    if words[start:start + 2] == ["EXISTS", "("] and words[-1:] == [")"]:
        start, end = start + 2, end - 1
    elif start:
        raise Malformed("a statement starts with SELECT, INSERT, UPDATE, DELETE or EXISTS")
    body = words[start:end]
    if not body or body[0] not in _AFTER_TABLE:
        raise Malformed("a statement starts with SELECT, INSERT, UPDATE, DELETE or EXISTS")
    verb = body[0]
    if start and verb != "SELECT":
        raise Malformed("EXISTS takes a SELECT")
    if verb == "SELECT":
        if "FROM" not in body:
            raise Malformed("SELECT without FROM")
        at = body.index("FROM") + 1
    elif verb == "UPDATE":
        at = 1
    else:
        if body[1:2] != (["INTO"] if verb == "INSERT" else ["FROM"]):
            raise Malformed(f"{verb} must be followed by {'INTO' if verb == 'INSERT' else 'FROM'}")
        at = 2
    keywords = [w for w, i in zip(words, code, strict=True)
                if tokens[i][0] == "word" and w in _STATEMENT_KEYWORDS]
    if len(keywords) != (1 if verb == "UPDATE" else 2):
        raise Malformed("one statement, one table: a second SELECT, FROM, INTO, UPDATE, INSERT, "
                        "DELETE, JOIN or set operation is not accepted")
    if at >= len(body):
        raise Malformed("no table after the keyword")
    index = code[start + at]
    kind, text = tokens[index]
    if kind == "quoted":
        name = text[1:-1]
    elif kind == "word":
        name = text
    else:
        raise Malformed("the table must be a name, bare or in double quotes")
    if not _TABLE_NAME.fullmatch(name):
        raise Malformed(f"{name!r} is not a table name (an ARN is not accepted in a statement; "
                        "name the table)")
    rest = body[at + 1:]
    if rest[:1] == ["."]:  # "table"."index"
        if len(rest) < 2 or tokens[code[start + at + 2]][0] not in ("quoted", "word"):
            raise Malformed("an index name must follow '.'")
        rest = rest[2:]
    if rest and rest[0] not in _AFTER_TABLE[verb]:
        raise Malformed(f"unexpected {rest[0]!r} after the table (one table per statement)")
    return PartiqlTable([t for _, t in tokens], index, name)


# -- key conditions ----------------------------------------------------------------------------

_KEY_TOKEN: Final = re.compile(
    r"(?P<space>\s+)|(?P<name>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|=|<|>|\(|\)|,)"
)
_COMPARISONS: Final = frozenset({"=", "<", "<=", ">", ">="})


def _expression_tokens(pattern: re.Pattern[str], expression: str, keywords: frozenset[str],
                       keyword_kind: str, where: str) -> list[tuple[str, str]]:
    """``(kind, text)`` tokens of a key condition or update expression, spaces dropped. Words
    in ``keywords`` (DynamoDB reserved words, so never bare attribute names) become
    ``keyword_kind`` tokens, upper-cased."""
    tokens: list[tuple[str, str]] = []
    for m in _scan(pattern, expression, where):
        if m.lastgroup != "space":
            kind, text = m.lastgroup or "", m.group()
            if kind == "word" and text.upper() in keywords:
                kind, text = keyword_kind, text.upper()
            tokens.append((kind, text))
    return tokens


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """One term of a key condition: its operator and operands (``#name``, ``:value`` or an
    attribute), as written."""

    op: str
    operands: tuple[str, ...]


class _KeyParser:
    def __init__(self, expression: str) -> None:
        self.tokens = _expression_tokens(_KEY_TOKEN, expression, frozenset({"AND", "BETWEEN"}),
                                         "keyword", "the key condition")
        self.pos = 0
        self.terms: list[KeyTerm] = []

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else ("end", "")

    def take(self, kind: str, text: str | None = None) -> str:
        tok = self.peek()
        if tok[0] != kind or (text is not None and tok[1] != text):
            raise Malformed(f"expected {text or kind} in the key condition, found "
                            f"{tok[1] or 'the end'!r}")
        self.pos += 1
        return tok[1]

    def operand(self) -> str:
        kind, text = self.peek()
        if kind not in ("name", "value", "word"):
            raise Malformed(f"expected a #name, :value or attribute, found {text or 'the end'!r}")
        self.pos += 1
        return text

    def condition(self) -> None:
        self.term()
        while self.peek() == ("keyword", "AND"):
            self.pos += 1
            self.term()

    def term(self) -> None:
        kind, text = self.peek()
        if (kind, text) == ("op", "("):
            self.pos += 1
            self.condition()
            self.take("op", ")")
            return
        if (kind, text) == ("word", "begins_with") and self.tokens[self.pos + 1:self.pos + 2] \
                == [("op", "(")]:
            self.pos += 2
            first = self.operand()
            self.take("op", ",")
            second = self.operand()
            self.take("op", ")")
            self.terms.append(KeyTerm("begins_with", (first, second)))
            return
        left = self.operand()
        kind, text = self.peek()
        if (kind, text) == ("keyword", "BETWEEN"):
            self.pos += 1
            low = self.operand()
            self.take("keyword", "AND")
            high = self.operand()
            self.terms.append(KeyTerm("BETWEEN", (left, low, high)))
        elif kind == "op" and text in _COMPARISONS:
            self.pos += 1
            self.terms.append(KeyTerm(text, (left, self.operand())))
        else:
            raise Malformed(f"expected a comparison after {left!r}, found {text or 'the end'!r}")


def key_terms(expression: str) -> list[KeyTerm]:
    """The terms of a key condition in the subset above, or ``Malformed``."""
    parser = _KeyParser(expression)
    parser.condition()
    if parser.pos != len(parser.tokens):
        raise Malformed(f"unexpected {parser.peek()[1]!r} in the key condition (only AND joins "
                        "terms)")
    if len(parser.terms) > 2:
        raise Malformed("a key condition has at most two terms (partition and sort key)")
    return parser.terms


def pinned_value(terms: list[KeyTerm], attribute: str,
                 resolve: Callable[[str], str]) -> str:
    """The ``:value`` placeholder the partition key ``attribute`` is pinned to by equality, the
    only term that names it; ``resolve`` maps ``#name`` operands to attribute names."""
    pinned: list[str] = []
    for term in terms:
        names = [resolve(o) for o in term.operands if not o.startswith(":")]
        values = [o for o in term.operands if o.startswith(":")]
        if len(names) != 1 or len(values) != len(term.operands) - 1:
            raise Malformed("each key condition term compares one attribute with :value "
                            "placeholders (no literals)")
        if names[0] != attribute:
            continue
        if term.op != "=" or len(values) != 1:
            raise Malformed(f"the key condition must pin {attribute!r} with exactly one "
                            f"equality, not {term.op}")
        pinned.append(values[0])
    if len(pinned) != 1:
        raise Malformed(f"the key condition must pin {attribute!r} with exactly one equality")
    return pinned[0]


def name_resolver(names: Any) -> Callable[[str], str]:
    """``#name`` → the attribute ``ExpressionAttributeNames`` maps it to; bare names as is."""
    if names is not None and not isinstance(names, Mapping):
        raise Malformed("ExpressionAttributeNames must be a map")
    table: Mapping[str, Any] = names or {}

    def resolve(operand: str) -> str:
        if not operand.startswith("#"):
            return operand
        value = table.get(operand)
        if not isinstance(value, str):
            raise Malformed(f"{operand} is not in ExpressionAttributeNames")
        return value

    return resolve


# -- update expressions ------------------------------------------------------------------------

_UPDATE_TOKEN: Final = re.compile(
    r"""(?P<space>[ \t\r\n]+)
      | (?P<name>\#[A-Za-z0-9_]+)
      | (?P<value>:[A-Za-z0-9_]+)
      | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<number>[0-9]+)
      | (?P<op>[=.,()\[\]+\-])""",
    re.VERBOSE,
)
_CLAUSES: Final = frozenset({"SET", "REMOVE", "ADD", "DELETE"})


@dataclass(frozen=True, slots=True)
class UpdateAction:
    """One action of an update expression: its clause, the top-level attribute it writes (a
    bare name or ``#name``, as written), whether it writes below that attribute
    (``a.b``, ``a[0]``), and the tokens of its value (empty for ``REMOVE``)."""

    clause: str
    attribute: str
    nested: bool
    value: tuple[str, ...]


def update_actions(expression: str) -> list[UpdateAction]:
    """The actions of an update expression in the subset above, or ``Malformed``."""
    tokens = _expression_tokens(_UPDATE_TOKEN, expression, _CLAUSES, "clause",
                                "the update expression")
    actions: list[UpdateAction] = []
    seen: set[str] = set()
    i = 0
    while i < len(tokens):
        kind, clause = tokens[i]
        if kind != "clause" or clause in seen:
            raise Malformed(f"expected SET, REMOVE, ADD or DELETE (each once), found {clause!r}")
        seen.add(clause)
        i += 1
        while True:
            attribute, nested, i = _update_path(tokens, i)
            value: list[str] = []
            if clause == "SET":
                if tokens[i:i + 1] != [("op", "=")]:
                    raise Malformed(f"expected '=' after {attribute} in SET")
                i, depth = i + 1, 0
                while i < len(tokens) and tokens[i][0] != "clause" and not (
                        depth == 0 and tokens[i] == ("op", ",")):
                    depth += {"(": 1, ")": -1}.get(tokens[i][1], 0) if tokens[i][0] == "op" \
                        else 0
                    if depth < 0:
                        raise Malformed("unbalanced parentheses in the update expression")
                    value.append(tokens[i][1])
                    i += 1
                if depth or not value:
                    raise Malformed(f"unreadable value for {attribute} in SET")
            elif clause in ("ADD", "DELETE"):
                if i >= len(tokens) or tokens[i][0] != "value":
                    raise Malformed(f"expected a :value after {attribute} in {clause}")
                value.append(tokens[i][1])
                i += 1
            actions.append(UpdateAction(clause, attribute, nested, tuple(value)))
            if tokens[i:i + 1] == [("op", ",")]:
                i += 1
                continue
            break
    if not actions:
        raise Malformed("an update expression needs at least one action")
    return actions


def _update_path(tokens: list[tuple[str, str]], i: int) -> tuple[str, bool, int]:
    if i >= len(tokens) or tokens[i][0] not in ("word", "name"):
        found = tokens[i][1] if i < len(tokens) else "the end"
        raise Malformed(f"expected an attribute or #name in the update expression, found "
                        f"{found!r}")
    attribute, nested, i = tokens[i][1], False, i + 1
    while i < len(tokens) and tokens[i] in (("op", "."), ("op", "[")):
        if tokens[i][1] == ".":
            if i + 1 >= len(tokens) or tokens[i + 1][0] not in ("word", "name"):
                raise Malformed(f"expected an attribute after '.' in {attribute}'s path")
            i += 2
        else:
            if not (i + 2 < len(tokens) and tokens[i + 1][0] == "number"
                    and tokens[i + 2] == ("op", "]")):
                raise Malformed(f"expected [digits] in {attribute}'s path")
            i += 3
        nested = True
    return attribute, nested, i
