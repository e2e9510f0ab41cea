"""Scope tracking under concurrency: many scopes' handles on one shared botocore client, called
from many threads at once, from copied contexts, and from a forked child.

The active scope of a call lives in a context variable (``_guard.hooks._ACTIVE``), one ``_Call``
per call; these tests drive thousands of interleaved calls of several tenants, with refusals and
failing event handlers in between, and count at the point of sending that every request named
only the calling tenant's resources and was signed with its keys.
"""

from __future__ import annotations

import collections
import contextvars
import http.client
import json
import os
import random
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from guard_helpers import seed_tenant

from scopeguard import ClientFactory, ScopeViolation, TenantRoleSettings
from scopeguard.testing import MotoServer, moto_factory, test_session

TENANTS = ("acme", "globex", "initech", "umbrella")
SERVICES = ("dynamodb", "s3", "sns")


def _access_key(request: Any) -> str:
    authorization = request.headers["Authorization"]
    text = authorization.decode() if isinstance(authorization, bytes) else authorization
    return str(text.split("Credential=")[1].split("/")[0])


class _Failing(RuntimeError):
    """What a user's event handler raises in the middle of a call."""


@pytest.mark.parametrize("scoped_credentials", [False, True], ids=["base", "scoped-credentials"])
def test_threads_of_four_tenants_on_shared_clients_send_only_their_own_names(
    scoped_credentials: bool,
) -> None:
    options: dict[str, Any] = {}
    if scoped_credentials:
        options = {"account_id": "123456789012", "scoped_credentials": TenantRoleSettings(
            role_name="TenantAccess", services=SERVICES)}
    acting = threading.local()  # the tenant a worker thread is calling as, read at sending
    failing = threading.local()
    crossed: list[tuple[str | None, str]] = []
    sent: collections.Counter[str] = collections.Counter()
    with moto_factory(**options) as factory:
        for tenant in TENANTS:
            seed_tenant(factory.tenant(tenant))
        clients = {t: {s: factory.tenant(t).client(s) for s in SERVICES} for t in TENANTS}
        # One botocore client per service behind every tenant's handle.
        assert all(len({id(clients[t][s].meta.events) for t in TENANTS}) == 1 for s in SERVICES)
        expected_keys: dict[str, str] = {}
        if scoped_credentials:
            cache = factory._credentials()
            expected_keys = {t: cache.credentials_for(factory._scoped_spec(
                factory.naming.tenant(t))).get_frozen_credentials().access_key for t in TENANTS}
            assert len(set(expected_keys.values())) == len(TENANTS)

        def record(request: Any, **_: Any) -> None:
            # Registered last on before-send: the request is going out as it is now.
            tenant = getattr(acting, "tenant", None)
            body = request.body
            text = f"{request.url} {body.decode() if isinstance(body, bytes) else body or ''}"
            named = {t for t in TENANTS if f"t-{t}-" in text}
            if tenant is None or named != {tenant}:
                crossed.append((tenant, text[:160]))
            elif scoped_credentials and _access_key(request) != expected_keys[tenant]:
                crossed.append((tenant, f"signed with {_access_key(request)}"))
            sent[tenant or "?"] += 1

        def fail(**_: Any) -> None:
            # After the parameter check approved the call, before it is signed.
            if getattr(failing, "on", False):
                raise _Failing("a user's handler failed mid-call")

        for service in SERVICES:
            events = clients["acme"][service].meta.events
            events.register_last(f"before-send.{service}", record)
            events.register(f"before-endpoint-resolution.{service}", fail)

        def work(i: int) -> str:
            tenant, other = TENANTS[i % 4], TENANTS[(i + 1) % 4]
            mine = clients[tenant]
            kind = random.Random(i).randrange(7)
            acting.tenant, failing.on = tenant, kind == 6
            try:
                if kind == 0:
                    mine["dynamodb"].put_item(TableName="orders", Item={"pk": {"S": str(i)}})
                elif kind == 1:
                    mine["s3"].put_object(Bucket="files", Key=f"k{i}", Body=b"x")
                elif kind == 2:
                    mine["sns"].get_topic_attributes(
                        TopicArn=f"arn:aws:sns:eu-west-1:123456789012:t-{tenant}-news")
                elif kind == 3:
                    mine["dynamodb"].get_item(TableName=f"t-{other}-orders",
                                              Key={"pk": {"S": "1"}})
                elif kind == 4:
                    mine["s3"].get_object(Bucket=f"t-{other}-files", Key="k")
                elif kind == 5:
                    mine["sns"].publish(
                        TopicArn=f"arn:aws:sns:eu-west-1:123456789012:t-{other}-news",
                        Message="m")
                else:
                    mine["dynamodb"].get_item(TableName="orders", Key={"pk": {"S": "1"}})
                return "sent"
            except ScopeViolation:
                return "refused"
            except _Failing:
                return "handler failed"
            finally:
                acting.tenant = failing.on = None

        calls = 1200
        with ThreadPoolExecutor(32) as pool:
            outcomes = collections.Counter(pool.map(work, range(calls)))
    kinds = collections.Counter(random.Random(i).randrange(7) for i in range(calls))
    assert crossed == []
    assert outcomes == {"sent": kinds[0] + kinds[1] + kinds[2],
                        "refused": kinds[3] + kinds[4] + kinds[5], "handler failed": kinds[6]}
    assert sum(sent.values()) == outcomes["sent"]
    assert set(sent) == set(TENANTS)


