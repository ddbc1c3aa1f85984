"""Rules for contacts: validate, place, store once, and queue ``contact.logged`` with the row.

Idempotency (the contract is in the module docstring of routes.py):
the contact row is its own idempotency record. Its primary key (the phone's id, when it sends
one) and ``(officer_id, idempotency_key)`` are unique; the insert is ``ON CONFLICT DO NOTHING``
(written with other requests' contacts by ``ContactWriter``, one transaction for the group),
so the database, not a read-then-write check, decides which of two identical requests creates
the contact. The loser reads the winner's row and answers from it: the same 201 for the same
key and body, 422 for the same key with another body, 200 for a resent id with the same
content, 409 for a reused id with other content.

Reads (the places index's version, the officer's last place, the row a duplicate collided
with) take a connection of their own when a request needs one: most requests need none.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import MAXYEAR, UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.events import ContactLogged, Outbox
from porchlight.events.catalog import GeoPoint
from porchlight.events.envelope import new_envelope
from porchlight.intake.contacts.access import sees_notes, visible
from porchlight.intake.contacts.repository import ContactRepository, ContactWriter, StoredContact, last_place
from porchlight.intake.contacts.schemas import (
    CONTEXT_MAX_AGE,
    CONTEXT_MAX_FUTURE,
    CONTEXT_NOW,
    ContactIn,
    ContactOut,
    ContactPage,
    ContactPlaceOut,
    ContactSummary,
    PlaceIn,
    PointOut,
    TypeTotals,
)
from porchlight.intake.meetings.access import ListQuery
from porchlight.intake.places.service import IndexKeeper, ResolvedPlace, resolve_in
from porchlight.intake.privacy import redact
from porchlight.intake.privacy.precision import coarse, coarse_point
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.auth import Principal
from porchlight.kit.db import driver_connection
from porchlight.kit.errors import Conflict, ProblemError, ValidationProblem, human_message
from porchlight.kit.paging import Cursor

log = logging.getLogger(__name__)

#: Contacts older than this are refused: a year covers any phone that was offline.
MAX_AGE = timedelta(days=365)
MAX_KEY_LENGTH = 200
KEY_FIELD = "header.Idempotency-Key"


class IdempotencyKeyReused(ProblemError):
    """The draft's 422: the key was already used for a request with another body."""

    status, slug, title = 422, "idempotency-key-reused", "Idempotency-Key reused with a different body"


@dataclass(frozen=True)
class ContactDesk:
    """What logging a contact needs of the running app: one per app, provided at start-up
    (``startup.provide_contact_desk``), so the hot route resolves one dependency for all of it.

    ``sessions`` for the rare reads (the row a duplicate collided with, the stored answer of a
    retried request); ``writer`` writes contacts in groups (its engine also serves the officer's
    last place); ``places`` is the places index, its version checked about once a second
    rather than per request; ``settings`` are intake's (the date rules).
    """

    sessions: async_sessionmaker[AsyncSession]
    writer: ContactWriter
    places: IndexKeeper
    settings: IntakeSettings


@dataclass(frozen=True)
class Logged:
    """What the route answers: the contact's row, and how this request relates to it."""

    row: Row[Any] | StoredContact
    status: int  # 201 created or replayed, 200 for a resent id
    replayed: bool = False


def parse_key(header: str | None) -> tuple[str | None, list[dict[str, str]]]:
    """The Idempotency-Key: a token or a structured-field string (``"..."``, as the draft writes it)."""
    if header is None:
        return None, []
    key = header.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not key or len(key) > MAX_KEY_LENGTH or not key.isascii() or not key.isprintable():
        message = f"must be 1 to {MAX_KEY_LENGTH} printable ASCII characters"
        return None, [{"field": KEY_FIELD, "message": message}]
    return key, []


def fingerprint(form: ContactIn) -> str:
    """SHA-256 of the body in canonical form: key order, spacing, nulls and offsets do not count."""
    canonical = json.dumps(form.model_dump(mode="json", exclude_none=True), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _body_errors(exc: ValidationError) -> list[dict[str, str]]:
    out = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in ("body", *err["loc"]))
        # In people's words, as every other 422 (``human_message``), with pydantic's type as the code.
        out.append({"field": loc, "message": human_message(err), "code": err["type"]})
    return out


