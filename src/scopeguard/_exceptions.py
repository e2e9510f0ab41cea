"""The one exception tree of scopeguard.

    ScopeguardError                      root: catch this to catch everything scopeguard raises
    ├── ScopeViolation                   a request was refused before it left the process
    ├── InvalidScope (ValueError)        a tenant ID, capsule code or account ID is not canonical
    │   └── InvalidName                  a logical resource name cannot be mapped in its scope
    ├── ConfigurationError (ValueError)  the factory, naming policy or [tool.scopeguard] is wrong
    └── CredentialError                  operator credentials could not be obtained
        └── StoreEntryUnreadable         a credential store entry cannot be decrypted or parsed

Messages say what was refused, why, and what to write instead. They never contain a
credential, a session token or a signed URL.
"""

from __future__ import annotations

__all__ = [
    "ConfigurationError",
    "CredentialError",
    "InvalidName",
    "InvalidScope",
    "ScopeViolation",
    "ScopeguardError",
    "StoreEntryUnreadable",
]


class ScopeguardError(Exception):
    """Root of every exception scopeguard raises."""


class ScopeViolation(ScopeguardError):
    """A request named a resource outside its client's scope and was refused unsent.

    Deliberately not an ``OSError`` (nor ``PermissionError``): retry loops written as
    ``except OSError:`` treat that family as transient, and a refusal is final. Retrying it
    only repeats the refusal, and swallowing it hides a cross-scope access attempt.

    The attributes let services log or count refusals without parsing the message.
    """

    def __init__(
        self,
        reason: str,
        *,
        scope: str,
        service: str = "",
        operation: str = "",
        parameter: str = "",
    ) -> None:
        self.reason = reason
        self.scope = scope
        self.service = service
        self.operation = operation
        self.parameter = parameter
        where = ".".join(p for p in (service, operation) if p) or "request"
        at = f" parameter {parameter}" if parameter else ""
        super().__init__(f"{scope}: {where}{at} refused: {reason}")


class InvalidScope(ScopeguardError, ValueError):
    """A scope identifier (tenant ID, capsule code, account ID) is not in canonical form."""


class InvalidName(InvalidScope):
    """A logical resource name is not valid for its service or does not fit its scope."""


class ConfigurationError(ScopeguardError, ValueError):
    """The factory, the naming policy or the ``[tool.scopeguard]`` table is misconfigured."""


class CredentialError(ScopeguardError):
    """Operator credentials could not be obtained (STS refused, throttled or unreachable)."""


class StoreEntryUnreadable(CredentialError):
    """A shared credential store holds an entry that cannot be decrypted or parsed (corrupted,
    tampered with, or written under another encryption key).

    Raised by ``CredentialStore.get`` implementations; the credential cache treats it as a miss,
    calls STS and overwrites the entry, so it never reaches application code.
    """
