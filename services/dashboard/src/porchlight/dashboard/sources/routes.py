"""HTTP routes of the lists behind the district page's figures (issue 14: every figure opens what
it counts). Scoped as the district page is (pages/access.py): a caller with a district claim sees
that district's lists only; who hosted a meeting only for ``HOST_READERS``, officers' own rows
only for the roles the page shows them to. Contacts carry no resident and no place here."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.access import PoliceStaff, check_district
from porchlight.dashboard.pages.routes import HOST_READERS
from porchlight.dashboard.pages.schemas import DistrictRef
from porchlight.dashboard.pages.service import period_of
from porchlight.dashboard.settings import Config
from porchlight.dashboard.sources import repository as rows_of
from porchlight.dashboard.sources.schemas import (
    ContactRow,
    ContactSources,
    IncidentCategory,
    IncidentRecord,
    IncidentSources,
    MeetingRow,
    MeetingSources,
)
from porchlight.kit.app import Session
from porchlight.kit.auth import Principal, Role
from porchlight.kit.city import City, load_city
from porchlight.kit.errors import NotFound, ValidationProblem
from porchlight.kit.paging import Cursor, CursorParam, LimitParam, cursor_of, next_link

router = APIRouter(prefix="/v1/districts/{code}/sources", tags=["pages"])

MonthQuery = Annotated[str | None, Query(description="YYYY-MM (default: this month, UTC)", examples=["2026-10"])]
_SCOPED: dict[int | str, dict[str, Any]] = {
    403: {"description": "A caller scoped to one district (a district claim) asked for another one"},
    404: {"description": "No such district in the city"},
}


def _district(who: Principal, code: str, city: City) -> DistrictRef:
    check_district(who, code)
    if code not in city.codes:
        raise NotFound(f"no district {code!r} in {city.name}")
    return DistrictRef(code=code, name=city.name_of(code))


@router.get("/meetings", response_model=MeetingSources, responses=_SCOPED)
async def list_meeting_sources(
    code: str, session: Session, who: PoliceStaff, config: Config, month: MonthQuery = None
) -> MeetingSources:
    """The meetings behind 'Meetings hosted', the residents at meetings and the meeting hours.

    Each scheduled meeting held in the month (its venue, place, length, attendees and notes) and each
    note filed without a scheduled meeting (one meeting of the default length): the same rule as the
    district page, so the rows add up to its figures. The host only for supervisors and leadership.
    """
    district = _district(who, code, load_city(config.places_file))
    m = Month.parse(month)
    show_host = who.has(*HOST_READERS)
    found = await rows_of.meeting_rows(session, code, m, config.meeting_hours)
    rows = [
        MeetingRow(
            kind="meeting" if r.meeting_id else "note",
            meeting_id=r.meeting_id,
            note_id=r.note_id,
            held_at=r.held_at,
            venue_type=r.venue_type,
            neighborhood=r.neighborhood,
            duration_minutes=r.duration_minutes,
            counted=bool(r.meetings),
            meetings=r.meetings,
            minutes=float(r.minutes),
            hours=round(float(r.minutes) / 60, 2),
            attendees=r.attendees,
            notes=r.notes,
            host_id=r.host_id if show_host else None,
        )
        for r in found
    ]
    return MeetingSources(
        district=district,
        period=period_of(m),
        # Summed as the page sums them (pages/repository.py engagement): minutes, then one rounding.
        meetings_hosted=sum(r.meetings for r in rows),
        meeting_hours=round(sum(r.minutes for r in rows) / 60, 1),
        residents_at_meetings=sum(r.attendees for r in rows),
        notes=sum(r.notes for r in rows),
        default_hours=config.meeting_hours,
        rows=rows,
    )


@router.get("/contacts", response_model=ContactSources, responses=_SCOPED)
async def list_contact_sources(
    code: str, session: Session, who: PoliceStaff, config: Config, month: MonthQuery = None
) -> ContactSources:
    """The positive contacts behind 'Positive contacts', the contact hours and residents via contacts.

    Grouped by contact type, by unit and — for supervisors and analysts, as on the district page —
    by officer; each grouping adds up to the figures. No resident and no address: contacts carry none.
    """
    district = _district(who, code, load_city(config.places_file))
    m = Month.parse(month)
    groups: dict[str, list[ContactRow]] = {"type": [], "unit": [], "officer": []}
    for kind, r in await rows_of.contact_groups(session, code, m):
        groups[kind].append(
            ContactRow(
                key={"type": r.contact_type, "unit": r.unit}.get(kind, r.officer_id),
                unit=(r.officer_unit or None) if kind == "officer" else None,
                contacts=r.contacts,
                minutes=r.minutes,
                hours=round(r.minutes / 60, 2),
                residents=r.residents,
            )
        )
    for found in groups.values():
        found.sort(key=lambda g: (-g.minutes, -g.contacts, g.key))
    by_type = groups["type"]
    return ContactSources(
        district=district,
        period=period_of(m),
        contacts=sum(g.contacts for g in by_type),
        contact_hours=round(sum(g.minutes for g in by_type) / 60, 1),
        residents=sum(g.residents for g in by_type),
        by_type=by_type,
        by_unit=groups["unit"],
        by_officer=groups["officer"] if who.has(Role.supervisor, Role.analyst) else None,
    )


@router.get("/incidents", response_model=IncidentSources, responses=_SCOPED)
async def list_incident_sources(
    code: str,
    request: Request,
    response: Response,
    session: Session,
    who: PoliceStaff,
    config: Config,
    month: MonthQuery = None,
    category: Annotated[str | None, Query(max_length=200, description="Only this category's records")] = None,
    cursor: CursorParam = None,
    limit: LimitParam = 500,
) -> IncidentSources:
    """The incidents behind the crime panel: counts per category and the records themselves.

    The counts add up to the panel's total; records page by category and id (at most 500 a page,
    the next page in the `Link` header), each opening layers' `GET /v1/records/{record_id}`.
    """
    district = _district(who, code, load_city(config.places_file))
    m = Month.parse(month)
    categories = [
        IncidentCategory(category=r.category, nibrs_code=r.nibrs_code, count=r.n)
        for r in await rows_of.incident_categories(session, code, m)
    ]
    after = cursor_of(cursor)
    keyset: tuple[str, uuid.UUID] | None = None
    if after is not None:
        if not isinstance(after.id, uuid.UUID):
            raise ValidationProblem(
                "not a cursor of this list", errors=[{"field": "query.cursor", "message": "not a cursor of this list"}]
            )
        keyset = (str(after.at), after.id)
    total, found = await rows_of.incident_page(session, code, m, category, keyset, limit)
    more = len(found) > limit
    records = [
        IncidentRecord(record_id=r.record_id, category=r.category, nibrs_code=r.nibrs_code) for r in found[:limit]
    ]
    last = records[-1] if more else None
    return IncidentSources(
        district=district,
        period=period_of(m),
        total=sum(c.count for c in categories),
        by_category=categories,
        category=category,
        records_total=total,
        records=records,
        next_cursor=next_link(request, response, Cursor(at=last.category, id=last.record_id) if last else None),
    )
