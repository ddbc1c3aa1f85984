"""Evaluating the city's connection rules and keeping connections in step with what they find.

Every evaluation reads what the rules need at once (open trigger records, the incidents of the
longest window + baseline, the placed concerns on the rules' topics), matches each rule at each
open record, and then:

* a new match opens a connection and publishes ``correlation.detected`` with its evidence;
* an open connection whose evidence changed (more incidents, more notes) is updated and
  published again under the same id (readers keep the latest);
* a connection whose record closed closes, with ``correlation.closed``. A connection stays open
  while its record does, even when the incidents ease: the record is the thing to fix.

One replica evaluates at a time (an advisory lock); the unique open-per-rule-and-record index
keeps a race from opening one twice.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import h3
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import CorrelationClosed, CorrelationDetectedV2
from porchlight.events.catalog import GeoPoint
from porchlight.layers.connections import repository
from porchlight.layers.connections.rules import (
    ConcernView,
    IncidentIndex,
    Match,
    RecordView,
    RuleSet,
    evaluate,
    load_rules,
    parse_rules,
)
from porchlight.layers.db import outbox
from porchlight.layers.records.models import INCIDENT_LAYER
from porchlight.layers.records.repository import DirtyCell
from porchlight.layers.records.service import is_open

#: The rules file seeds the city's rule set the first time (then the API edits the stored one).
NS = uuid.UUID("4b0c6a7e-3f7d-4f51-9a4e-6b1e2c3d4f50")


@dataclass
class Evaluation:
    """What one evaluation did (for logs and tests)."""

    evaluated: bool = True
    opened: int = 0
    updated: int = 0
    closed: int = 0
    matches: int = 0


async def rule_set(session: AsyncSession) -> RuleSet:
    """The city's rule set: stored, or the rules file's when none is stored yet."""
    doc = await repository.rule_document(session)
    return parse_rules(doc) if doc is not None else load_rules(None)


async def seed_rules(session: AsyncSession, rules: RuleSet) -> None:
    await repository.save_rule_document(session, rules.model_dump(mode="json"), "rules file", only_if_absent=True)


def evidence_of(match: Match) -> dict[str, Any]:
    t = match.test
    return {
        "rule": match.rule,
        "title": match.title,
        "explanation": match.explanation(),
        "figures": match.figures(),
        "record": {
            "record_id": match.record.record_id,
            "external_id": match.record.external_id,
            "department": match.record.department,
            "layer": match.record.layer,
            "category": match.record.category,
            "opened_at": match.record.opened_at.isoformat(),
        },
        "test": {
            "test": t.test,
            "incidents": t.k,
            "expected": t.expected,
            "baseline_count": t.baseline_count,
            "window_days": t.window_days,
            "baseline_days": t.baseline_days,
            "rate_ratio": t.rate_ratio,
            "ci_low": t.ci_low,
            "ci_high": t.ci_high,
            "p_value": t.p_value,
        },
        "radius_m": match.radius_m,
        "incident_ids": match.incident_ids,
        "note_ids": match.note_ids,
        "quotes": match.quotes,
        "topics": match.topics,
        "remedy_kind": match.remedy_kind,
        "department": match.department,
    }


def detected_event(
    correlation_id: uuid.UUID, district: str, match: Match, detected_at: datetime
) -> CorrelationDetectedV2:
    layers = [match.record.layer, INCIDENT_LAYER] + (["concerns"] if match.note_ids else [])
    return CorrelationDetectedV2(
        correlation_id=correlation_id,
        district=district,
        layers=layers,
        place=match.cell,
        relative_risk=round(match.test.rate_ratio, 3),
        explanation=match.explanation(),
        rule=match.rule,
        point=GeoPoint(lat=match.record.lat, lon=match.record.lon),
        record_ids=[match.record.external_id],
        incidents=match.test.k,
        baseline=round(match.test.expected, 3),
        p_value=match.test.p_value,
        note_ids=[uuid.UUID(n) for n in match.note_ids],
        quotes=match.quotes,
        quote_note_ids=[uuid.UUID(n) for n in match.quote_note_ids],
        detected_at=detected_at,
    )


def _around(cells: Sequence[str], radius_m: float) -> list[str]:
    """The cells within ``radius_m`` of these (neighbouring res-10 centres are ~115 m apart)."""
    k = math.ceil(radius_m / 100) + 1
    return sorted({n for c in cells for n in h3.grid_disk(c, k)})


def _box(rows: Sequence[Any], radius_m: float) -> repository.Box:
    pad_lat = radius_m / 111_320 * 1.1
    lats = [r.lat for r in rows]
    lons = [r.lon for r in rows]
    pad_lon = pad_lat / max(0.01, math.cos(math.radians(sum(lats) / len(lats))))
    return (min(lats) - pad_lat, min(lons) - pad_lon, max(lats) + pad_lat, max(lons) + pad_lon)


async def evaluate_city(
    session: AsyncSession, now: datetime | None = None, cells: Sequence[DirtyCell] | None = None
) -> Evaluation:
    """Match the rules at the open records and bring the connections in step (see the module).

    With the worker's changed ``cells``, only where something changed: every record within reach
    of a cell whose incidents or concerns changed, and the records changed themselves in a cell
    where only records changed (a new record next door changes no other record's match). Closing
    is checked for every open connection. The caller holds the turn (``repository.take_turn``)."""
    now = now or datetime.now(UTC)
    rules = await rule_set(session)
    radius = max((rules.radius_of(r) for r in rules.rules), default=rules.radius_m)
    # Changed incidents or concerns: every cell within reach; a changed record: itself.
    near: list[str] | None = None
    changed: tuple[list[str], datetime] | None = None
    if cells is not None:
        near = _around([d.cell for d in cells if d.spread], radius)
        quiet = [d for d in cells if not d.spread]
        changed = ([d.cell for d in quiet], min((d.since for d in quiet), default=now))
    result = Evaluation()
    trigger_layers = sorted({lay for r in rules.rules for lay in r.record.layers})
    longest = max((r.incidents.window_days + r.incidents.baseline_days for r in rules.rules), default=0)
    topics = sorted({t for r in rules.rules if r.concerns for t in r.concerns.topics})
    concern_days = max((r.concerns.window_days for r in rules.rules if r.concerns), default=0)

    rows = await repository.trigger_records(session, trigger_layers, now, near, changed) if rules.rules else []
    box = _box(rows, radius) if rows and cells is not None else None
    incidents = await repository.incidents_since(session, now - timedelta(days=longest), box) if rows else []
    index = IncidentIndex(
        [str(i.record_id) for i in incidents],
        [i.lat for i in incidents],
        [i.lon for i in incidents],
        [i.opened_at for i in incidents],
        [i.category for i in incidents],
        [i.nibrs_code for i in incidents],
    )
    concern_rows = (
        await repository.concerns_since(session, now - timedelta(days=concern_days), topics) if rows and topics else []
    )
    concerns = [ConcernView(str(c.note_id), c.text, c.topic, c.lat, c.lon, c.occurred_at) for c in concern_rows]
    found: dict[tuple[str, uuid.UUID], tuple[Match, str]] = {}
    for row in rows:
        view = RecordView(
            record_id=str(row.record_id),
            external_id=row.external_id,
            department=row.department,
            layer=row.layer,
            category=row.category,
            open=is_open(row.status, row.closed_at, now),
            lat=row.lat,
            lon=row.lon,
            opened_at=row.opened_at,
            district=row.district,
        )
        for rule in rules.rules:
            match = evaluate(rule, rules.radius_of(rule), view, index, concerns, now)
            if match is not None:
                found[(rule.name, row.record_id)] = (match, row.district)
    result.matches = len(found)

    current = {(c.rule, c.record_id): c for c in await repository.open_connections(session)}
    states = await repository.record_states(session, [rid for _, rid in current], now)
    for key, conn in current.items():
        if not states.get(conn.record_id, False):
            await repository.close(session, conn.correlation_id, "record closed", now)
            await outbox.add(
                session,
                CorrelationClosed(
                    correlation_id=conn.correlation_id, district=conn.district, reason="record closed", closed_at=now
                ),
            )
            result.closed += 1
        elif key in found:
            match, district = found[key]
            evidence = evidence_of(match)
            old = conn.evidence
            if (old.get("incident_ids"), old.get("note_ids")) != (evidence["incident_ids"], evidence["note_ids"]):
                await repository.update_evidence(session, conn.correlation_id, evidence, now)
                await outbox.add(session, detected_event(conn.correlation_id, district, match, conn.detected_at))
                result.updated += 1
    for key, (match, district) in found.items():
        if key in current:
            continue
        correlation_id = uuid.uuid4()
        opened = await repository.insert(
            session,
            {
                "correlation_id": correlation_id,
                "rule": match.rule,
                "record_id": uuid.UUID(match.record.record_id),
                "district": district,
                "cell": match.cell,
                "lat": match.record.lat,
                "lon": match.record.lon,
                "status": "open",
                "evidence": evidence_of(match),
                "detected_at": now,
                "updated_at": now,
            },
        )
        if opened:
            await outbox.add(session, detected_event(correlation_id, district, match, now))
            result.opened += 1
    return result
