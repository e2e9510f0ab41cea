"""Fan-out over the Organization's accounts: one result or error per account.

``fan_out`` runs one function per account, each with that account's operator scope, on a bounded
thread pool. One account failing (a missing role, AccessDenied, a throttled call) becomes that
account's ``AccountResult.error``; the others run on. Results come back in a deterministic order,
whatever order the threads finish in.

Every worker shares the factory, and so the credential cache: credentials are assumed once per
account and role, however many calls ``fn`` makes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from ._exceptions import ConfigurationError
from ._naming import NamingPolicy
from ._observe import emit

if TYPE_CHECKING:
    from ._factory import ClientFactory
    from ._scope import OperatorScope

__all__ = ["AccountResult", "async_fan_out", "fan_out", "organization_accounts"]

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

    def unwrap(self) -> T:
        """The value, or the account's exception raised again here."""
        if self.error is not None:
            raise self.error
        return cast(T, self.value)  # ok: value is the T fn returned, None included


def organization_accounts(factory: ClientFactory, *, include_self: bool = False) -> list[str]:
    """The IDs of the Organization's ACTIVE accounts, sorted, from the platform scope.

    Needs ``organizations:ListAccounts`` (the management account or a delegated administrator).
    Suspended and pending-closure accounts are left out: a role cannot be assumed in them.
    ``include_self=False`` also leaves out the account the factory's own credentials belong to,
    where the operator role (``OrganizationAccountAccessRole`` by default) usually does not exist.
    """
    client = factory.platform().client("organizations")
    accounts: set[str] = set()
    for page in client.get_paginator("list_accounts").paginate():
        for account in page["Accounts"]:
            # ``State`` replaced ``Status`` in 2025; older emulators and SDKs only send ``Status``.
            if account.get("State", account.get("Status")) == "ACTIVE":
                accounts.add(account["Id"])
    if not include_self:
        sts = factory.platform().client("sts")
        accounts.discard(sts.get_caller_identity()["Account"])
    return sorted(accounts)


def fan_out(
    factory: ClientFactory,
    fn: Callable[[OperatorScope], T],
    *,
    accounts: Iterable[str] | None = None,
    role_name: str | None = None,
    max_workers: int = 8,
    include_self: bool = False,
) -> list[AccountResult[T]]:
    """Call ``fn(factory.operator(account, role_name))`` for each account; never stop early.

    ``accounts`` defaults to ``organization_accounts(factory, include_self=include_self)``; given
    explicitly, it is used as is (duplicates dropped, first occurrence kept) and ``include_self``
    is ignored. Results are in that order: sorted account IDs for the Organization, the caller's
    order otherwise. A malformed account ID is that account's ``InvalidScope`` error, not an
    exception from ``fan_out``. ``max_workers`` bounds the threads, and so the concurrent STS and
    service calls: keep it modest, STS and Organizations quotas are per account.

    Exceptions (``Exception`` subclasses) raised by ``fn`` or by assuming the role are captured;
    ``KeyboardInterrupt`` and ``SystemExit`` are not.
    """
    targets = _targets(factory, accounts, include_self, max_workers, "max_workers")
    if not targets:
        return []

    def one(account_id: str) -> AccountResult[T]:
        started = time.perf_counter()
        try:
            NamingPolicy.account(account_id)
            value = fn(factory.operator(account_id, role_name))
        except Exception as exc:  # one account's failure must not cost the others their results
            return _failed(account_id, started, exc)
        return _succeeded(account_id, started, value)

    workers = min(max_workers, len(targets))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scopeguard-fan-out") as pool:
        # map() yields in submission order, so the result order never depends on timing.
        results = list(pool.map(one, targets))
    failed = sum(not r.ok for r in results)
    emit("fanout.done", accounts=len(results), failed=failed, workers=workers)
    return results


async def async_fan_out(
    factory: ClientFactory,
    fn: Callable[[OperatorScope], Awaitable[T]],
    *,
    accounts: Iterable[str] | None = None,
    role_name: str | None = None,
    max_concurrency: int = 8,
    include_self: bool = False,
) -> list[AccountResult[T]]:
    """``fan_out`` for coroutines: ``await fn(factory.operator(account, role_name))`` per account
    on the running event loop, at most ``max_concurrency`` at a time; same results, order and
    error capture. Listing the Organization's accounts runs in a worker thread. Cancelling the
    caller cancels every account's task (``CancelledError`` is never captured as a result).
    """
    import asyncio

    if accounts is None:
        _check_bound(max_concurrency, "max_concurrency")
        targets = await asyncio.to_thread(organization_accounts, factory,
                                          include_self=include_self)
    else:
        targets = _targets(factory, accounts, include_self, max_concurrency, "max_concurrency")
    if not targets:
        return []
    gate = asyncio.Semaphore(max_concurrency)

    async def one(account_id: str) -> AccountResult[T]:
        async with gate:
            started = time.perf_counter()
            try:
                NamingPolicy.account(account_id)
                value = await fn(factory.operator(account_id, role_name))
            except Exception as exc:  # as in fan_out: one account never costs the others
                return _failed(account_id, started, exc)
            return _succeeded(account_id, started, value)

    # gather() returns in argument order, so the result order never depends on timing.
    results = list(await asyncio.gather(*(one(account) for account in targets)))
    failed = sum(not r.ok for r in results)
    emit("fanout.done", accounts=len(results), failed=failed,
         workers=min(max_concurrency, len(targets)))
    return results


def _check_bound(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(f"{name}={value!r}: give a whole number of at least 1")


def _targets(factory: ClientFactory, accounts: Iterable[str] | None, include_self: bool,
             bound: int, bound_name: str) -> list[str]:
    if isinstance(accounts, str):
        raise ConfigurationError(
            f"accounts={accounts!r} is one string; pass a list of account IDs: [{accounts!r}]"
        )
    _check_bound(bound, bound_name)
    if accounts is None:
        return organization_accounts(factory, include_self=include_self)
    return list(dict.fromkeys(accounts))


def _failed(account_id: str, started: float, exc: Exception) -> AccountResult[T]:
    emit("fanout.account", logging.WARNING, account=account_id, ok=False,
         error=type(exc).__name__, ms=round((time.perf_counter() - started) * 1000, 1))
    return AccountResult(account_id, error=exc)


def _succeeded(account_id: str, started: float, value: T) -> AccountResult[T]:
    emit("fanout.account", account=account_id, ok=True,
         ms=round((time.perf_counter() - started) * 1000, 1))
    return AccountResult(account_id, value=value)