def test_a_paginator_and_a_copied_context_run_in_the_handles_scope_not_the_callers() -> None:
    from scopeguard._guard.hooks import _ACTIVE, _Call

    with moto_factory() as factory:
        for tenant in ("acme", "globex"):
            seed_tenant(factory.tenant(tenant))
        acme = factory.tenant("acme").client("s3")
        globex = factory.tenant("globex").client("s3")
        acme.put_object(Bucket="files", Key="a", Body=b"a")
        pages = acme.get_paginator("list_objects_v2").paginate(Bucket="files")
        urls: list[str] = []
        acme.meta.events.register_last("before-send.s3",
                                       lambda request, **_: urls.append(request.url))

        # Driven while globex's call is the active one (a handler of globex's call, a context
        # copied from inside it): every page is still acme's request, checked by acme's guard.
        inside_globex: list[contextvars.Context] = []

        def capture(**_: Any) -> None:
            inside_globex.append(contextvars.copy_context())

        globex.meta.events.register("before-call.s3.HeadBucket", capture)
        globex.head_bucket(Bucket="files")
        assert inside_globex[0].run(_ACTIVE.get).guard.scope == globex.scope  # type: ignore
        keys = inside_globex[0].run(lambda: [o["Key"] for p in pages for o in p["Contents"]])
        assert keys == ["a"]
        token = _ACTIVE.set(_Call(globex._scopeguard))
        try:
            with ThreadPoolExecutor(2) as pool:
                # A copied context of globex's call, run in another thread: acme's handle
                # still refuses globex's bucket and reads its own.
                context = contextvars.copy_context()
                refused = pool.submit(context.run, _refused, acme, "t-globex-files").result()
        finally:
            _ACTIVE.reset(token)
        assert refused
        assert len(urls) == 2 and "t-globex-files" in urls[0] and "list-type=2" in urls[1]
        assert "t-acme-files" in urls[1] and "globex" not in urls[1]


def test_transfer_manager_threads_of_two_tenants_run_in_their_handles_scopes() -> None:
    import io
    import re

    from boto3.s3.transfer import TransferConfig

    config = TransferConfig(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20,
                            max_concurrency=4)
    tenants = ("acme", "globex")
    crossed: list[str] = []
    operations: collections.Counter[str] = collections.Counter()
    with moto_factory() as factory:
        for tenant in tenants:
            seed_tenant(factory.tenant(tenant))
        clients = {t: factory.tenant(t).client("s3") for t in tenants}

        def record(request: Any, event_name: str, **_: Any) -> None:
            # Sent from s3transfer's worker threads: the key says whose upload it is.
            match = re.search(r"/(?:big|copy)(\d)", request.url)
            expected = tenants[int(match.group(1)) % 2] if match else None
            if {t for t in tenants if f"t-{t}-" in request.url} != {expected}:
                crossed.append(request.url)
            operations[event_name.rsplit(".", 1)[1]] += 1

        clients["acme"].meta.events.register_last("before-send.s3", record)

        def transfer(i: int) -> int:
            client = clients[tenants[i % 2]]
            client.upload_fileobj(io.BytesIO(b"x" * (10 * 2**20)), "files", f"big{i}",
                                  Config=config)
            client.copy({"Bucket": "files", "Key": f"big{i}"}, "files", f"copy{i}",
                        Config=config)
            out = io.BytesIO()
            client.download_fileobj("files", f"copy{i}", out, Config=config)
            return len(out.getvalue())

        with ThreadPoolExecutor(4) as pool:
            assert list(pool.map(transfer, range(2))) == [10 * 2**20] * 2
    assert crossed == []
    assert operations["UploadPart"] == operations["UploadPartCopy"] == 4


class _EmptyBody:
    def stream(self, **_: Any) -> Iterator[bytes]:
        return iter([b""])


