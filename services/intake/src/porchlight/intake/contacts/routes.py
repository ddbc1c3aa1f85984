"""HTTP routes of contacts.

``POST /v1/contacts`` is idempotent two ways (RFC draft "The Idempotency-Key HTTP Header
Field", Stripe's behaviour):

* ``Idempotency-Key`` header, scoped per officer, kept as long as the contact: a retry with the
  same key and the same body gets the first answer again (201, same body) with
  ``Idempotent-Replayed: true`` and creates nothing; the same key with another body is a 422
  (``idempotency-key-reused``), as the draft says. Requests that failed validation store
  nothing: the key may be used again with a corrected body.
* a client-generated ``id`` in the body: resent with the same content it is a 200 with the
  stored contact (counted once); with other content, a 409.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse

from porchlight.intake.contacts.listing import export_csv, monthly_summary, page, visible
from porchlight.intake.contacts.repository import ContactRepository
from porchlight.intake.contacts.schemas import ContactIn, ContactOut, ContactPage, ContactSummary, ContactType
from porchlight.intake.contacts.service import ContactDesk, log_contact, sees_notes, to_out
from porchlight.intake.contacts.writer import ContactWriter
from porchlight.intake.db import outbox
from porchlight.intake.meetings.listing import ListQuery, Visibility, list_filters, list_query, next_link
from porchlight.intake.places.index import IndexKeeper
from porchlight.intake.settings import settings_of
from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import NotFound

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])

Officer = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor))]
Reader = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]


def desk_of(state: Any) -> ContactDesk:
    """The app's contact desk, made at its first contact (one per running app)."""
    runtime = state.runtime
    desk: ContactDesk | None = getattr(state, "contact_desk", None)
    if desk is None or desk.sessions is not runtime.sessions:  # a restarted app has a new runtime
        desk = state.contact_desk = ContactDesk(
            runtime.sessions, ContactWriter(runtime.engine, outbox), IndexKeeper(runtime.sessions)
        )
    return desk


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON Schema with its ``$defs`` inlined (OpenAPI has no local ``$defs``)."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.rsplit("/", 1)[1]])
            return {k: walk(v) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


# The body is read and validated by the service, not by FastAPI, so that a bad place, a bad
# date and a malformed field are all named in one answer; the schema is documented here.
# The Idempotency-Key header is read by the route too (a declared header parameter costs
# FastAPI's parameter machinery on every request of the hottest route); documented here.
_BODY_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _inlined(ContactIn.model_json_schema())}},
    },
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "Up to 200 characters, unique per request",
            "schema": {"type": "string"},
        }
    ],
}


@router.post(
    "",
    status_code=201,
    response_model=ContactOut,
    openapi_extra=_BODY_DOC,
    responses={
        200: {"model": ContactOut, "description": "The same id was sent before with the same content"},
        409: {"description": "The id exists with different content"},
        422: {"description": "Invalid fields (all named), or the Idempotency-Key was used with another body"},
    },
)
async def post_contact(request: Request, officer: Officer) -> Response:
    """Log a positive community contact (the officer is the token's subject)."""
    # No request session: the contact is written with others' (ContactWriter), and the few
    # reads some requests need take their own. Settings are read the same way, without a
    # dependency: this route is the hot one (docs/benchmarks.md, "Intake: contacts").
    raw = await request.body()
    logged = await log_contact(
        desk_of(request.app.state),
        raw,
        officer,
        idempotency_key=request.headers.get("idempotency-key"),
        settings=settings_of(request.app.state),
    )
    headers = {"Location": f"/v1/contacts/{logged.row.id}"}
    if logged.replayed:
        headers["Idempotent-Replayed"] = "true"
    body = to_out(logged.row, with_note=False).model_dump_json()
    return Response(body, status_code=logged.status, media_type="application/json", headers=headers)


TypeFilter = Annotated[ContactType | None, Query(description="Only contacts of this type")]


@router.get("", response_model=ContactPage)
async def list_contacts(
    request: Request,
    response: Response,
    session: Session,
    viewer: Reader,
    q: Annotated[ListQuery, Depends(list_query)],
    contact_type: TypeFilter = None,
) -> ContactPage:
    """Contacts, newest first, one page at a time (officers see their own)."""
    result, cursor = await page(session, viewer, q, contact_type)
    result.next_cursor = next_link(request, response, cursor)
    return result


@router.get("/export.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
async def export_contacts(
    request: Request,
    viewer: Reader,
    q: Annotated[ListQuery, Depends(list_filters)],
    contact_type: TypeFilter = None,
) -> StreamingResponse:
    """Every matching contact as CSV (notes and place names redacted; officer ids, no names)."""
    narrowed = visible(viewer, q)  # a 403 before the response starts
    return StreamingResponse(
        export_csv(request.app.state.runtime.sessions, narrowed, contact_type),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@router.get("/me/summary", response_model=ContactSummary)
async def my_summary(
    session: Session,
    officer: Officer,
    month: Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)")] = None,
) -> ContactSummary:
    """The caller's contacts, minutes and residents reached in a month."""
    return await monthly_summary(session, officer, month)


@router.get("/{contact_id}", response_model=ContactOut)
async def get_contact(contact_id: uuid.UUID, session: Session, viewer: Reader) -> ContactOut:
    row = await ContactRepository(session).get(contact_id)
    if row is None or not Visibility.of(viewer).allows(host_id=row.officer_id, district=row.district):
        raise NotFound(f"no contact {contact_id}")  # not a 403: others' ids stay unconfirmed
    return to_out(row, with_note=sees_notes(viewer))
