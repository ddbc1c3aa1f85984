"""The audit trail over HTTP: what every audited service records, and the auditor's routes.

``AuditMiddleware`` records, for a service with a ``ServiceSpec.audit`` policy, every change
(POST, PUT, PATCH, DELETE on its routes) and every read its policy names, refused ones too
(401, 403, 404). The entry is committed **before** the answer's first byte goes out: no words
leave without their record, and a trail that cannot be written fails the request (fail closed).
The ids come from the route's path parameters, a few query filters and the JSON answer's
``id``/``*_id`` and ``district`` fields; a streamed file (CSV) is recorded with its filters.

The auditor's routes (``GET /v1/audit``, ``/v1/audit/export.csv``, ``/v1/audit/verify``) are
on every audited service, since each keeps its own trail in its own schema; reading them is
recorded like any other read.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl

import orjson
from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from porchlight.kit.audit import ACTION_OF_METHOD, Action, AuditPolicy, Entry
from porchlight.kit.audittrail import AuditTrail
from porchlight.kit.audittrail import Query as AuditQuery
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import unavailable_response
from porchlight.kit.inputs import csv_cell, printable

log = logging.getLogger(__name__)

#: Query parameters that say what was asked for. Only these: a free-text search could hold words.
FILTERS = ("district", "neighborhood", "topic", "sentiment", "from", "to", "month", "previous", "contact_type", "id")
#: Path parameters naming a district (``/v1/districts/{code}/...``).
DISTRICT_PARAMS = ("district", "code")
READ_ACTIONS = (Action.read, Action.export)
#: At most this many ids of one kind per entry (a page is at most a few hundred).
MAX_IDS = 1000
MAX_VALUE = 100


def _template(scope: Scope) -> str | None:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else None


class AuditMiddleware:
    """Records audited requests in the service's trail (``AuditTrail``, provided at start-up)."""

    def __init__(self, app: ASGIApp, policy: AuditPolicy) -> None:
        self.app, self.policy = app, policy

    def action_of(self, scope: Scope) -> tuple[str, str] | None:
        template = _template(scope)
        if template is None:
            return None  # no route matched: a 404 for a path that does not exist touches nothing
        if template.startswith(self.policy.forwards) and self.policy.forwards:
            return None
        method = scope["method"]
        key = f"{method} {template}"
        if key in self.policy.reads:
            return str(self.policy.reads[key]), key
        if key in self.policy.not_changes:
            return None
        change = ACTION_OF_METHOD.get(method)
        return (str(change), key) if change is not None else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []
        recorded = False
        held = False  # a read's answer waits for its entry; a change's does not (see below)
        refused = False  # the trail could not be written: the app's answer is dropped

        async def record(status: int, body: bytes | None) -> None:
            nonlocal recorded
            what = self.action_of(scope)
            recorded = True
            if what is not None:
                trail: AuditTrail = scope["app"].state.runtime.resource(AuditTrail)
                try:
                    await trail.record(entry_of_request(scope, what[0], what[1], status, body))
                except Exception as exc:  # its database is away (a restart, a failover)
                    log.error("audit entry not written (%s): %s", type(exc).__name__, what[1])
                    raise _TrailDown from exc

        async def refuse() -> None:
            """Fail closed, and say so: a 503 instead of an answer that would go unrecorded."""
            nonlocal refused
            refused = True
            await unavailable_response(scope.get("path"))(scope, receive, send)

        async def audited_send(message: Message) -> None:
            nonlocal start, held, recorded
            if refused:
                return
            if recorded:
                await send(message)
                return
            if message["type"] == "http.response.start":
                what = self.action_of(scope)
                if what is None:
                    recorded = True  # nothing to record for this request
                    await send(message)
                    return
                kind = dict(message.get("headers", [])).get(b"content-type", b"")
                if kind.startswith(b"application/json") or b"+json" in kind:  # one JSON body, not a stream
                    start = message  # the body is kept: its ids go in the entry
                    # A read's words wait until the entry is committed. A change was committed
                    # before its answer started (the route's unit of work), so holding the answer
                    # would add the entry's commit to the writer's wait and make nothing safer.
                    held = what[0] in READ_ACTIONS
                    if not held:
                        await send(message)
                    return
                try:
                    await record(message["status"], None)  # a streamed file: recorded before it starts
                except _TrailDown:
                    await refuse()
                    return
                await send(message)
                return
            if start is not None and message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                more = message.get("more_body", False)
                if not held:
                    await send(message)
                if more:
                    return
                body = b"".join(chunks)
                try:
                    await record(start["status"], body)
                except _TrailDown:
                    if held:  # nothing has gone out yet: the words stay in
                        await refuse()
                    # A change was committed and answered already; the error log names it.
                    return
                if held:
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        except Exception:
            if not recorded and self.action_of(scope) is not None:
                with contextlib.suppress(_TrailDown):
                    await record(500, None)
            raise


