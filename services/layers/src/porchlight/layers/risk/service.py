"""A district's risk terrain on request: the chosen incidents and every layer's features read from
the records, the model fitted off the event loop and kept until a record changes, and the
narrative's sentences joined to the records and residents' concerns behind them."""

from __future__ import annotations

import asyncio
import math
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.kit.city import City
from porchlight.layers.risk import repository
from porchlight.layers.risk.terrain import RiskModel, Sentence, describe, fit_risk
from porchlight.layers.risk.terrain.grid import DISTANCES_M, Plane, centres
from porchlight.layers.settings import LayersSettings

_M_PER_DEG_LAT = 111_320.0
#: At most this many records and concerns are listed behind one place's sentence.
EVIDENCE_LIMIT = 50


@dataclass(frozen=True)
class Window:
    """Incidents counted in [incidents_from, until); a layer's features are those present at some
    time in [features_from, until): the conditions that stood before and while the incidents
    happened (a streetlight out last winter still explains this year's thefts)."""

    incidents_from: datetime
    features_from: datetime
    until: datetime

    @classmethod
    def ending(cls, now: datetime, settings: LayersSettings) -> Window:
        return cls(
            incidents_from=now - timedelta(days=settings.risk_incident_days),
            features_from=now - timedelta(days=settings.risk_feature_days),
            until=now,
        )


@dataclass(frozen=True)
class Assessment:
    """A district's terrain for some offences: the model, or why there is none (too few incidents
    or cells: a sentence the page shows as it is)."""

    district: str
    offences: tuple[str, ...]
    window: Window
    model: RiskModel | None
    reason: str | None = None


def bounds_around(geometry: Any, reach_m: float) -> tuple[float, float, float, float]:
    """(min lat, min lon, max lat, max lon) of ``geometry`` grown by ``reach_m`` metres."""
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    dlat = reach_m / _M_PER_DEG_LAT
    dlon = reach_m / (_M_PER_DEG_LAT * max(0.01, math.cos(math.radians((min_lat + max_lat) / 2))))
    return (min_lat - dlat, min_lon - dlon, max_lat + dlat, max_lon + dlon)


class Assessments:
    """Fitted models by (district, offences, day), each kept while the records' fingerprint is
    unchanged: a page opened twice fits once, and any new or changed record refits."""

    def __init__(self, size: int = 32) -> None:
        self.size = size
        self._models: OrderedDict[tuple[Any, ...], tuple[tuple[Any, ...], Assessment]] = OrderedDict()
        self._lock = asyncio.Lock()

    async def assess(
        self,
        session: AsyncSession,
        city: City,
        district: str,
        offences: tuple[str, ...],
        now: datetime,
        settings: LayersSettings,
    ) -> Assessment:
        key = (district, offences, now.date())
        # One fit at a time: two callers asking for the same district wait for one fit, and a
        # 2-core replica is not asked to fit several cities at once.
        async with self._lock:
            stamp = await repository.fingerprint(session)
            kept = self._models.get(key)
            if kept is not None and kept[0] == stamp:
                self._models.move_to_end(key)
                return kept[1]
            assessment = await _assess(session, city, district, offences, Window.ending(now, settings))
            self._models[key] = (stamp, assessment)
            while len(self._models) > self.size:
                self._models.popitem(last=False)
            return assessment


async def _assess(
    session: AsyncSession, city: City, district: str, offences: tuple[str, ...], window: Window
) -> Assessment:
    area = next(d.geometry for d in city.districts if d.code == district)
    incidents = await repository.incident_points(session, district, offences, window.incidents_from, window.until)
    layers = await repository.feature_points(
        session, bounds_around(area, max(DISTANCES_M)), window.features_from, window.until
    )
    try:
        model = await asyncio.to_thread(fit_risk, incidents, layers, area=area)
    except ValueError as exc:  # nothing to fit: no incidents, or a study area too small
        return Assessment(district, offences, window, None, str(exc))
    return Assessment(district, offences, window, model)


@dataclass(frozen=True)
class PlaceNarrative:
    """One block's sentences, each with the records behind it, and the residents' concerns
    raised around the block."""

    sentences: list[tuple[Sentence, list[dict[str, Any]]]]
    concerns: list[dict[str, Any]]


def subject_of(offences: tuple[str, ...], names: dict[str, str]) -> str:
    """What the incidents are, for the sentences: "incidents of motor vehicle theft or ..." (a
    NIBRS code by its name; a category as the department wrote it)."""
    if not offences:
        return "incidents"
    return "incidents of " + " or ".join(names[o].lower() if o in names else o for o in offences)


def area_sentences(assessment: Assessment, subject: str, names: dict[str, str]) -> list[Sentence]:
    if assessment.model is None:
        return []
    return describe(assessment.model, None, subject, names)


async def place_narrative(
    session: AsyncSession, assessment: Assessment, cell: str, subject: str, names: dict[str, str]
) -> PlaceNarrative:
    """One block's sentences, each with the records of its layer within its influence distance of
    the block's centre, and the residents' concerns within the farthest such distance; a KeyError
    when the block is outside the study area."""
    model = assessment.model
    assert model is not None
    sentences = describe(model, cell, subject, names)
    centre = centres([cell])
    plane = Plane.around(centre)
    reach = max((s.distance_m or 0 for s in sentences), default=0) or min(DISTANCES_M)
    lat, lon = float(centre[0, 0]), float(centre[0, 1])
    box = bounds_around(_PointBounds(lat, lon), reach)
    window = assessment.window
    concerns = [
        {
            "note_id": str(r.note_id),
            "quote": r.text,
            "topic": r.topic,
            "occurred_at": r.occurred_at.isoformat(),
        }
        for r in await repository.concerns_near(session, box, window.incidents_from, EVIDENCE_LIMIT * 4)
        if _within(plane, centre, r.lat, r.lon, reach)
    ][:EVIDENCE_LIMIT]
    out: list[tuple[Sentence, list[dict[str, Any]]]] = []
    for sentence in sentences:
        found: list[dict[str, Any]] = []
        if sentence.layer and sentence.distance_m:
            near = bounds_around(_PointBounds(lat, lon), sentence.distance_m)
            rows = await repository.features_near(
                session, sentence.layer, near, window.features_from, window.until, EVIDENCE_LIMIT * 4
            )
            found = [_record(r) for r in rows if _within(plane, centre, r.lat, r.lon, sentence.distance_m)]
        out.append((sentence, found[:EVIDENCE_LIMIT]))
    return PlaceNarrative(out, concerns)


@dataclass(frozen=True)
class _PointBounds:
    """A point with shapely's ``bounds`` shape, so ``bounds_around`` serves points too."""

    lat: float
    lon: float

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        return (self.lon, self.lat, self.lon, self.lat)


def _within(plane: Plane, centre: np.ndarray, lat: float, lon: float, reach_m: float) -> bool:
    a, b = plane.xy(centre), plane.xy(np.array([[lat, lon]], dtype=float))
    return float(np.hypot(*(a[0] - b[0]))) <= reach_m


def _record(r: Any) -> dict[str, Any]:
    return {
        "record_id": str(r.record_id),
        "department": r.department,
        "layer": r.layer,
        "category": r.category,
        "external_id": r.external_id,
        "status": r.status,
        "opened_at": r.opened_at.isoformat(),
        "closed_at": r.closed_at.isoformat() if r.closed_at else None,
    }
