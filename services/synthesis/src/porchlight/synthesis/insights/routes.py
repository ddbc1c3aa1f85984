"""HTTP: a place's insight, the cross-district view, and the notes behind any figure."""

from __future__ import annotations

from typing import Annotated, Literal

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Query

from porchlight.kit.app import Session
from porchlight.kit.auth import Allow, Role
from porchlight.synthesis.analysis.live import latest_version, taxonomy_at
from porchlight.synthesis.insights import queries as q
from porchlight.synthesis.insights.build import build_city, build_insight
from porchlight.synthesis.insights.params import ScopeParams
from porchlight.synthesis.insights.schemas import CityInsight, ConcernOut, Insight, NoteOut, NotesPage
from porchlight.synthesis.notes.models import AnalyzedConcern as C
from porchlight.synthesis.notes.models import ReceivedNote as N

router = APIRouter(prefix="/v1/insights", tags=["insights"])
READERS = [Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]


@router.get("", response_model=Insight, dependencies=READERS)
async def insight(
    session: Session,
    scope: ScopeParams,
    emerging: Annotated[bool, Query(description="Cluster the unassigned concerns (emerging topics)")] = True,
) -> Insight:
    """Topics ranked with counts and trend, sentiment mix, residents' own words, emerging clusters, summary."""
    row = await latest_version(session)
    taxonomy = await taxonomy_at(session, row.taxonomy_version)
    return await build_insight(session, taxonomy, scope.place, scope.period, with_emerging=emerging)


@router.get("/city", response_model=CityInsight, dependencies=READERS)
async def city(session: Session, scope: ScopeParams) -> CityInsight:
    """Which topic dominates where: each district's leading topic and each topic's leading district."""
    return await build_city(session, scope.period)


@router.get("/notes", response_model=NotesPage, dependencies=READERS)
async def notes_behind(
    session: Session,
    scope: ScopeParams,
    topic: Annotated[
        str | None, Query(max_length=63, description="Only notes raising this topic (or 'unassigned')")
    ] = None,
    sentiment: Annotated[
        Literal["negative", "neutral", "positive"] | None,
        Query(description="With a topic: its statements of this sentiment; without: notes of this sentiment"),
    ] = None,
    previous: Annotated[bool, Query(description="The previous period of equal length instead")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> NotesPage:
    """The notes behind a figure of ``/v1/insights``, each with its redacted text and the statements counted."""
    period = scope.period.previous() if previous else scope.period
    cw = q.concerns_where(scope.place, period)
    if topic is not None:
        cw.append(C.topic == topic)
        if sentiment is not None:
            cw.append(C.sentiment == sentiment)
        ids = sa.select(C.note_id).where(*cw).distinct()
        where: list[sa.ColumnElement[bool]] = [N.note_id.in_(ids)]
    else:
        lo, hi = period.bounds()
        where = [N.occurred_at >= lo, N.occurred_at < hi, N.analyzed_at.is_not(None)]
        if scope.place.district is not None:
            where.append(N.district == scope.place.district)
        if scope.place.neighborhood is not None:
            where.append(N.neighborhood == scope.place.neighborhood)
        if sentiment is not None:
            where.append(N.sentiment == sentiment)
    total = int(await session.scalar(sa.select(sa.func.count()).select_from(N).where(*where)) or 0)
    notes = (
        await session.scalars(
            sa.select(N).where(*where).order_by(N.occurred_at.desc(), N.note_id).limit(limit).offset(offset)
        )
    ).all()
    concern_filter: list[sa.ColumnElement[bool]] = [C.note_id.in_([n.note_id for n in notes])]
    if topic is not None:
        concern_filter += [C.topic == topic] + ([C.sentiment == sentiment] if sentiment else [])
    rows = (await session.scalars(sa.select(C).where(*concern_filter).order_by(C.note_id, C.position))).all()
    by_note: dict[object, list[ConcernOut]] = {}
    for c in rows:
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
    )