class _TrailDown(Exception):
    """The audit entry could not be written (the trail's database is away)."""


def _principal(scope: Scope) -> Principal | None:
    state = scope.get("state") or {}
    principal = state.get("principal")
    if principal is not None:
        return principal  # type: ignore[no-any-return]
    # Refused by its access rule (403): the caller is still known from the credentials.
    request = Request(scope)
    try:
        return request.app.state.authenticator.authenticate(request)  # type: ignore[no-any-return]
    except Exception:  # refused credentials (401): recorded as unauthenticated, never a failed answer
        return None


def _kind(template: str) -> str:
    """What a route's ``id`` fields are ids of: its last literal path segment, singular."""
    segments = [s for s in template.split("/") if s and not s.startswith("{")]
    last = segments[-1].split(".")[0] if segments else "item"
    return last[:-1] if last.endswith("s") else last


def _walk(node: Any, kind: str, ids: dict[str, list[str]], districts: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk(item, kind, ids, districts)
    elif isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and (key == "id" or key.endswith("_id")):
                bucket = ids.setdefault(f"{kind}_id" if key == "id" else key, [])
                if len(bucket) < MAX_IDS and value not in bucket:
                    bucket.append(value)
            elif key == "district" and isinstance(value, str):
                districts.add(value[:MAX_VALUE])
            elif isinstance(value, dict | list):
                _walk(value, kind, ids, districts)


def entry_of_request(scope: Scope, action: str, route: str, status: int, body: bytes | None) -> Entry:
    """The entry of one request: who, what, the ids in its path and (when JSON) its answer."""
    principal = _principal(scope)
    template = route.split(" ", 1)[1]
    ids: dict[str, list[str]] = {}
    districts: set[str] = set()
    # What was asked is recorded even when it was refused for a control character (a NUL in a
    # query is a 422, and PostgreSQL cannot store one): such characters are recorded as U+FFFD.
    for name, value in (scope.get("path_params") or {}).items():
        if name in DISTRICT_PARAMS:
            districts.add(printable(str(value)[:MAX_VALUE]))
        else:
            ids.setdefault(name, []).append(printable(str(value)[:MAX_VALUE]))
    filters: dict[str, list[str]] = {}
    for name, value in parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=False):
        if name in FILTERS and len(filters.get(name, [])) < MAX_IDS:
            filters.setdefault(name, []).append(printable(value[:MAX_VALUE]))
    districts.update(filters.get("district", []))
    if body and 200 <= status < 300:
        with contextlib.suppress(orjson.JSONDecodeError):  # a JSON type with another body: no ids from it
            _walk(orjson.loads(body), _kind(template), ids, districts)
    return Entry(
        at=datetime.now(UTC),
        actor=printable(principal.subject) if principal else "unauthenticated",
        actor_kind=principal.kind if principal else "anonymous",
        roles=tuple(sorted(r.value for r in principal.roles)) if principal else (),
        actor_district=principal.district if principal else None,
        department=principal.department if principal else None,
        action=action,
        route=route,
        status=status,
        districts=tuple(sorted(districts)),
        ids=ids,
        filters=filters,
    )


