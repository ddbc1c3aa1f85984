"""Tracing a service with OpenTelemetry: its provider, FastAPI's request spans, its statements.

Off unless configured. A service traces when ``PORCHLIGHT_OTLP_ENDPOINT`` (or the standard
``OTEL_EXPORTER_OTLP_ENDPOINT``) names a collector — its spans then go there over OTLP/HTTP — or
when whoever runs it installed an SDK provider first (``opentelemetry-instrument``, a test handing
``create_app`` its own). Otherwise nothing is set up: FastAPI's telemetry stays off, the engine is
not instrumented, and the relay and consumers get no tracer — the hot path is what it was.

What a trace holds (docs/operations.md, "Tracing"): the HTTP request (FastAPI, continuing an
incoming ``traceparent``), each SQL statement (SQLAlchemy's instrumentation, the statement's text
and never its values), each outbox row's send, each event's processing in a consumer, and
synthesis' analysis of a note; events carry the trace between services (porchlight.events.tracing).
"""

from __future__ import annotations

from collections.abc import MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi.telemetry import TelemetryConfig
from opentelemetry import metrics, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import Decision, ParentBased, Sampler, SamplingResult, TraceIdRatioBased
from opentelemetry.trace import Link, SpanKind, Tracer
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes
from sqlalchemy.ext.asyncio import AsyncEngine

from porchlight.kit.settings import KitSettings

#: Requests that are not anyone's work: probes and scrapes, every few seconds.
_UNTRACED_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})


class _NoLoneStatements(Sampler):
    """New traces at ``ratio``, but none for a statement outside any traced work: the relays'
    and the analyzer's polls would each make a one-statement trace four times a second."""

    def __init__(self, ratio: float) -> None:
        self.ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: Context | None,
        trace_id: int,
        name: str,
        kind: SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if kind == SpanKind.CLIENT:
            return SamplingResult(Decision.DROP)
        return self.ratio.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return f"NoLoneStatements{{{self.ratio.get_description()}}}"


def new_provider(service: str, *processors: SpanProcessor, sample_ratio: float = 1.0) -> TracerProvider:
    """A provider for one service: its own ``service.name`` (standalone mode runs every service in
    one process), a parent's sampling decision kept, new traces sampled at ``sample_ratio``."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"porchlight-{service}", "service.namespace": "porchlight"}),
        sampler=ParentBased(root=_NoLoneStatements(sample_ratio)),
    )
    for processor in processors:
        provider.add_span_processor(processor)
    return provider


def traces_url(endpoint: str) -> str:
    """OTLP/HTTP's traces URL from a collector's base URL (as ``OTEL_EXPORTER_OTLP_ENDPOINT``
    means it) or from the traces URL itself."""
    path = urlsplit(endpoint).path.rstrip("/")
    return endpoint if path.endswith("/v1/traces") else endpoint.rstrip("/") + "/v1/traces"


@dataclass(frozen=True)
class Tracing:
    """A service's tracing: its provider, and whether the service made it (then the service
    flushes and shuts it down when it stops)."""

    provider: TracerProvider
    owned: bool = False

    def tracer(self) -> Tracer:
        return self.provider.get_tracer("porchlight")

    def shutdown(self) -> None:
        if self.owned:
            self.provider.shutdown()


def tracing_for(service: str, settings: KitSettings, given: TracerProvider | None = None) -> Tracing | None:
    """The service's tracing: ``given``; else an OTLP exporter when an endpoint is set; else an SDK
    provider installed globally by whoever runs us; else None (off)."""
    if given is not None:
        return Tracing(given)
    if settings.otlp_endpoint:
        # Imported here: the exporter pulls in requests and protobuf, which a service without
        # a collector never needs.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=traces_url(settings.otlp_endpoint))
        processor = BatchSpanProcessor(exporter)
        return Tracing(new_provider(service, processor, sample_ratio=settings.trace_sample_ratio), owned=True)
    installed = trace.get_tracer_provider()
    if isinstance(installed, TracerProvider):
        return Tracing(installed)
    return None


def http_telemetry(tracing: Tracing | None, everything: bool = False) -> TelemetryConfig:
    """``FastAPI(telemetry=...)``: request spans with the service's provider when it traces.

    FastAPI's own telemetry logs (exception messages, which can quote what residents wrote) stay
    off, as do its metrics (/metrics has them) unless ``everything`` (``PORCHLIGHT_FASTAPI_TELEMETRY``).
    """
    config = TelemetryConfig(
        tracing=tracing is not None,
        tracer_provider=tracing.provider if tracing is not None else None,
        operation_spans=False,
        auto_configure=False,
        exclude=_untraced,
    )
    if not everything:
        config["metrics"] = config["logs"] = False
    return config


def _untraced(scope: MutableMapping[str, Any]) -> bool:
    return scope.get("path") in _UNTRACED_PATHS


def trace_engine(engine: AsyncEngine, tracing: Tracing) -> None:
    """A CLIENT span per statement on ``engine`` (SQLAlchemy's event hooks on this engine only,
    with the service's own provider: nothing patched process-wide)."""
    usage = metrics.NoOpMeter("porchlight").create_up_down_counter("db.client.connections.usage")
    tracer = tracing.provider.get_tracer("opentelemetry.instrumentation.sqlalchemy")
    EngineTracer(tracer, engine.sync_engine, usage)  # type: ignore[no-untyped-call]