async def log_contact(
    desk: ContactDesk,
    raw: bytes,
    officer: Principal,
    *,
    idempotency_key: str | None,
    settings: IntakeSettings,
) -> Logged:
    """Store a contact once and queue ``contact.logged``; every bad field is named at once."""
    now = datetime.now(UTC)
    key, errors = parse_key(idempotency_key)
    context = {
        CONTEXT_NOW: now,
        CONTEXT_MAX_FUTURE: timedelta(hours=settings.max_future_hours),
        CONTEXT_MAX_AGE: MAX_AGE,
    }
    form: ContactIn | None = None
    place_in: PlaceIn | None = None
    place_parsed = True
    try:
        form = ContactIn.model_validate_json(raw, context=context)
        place_in = form.place
    except ValidationError as exc:
        errors += _body_errors(exc)
        place_in, place_parsed = _place_part(raw, errors)
    place: tuple[ResolvedPlace, str] | None = None
    if place_parsed:  # a malformed place is already named; resolving it would say it twice
        try:
            place = await _resolve(desk, place_in, officer)
        except ValidationProblem as exc:
            errors += exc.errors or [{"field": "body.place", "message": exc.detail}]
    if errors:
        # A retry of a request accepted before gets its answer (unless its key is malformed).
        if key or idempotency_key is None:
            async with desk.sessions() as session:
                stored = await _stored_answer(ContactRepository(session), raw, officer, key)
            if stored is not None:
                return stored
        raise ValidationProblem(f"Invalid fields: {', '.join(e['field'] for e in errors)}", errors=errors)
    assert form is not None and place is not None
    resolved, source = place
    fp = fingerprint(form)
    contact_id = form.id or uuid.uuid4()
    values: dict[str, Any] = {
        "id": contact_id,
        "officer_id": officer.subject,
        "unit": form.unit,
        "contact_type": form.contact_type,
        "minutes": form.minutes,
        "residents_reached": form.residents_reached,
        "occurred_at": form.occurred_at or now,
        "district": resolved.district,
        "neighborhood": resolved.neighborhood,
        "lat": resolved.point.lat if resolved.point else None,
        "lon": resolved.point.lon if resolved.point else None,
        "place_name": resolved.place_name,
        "place_source": source,
        "note": form.note,
        "idempotency_key": key,
        "fingerprint": fp,
    }
    event = contact_logged(values)
    envelope = new_envelope(event, source=desk.writer.outbox.source)
    row = await desk.writer.insert(values, Outbox.row(envelope, event.TOPIC))
    if row is None:
        async with desk.sessions() as session:
            return await _duplicate(ContactRepository(session), contact_id, officer.subject, key, fp)
    log.debug("contact logged", extra={"contact_id": str(row.id), "contact_type": row.contact_type})
    return Logged(row=row, status=201)


def _place_part(raw: bytes, errors: list[dict[str, str]]) -> tuple[PlaceIn | None, bool]:
    """The body's place when the rest of it is bad: (place, whether it parsed)."""
    if any(e["field"] == "body" or e["field"].startswith("body.place") for e in errors):
        return None, False
    try:
        body = json.loads(raw)
    except ValueError:
        return None, False
    if not isinstance(body, dict) or body.get("place") is None:
        return None, True
    try:
        return PlaceIn.model_validate(body["place"]), True
    except ValidationError:
        return None, False


async def _resolve(desk: ContactDesk, place: PlaceIn | None, officer: Principal) -> tuple[ResolvedPlace, str]:
    """The body's place; else the officer's last contact's; else the token's district."""
    if place is not None and not place.is_empty():
        point = GeoPoint(lat=place.point.lat, lon=place.point.lon) if place.point else None
        resolved = resolve_in(
            await desk.places.get(),
            district=place.district,
            neighborhood=place.neighborhood,
            point=point,
            place_name=place.place_name,
            field="body.place",
        )
        return resolved, "body"
    async with driver_connection(desk.writer.engine) as driver:
        last = await last_place(driver, officer.subject)
    if last is not None:
        point = GeoPoint(lat=last["lat"], lon=last["lon"]) if last["lat"] is not None else None
        return ResolvedPlace(last["district"], last["neighborhood"], point, last["place_name"]), "last_contact"
    if officer.district:
        try:
            index = await desk.places.get()
            return resolve_in(index, district=officer.district, field="token"), "token_district"
        except ValidationProblem:
            pass
    raise ValidationProblem(
        "Invalid fields: body.place",
        errors=[
            {
                "field": "body.place",
                "message": "give a place: you have no earlier contact to take it from "
                "and your token names no known district",
            }
        ],
    )


async def _duplicate(
    repo: ContactRepository, contact_id: uuid.UUID, officer_id: str, key: str | None, fp: str
) -> Logged:
    """The insert hit an existing row: answer as the draft and the brief say (see module doc)."""
    rows = await repo.conflicting(contact_id, officer_id, key)
    for row in rows:
        if key is not None and row.officer_id == officer_id and row.idempotency_key == key:
            if row.fingerprint != fp:
                raise IdempotencyKeyReused(
                    "This Idempotency-Key was already used with a different body; send a new key for a new contact",
                    errors=[{"field": KEY_FIELD, "message": "already used with a different body"}],
                )
            log.debug("contact replayed", extra={"contact_id": str(row.id)})
            return Logged(row=row, status=201, replayed=True)
    for row in rows:
        if row.id == contact_id:
            if row.officer_id == officer_id and row.fingerprint == fp:
                log.debug("contact resent", extra={"contact_id": str(row.id)})
                return Logged(row=row, status=200)
            # Another officer's id says nothing about them: same answer, no content.
            raise Conflict(
                f"contact {contact_id} already exists with different content",
                errors=[{"field": "body.id", "message": "already used for a different contact"}],
            )
    # Unreachable while nothing deletes contacts; a retry would then succeed.
    raise Conflict("the contact collided with one that is gone; send it again")