def check_policy(app: FastAPI, policy: AuditPolicy) -> None:
    """Refuse a policy naming a route the service does not have (a typo would audit nothing)."""
    # Each route as served: included routers flattened (FastAPI keeps them lazy), prefixes in the path.
    routes = iter_route_contexts(app.router.routes)
    served = {f"{m} {getattr(r, 'path', '')}" for r in routes for m in getattr(r, "methods", None) or ()}
    unknown = sorted((set(policy.reads) | policy.not_changes) - served)
    if unknown:
        raise ValueError(f"the audit policy names routes the service does not have: {', '.join(unknown)}")


# --- the auditor's routes ------------------------------------------------------------------------

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Auditor = Annotated[Principal, Depends(Allow(Role.auditor))]

#: Reading the trail is itself recorded (``audit_policy`` adds these to every service's reads).
AUDIT_READS = {
    "GET /v1/audit": Action.read,
    "GET /v1/audit/export.csv": Action.export,
    "GET /v1/audit/verify": Action.read,
}


class AuditEntryOut(BaseModel):
    """One recorded access: who, when, what, through which route or command, and the answer's status."""

    model_config = ConfigDict(
        json_schema_extra={
            "example": {
                "seq": 42,
                "at": "2026-11-30T14:02:11.123456+00:00",
                "actor": "sgt-okafor",
                "actor_kind": "user",
                "roles": ["supervisor"],
                "actor_district": "B2",
                "department": None,
                "action": "read",
                "route": "GET /v1/insights/notes",
                "status": 200,
                "districts": ["B2"],
                "ids": {"note_id": ["6f1c0d5e-3a0b-4f7e-9a51-0c2f7b1f9e10"]},
                "filters": {"district": ["B2"], "from": ["2026-11-23"]},
                "hash": "9f2b…",
            }
        }
    )

    seq: int = Field(description="Position in the service's chain (1, 2, 3… with no gap)")
    at: datetime
    actor: str = Field(description="The token's subject, `apikey:<name>`, `cli:<user>` or `unauthenticated`")
    actor_kind: str
    roles: list[str]
    actor_district: str | None = Field(description="The caller's district claim")
    department: str | None
    action: str = Field(description="read, export, create, update or delete")
    route: str = Field(description="Method and route template, or `porchlight …` for a command")
    status: int = Field(description="The answer's HTTP status (0 for a command)")
    districts: list[str] = Field(description="Districts the request asked for or was answered with")
    ids: dict[str, list[str]] = Field(description="Ids touched, by kind (note_id, contact_id, …)")
    filters: dict[str, list[str]] = Field(description="The query's filters (district, topic, from, to…)")
    hash: str = Field(description="sha256 of the previous entry's hash and this entry's canonical JSON")


_BIGINT_MAX = 2**63 - 1


class AuditPage(BaseModel):
    """A page of the audit trail, newest first."""

    model_config = ConfigDict(json_schema_extra={"example": {"entries": [], "next_cursor": None}})

    entries: list[AuditEntryOut]
    next_cursor: str | None = Field(None, description="The next page's URL (also in the `Link` header)")


class ChainState(BaseModel):
    """Whether the service's audit chain holds, and where it breaks if not."""

    model_config = ConfigDict(
        json_schema_extra={"example": {"intact": True, "entries": 1200, "head_seq": 1200, "head_hash": "9f2b…"}}
    )

    intact: bool
    entries: int = Field(description="Entries that hold, from the first")
    head_seq: int = Field(description="The last entry that holds")
    head_hash: str = Field(description="Its hash (keep it elsewhere to detect a cut-off tail later)")
    broken_seq: int | None = Field(None, description="The first entry that does not hold")
    reason: str | None = None


def _day(value: date | None, *, end: bool = False) -> datetime | None:
    if value is None:
        return None
    return datetime.combine(value + timedelta(days=1) if end else value, time(), UTC)