def test_botocores_nested_region_redirect_runs_in_the_calling_threads_scope() -> None:
    # S3 clients in the wrong region: the first request to each bucket is answered 301 without
    # the region, so botocore's redirector makes a nested HeadBucket through the shared client
    # (not a scope handle) inside the call, from whichever thread is calling.
    from botocore.awsrequest import AWSResponse

    tenants = ("acme", "globex")
    acting = threading.local()
    crossed: list[tuple[str | None, str]] = []
    operations: collections.Counter[str] = collections.Counter()
    lock = threading.Lock()
    with moto_factory() as factory:
        for tenant in tenants:
            seed_tenant(factory.tenant(tenant))  # buckets in eu-west-1
        clients = {t: factory.tenant(t).client("s3", region_name="us-east-1") for t in tenants}

        def wrong_region(request: Any, event_name: str, **_: Any) -> Any:
            operation = event_name.rsplit(".", 1)[1]
            tenant = getattr(acting, "tenant", None)
            with lock:
                operations[operation] += 1
                if {t for t in tenants if f"t-{t}-" in request.url} != {tenant}:
                    crossed.append((tenant, request.url))
            if "eu-west-1" in request.url:
                return None  # on to moto
            head = operation == "HeadBucket"
            response = AWSResponse(request.url, 301, {"x-amz-bucket-region": "eu-west-1"}
                                   if head else {}, _EmptyBody())
            response._content = b"" if head else (
                b"<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>")
            return response

        clients["acme"].meta.events.register_first("before-send.s3", wrong_region)

        def put(i: int) -> str:
            acting.tenant = tenants[i % 2]
            try:
                return str(clients[acting.tenant].put_object(
                    Bucket="files", Key=f"k{i}", Body=b"x")["ResponseMetadata"]["HTTPStatusCode"])
            finally:
                acting.tenant = None

        with ThreadPoolExecutor(8) as pool:
            assert set(pool.map(put, range(100))) == {"200"}
    assert crossed == []
    assert operations["HeadBucket"] >= 2 and operations["PutObject"] >= 102


def _refused(client: Any, bucket: str) -> bool:
    try:
        client.list_objects_v2(Bucket=bucket)
    except ScopeViolation:
        return True
    return False


# -- fork --------------------------------------------------------------------------------------


class _KeepAliveFront(BaseHTTPRequestHandler):
    """An HTTP/1.1 front for the moto server that keeps connections open, as AWS endpoints do
    (werkzeug closes every connection), and records the client port of every request."""

    protocol_version = "HTTP/1.1"
    upstream: tuple[str, int]
    ports: list[int]

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        self.ports.append(self.client_address[1])
        upstream = http.client.HTTPConnection(*self.upstream, timeout=10)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        data = response.read()
        upstream.close()
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("connection", "content-length", "transfer-encoding"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _forward

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def _keep_alive_front(server: MotoServer) -> Iterator[tuple[str, list[int]]]:
    host, port = server.endpoint_url.rsplit("/", 1)[1].split(":")
    ports: list[int] = []
    handler = type("Front", (_KeepAliveFront,), {"upstream": (host, int(port)), "ports": ports})
    front = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=front.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{front.server_address[1]}", ports
    finally:
        front.shutdown()
        front.server_close()
        thread.join(timeout=10)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_handle_taken_before_a_fork_does_not_send_on_the_parents_connections() -> None:
    with MotoServer() as server, _keep_alive_front(server) as (endpoint, ports):
        factory = ClientFactory(session=test_session("eu-west-1"), endpoint_url=endpoint,
                                account_id="123456789012")
        seed_tenant(factory.tenant("acme"))
        ddb = factory.tenant("acme").client("dynamodb")  # kept across the fork, as apps do
        ddb.describe_table(TableName="orders")
        ddb.describe_table(TableName="orders")
        parent = set(ports[-2:])
        assert len(parent) == 1  # one kept-alive connection, idle in the shared client's pool
        before = len(ports)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover  (the child reports through the pipe)
            try:
                status = ddb.describe_table(TableName="orders")["Table"]["TableName"]
            except BaseException as exc:  # noqa: BLE001
                status = repr(exc)
            os.write(write, json.dumps(status).encode())
            os._exit(0)
        os.close(write)
        _, code = os.waitpid(pid, 0)
        with os.fdopen(read) as pipe:
            assert json.load(pipe) == "t-acme-orders"
        assert code == 0
        child = ports[before:]
        # One request from the child, on a connection of its own: on the parent's socket the
        # two processes would read each other's responses.
        assert len(child) == 1 and child[0] not in parent
        ddb.describe_table(TableName="orders")  # the parent's connection is still its own
        assert ports[-1] in parent


def test_a_connection_pool_it_cannot_renew_refuses_to_send_in_the_child() -> None:
    # Another botocore release (or a custom HTTP session) without the urllib3 pool manager the
    # renewal replaces: in the child the handle refuses to send rather than use the parent's
    # sockets. The factory's after-fork reset is called directly: no second process needed.
    # Over HTTP (in-process moto answers before the HTTP session is reached), counted at the
    # front server. (Its own tenant: the emulator may still hold the other tests' tables.)
    from scopeguard import ScopeguardError

    with MotoServer() as server, _keep_alive_front(server) as (endpoint, ports):
        factory = ClientFactory(session=test_session("eu-west-1"), endpoint_url=endpoint,
                                account_id="123456789012")
        seed_tenant(factory.tenant("umbrella"))
        ddb = factory.tenant("umbrella").client("dynamodb")
        ddb.describe_table(TableName="orders")
        del ddb._endpoint.http_session._manager
        factory._reset_after_fork()
        before = len(ports)
        with pytest.raises(ScopeguardError, match="os.fork"):
            ddb.describe_table(TableName="orders")
        assert len(ports) == before
        # A handle taken after the fork is a new shared client with pools of its own.
        fresh = factory.tenant("umbrella").client("dynamodb")
        assert fresh.describe_table(TableName="orders")["Table"]["TableName"] == "t-umbrella-orders"
        assert len(ports) == before + 1
