"""Operator credentials: STS AssumeRole, cached and refreshed ahead of expiry."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["OperatorSettings"]


@dataclass(frozen=True, slots=True)
class OperatorSettings:
    """How operator scopes assume roles in other accounts of the Organization."""

    role_name: str = "OrganizationAccountAccessRole"
    external_id: str | None = None
    source_identity: str | None = None
    session_name: str = "scopeguard"
    duration_seconds: int = 3600
    ttl_seconds: float = 55 * 60
    margin_seconds: float = 5 * 60
    sts_region: str | None = None