def audit_query(
    actor: Annotated[str | None, Query(max_length=200, description="The caller's subject")] = None,
    action: Annotated[Action | None, Query(description="read, export, create, update or delete")] = None,
    district: Annotated[str | None, Query(max_length=100, description="Entries touching this district")] = None,
    route: Annotated[str | None, Query(max_length=200, description="Part of the route or command")] = None,
    start: Annotated[date | None, Query(alias="from", description="First day (UTC)")] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day (UTC, included)")] = None,
) -> AuditQuery:
    return AuditQuery(actor, action.value if action else None, district, route, _day(start), _day(end, end=True))


Filters = Annotated[AuditQuery, Depends(audit_query)]


def _trail(request: Request) -> AuditTrail:
    trail: AuditTrail = request.app.state.runtime.resource(AuditTrail)
    return trail


def _out(row: Any) -> AuditEntryOut:
    return AuditEntryOut.model_validate(row, from_attributes=True)


@router.get("", response_model=AuditPage)
async def list_audit_entries(
    request: Request,
    response: Response,
    _: Auditor,
    q: Filters,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=20, pattern=r"^\d+$", description="From `next_cursor`")] = None,
) -> AuditPage:
    """Who read or changed what, newest first: filter by actor, action, district and days.

    "Who read district B2's notes last week": `?action=read&district=B2&from=…&to=…`.
    """
    # A cursor beyond PostgreSQL's bigint (no sequence number is) means "before every entry".
    before = min(int(cursor), _BIGINT_MAX) if cursor else None
    rows = await _trail(request).page(q, before=before, limit=limit)
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = str(rows[-1].seq) if more else None
    if next_cursor is not None:  # keyset by seq (the house's Link header, with a cursor of its own)
        response.headers["Link"] = f'<{request.url.include_query_params(cursor=next_cursor)}>; rel="next"'
    return AuditPage(entries=[_out(r) for r in rows], next_cursor=next_cursor)


#: The export's columns: every stored field, the links included (re-check the chain offline).
CSV_COLUMNS = (
    "seq", "at", "actor", "actor_kind", "roles", "actor_district", "department", "action", "route", "status",
    "districts", "ids", "filters", "prev_hash", "hash",
)  # fmt: skip


def _csv_line(values: list[Any]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow([csv_cell(v) for v in values])
    return out.getvalue().encode()


@router.get("/export.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
async def export_audit_entries(request: Request, _: Auditor, q: Filters) -> StreamingResponse:
    """Every matching entry, oldest first, as CSV, with `prev_hash` and `hash` (re-check offline).

    Lists (roles, districts) are `;`-separated, ids and filters JSON; cells a spreadsheet would run
    as formulas are quoted.
    """
    trail = _trail(request)

    async def lines() -> AsyncIterator[bytes]:
        yield _csv_line(list(CSV_COLUMNS))
        async for row in trail.stream(q):
            e = _out(row)
            yield _csv_line(
                [
                    e.seq, e.at, e.actor, e.actor_kind, ";".join(e.roles), e.actor_district, e.department,
                    e.action, e.route, e.status, ";".join(e.districts), json.dumps(e.ids, sort_keys=True),
                    json.dumps(e.filters, sort_keys=True), row.prev_hash, e.hash,
                ]
            )  # fmt: skip

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"'},
    )


@router.get("/verify", response_model=ChainState)
async def verify_audit_chain(request: Request, _: Auditor) -> ChainState:
    """Walk the service's whole chain: intact, or the first entry edited, removed or out of place."""
    v = await _trail(request).verify()
    return ChainState(
        intact=v.intact,
        entries=v.entries,
        head_seq=v.head_seq,
        head_hash=v.head_hash,
        broken_seq=v.broken_seq,
        reason=v.reason,
    )


def install(app: FastAPI, policy: AuditPolicy) -> None:
    """The recording middleware, on an audited service's app (its routes, ``router``, included)."""
    check_policy(app, policy)
    app.add_middleware(
        AuditMiddleware,
        policy=AuditPolicy({**AUDIT_READS, **policy.reads}, policy.forwards, policy.not_changes),
    )
