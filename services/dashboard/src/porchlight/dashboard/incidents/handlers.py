"""Events in: layers' ``record.accepted`` of layer ``incident`` -> counts per district, month and
category. Each record's latest version is kept: a re-delivered one changes nothing, a changed one
moves its count (another district, another category), so the counts equal layers' records."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.incidents.models import incident_counts, incident_records
from porchlight.events import Envelope, EventRouter, RecordAccepted

router = EventRouter()

INCIDENT_LAYER = "incident"


def _month(event: RecordAccepted) -> date:
    return event.opened_at.astimezone(UTC).date().replace(day=1)


@router.batch_subscriber
async def on_records_accepted(session: AsyncSession, batch: list[tuple[RecordAccepted, Envelope]]) -> None:
    latest: dict[Any, RecordAccepted] = {}
    for event, _ in batch:
        if event.layer != INCIDENT_LAYER:
            continue  # other departments' layers: layers' own map serves them
        held = latest.get(event.record_id)
        if held is None or event.version > held.version:
            latest[event.record_id] = event
    if not latest:
        return
    # Claim a row per record first (version 0 counts nowhere): a concurrent batch holding the same
    # record (the rebuild beside the live consumer) then waits here, and the locked read below sees
    # its committed version instead of both counting the record as new.
    claims = [
        {"record_id": record_id, "version": 0, "district": None, "month": _month(event), "category": event.category}
        for record_id, event in sorted(latest.items(), key=lambda kv: str(kv[0]))
    ]
    await session.execute(pg_insert(incident_records).values(claims).on_conflict_do_nothing())
    stored = {
        r.record_id: r
        for r in (
            await session.execute(
                sa.select(incident_records).where(incident_records.c.record_id.in_(list(latest))).with_for_update()
            )
        ).all()
    }
    delta: Counter[tuple[str, date, str]] = Counter()
    codes: dict[tuple[str, date, str], str | None] = {}
    rows = []
    for record_id, event in sorted(latest.items(), key=lambda kv: str(kv[0])):
        old = stored.get(record_id)
        if old is not None and old.version >= event.version:
            continue  # an older or the same version, again
        if old is not None and old.district is not None:
            delta[(old.district, old.month, old.category)] -= 1
        month = _month(event)
        nibrs = event.attributes.get("nibrs_code")
        nibrs_code = str(nibrs) if nibrs else None
        if event.district is not None:
            key = (event.district, month, event.category)
            delta[key] += 1
            codes[key] = nibrs_code
        rows.append(
            {"record_id": record_id, "version": event.version, "district": event.district, "month": month,
             "category": event.category, "nibrs_code": nibrs_code}
        )  # fmt: skip
    if rows:
        stmt = pg_insert(incident_records).values(rows)
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[incident_records.c.record_id],
                set_={c: stmt.excluded[c] for c in ("version", "district", "month", "category", "nibrs_code")},
            )
        )
    changes = [(k, n) for k, n in sorted(delta.items()) if n]  # a fixed order: concurrent batches never deadlock
    if changes:
        stmt = pg_insert(incident_counts).values(
            [
                {"district": d, "month": m, "category": c, "nibrs_code": codes.get((d, m, c)), "n": n}
                for (d, m, c), n in changes
            ]
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=[incident_counts.c.district, incident_counts.c.month, incident_counts.c.category],
                set_={"n": incident_counts.c.n + stmt.excluded.n},
            )
        )
        await session.execute(sa.delete(incident_counts).where(incident_counts.c.n <= 0))
