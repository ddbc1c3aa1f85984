"""HTTP: a place's insight, the cross-district view, and the notes behind any figure.

Every insight route (and the emerging clusters') takes the same place and period parameters:
``district``/``neighborhood`` and ``from``/``to`` in whole days (``ScopeParams``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Principal, Role, words_district
from porchlight.kit.errors import ValidationProblem
from porchlight.kit.inputs import Day
from porchlight.kit.paging import Cursor, CursorParam, LimitParam, cursor_of, next_link
from porchlight.synthesis.insights.repository import InsightRepository, Period, Place, StoredRead
from porchlight.synthesis.insights.schemas import CityInsight, ConcernOut, Insight, NoteOut, NotesPage
from porchlight.synthesis.insights.service import DEFAULT_DAYS, default_period, read_city, read_insight

router = APIRouter(prefix="/v1/insights", tags=["insights"])
READERS = [Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]
#: A reader, for routes whose answer holds residents' words (Principal.reads_words_of decides whose).
Reader = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]

MAX_DAYS = 731


@dataclass(frozen=True)
class Scope:
    place: Place
    period: Period


def period_of(start: date | None, end: date | None) -> Period:
    if start is not None and end is not None and start > end:
        raise ValidationProblem(
            "Invalid period", errors=[{"field": "query.from", "message": "must be on or before 'to'"}]
        )
    if end is None:
        end = start + timedelta(days=DEFAULT_DAYS - 1) if start is not None else default_period().end
    if start is None:
        start = end - timedelta(days=DEFAULT_DAYS - 1)
    period = Period(start, end)
    if period.days > MAX_DAYS:
        raise ValidationProblem(
            "Invalid period", errors=[{"field": "query.from", "message": f"a period spans at most {MAX_DAYS} days"}]
        )
    return period


def scope(
    district: Annotated[
        str | None, Query(max_length=100, description="District code; the whole city when absent")
    ] = None,
    neighborhood: Annotated[str | None, Query(max_length=100)] = None,
    start: Annotated[
        Day | None, Query(alias="from", description=f"First day (UTC), default {DEFAULT_DAYS} days before 'to'")
    ] = None,
    end: Annotated[Day | None, Query(alias="to", description="Last day (UTC, included), default today")] = None,
) -> Scope:
    return Scope(Place(district, neighborhood), period_of(start, end))


ScopeParams = Annotated[Scope, Depends(scope)]


def _served(request: Request, read: StoredRead, scope: Scope, started: float, *, words: bool, variant: str) -> Response:
    """The stored JSON as is, with a weak ETag of what it was built from (If-None-Match: 304)."""
    assert read.body is not None
    # The period is in the tag: the default period's URL stays the same from one day to the next.
    tag = f'W/"{scope.period.start}.{scope.period.end}.{read.version}.{variant}{"" if words else ".withheld"}"'
    took = 1000 * (time.perf_counter() - started)
    headers = {
        "ETag": tag,
        "Cache-Control": "private, no-cache",
        # Read from the read model, or built by this request (and kept for the next).
        "Server-Timing": f'insight;desc="{"built" if read.built else "stored"}";dur={took:.1f}',
    }
    asked = request.headers.get("if-none-match", "")
    if tag in (t.strip() for t in asked.split(",")) or asked.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(content=read.body, media_type="application/json", headers=headers)


@router.get("", response_model=Insight, responses={304: {"description": "Not modified (If-None-Match)"}})
async def get_insight(
    session: Session,
    who: Reader,
    request: Request,
    scope: ScopeParams,
    emerging: Annotated[bool, Query(description="Cluster the unassigned concerns (emerging topics)")] = True,
) -> Response:
    """Topics ranked with counts and trend, sentiment mix, residents' own words, emerging clusters, summary.

    Served from the read model when it holds the answer at the data's version now, else built
    (``generated_at`` says when); the ``ETag`` changes with the data, so ``If-None-Match`` gets a 304."""
    # One snapshot for the dozen queries behind one answer: under READ COMMITTED an analysis
    # committed between them gave "no notes were filed" beside "Street lighting: 1 note".
    started = time.perf_counter()
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    # Figures are for every reader; the residents' words behind them only for their district.
    words = who.reads_words_of(scope.place.district)
    read = await read_insight(session, scope.place, scope.period, emerging=emerging, words=words)
    return _served(request, read, scope, started, words=words, variant="e" if emerging else "n")


@router.get(
    "/city",
    response_model=CityInsight,
    dependencies=READERS,
    responses={304: {"description": "Not modified (If-None-Match)"}},
)
async def get_city_insight(session: Session, request: Request, scope: ScopeParams) -> Response:
    """Which topic dominates where: each district's leading topic and each topic's leading district."""
    started = time.perf_counter()
    await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    return _served(request, await read_city(session, scope.period), scope, started, words=True, variant="city")


@router.get("/notes", response_model=NotesPage, responses={403: {}})
async def list_insight_notes(
    session: Session,
    who: Reader,
    request: Request,
    response: Response,
    scope: ScopeParams,
    topic: Annotated[
        str | None, Query(max_length=63, description="Only notes raising this topic (or 'unassigned')")
    ] = None,
    sentiment: Annotated[
        Literal["negative", "neutral", "positive"] | None,
        Query(description="With a topic: its statements of this sentiment; without: notes of this sentiment"),
    ] = None,
    previous: Annotated[
        bool, Query(description="The period the insight compares with instead (its ``previous_period``)")
    ] = False,
    limit: LimitParam = 100,
    cursor: CursorParam = None,
) -> NotesPage:
    """The notes behind a figure of ``/v1/insights``, each with its redacted text and the statements counted.

    Newest first, a page at a time: follow ``next_cursor`` (or the ``Link`` header) for the next."""
    period = scope.period.compared()[0] if previous else scope.period
    # The words of the caller's district only, unless their duty is city-wide (a 403 otherwise).
    place = Place(words_district(who, scope.place.district), scope.place.neighborhood)
    total, notes, concerns = await InsightRepository(session).notes_page(
        place, period, topic=topic, sentiment=sentiment, cursor=cursor_of(cursor), limit=limit
    )
    more = len(notes) > limit
    notes = notes[:limit]
    by_note: dict[object, list[ConcernOut]] = {}
    for c in concerns:
        by_note.setdefault(c.note_id, []).append(
            ConcernOut(
                concern_id=c.id,
                text=c.text,
                start=c.span_start,
                end=c.span_end,
                topic=c.topic,
                topic_score=c.topic_score,
                topic_source=c.topic_source,
                sentiment=c.sentiment,
                sentiment_score=c.sentiment_score,
                model_version=c.model_version,
            )
        )
    after = Cursor(notes[-1].occurred_at, notes[-1].note_id) if more else None
    return NotesPage(
        total=total,
        notes=[
            NoteOut(
                note_id=n.note_id,
                district=n.district,
                neighborhood=n.neighborhood,
                occurred_at=n.occurred_at,
                document=n.document,
                sentiment=n.sentiment,
                host_rating=n.host_rating,
                model_version=n.model_version,
                concerns=by_note.get(n.note_id, []),
            )
            for n in notes
        ],
        next_cursor=next_link(request, response, after),
    )
