"""Traces across events: W3C Trace Context as the CloudEvents distributed-tracing extension.

An event takes the trace it was made in: ``new_envelope`` writes the current span's context (the
request's, or the handler's) as the ``traceparent`` and ``tracestate`` extensions, which travel
in the outbox row and then as the ``ce_traceparent``/``ce_tracestate`` record headers. The relay
and the consumer continue that trace (``span_from``); nobody starts one at publication.

Only the OpenTelemetry API is used here. With tracing off the runtime hands the relay and the
consumers no tracer (``None``) and no span is ever current, so this costs one context lookup per
event and writes nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_W3C = TraceContextTextMapPropagator()
#: The distributed-tracing extension's attributes (CloudEvents 1.0 ``extensions/distributed-tracing.md``).
EXTENSIONS = ("traceparent", "tracestate")


def trace_extensions(context: Context | None = None) -> dict[str, str]:
    """``traceparent`` (and ``tracestate``) of the span current in ``context`` (default: now);
    empty when there is none (tracing off, or outside any traced work)."""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier, context)
    return carrier


def context_from(extensions: Mapping[str, str] | None) -> Context | None:
    """The remote parent an event's extensions (or a stored carrier) name; None without one."""
    if not extensions or "traceparent" not in extensions:
        return None
    context = _W3C.extract({k: extensions[k] for k in EXTENSIONS if k in extensions})
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def traceparent_of(headers: Iterable[Sequence[str]]) -> Context | None:
    """The parent named by an outbox row's ``ce_traceparent``/``ce_tracestate`` headers."""
    carrier = {k[3:]: v for k, v in headers if k in ("ce_traceparent", "ce_tracestate")}
    return context_from(carrier)


def span_from(
    tracer: Tracer,
    name: str,
    extensions: Mapping[str, str] | None,
    *,
    kind: SpanKind,
    attributes: Mapping[str, str | int] | None = None,
    links: Sequence[Link] = (),
) -> Span:
    """A span continuing the trace ``extensions`` carry; the root of a new trace when they carry
    none (never a child of whatever happens to be current in the loop that runs it)."""
    return tracer.start_span(
        name,
        context=context_from(extensions) or Context(),
        kind=kind,
        attributes=dict(attributes or {}),
        links=links,
    )
