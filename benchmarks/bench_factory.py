"""Factory and guard costs, measured side by side in one run.

    python benchmarks/bench_factory.py            # full run (~1 min on 2 cores)
    python benchmarks/bench_factory.py --quick    # smaller counts, same ratios (CI smoke)

1. Acquiring a client: cached ``factory.tenant(t).client("dynamodb")`` vs
   ``boto3.Session().client("dynamodb")`` vs ``session.client("dynamodb")`` on a reused session.
2. Guard overhead per call: the same operation on a raw client, a scoped client, and a scoped
   client without the signing-time body re-check, all answered by a canned HTTP response
   injected at ``before-send`` (so serialisation, signing, parsing and the guard all run; no
   network). Interleaved rounds of CPU time; the median of per-round differences to the raw
   client.
3. 10,000 tenants on one factory: memory and first-use time per tenant vs one botocore client.

Nothing here is asserted: tests assert counts; this prints measurements for benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

sys.path.insert(0, ".")
import scopeguard  # noqa: E402

KEYS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "eu-west-1"}


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Any:
        yield self._body


def canned(client: Any, body: bytes, content_type: str) -> None:
    """Answer every request of ``client`` with ``body`` right before it would be sent."""

    def respond(request: Any, **_: Any) -> AWSResponse:
        return AWSResponse(request.url, 200, {"content-type": content_type}, _Raw(body))

    # Last: the guard's own before-send check (URL and body as approved at signing) runs first.
    client.meta.events.register_last("before-send", respond)


def per_call(fn: Callable[[], object], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def cpu_per_call(fn: Callable[[], object], n: int) -> float:
    """CPU time of this process per call: on a shared machine, time spent waiting for a core
    does not count (wall time under a load of 7 on 2 cores inflated a 270 µs GetItem 15x)."""
    start = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - start) / n


def bench_acquire(quick: bool) -> dict[str, float]:
    factory = scopeguard.ClientFactory(session=boto3.Session(**KEYS), account_id="123456789012")
    factory.tenant("acme").client("dynamodb")
    session = boto3.Session(**KEYS)
    session.client("dynamodb")
    n_new = 5 if quick else 20
    fresh = per_call(lambda: boto3.Session(**KEYS).client("dynamodb"), n_new)
    reused = per_call(lambda: session.client("dynamodb"), n_new * 5)
    cached = per_call(lambda: factory.tenant("acme").client("dynamodb"), 20_000)
    return {"new_session_client_s": fresh, "reused_session_client_s": reused,
            "factory_cached_s": cached, "ratio_vs_new_session": fresh / cached,
            "ratio_vs_reused_session": reused / cached}


JSON = "application/x-amz-json-1.1"
ARN = "arn:aws:sns:eu-west-1:123456789012:t-acme-alerts"
QUEUE = "https://sqs.eu-west-1.amazonaws.com/123456789012/t-acme-jobs"
BATCH = [{"PutRequest": {"Item": {"pk": {"S": f"o-{i}"}}}} for i in range(25)]


def _entry(bus: str) -> list[dict[str, str]]:
    return [{"EventBusName": bus, "Source": "app", "DetailType": "t", "Detail": "{}"}]


# label: (service, method, canned body, content type, scoped params, raw params)
OPERATIONS: dict[str, tuple[str, str, bytes, str, dict[str, Any], dict[str, Any]]] = {
    "GetItem": ("dynamodb", "get_item", b'{"Item": {"pk": {"S": "o-1"}}}', JSON,
                {"TableName": "orders", "Key": {"pk": {"S": "o-1"}}},
                {"TableName": "t-acme-orders", "Key": {"pk": {"S": "o-1"}}}),
    "PutItem": ("dynamodb", "put_item", b"{}", JSON,
                {"TableName": "orders", "Item": {"pk": {"S": "o-1"}, "v": {"N": "1"}}},
                {"TableName": "t-acme-orders", "Item": {"pk": {"S": "o-1"}, "v": {"N": "1"}}}),
    # The raw call sends the request the scoped one sends: the guard adds ExpectedBucketOwner
    # to every S3 request naming a bucket, and one more header costs botocore itself about 4%
    # of a PutObject (its e-mail header machinery and the signer), which is not the guard's work.
    "PutObject": ("s3", "put_object", b"", "application/xml",
                  {"Bucket": "uploads", "Key": "a/b.txt", "Body": b"hello"},
                  {"Bucket": "t-acme-uploads", "Key": "a/b.txt", "Body": b"hello",
                   "ExpectedBucketOwner": "123456789012"}),
    "SendMessage": ("sqs", "send_message",
                    b'{"MessageId": "1", "MD5OfMessageBody": "5d41402abc4b2a76b9719d911017c592"}',
                    JSON, {"QueueUrl": QUEUE, "MessageBody": "hello"},
                    {"QueueUrl": QUEUE, "MessageBody": "hello"}),
    "GetSecretValue": ("secretsmanager", "get_secret_value", b'{"Name": "t-acme-db"}', JSON,
                       {"SecretId": "db"}, {"SecretId": "t-acme-db"}),
    "GetParameter": ("ssm", "get_parameter", b'{"Parameter": {"Name": "/t-acme/db"}}', JSON,
                     {"Name": "/db"}, {"Name": "/t-acme/db"}),
    "SNS Publish": ("sns", "publish",
                    b"<PublishResponse><PublishResult><MessageId>1</MessageId></PublishResult>"
                    b"</PublishResponse>", "text/xml",
                    {"TopicArn": ARN, "Message": "x"}, {"TopicArn": ARN, "Message": "x"}),
    "PutEvents": ("events", "put_events", b'{"FailedEntryCount": 0, "Entries": []}', JSON,
                  {"Entries": _entry("bus")}, {"Entries": _entry("t-acme-bus")}),
    "Kinesis PutRecord": ("kinesis", "put_record", b'{"ShardId": "s", "SequenceNumber": "1"}',
                          JSON, {"StreamName": "events", "Data": b"x", "PartitionKey": "p"},
                          {"StreamName": "t-acme-events", "Data": b"x", "PartitionKey": "p"}),
    "Lambda Invoke": ("lambda", "invoke", b"{}", "application/json",
                      {"FunctionName": "fn", "Payload": b"{}"},
                      {"FunctionName": "t-acme-fn", "Payload": b"{}"}),
    "BatchWriteItem(25)": ("dynamodb", "batch_write_item", b'{"UnprocessedItems": {}}', JSON,
                           {"RequestItems": {"orders": BATCH}},
                           {"RequestItems": {"t-acme-orders": BATCH}}),
}


def bench_guard(quick: bool) -> dict[str, dict[str, float]]:
    """Raw client, scoped client, and scoped client without the signing-time body re-check,
    interleaved round by round so that drift on a shared machine hits all three alike."""
    session = boto3.Session(**KEYS)
    factory = scopeguard.ClientFactory(session=session, account_id="123456789012")
    bare = scopeguard.ClientFactory(session=session, account_id="123456789012",
                                    recheck_serialized=False)
    results: dict[str, dict[str, float]] = {}
    n, rounds = (100, 5) if quick else (100, 41)
    for label, (service, method, body, ctype, scoped_params, raw_params) in OPERATIONS.items():
        raw = session.client(service)
        scoped = factory.tenant("acme").client(service)
        unchecked = bare.tenant("acme").client(service)
        for client in (raw, scoped, unchecked):
            canned(client, body, ctype)
        calls = {
            "raw": lambda c=raw, p=raw_params: getattr(c, method)(**p),
            "scoped": lambda c=scoped, p=scoped_params: getattr(c, method)(**p),
            "bare": lambda c=unchecked, p=scoped_params: getattr(c, method)(**p),
        }
        times: dict[str, list[float]] = {name: [] for name in calls}
        for fn in calls.values():
            fn()
        for _ in range(rounds):
            for name, fn in calls.items():
                times[name].append(cpu_per_call(fn, n))
        # Median of the per-round differences to the raw client: a round's three variants run
        # back to back, so load on a shared machine hits them alike and cancels out of the
        # difference (the minimum of each side alone still moved by 1-3 points between runs).
        r = statistics.median(times["raw"])
        s, u = (r + statistics.median([v - w for v, w in zip(times[name], times["raw"])])
                for name in ("scoped", "bare"))
        results[label] = {"raw_us": r * 1e6, "scoped_us": s * 1e6, "bare_us": u * 1e6,
                          "overhead_pct": (s / r - 1) * 100, "bare_pct": (u / r - 1) * 100}
    return results


def bench_tenants(quick: bool) -> dict[str, float]:
    count = 1_000 if quick else 10_000
    session = boto3.Session(**KEYS)
    session.client("dynamodb")  # models loaded and cached: measure a client, not the loader
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    one = session.client("dynamodb")
    client_bytes = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    start = time.perf_counter()
    for _ in range(5):
        session.client("dynamodb")
    client_s = (time.perf_counter() - start) / 5
    del one

    factory = scopeguard.ClientFactory(session=session, account_id="123456789012")
    factory.tenant("warmup").client("dynamodb")
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    for i in range(count):
        factory.tenant(f"t{i}").client("dynamodb")
    first_use = (time.perf_counter() - start) / count
    per_tenant = (tracemalloc.get_traced_memory()[0] - base) / count
    tracemalloc.stop()
    return {"tenants": count, "bytes_per_tenant": per_tenant, "first_use_s": first_use,
            "client_bytes": client_bytes, "client_s": client_s,
            "memory_pct_of_client": per_tenant / client_bytes * 100,
            "time_pct_of_client": first_use / client_s * 100,
            "clients_created": factory.stats()["clients.created"]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    acquire = bench_acquire(args.quick)
    guard = bench_guard(args.quick)
    tenants = bench_tenants(args.quick)
    if args.json:
        print(json.dumps({"acquire": acquire, "guard": guard, "tenants": tenants}, indent=2))
        return
    print(f"machine: {platform.machine()} {platform.system()}, Python {platform.python_version()},"
          f" boto3 {boto3.__version__}, {time.strftime('%Y-%m-%d')}")
    print("\n1. client acquisition")
    print(f"  boto3.Session().client('dynamodb')      {acquire['new_session_client_s'] * 1e3:8.2f} ms")
    print(f"  session.client('dynamodb') (reused)     {acquire['reused_session_client_s'] * 1e3:8.2f} ms")
    print(f"  factory.tenant(t).client('dynamodb')    {acquire['factory_cached_s'] * 1e6:8.2f} µs")
    print(f"  factory is {acquire['ratio_vs_new_session']:,.0f}x faster than a new session "
          f"(target >= 1000x), {acquire['ratio_vs_reused_session']:,.0f}x than a reused one "
          "(target >= 100x)")
    print("\n2. guard overhead per call (canned response at before-send, CPU time, median of per-round "
          "differences over interleaved rounds)")
    for label, row in guard.items():
        target = 15 if "Batch" in label or "PutEvents" in label else 5
        print(f"  {label:<20} raw {row['raw_us']:7.1f} µs  scoped {row['scoped_us']:7.1f} µs  "
              f"overhead {row['overhead_pct']:+5.1f}% (target <= {target}%); without the "
              f"signing-time re-check {row['bare_pct']:+5.1f}%")
    print(f"\n3. {tenants['tenants']:,} tenants on one factory")
    print(f"  one botocore client: {tenants['client_bytes'] / 1024:7.1f} KiB, "
          f"{tenants['client_s'] * 1e3:.2f} ms")
    print(f"  per tenant:          {tenants['bytes_per_tenant'] / 1024:7.2f} KiB "
          f"({tenants['memory_pct_of_client']:.1f}% of a client), first use "
          f"{tenants['first_use_s'] * 1e6:.1f} µs ({tenants['time_pct_of_client']:.1f}% of a client)"
          f"; botocore clients built: {tenants['clients_created']} (target <= 10% each)")


if __name__ == "__main__":
    main()
