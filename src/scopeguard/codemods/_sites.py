"""What a client-creation site asks for, and whether it can be rewritten without guessing.

A site is a call that creates a boto3/botocore client or resource. Its arguments are bound to the
SDK's signature (positional ones included) and sorted into what the scope handle accepts
(``region_name``, ``config``, ``api_version``, ``use_ssl``, ``verify``), what the factory owns
(``endpoint_url``) and what must never be guessed at (credentials, profiles, ``**kwargs``, a
service name that is not a literal). The verdict carries the lint code the TODO marker uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import libcst as cst

from .._fullnames import CREDENTIAL_ARGUMENTS

__all__ = [
    "CLIENT_SIGNATURE",
    "SESSION_SIGNATURE",
    "SiteRecord",
    "Verdict",
    "bind_arguments",
    "client_verdict",
    "session_verdict",
    "temporary_credentials",
    "without_credentials",
]

# boto3.client / boto3.resource / Session.client / botocore create_client share this order.
CLIENT_SIGNATURE: Final = (
    "service_name",
    "region_name",
    "api_version",
    "use_ssl",
    "verify",
    "endpoint_url",
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "config",
    "aws_account_id",
)
SESSION_SIGNATURE: Final = (
    "aws_access_key_id",
    "aws_secret_access_key",
    "aws_session_token",
    "region_name",
    "botocore_session",
    "profile_name",
    "aws_account_id",
)
SCOPE_OPTIONS: Final = ("region_name", "config", "api_version", "use_ssl", "verify")
_CREDENTIAL_SOURCES: Final = (*CREDENTIAL_ARGUMENTS, "aws_account_id", "profile_name",
                              "botocore_session")

Outcome = Literal["rewritten", "todo", "skipped"]


@dataclass(frozen=True)
class Verdict:
    """``code`` None means the site can be rewritten with ``args`` (service name first)."""

    code: str | None
    reason: str = ""
    args: tuple[cst.Arg, ...] = ()
    region: cst.Arg | None = None
    scope_call: str = "platform()"
    changes: tuple[str, ...] = ()

    @property
    def rewritable(self) -> bool:
        return self.code is None


@dataclass(frozen=True)
class SiteRecord:
    """One line of the ``--report json`` output."""

    path: str
    line: int
    column: int
    outcome: Outcome
    code: str | None
    reason: str
    before: str = ""
    after: str = ""
    runtime: tuple[str, ...] = ()
    line_after: int = 0

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "line_after": self.line_after,
            "outcome": self.outcome,
            "code": self.code,
            "reason": self.reason,
            "before": self.before,
            "after": self.after,
            "runtime": list(self.runtime),
        }


def literal_string(node: cst.BaseExpression) -> str | None:
    """The value of a plain string literal (concatenations included), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def bind_arguments(
    args: Sequence[cst.Arg], signature: Sequence[str]
) -> dict[str, int] | Verdict:
    """Map parameter name -> index into ``args``; a Verdict when the call cannot be bound."""
    bound: dict[str, int] = {}
    for index, arg in enumerate(args):
        if arg.star:
            return Verdict(
                "SG030", f"`{arg.star}` arguments may carry credentials or any option"
            )
        if arg.keyword is None:
            if index >= len(signature):
                return Verdict("SG030", "more positional arguments than the SDK accepts")
            name = signature[index]
        else:
            name = arg.keyword.value
        if name in bound:
            return Verdict("SG030", f"{name} given twice")
        bound[name] = index
    return bound


TVM_DOC: Final = "docs/scoped-credentials.md"


def _credential_reason(names: Sequence[str], where: str) -> Verdict:
    listed = ", ".join(names)
    if "aws_session_token" in names:
        # Temporary credentials: in multi-tenant code, a tenant's from a token vending machine.
        return Verdict(
            "SG010",
            f"{where} sets {listed}: per-tenant STS credentials (a token vending machine)? "
            "a ClientFactory with scoped_credentials gives factory.tenant(<tenant ID>) clients "
            f"on the tenant's own role; see {TVM_DOC}",
        )
    return Verdict(
        "SG010",
        f"{where} sets {listed}; credentials belong to the factory's session (another account: "
        "factory.operator(account_id, role_name=...))",
    )


def session_verdict(args: Sequence[cst.Arg]) -> Verdict:
    """Whether a boto3 Session's arguments can be folded into a scoped client call."""
    bound = bind_arguments(args, SESSION_SIGNATURE)
    if isinstance(bound, Verdict):
        return bound
    sources = [n for n in _CREDENTIAL_SOURCES if n in bound]
    if sources:
        return _credential_reason(sources, "the session")
    unknown = [n for n in bound if n not in SESSION_SIGNATURE]
    if unknown:
        return Verdict("SG030", f"unknown session argument {unknown[0]}")
    region = bound.get("region_name")
    return Verdict(None, region=args[region] if region is not None else None)


def temporary_credentials(args: Sequence[cst.Arg], signature: Sequence[str]) -> bool:
    """A session token among the arguments: short-lived STS credentials, which in multi-tenant
    code are a tenant's (the token vending machine pattern)."""
    bound = bind_arguments(args, signature)
    return not isinstance(bound, Verdict) and "aws_session_token" in bound


def without_credentials(args: Sequence[cst.Arg]) -> list[cst.Arg] | None:
    """``args`` minus keyword credentials; None when a credential is positional or unpacked."""
    kept = []
    for index, arg in enumerate(args):
        if arg.star or (arg.keyword is None and index > 0):
            return None
        if arg.keyword is not None and arg.keyword.value in CREDENTIAL_ARGUMENTS:
            continue
        kept.append(arg)
    return kept


def client_verdict(args: Sequence[cst.Arg], endpoint_policy: str) -> Verdict:
    """Whether client-creation arguments map onto ``scope.client(...)``, and the args to keep."""
    bound = bind_arguments(args, CLIENT_SIGNATURE)
    if isinstance(bound, Verdict):
        return bound
    sources = [n for n in _CREDENTIAL_SOURCES if n in bound]
    if sources:
        return _credential_reason(sources, "the call")
    if "service_name" not in bound:
        return Verdict("SG030", "no service name")
    service = args[bound["service_name"]].value
    if literal_string(service) is None:
        return Verdict(
            "SG030", "the service name is not a literal; create this client by hand"
        )
    unknown = [n for n in bound if n not in (*SCOPE_OPTIONS, "service_name", "endpoint_url")]
    if unknown:
        return Verdict("SG030", f"unknown argument {unknown[0]}")
    if "endpoint_url" in bound and endpoint_policy != "drop":
        return Verdict(
            "SG032",
            "endpoint_url: pin it on the ClientFactory, then drop it here",
        )
    service_arg = args[bound["service_name"]]
    kept = [service_arg.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)]
    for index, arg in enumerate(args):
        name = arg.keyword.value if arg.keyword is not None else CLIENT_SIGNATURE[index]
        if name in ("service_name", "endpoint_url"):
            continue
        if arg.keyword is None:
            arg = arg.with_changes(
                keyword=cst.Name(name),
                equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""),
                    whitespace_after=cst.SimpleWhitespace(""),
                ),
            )
        kept.append(arg)
    return Verdict(None, args=tuple(kept))
