"""OpenTelemetry: metrics from scopeguard's events, scope attributes on botocore's spans.

``enable_opentelemetry()`` (the ``scopeguard[otel]`` extra) is called once per process, like an
instrumentor's ``instrument()``, before the factory builds clients. From then on:

* every structured event (``_observe.emit``) also feeds OpenTelemetry instruments: clients
  built, credential cache hits and misses, AssumeRole calls and their latency, refusals, store
  outcomes. Labels are the scope kind, the service and the operation; the tenant (or capsule,
  or account) ID only with ``tenant_ids=True``, since one time series per tenant is a cost
  most metrics backends bill for;
* a refusal is an event (``scopeguard.refusal``) on the current span: the botocore span when
  ``opentelemetry-instrumentation-botocore`` is active, since the guard refuses inside it;
* clients built afterwards set, on the current span of each call, the scope's kind (and ID when
  opted in) and each mapped name: ``scopeguard.logical.TableName = "orders"``,
  ``scopeguard.physical.TableName = "t-acme-orders"``.

Nothing here ever receives a credential: events carry names, counts and durations only.
``import scopeguard`` does not import OpenTelemetry; this module imports it when enabled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._exceptions import ConfigurationError, InvalidName
from ._observe import add_listener

if TYPE_CHECKING:
    from opentelemetry.metrics import MeterProvider
    from opentelemetry.trace import TracerProvider

__all__ = ["enable_opentelemetry", "install_span_hook"]

_SCOPE: Final = "scopeguard"
_bridge: _Bridge | None = None


def enable_opentelemetry(
    *,
    tenant_ids: bool = False,
    meter_provider: MeterProvider | None = None,
    tracer_provider: TracerProvider | None = None,
) -> None:
    """Send scopeguard's metrics and span data to OpenTelemetry (process-wide; idempotent).

    ``meter_provider`` / ``tracer_provider`` default to the global ones the application set up.
    ``tenant_ids=True`` adds the scope's ID (tenant ID, capsule code, account ID) as a metric
    label and span attribute. Clients built before the call get the metrics, not the span
    attributes.
    """
    global _bridge
    try:
        from opentelemetry import metrics, trace
    except ImportError:  # pragma: no cover - depends on the environment
        raise ConfigurationError(
            'OpenTelemetry is not installed: pip install "scopeguard[otel]"'
        ) from None
    meter = (meter_provider or metrics.get_meter_provider()).get_meter(_SCOPE)
    tracer_provider = tracer_provider or trace.get_tracer_provider()
    bridge = _Bridge(meter, tenant_ids)
    if _bridge is None:
        add_listener(_dispatch)
    _bridge = bridge


def _dispatch(event: str, fields: dict[str, object]) -> None:
    if _bridge is not None:
        _bridge.on_event(event, fields)


class _Bridge:
    def __init__(self, meter: Any, tenant_ids: bool) -> None:
        self.tenant_ids = tenant_ids
        self.clients = meter.create_counter(
            "scopeguard.clients.created", description="botocore clients built")
        self.cache = meter.create_counter(
            "scopeguard.credentials.cache",
            description="credential cache lookups by result (hit, miss)")
        self.assume_role = meter.create_counter(
            "scopeguard.sts.assume_role", description="STS AssumeRole calls by outcome")
        self.latency = meter.create_histogram(
            "scopeguard.sts.assume_role.duration", unit="ms",
            description="AssumeRole latency")
        self.refusals = meter.create_counter(
            "scopeguard.refusals", description="requests refused before they left the process")
        self.store = meter.create_counter(
            "scopeguard.credential_store", description="shared credential store outcomes")

    def scope_labels(self, scope: object) -> dict[str, str]:
        kind, _, ident = str(scope).partition(":")
        labels = {"scope.kind": kind}
        if self.tenant_ids and ident:
            labels["scope.id"] = ident
        return labels

    def on_event(self, event: str, fields: dict[str, object]) -> None:
        if event == "client.created":
            self.clients.add(1, {"scope.kind": str(fields.get("kind", "")),
                                 "service": str(fields.get("service", ""))})
        elif event in ("credentials.hit", "credentials.miss"):
            self.cache.add(1, {"scope.kind": str(fields.get("kind", "")),
                               "result": event.rpartition(".")[2]})
        elif event == "sts.assume_role":
            labels = {"scope.kind": str(fields.get("kind", "")),
                      "outcome": str(fields.get("outcome", ""))}
            self.assume_role.add(1, labels)
            ms = fields.get("ms")
            if isinstance(ms, (int, float)):
                self.latency.record(ms, labels)
        elif event == "scope.refused":
            self.refused(fields)
        elif event.startswith("store."):
            self.store.add(1, {"result": event.partition(".")[2]})

    def refused(self, fields: dict[str, object]) -> None:
        from opentelemetry import trace

        labels = {**self.scope_labels(fields.get("scope", "")),
                  "service": str(fields.get("service", "")),
                  "operation": str(fields.get("operation", ""))}
        self.refusals.add(1, labels)
        span = trace.get_current_span()
        if span.is_recording():
            # A security event belongs on the trace of the request that attempted it. The call
            # never reached the span hook (the guard refused first): set the scope here too.
            for key, value in self.scope_labels(fields.get("scope", "")).items():
                span.set_attribute(f"scopeguard.{key}", value)
            span.add_event("scopeguard.refusal", {
                **labels,
                "parameter": str(fields.get("parameter", "")),
                "reason": str(fields.get("reason", "")),
            })


def install_span_hook(client: Any) -> None:
    """On a shared client: put the calling scope and its mapped names on each call's span.

    Does nothing until ``enable_opentelemetry()``: no handler, no cost.
    """
    if _bridge is None:
        return
    service_id = client.meta.service_model.service_id.hyphenize()
    service = client.meta.service_model.service_name
    client.meta.events.register(f"before-parameter-build.{service_id}",
                                lambda params, **_: _annotate(service, params))


def _annotate(service: str, params: dict[str, Any]) -> None:
    from opentelemetry import trace

    from ._guard.hooks import _ACTIVE

    bridge, call = _bridge, _ACTIVE.get()
    span = trace.get_current_span()
    if bridge is None or call is None or not span.is_recording():
        return
    guard = call.guard
    for key, value in bridge.scope_labels(guard.scope).items():
        span.set_attribute(f"scopeguard.{key}", value)
    if not guard.isolated:
        return
    naming, scope = guard.naming, guard.scope
    for parameter, value in params.items():
        if not isinstance(value, str):
            continue
        # Whether the guard's own handler ran before this one or not, a name is either the
        # scope's physical name or a logical name the guard has resolved.
        try:
            if naming.owner(value) == scope:
                logical, physical = naming.logical_name(scope, service, value), value
            else:
                # Only what the guard resolved as a name: other strings are not resources.
                resolved = guard.cached(service, value)
                if resolved is None or resolved == value:
                    continue
                logical, physical = value, resolved
        except (InvalidName, KeyError, ValueError):
            continue
        span.set_attribute(f"scopeguard.logical.{parameter}", logical)
        span.set_attribute(f"scopeguard.physical.{parameter}", physical)
