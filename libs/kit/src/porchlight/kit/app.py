"""The app factory: every service is a FastAPI app built the same way.

It adds /healthz (alive), /readyz (database and broker reachable), /metrics, problem-details
errors, request ids on every log line, body-size limits (per route), the authenticator, and a
lifespan that starts and stops the service's runtime (engine, producer, outbox relay, consumers).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, TypeVar

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from opentelemetry.sdk.trace import TracerProvider
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from porchlight.kit.auditroutes import install as install_audit
from porchlight.kit.auditroutes import router as audit_router
from porchlight.kit.audittrail import AuditTrail
from porchlight.kit.auth import Authenticator, Public
from porchlight.kit.collector import settle_heap
from porchlight.kit.db import ping
from porchlight.kit.errors import (
    PayloadTooLarge,
    document_problems,
    install_error_handlers,
    problem_response,
    problem_responses,
)
from porchlight.kit.headers import SecurityHeaders, content_security_policy
from porchlight.kit.httpmetrics import RequestContextMiddleware
from porchlight.kit.inputs import refuse_control_characters
from porchlight.kit.openapi import document_forms, document_security, operation_id
from porchlight.kit.runtime import ServiceRuntime
from porchlight.kit.service import ServiceSpec
from porchlight.kit.settings import KitSettings
from porchlight.kit.shedding import LoadShedding
from porchlight.kit.tracing import http_telemetry, tracing_for


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    """One request, one transaction: committed after the route returns, before the response."""
    runtime: ServiceRuntime = request.app.state.runtime
    async with runtime.sessions() as session, session.begin():
        yield session


#: The request's unit of work (commits at the boundary; services only flush).
Session = Annotated[AsyncSession, Depends(_session, scope="function")]


async def runtime_of(request: Request) -> ServiceRuntime:
    # async: FastAPI runs a plain ``def`` dependency in a worker thread, a hand-off per request.
    runtime: ServiceRuntime = request.app.state.runtime
    return runtime


Runtime = Annotated[ServiceRuntime, Depends(runtime_of)]

_Provided = TypeVar("_Provided")


def Provided(kind: type[_Provided]) -> Any:
    """A dependency on an object the service provided at start-up (``ServiceRuntime.provide``):
    ``Model = Annotated[ModelHolder, Provided(ModelHolder)]``. One resolver per type, so FastAPI
    caches it per request like any dependency."""

    async def resolve(request: Request) -> Any:
        runtime: ServiceRuntime = request.app.state.runtime
        return runtime.resource(kind)

    resolve.__name__ = f"provided_{kind.__name__}"
    return Depends(resolve)


#: The service's session factory, for work outside the request's transaction (streamed exports).
Sessions = Annotated[async_sessionmaker[AsyncSession], Provided(async_sessionmaker)]


async def settings_of(request: Request) -> KitSettings:
    # From the app, not the runtime: create_app sets them, so they are there without a lifespan.
    settings: KitSettings = request.app.state.settings
    return settings


#: The kit's settings of the service.
Settings = Annotated[KitSettings, Depends(settings_of)]


class GeoJSONResponse(JSONResponse):
    """GeoJSON is JSON with its own media type (RFC 7946), which map clients recognise."""

    media_type = "application/geo+json"


def geojson_answer(description: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route answering GeoJSON (use with ``response_class=GeoJSONResponse``)."""
    return {200: {"description": description, "content": {"application/geo+json": {"schema": {"type": "object"}}}}}


#: A route's own body limit: bytes, or a function of the service's runtime giving them (read once).
LimitSpec = int | Callable[[ServiceRuntime], int]
_LIMIT_ATTR = "__porchlight_body_limit__"
_Endpoint = TypeVar("_Endpoint", bound=Callable[..., Any])


def body_limit(limit: LimitSpec) -> Callable[[_Endpoint], _Endpoint]:
    """Give a route its own body limit instead of the kit's ``max_body_bytes``.

    Put it under the route decorator. ``limit`` is a number of bytes or a function of the
    service's runtime returning one (for a limit from the service's own settings, which the
    runtime provides); it is resolved at the route's first request and kept.
    """

    def mark(endpoint: _Endpoint) -> _Endpoint:
        setattr(endpoint, _LIMIT_ATTR, limit)
        return endpoint

    return mark


