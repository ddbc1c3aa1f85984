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

from porchlight.intake.contacts.access import sees_notes, visible
from porchlight.intake.contacts.exports import export_csv
from porchlight.intake.contacts.repository import ContactRepository
from porchlight.intake.contacts.schemas import ContactIn, ContactOut, ContactPage, ContactSummary, ContactType
from porchlight.intake.contacts.service import ContactDesk, monthly_summary, page, to_out
from porchlight.intake.contacts.service import log_contact as take_contact
from porchlight.intake.meetings.access import ListQuery, Visibility, list_filters, list_query
from porchlight.kit.app import Provided, Session, Sessions
from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import NotFound
from porchlight.kit.paging import next_link

router = APIRouter(prefix="/v1/contacts", tags=["contacts"])

Officer = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor))]
Reader = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]
#: Everything logging a contact needs, made at start-up (``contacts/startup.py``).
Desk = Annotated[ContactDesk, Provided(ContactDesk)]


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
async def log_contact(request: Request, officer: Officer, desk: Desk) -> Response:
    """Log a positive community contact (the officer is the token's subject).

    Idempotent two ways: an `Idempotency-Key` header (a retry gets the first answer again, with
    `Idempotent-Replayed: true`) and a client-chosen `id` (resent with the same content: 200 with
    the stored contact; with other content: 409). Every bad field is named in one 422.
    """
    # No request session: the contact is written with others' (ContactWriter), and the few
    # reads some requests need take their own. The body and the Idempotency-Key header are read
    # here, not declared: this route is the hot one (docs/benchmarks.md, "Intake: contacts").
    raw = await request.body()
    logged = await take_contact(
        desk, raw, officer, idempotency_key=request.headers.get("idempotency-key"), settings=desk.settings
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
    """Contacts, newest first, one page at a time (officers see their own).

    Filters by district, neighborhood, host (the officer), dates and type; the next page's URL
    comes in the `Link` header. Raw notes are shown to supervisors and admins only.
    """
    result, cursor = await page(session, viewer, q, contact_type)
    result.next_cursor = next_link(request, response, cursor)
    return result


@router.get("/export.csv", response_class=StreamingResponse, responses={200: {"content": {"text/csv": {}}}})
async def export_contacts(
    sessions: Sessions,
    viewer: Reader,
    q: Annotated[ListQuery, Depends(list_filters)],
    contact_type: TypeFilter = None,
) -> StreamingResponse:
    """Every matching contact as CSV (notes and place names redacted; officer ids, no names).

    Streamed with the list's filters; cells a spreadsheet would run as formulas are quoted.
    """
    narrowed = visible(viewer, q)  # a 403 before the response starts
    return StreamingResponse(
        export_csv(sessions, narrowed, contact_type),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="contacts.csv"'},
    )


@router.get("/me/summary", response_model=ContactSummary)
async def get_my_summary(
    session: Session,
    officer: Officer,
    month: Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)")] = None,
) -> ContactSummary:
    """The caller's contacts, minutes and residents reached in a month.

    Totals by contact type too; `month` is `YYYY-MM` (default: this month, UTC).
    """
    return await monthly_summary(session, officer, month)


@router.get("/{contact_id}", response_model=ContactOut)
async def get_contact(contact_id: uuid.UUID, session: Session, viewer: Reader) -> ContactOut:
    """One contact.

    A contact the caller may not see is a 404, as one that does not exist.
    """
    row = await ContactRepository(session).get(contact_id)
    if row is None or not Visibility.of(viewer).allows(host_id=row.officer_id, district=row.district):
        raise NotFound(f"no contact {contact_id}")  # not a 403: others' ids stay unconfirmed
    return to_out(row, with_note=sees_notes(viewer))
