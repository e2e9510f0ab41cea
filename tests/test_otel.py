"""OpenTelemetry: metrics labelled by scope kind, service and operation; scope and names on
botocore's spans; refusals as span events. Read back through the SDK's in-memory exporters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from guard_helpers import refused
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

import scopeguard
from scopeguard import _otel
from scopeguard.testing import moto_factory


class Telemetry:
    def __init__(self) -> None:
        self.reader = InMemoryMetricReader()
        self.meters = MeterProvider(metric_readers=[self.reader])
        self.spans = InMemorySpanExporter()
        self.tracers = TracerProvider()
        self.tracers.add_span_processor(SimpleSpanProcessor(self.spans))

    def points(self, name: str) -> list[tuple[dict[str, Any], Any]]:
        data = self.reader.get_metrics_data()
        out = []
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    if metric.name == name:
                        for point in metric.data.data_points:
                            value = getattr(point, "value", None)
                            out.append((dict(point.attributes), value if value is not None
                                        else point.count))
        return out


@pytest.fixture
def telemetry() -> Iterator[Telemetry]:
    t = Telemetry()
    BotocoreInstrumentor().instrument(tracer_provider=t.tracers)
    try:
        yield t
    finally:
        BotocoreInstrumentor().uninstrument()
        _otel._bridge = None  # process-wide: later tests run without it


def _table(client: Any) -> None:
    client.create_table(
        TableName="orders", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )


def test_botocore_spans_carry_the_scope_and_the_physical_name(telemetry: Telemetry) -> None:
    scopeguard.enable_opentelemetry(meter_provider=telemetry.meters,
                                    tracer_provider=telemetry.tracers)
    with moto_factory(account_id="123456789012") as factory:
        client = factory.tenant("acme").client("dynamodb")
        _table(client)
        client.put_item(TableName="orders", Item={"pk": {"S": "1"}})
    put = [s for s in telemetry.spans.get_finished_spans() if s.name == "DynamoDB.PutItem"]
    assert len(put) == 1
    attributes = dict(put[0].attributes or {})
    assert attributes["scopeguard.scope.kind"] == "tenant"
    assert "scopeguard.scope.id" not in attributes  # not without the opt-in
    assert attributes["scopeguard.logical.TableName"] == "orders"
    assert attributes["scopeguard.physical.TableName"] == "t-acme-orders"
    created = telemetry.points("scopeguard.clients.created")
    assert created == [({"scope.kind": "tenant", "service": "dynamodb"}, 1)]


def test_a_refusal_is_a_span_event_and_a_metric_without_tenant_ids(telemetry: Telemetry) -> None:
    scopeguard.enable_opentelemetry(meter_provider=telemetry.meters,
                                    tracer_provider=telemetry.tracers)
    with moto_factory(account_id="123456789012") as factory:
        client = factory.tenant("acme").client("dynamodb")
        refused(client, "get_item", "tenant:globex", TableName="t-globex-orders",
                Key={"pk": {"S": "1"}})
    (span,) = [s for s in telemetry.spans.get_finished_spans() if s.name == "DynamoDB.GetItem"]
    (event,) = [e for e in span.events if e.name == "scopeguard.refusal"]
    assert event.attributes is not None
    assert event.attributes["operation"] == "GetItem"
    assert event.attributes["parameter"] == "TableName"
    assert "tenant:globex" in str(event.attributes["reason"])
    assert telemetry.points("scopeguard.refusals") == [
        ({"scope.kind": "tenant", "service": "dynamodb", "operation": "GetItem"}, 1)]


def test_tenant_ids_are_labels_only_when_opted_in(telemetry: Telemetry) -> None:
    scopeguard.enable_opentelemetry(tenant_ids=True, meter_provider=telemetry.meters,
                                    tracer_provider=telemetry.tracers)
    with moto_factory(account_id="123456789012") as factory:
        client = factory.tenant("acme").client("dynamodb")
        refused(client, "get_item", "tenant:globex", TableName="t-globex-orders",
                Key={"pk": {"S": "1"}})
    assert telemetry.points("scopeguard.refusals") == [
        ({"scope.kind": "tenant", "scope.id": "acme", "service": "dynamodb",
          "operation": "GetItem"}, 1)]
    (span,) = [s for s in telemetry.spans.get_finished_spans() if s.name == "DynamoDB.GetItem"]
    assert dict(span.attributes or {})["scopeguard.scope.id"] == "acme"


def test_assume_role_calls_latency_and_cache_hits_are_metrics(telemetry: Telemetry) -> None:
    scopeguard.enable_opentelemetry(meter_provider=telemetry.meters,
                                    tracer_provider=telemetry.tracers)
    with moto_factory(account_id="123456789012") as factory:
        for _ in range(3):
            factory.operator("111122223333").client("sqs").list_queues()
        creds = factory._credentials()
        creds.credentials("111122223333", "OrganizationAccountAccessRole")
    assert telemetry.points("scopeguard.sts.assume_role") == [
        ({"scope.kind": "operator", "outcome": "ok"}, 1)]
    assert telemetry.points("scopeguard.sts.assume_role.duration") == [
        ({"scope.kind": "operator", "outcome": "ok"}, 1)]
    cache = dict((p[0]["result"], p[1]) for p in telemetry.points("scopeguard.credentials.cache"))
    assert cache["miss"] == 1 and cache["hit"] >= 1


def test_credential_store_outcomes_are_metrics(telemetry: Telemetry) -> None:
    from test_credentials import FakeClock, FakeSTS

    from scopeguard import MemoryCredentialStore, OperatorSettings
    from scopeguard._credentials import CredentialCache

    scopeguard.enable_opentelemetry(meter_provider=telemetry.meters,
                                    tracer_provider=telemetry.tracers)
    clock = FakeClock()
    sts, store = FakeSTS(clock), MemoryCredentialStore(clock)
    for _ in range(3):
        CredentialCache(lambda: sts, OperatorSettings(), clock=clock, store=store).credentials(
            "111122223333", "Ops").get_frozen_credentials()
    assert sts.count == 1
    assert telemetry.points("scopeguard.credential_store") == [({"result": "hit"}, 2)]
    assert telemetry.points("scopeguard.sts.assume_role") == [
        ({"scope.kind": "operator", "outcome": "ok"}, 1)]
