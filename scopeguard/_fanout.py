"""Fan-out over the Organization's accounts: one result or error per account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

__all__ = ["AccountResult"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AccountResult(Generic[T]):
    """What one account's call returned, or the exception it raised (never both)."""

    account_id: str
    value: T | None = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None
