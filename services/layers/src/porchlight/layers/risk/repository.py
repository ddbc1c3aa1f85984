"""All SQL of the risk terrain: the chosen incidents, every other layer's features around a
district, and the records and residents' concerns behind one place's narrative."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.layers.concerns.models import note_concerns
from porchlight.layers.records.models import INCIDENT_LAYER, records


def _offence_clause(offences: Sequence[str]) -> sa.ColumnElement[bool]:
    """An incident of one of ``offences``: its NIBRS code, or its category in any case (the
    connection rules' convention)."""
    lowered = sorted({o.lower() for o in offences})
    return sa.or_(
        sa.func.lower(records.c.category).in_(lowered),
        records.c.attributes["nibrs_code"].astext.in_(sorted(set(offences))),
    )


async def unknown_offences(session: AsyncSession, offences: Sequence[str]) -> list[str]:
    """The ``offences`` no stored incident has as its NIBRS code or category."""
    unknown = []
    for offence in offences:
        found = await session.scalar(
            sa.select(sa.literal(1)).where(records.c.layer == INCIDENT_LAYER, _offence_clause([offence])).limit(1)
        )
        if found is None:
            unknown.append(offence)
    return unknown


async def incident_points(
    session: AsyncSession, district: str, offences: Sequence[str], start: datetime, end: datetime
) -> np.ndarray:
    """(n, 2) latitude, longitude of the district's placed incidents of ``offences`` (all when
    empty) that happened in [start, end)."""
    query = sa.select(records.c.lat, records.c.lon).where(
        records.c.layer == INCIDENT_LAYER,
        records.c.district == district,
        records.c.lat.is_not(None),
        records.c.opened_at >= start,
        records.c.opened_at < end,
    )
    if offences:
        query = query.where(_offence_clause(offences))
    rows = (await session.execute(query)).all()
    return np.array(rows, dtype=float).reshape(-1, 2)


def _feature_clause(start: datetime, end: datetime) -> sa.ColumnElement[bool]:
    """A feature present at some time in [start, end): opened before its end, not closed before
    its start."""
    return sa.and_(
        records.c.opened_at < end,
        sa.or_(records.c.closed_at.is_(None), records.c.closed_at >= start),
    )


async def feature_points(
    session: AsyncSession, bounds: tuple[float, float, float, float], start: datetime, end: datetime
) -> dict[str, np.ndarray]:
    """Every layer but the incidents': its features' (lat, lon) inside ``bounds`` (min lat, min
    lon, max lat, max lon; the district and its influence reach, so features over the line count)."""
    min_lat, min_lon, max_lat, max_lon = bounds
    query = (
        sa.select(records.c.layer, records.c.lat, records.c.lon)
        .where(
            records.c.layer != INCIDENT_LAYER,
            records.c.lat.between(min_lat, max_lat),
            records.c.lon.between(min_lon, max_lon),
            _feature_clause(start, end),
        )
        .order_by(records.c.layer)
    )
    points: dict[str, list[tuple[float, float]]] = {}
    for layer, lat, lon in (await session.execute(query)).all():
        points.setdefault(layer, []).append((lat, lon))
    return {layer: np.array(rows, dtype=float) for layer, rows in points.items()}


async def fingerprint(session: AsyncSession) -> tuple[Any, ...]:
    """What changes when any record does (one more, or one updated): a fitted model is reused
    until it does."""
    row = (await session.execute(sa.select(sa.func.count(), sa.func.max(records.c.updated_at)))).one()
    return tuple(row)


async def features_near(
    session: AsyncSession,
    layer: str,
    bounds: tuple[float, float, float, float],
    start: datetime,
    end: datetime,
    limit: int,
) -> Sequence[Any]:
    """A layer's features inside ``bounds`` that were present in [start, end) (the caller keeps
    those within the influence distance)."""
    min_lat, min_lon, max_lat, max_lon = bounds
    query = (
        sa.select(
            records.c.record_id,
            records.c.department,
            records.c.layer,
            records.c.category,
            records.c.external_id,
            records.c.status,
            records.c.opened_at,
            records.c.closed_at,
            records.c.lat,
            records.c.lon,
        )
        .where(
            records.c.layer == layer,
            records.c.lat.between(min_lat, max_lat),
            records.c.lon.between(min_lon, max_lon),
            _feature_clause(start, end),
        )
        .order_by(records.c.opened_at.desc(), records.c.record_id)
        .limit(limit)
    )
    return (await session.execute(query)).all()


async def concerns_near(
    session: AsyncSession, bounds: tuple[float, float, float, float], start: datetime, limit: int
) -> Sequence[Any]:
    """Residents' placed concerns (already redacted by intake) inside ``bounds`` since ``start``,
    newest first."""
    min_lat, min_lon, max_lat, max_lon = bounds
    query = (
        sa.select(
            note_concerns.c.note_id,
            note_concerns.c.text,
            note_concerns.c.topic,
            note_concerns.c.occurred_at,
            note_concerns.c.lat,
            note_concerns.c.lon,
        )
        .where(
            note_concerns.c.lat.between(min_lat, max_lat),
            note_concerns.c.lon.between(min_lon, max_lon),
            note_concerns.c.occurred_at >= start,
        )
        .order_by(note_concerns.c.occurred_at.desc(), note_concerns.c.note_id, note_concerns.c.position)
        .limit(limit)
    )
    return (await session.execute(query)).all()
