"""``scopeguard demo``: the four scopes at work on an embedded moto server.

Starts moto's server on 127.0.0.1 (random port), points one ClientFactory at it, and walks through
tenant isolation, a capsule boundary and cached operator credentials, counting what actually
reached the emulator. Needs ``pip install 'scopeguard[demo]'``; no AWS account, no network.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ._exceptions import ScopeViolation
from ._factory import ClientFactory

__all__ = ["main", "run"]

ACCOUNT = "123456789012"  # moto's default account


def _table(client: Any, name: str) -> None:
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


class _Report:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.checks: list[tuple[str, bool]] = []

    def section(self, title: str) -> None:
        print(f"\n{title}\n{'-' * len(title)}", file=self.out)

    def line(self, text: str) -> None:
        print(f"  {text}", file=self.out)

    def check(self, label: str, ok: bool) -> None:
        self.checks.append((label, ok))
        print(f"  [{'ok' if ok else 'FAILED'}] {label}", file=self.out)

    def refused(self, label: str, server: Any, call: Callable[[], object]) -> None:
        before = server.requests
        try:
            call()
        except ScopeViolation as exc:
            sent = server.requests - before
            self.line(f"refused: {exc}")
            self.check(f"{label}: refused, {sent} request(s) reached the emulator", sent == 0)
        else:
            self.check(f"{label}: refused", False)


def run(out: TextIO = sys.stdout) -> bool:
    """Run the demo against a fresh embedded moto server; True if every check held."""
    import boto3

    from ._emulator import MotoServer

    started = time.perf_counter()
    report = _Report(out)
    with MotoServer() as server:
        session = boto3.Session(
            region_name="eu-west-1", aws_access_key_id="demo", aws_secret_access_key="demo"
        )
        factory = ClientFactory(session=session, endpoint_url=server.endpoint_url,
                                account_id=ACCOUNT)
        print(f"scopeguard demo: moto server on {server.endpoint_url}", file=out)

        report.section("1. Tenants: one logical table name, separate physical tables")
        for tenant in ("acme", "globex"):
            orders = factory.tenant(tenant).client("dynamodb")
            _table(orders, "orders")
            orders.put_item(TableName="orders", Item={"pk": {"S": "o-1"},
                                                      "owner": {"S": tenant}})
            physical = factory.tenant(tenant).physical_name("dynamodb", "orders")
            report.line(f"tenant {tenant:<7} put_item(TableName='orders') -> {physical}")
        acme = factory.tenant("acme").client("dynamodb")
        item = acme.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})["Item"]
        report.check("acme reads back its own item", item["owner"]["S"] == "acme")
        report.refused("acme reading globex's table", server, lambda: acme.get_item(
            TableName="t-globex-orders", Key={"pk": {"S": "o-1"}}))
        report.refused("acme through a table ARN of another account", server, lambda: acme.get_item(
            TableName="arn:aws:dynamodb:eu-west-1:999999999999:table/t-acme-orders",
            Key={"pk": {"S": "o-1"}}))
        sqs = factory.tenant("globex").client("sqs")
        queue = sqs.create_queue(QueueName="jobs")["QueueUrl"]
        report.line(f"globex queue URL (from AWS, accepted as is): {queue}")
        report.refused("acme sending to globex's queue URL", server, lambda: factory.tenant(
            "acme").client("sqs").send_message(QueueUrl=queue, MessageBody="hi"))

        report.section("2. Capsules: dev cannot touch prod")
        for capsule in ("dev", "prod"):
            _table(factory.capsule(capsule).client("dynamodb"), "config")
            report.line(f"capsule {capsule:<4} config -> "
                        f"{factory.capsule(capsule).physical_name('dynamodb', 'config')}")
        dev = factory.capsule("dev").client("dynamodb")
        report.refused("dev writing prod's config table", server, lambda: dev.put_item(
            TableName="c-prod-config", Item={"pk": {"S": "flag"}}))
        platform = factory.platform().client("dynamodb")
        report.refused("platform client reaching into a tenant table", server, lambda:
                       platform.delete_table(TableName="t-acme-orders"))

        report.section("3. Operator: the Organization's accounts, one cached AssumeRole each")
        org = factory.platform().client("organizations")
        org.create_organization(FeatureSet="ALL")
        for name in ("billing", "analytics"):
            org.create_account(AccountName=name, Email=f"{name}@example.com")
        results = factory.for_each_account(
            lambda scope: scope.client("sts").get_caller_identity()["Arn"])
        for result in results:
            report.line(f"{result.account_id}: {result.value if result.ok else result.error}")
        report.check(f"fan-out over {len(results)} member accounts, one result each",
                     len(results) == 2 and all(r.ok for r in results))
        for _ in range(5):
            for result in results:
                factory.operator(result.account_id).client("sts").get_caller_identity()
        assumed = factory.stats().get("sts.assume_role", 0)
        report.check(f"{len(results) * 6} operator calls, AssumeRole called {assumed} time(s) "
                     "(cached per account)", assumed == len(results))

        report.section("4. Async: the same scopes and guard for aiobotocore")
        _async_section(report, factory, server)

        report.section("Summary")
        stats = factory.stats()
        report.line(f"requests at the emulator: {server.requests}")
        report.line(f"refusals: {stats.get('refusals', 0)}   botocore clients built: "
                    f"{stats.get('clients.created', 0)}   scoped handles cached: "
                    f"{stats.get('scoped.size', 0)}   AssumeRole: "
                    f"{stats.get('sts.assume_role', 0)}")
    ok = all(passed for _, passed in report.checks)
    elapsed = time.perf_counter() - started
    verdict = "all checks held" if ok else "SOME CHECKS FAILED"
    print(f"\n{len(report.checks)} checks, {verdict} ({elapsed:.1f} s)", file=out)
    return ok


def _async_section(report: _Report, factory: ClientFactory, server: Any) -> None:
    import importlib.util

    if importlib.util.find_spec("aiobotocore") is None:
        report.line("skipped: pip install 'scopeguard[async]' to see async clients")
        return
    import asyncio

    async def read(tenant: str) -> str:
        orders = await factory.tenant(tenant).async_client("dynamodb")
        item = await orders.get_item(TableName="orders", Key={"pk": {"S": "o-1"}})
        owner: str = item["Item"]["owner"]["S"]
        return owner

    async def body() -> None:
        async with factory:  # closes this loop's connection pools on the way out
            owners = await asyncio.gather(*(read(t) for t in ("acme", "globex") * 5))
            report.check(f"{len(owners)} concurrent tasks of two tenants each read their own "
                         "item", owners == ["acme", "globex"] * 5)
            acme = await factory.tenant("acme").async_client("dynamodb")
            before = server.requests
            try:
                await acme.get_item(TableName="t-globex-orders", Key={"pk": {"S": "o-1"}})
            except ScopeViolation as exc:
                sent = server.requests - before
                report.line(f"refused: {exc}")
                report.check(f"async acme reading globex's table: refused, {sent} request(s) "
                             "reached the emulator", sent == 0)
            else:
                report.check("async acme reading globex's table: refused", False)

    asyncio.run(body())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scopeguard demo",
        description="Show the four scopes on an embedded moto server; exits 0 if all checks hold.",
    )
    parser.parse_args(argv)
    return 0 if run() else 1