async def _stored_answer(repo: ContactRepository, raw: bytes, officer: Principal, key: str | None) -> Logged | None:
    """On a bad request: the stored answer if the very same request was accepted before.

    A retry must get the first answer even when it no longer validates (a day later the
    occurred_at may be too old, the city's places may have changed).
    """
    try:
        form = ContactIn.model_validate_json(raw)  # without the time checks
    except ValidationError:
        return None
    if key is None and form.id is None:
        return None
    try:
        return await _duplicate(repo, form.id or uuid.uuid4(), officer.subject, key, fingerprint(form))
    except ProblemError:
        return None


def contact_logged(values: Mapping[str, Any]) -> ContactLogged:
    """The event of a contact (its insert values, or a stored row's mapping); the note stays out."""
    return ContactLogged(
        contact_id=values["id"],
        officer_id=values["officer_id"],
        unit=values["unit"],
        district=values["district"],
        neighborhood=values["neighborhood"],
        contact_type=values["contact_type"],
        minutes=values["minutes"],
        residents_reached=values["residents_reached"],
        occurred_at=values["occurred_at"],
        # A block, not a doorstep: the exact point stays in intake (privacy/precision.py).
        point=coarse_point(GeoPoint(lat=values["lat"], lon=values["lon"])) if values["lat"] is not None else None,
    )


def to_out(row: Row[Any] | StoredContact, *, with_note: bool) -> ContactOut:
    # The exact point for readers of raw contacts (supervisors, admins); others a block.
    point = None
    if row.lat is not None and row.lon is not None:
        lat, lon = (row.lat, row.lon) if with_note else (coarse(row.lat), coarse(row.lon))
        point = PointOut(lat=lat, lon=lon)
    return ContactOut(
        id=row.id,
        officer_id=row.officer_id,
        unit=row.unit,
        contact_type=row.contact_type,
        minutes=row.minutes,
        residents_reached=row.residents_reached,
        occurred_at=row.occurred_at,
        place=ContactPlaceOut(
            district=row.district,
            neighborhood=row.neighborhood,
            point=point,
            # Free text ("Mrs Ortiz's porch"): raw only to readers of raw notes, as the CSV export.
            place_name=row.place_name if with_note or not row.place_name else redact(row.place_name).text,
        ),
        place_source=row.place_source,
        has_note=bool(row.note),
        note=row.note if with_note else None,
        created_at=row.created_at,
    )


# Reads: pages and the monthly summary.


async def page(
    session: AsyncSession, viewer: Principal, q: ListQuery, contact_type: str | None
) -> tuple[ContactPage, Cursor | None]:
    """One page and the cursor of the next (None on the last)."""
    rows = await ContactRepository(session).page(visible(viewer, q), contact_type)
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    with_note = sees_notes(viewer)
    cursor = Cursor(rows[-1].occurred_at, rows[-1].id) if more else None
    return ContactPage(items=[to_out(r, with_note=with_note) for r in rows], next_cursor=None), cursor


def month_bounds(month: str | None) -> tuple[str, datetime, datetime]:
    if month is None:
        today = datetime.now(UTC)
        start = datetime(today.year, today.month, 1, tzinfo=UTC)
    else:
        try:
            start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
        except ValueError as exc:
            raise ValidationProblem(
                "Invalid fields: query.month", errors=[{"field": "query.month", "message": "use YYYY-MM"}]
            ) from exc
    if start.year == MAXYEAR and start.month == 12:  # its end would be in year 10000
        raise ValidationProblem(
            "Invalid fields: query.month", errors=[{"field": "query.month", "message": "is out of range"}]
        )
    end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=UTC)
    return start.strftime("%Y-%m"), start, end


async def monthly_summary(session: AsyncSession, officer: Principal, month: str | None) -> ContactSummary:
    label, start, end = month_bounds(month)
    rows = await ContactRepository(session).monthly_totals(officer.subject, start, end)
    by_type = {r.contact_type: TypeTotals(contacts=r.contacts, minutes=int(r.minutes)) for r in rows}
    minutes = sum(t.minutes for t in by_type.values())
    return ContactSummary(
        officer_id=officer.subject,
        month=label,
        contacts=sum(t.contacts for t in by_type.values()),
        minutes=minutes,
        hours=round(minutes / 60, 2),
        residents_reached=sum(int(r.residents) for r in rows),
        by_type=by_type,
    )