class BodyLimit:
    """Refuse bodies over the route's limit with a 413 (``body_limit``; else ``default``).

    The limit is known once the router has matched the route, so it is applied when the app
    first reads the body: a declared Content-Length over it is refused before any byte is read.
    A body without one (``Transfer-Encoding: chunked``) is counted as it arrives: once past the
    limit, reading stops and the answer is the same 413, whatever the app made of the aborted
    read. A request matching no route gets ``default``.
    """

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit
        self._by_route: dict[int, int] = {}

    def limit_of(self, scope: Scope) -> int:
        route = scope.get("route")
        if route is None:
            return self.limit
        known = self._by_route.get(id(route))
        if known is None:
            spec: LimitSpec | None = getattr(getattr(route, "endpoint", None), _LIMIT_ATTR, None)
            if spec is None or isinstance(spec, int):
                known = self.limit if spec is None else spec
            else:
                known = int(spec(scope["app"].state.runtime))
            self._by_route[id(route)] = known
        return known

    @staticmethod
    def _refusal(scope: Scope, limit: int) -> Response:
        return problem_response(
            413,
            "Request body too large",
            f"The body exceeds {limit} bytes",
            slug="payload-too-large",
            instance=scope.get("path"),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        length = int(declared) if declared is not None and declared.isdigit() else None
        received = 0
        limit: int | None = None
        over = started = refused = False

        async def counted_receive() -> Message:
            nonlocal received, over, limit
            if limit is None:
                limit = self.limit_of(scope)
                if length is not None and length > limit:
                    over = True
                    raise PayloadTooLarge(f"The body exceeds {limit} bytes")
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise PayloadTooLarge(f"The body exceeds {limit} bytes")
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, refused
            if refused:
                return  # the 413 went out instead of the app's own answer
            if message["type"] == "http.response.start":
                if over:
                    refused = True
                    await self._refusal(scope, limit or self.limit)(scope, receive, send)
                    return
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if refused:
                return
            if over and not started:
                await self._refusal(scope, limit or self.limit)(scope, receive, send)
                return
            raise


def create_app(
    spec: ServiceSpec,
    settings: KitSettings | None = None,
    *,
    run_background: bool = True,
    freeze_heap: bool = False,
    tracer_provider: TracerProvider | None = None,
) -> FastAPI:
    """The service's FastAPI app; ``freeze_heap`` when it is the process's only app (``serve``):
    the heap is then settled for the garbage collector once it has started (``kit.collector``).
    ``tracer_provider``: trace with this provider (kit/tracing.py says when it traces without one)."""
    settings = settings or KitSettings()
    tracing = tracing_for(spec.name, settings, tracer_provider)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = ServiceRuntime(
            spec, settings, run_consumers=run_background, run_relay=run_background, tracing=tracing
        )
        app.state.runtime = runtime
        await runtime.start()
        if spec.audit is not None:
            runtime.provide(AuditTrail(runtime.engine, spec.schema))
        if freeze_heap:
            settle_heap(settings.gc_gen0_threshold)
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=f"Porchlight {spec.title}",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        # Request spans (continuing an incoming traceparent) when the service traces; else off.
        telemetry=http_telemetry(tracing, everything=settings.fastapi_telemetry),
        generate_unique_id_function=operation_id,
        # A control character in any parameter or JSON string: a 422 naming it, never a 500 at the database.
        dependencies=[Depends(refuse_control_characters)],
    )
    app.state.settings = settings
    app.state.spec = spec
    app.state.authenticator = Authenticator(settings)
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, service=spec.name)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(
        LoadShedding,
        service=spec.name,
        max_in_flight=settings.shed_max_in_flight,
        queue_wait_s=settings.shed_queue_wait_s,
        retry_after_s=settings.shed_retry_after_s,
    )
    # Outermost of ours: the 413s and 429s get the headers too; the CSP only where people browse.
    csp = content_security_policy(settings.oidc_issuer) if spec.web_ui is not None else None
    app.add_middleware(SecurityHeaders, csp=csp)

    probe = [Depends(Public("probes and scrapers carry no token"))]

    @app.get("/healthz", tags=["operations"], dependencies=probe)
    async def healthz(request: Request) -> Any:
        """Liveness: the process and its background tasks (relay, consumers) are running.

        503 when a background task died, so that Kubernetes restarts the pod.
        """
        runtime: ServiceRuntime | None = getattr(request.app.state, "runtime", None)
        if runtime is not None and not runtime.healthy:
            return JSONResponse({"status": "failing", "service": spec.name}, status_code=503)
        return {"status": "ok", "service": spec.name}

    @app.get("/readyz", tags=["operations"], dependencies=probe)
    async def readyz(runtime: Runtime) -> Any:
        """Readiness: the database and the broker answer.

        503 with the failing check named while either is unreachable (the pod then gets no traffic).
        """
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(ping(runtime.engine), 2.0)
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"unreachable ({type(exc).__name__})"
        checks["broker"] = "ok" if await runtime.producer.ping() else "unreachable"
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get("/metrics", tags=["operations"], dependencies=probe, include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    for router in spec.routers:
        # Every service route has an access rule (tests/kit/test_route_rules.py): 401 and 403.
        app.include_router(router, responses=problem_responses(401, 403))
    if spec.audit is not None:  # the auditor's routes, and every change and listed read recorded
        app.include_router(audit_router, responses=problem_responses(401, 403))
        install_audit(app, spec.audit)
    generate_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:  # once: FastAPI keeps the document
            # 4xx as problem documents; who may call each operation and how it authenticates.
            app.openapi_schema = document_forms(document_security(app, document_problems(generate_openapi())))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
