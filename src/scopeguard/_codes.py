"""Registry of every diagnostic code scopeguard's tools emit.

The flake8 rules (``SG`` + three digits), the mypy plugin's error codes (``scopeguard-…``) and the
codemod's ``# scopeguard: TODO(SG0xx) reason`` markers all take their code, short message and
documentation from this table, and the rule docs are generated from it. A test checks that every
code a tool emits is registered here and that every registered code is emitted by some tool.

This module is imported by the static tools: it must stay free of boto3, mypy, flake8 and libcst.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

__all__ = [
    "CODES",
    "MYPY_CODES",
    "Code",
    "MypyCode",
    "TODO_MARKER",
    "format_marker",
    "lookup",
    "parse_marker",
]

Tool = Literal["lint", "mypy", "migrate"]

TODO_MARKER: Final = "# scopeguard: TODO({code}) {reason}"
"""The marker the codemod writes next to a site it must not guess; the lint rules read it back.

One statement gets one marker line: ``{code}`` is every code it needs, comma-separated, and
``{reason}`` their reasons joined by ``"; "`` (``# scopeguard: TODO(SG001,SG010) a; b``)."""

_MARKER_RE: Final = re.compile(
    r"#\s*scopeguard:\s*TODO\((?P<codes>SG\d{3}(?:\s*,\s*SG\d{3})*)\)(?P<reason>.*)$"
)


def format_marker(codes: Sequence[str], reasons: Sequence[str]) -> str:
    """The marker line for ``codes``; empty and repeated reasons are left out."""
    kept = list(dict.fromkeys(r.strip() for r in reasons if r.strip()))
    return TODO_MARKER.format(code=",".join(codes), reason="; ".join(kept)).rstrip()


def parse_marker(comment: str) -> tuple[tuple[str, ...], str] | None:
    """The codes a marker comment acknowledges and its reason text, or None for other comments.

    Both the one-code form and the several-codes form are read; every code shares the reason."""
    match = _MARKER_RE.search(comment.rstrip())
    if match is None:
        return None
    codes = tuple(code.strip() for code in match.group("codes").split(","))
    return codes, match.group("reason").strip()


@dataclass(frozen=True, slots=True)
class Code:
    """One lint code: what is wrong, why it matters, and what to write instead."""

    code: str
    name: str
    message: str
    why: str
    fix: str
    tools: tuple[Tool, ...]


@dataclass(frozen=True, slots=True)
class MypyCode:
    """One mypy error code (usable in ``# type: ignore[...]`` and ``disable_error_code``)."""

    code: str
    description: str
    lint_equivalent: str | None


_CODES: Final = (
    Code(
        "SG001",
        "raw-client",
        "boto3 client/resource created outside the factory",
        "a raw client carries no scope, so nothing stops it from reaching another tenant's or "
        "environment's resources",
        "ask the injected ClientFactory: factory.tenant(tenant_id).client('dynamodb')",
        ("lint", "migrate"),
    ),
    Code(
        "SG002",
        "raw-session",
        "boto3/botocore session created outside the factory",
        "sessions are the root of credentials and clients; only the composition root "
        "(factory-modules) may create one",
        "create the session once in a factory module and pass it to ClientFactory(session=...)",
        ("lint", "migrate"),
    ),
    Code(
        "SG003",
        "session-client",
        "client/resource created from a raw session outside the factory",
        "a client made from a session directly bypasses the scope guard",
        "use factory.platform()/tenant()/capsule()/operator() and call .client() on the handle",
        ("lint", "migrate"),
    ),
    Code(
        "SG004",
        "default-session",
        "boto3's process-wide default session used",
        "boto3.DEFAULT_SESSION is global mutable state shared by every thread and tenant",
        "inject a ClientFactory instead of configuring the default session",
        ("lint", "migrate"),
    ),
    Code(
        "SG005",
        "async-raw-client",
        "aioboto3/aiobotocore session or client created outside the factory",
        "async clients need the same scope guard as sync ones",
        "ask a scope handle for its async client: factory.<scope>(...).async_client(...), "
        "awaited or in async with",
        ("lint", "migrate"),
    ),
    Code(
        "SG006",
        "named-session-client",
        "client/resource created from a session passed around untyped",
        "a client made from any session bypasses the scope guard, wherever the session came "
        "from (a parameter, another object's boto_session, a get_session() helper)",
        "inject the ClientFactory instead of the session and call .client() on a scope handle: "
        "factory.tenant(tenant_id).client('s3')",
        ("lint",),
    ),
    Code(
        "SG010",
        "explicit-credentials",
        "AWS credentials passed explicitly",
        "keys in code leak through logs and history and pin a client to one principal",
        "let the factory's session resolve credentials, or use factory.operator() for another "
        "account",
        ("lint", "migrate"),
    ),
    Code(
        "SG011",
        "access-key-literal",
        "string literal looks like an AWS access key ID",
        "a committed access key is a leaked access key",
        "remove the key, rotate it, and load credentials from the environment or a role",
        ("lint",),
    ),
    Code(
        "SG020",
        "physical-name-literal",
        "literal resource name carries a scope prefix",
        "application code must use logical names; the scoped client adds the prefix, so a "
        "hard-coded physical name pins code to one tenant or environment",
        "write the logical name (e.g. 'orders') and let the scope map it",
        ("lint",),
    ),
    Code(
        "SG030",
        "dynamic-client",
        "client created with a service name or options that cannot be resolved statically",
        "a variable service name or **kwargs may carry credentials or select any service",
        "pass the service name as a literal and the options explicitly",
        ("lint", "migrate"),
    ),
    Code(
        "SG031",
        "import-time-client",
        "client created at import time, in a default argument, a class body or a cached function",
        "such a client is shared by every request and tenant and outlives any scope",
        "create the client inside the request from a scope handle; the factory caches it",
        ("lint", "migrate"),
    ),
    Code(
        "SG040",
        "refused-service",
        "a tenant or capsule scope asked for a service its guard always refuses",
        "the guard of a tenant or capsule scope covers a fixed set of services and refuses every "
        "request to any other, so this client can never make a call",
        "use factory.platform().client(...) for shared infrastructure, "
        "factory.operator(account_id, role_name=...) for another account, or one of the "
        "covered services",
        ("lint",),
    ),
    Code(
        "SG032",
        "client-endpoint-url",
        "client created with its own endpoint_url",
        "the factory pins every client's endpoint, so a per-client endpoint_url would be refused; "
        "the codemod cannot tell whether the factory is configured with the same endpoint",
        "configure ClientFactory(endpoint_url=...) or SCOPEGUARD_ENDPOINT_URL and drop the "
        "argument (scopeguard migrate drops it with endpoint-url = \"drop\")",
        ("migrate",),
    ),
    Code(
        "SG050",
        "sdk-patch-in-tests",
        "test patches an SDK entry point that migrated code no longer calls",
        "migrated code asks the factory for its clients, so a patch of boto3.client, "
        "boto3.resource, boto3.Session or aiobotocore's get_session intercepts nothing, and a "
        "factory the accessor built during one test carries into the next",
        "put a factory into the accessor for the test: set_factory(scopeguard.testing."
        "StubFactory({'ecs': ecs_mock})) or set_factory(scopeguard.testing.moto_factory()), "
        "and set_factory(None) after it (docs/migration.md, \"Tests that mock the SDK\")",
        ("migrate",),
    ),
)

CODES: Final[dict[str, Code]] = {c.code: c for c in _CODES}

MYPY_CODES: Final[dict[str, MypyCode]] = {
    c.code: c
    for c in (
        MypyCode(
            "scopeguard-raw-client",
            "raw boto3/botocore client or session created outside factory-modules",
            "SG001",
        ),
        MypyCode(
            "scopeguard-scope-mismatch",
            "client of one scope passed where another scope is required",
            None,
        ),
        MypyCode(
            "scopeguard-wrong-name",
            "literal resource name belongs to another scope",
            "SG020",
        ),
        MypyCode(
            "scopeguard-unknown-service",
            "service name is not a known AWS service",
            None,
        ),
        MypyCode(
            "scopeguard-refused-service",
            "tenant or capsule scope asked for a service its guard always refuses",
            "SG040",
        ),
    )
}


def lookup(code: str) -> Code:
    """Return the registered lint code, or raise KeyError naming the registered ones."""
    try:
        return CODES[code]
    except KeyError:
        raise KeyError(f"{code} is not a scopeguard code; known: {', '.join(CODES)}") from None
