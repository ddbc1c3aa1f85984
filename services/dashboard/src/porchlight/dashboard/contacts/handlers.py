"""Events in: ``contact.logged`` -> monthly counters per district, unit, officer and type, and per
neighborhood (the listening gap's residents via contacts)."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.listening.models import contact_reach
from porchlight.dashboard.projections.models import contact_stats, contact_totals
from porchlight.events import ContactLogged, Envelope, EventRouter
from porchlight.kit.db import upsert

router = EventRouter()

_CONTACT_KEY = ("district", "month", "unit", "officer_id", "contact_type")
_COUNTERS = ("contacts", "minutes", "residents")


def month_of(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        moment = moment.astimezone(UTC).date()
    return moment.replace(day=1)


@router.batch_subscriber
async def on_contacts_logged(session: AsyncSession, batch: list[tuple[ContactLogged, Envelope]]) -> None:
    """Counters: one multi-row upsert for the whole batch (contacts are the big stream)."""
    sums: dict[tuple[str, date, str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for event, _ in batch:
        s = sums[(event.district, month_of(event.occurred_at), event.unit or "", event.officer_id, event.contact_type)]
        s[0] += 1
        s[1] += event.minutes
        s[2] += event.residents_reached
    rows: list[dict[str, Any]] = [
        {**dict(zip(_CONTACT_KEY, key, strict=True)), **dict(zip(_COUNTERS, counts, strict=True))}
        for key, counts in sorted(sums.items())  # a fixed order: concurrent batches never deadlock
    ]
    totals: dict[tuple[str, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for (district, month, *_), counts in sums.items():
        t = totals[(district, month)]
        for i, n in enumerate(counts):
            t[i] += n
    total_rows = [
        {"district": d, "month": month, **dict(zip(_COUNTERS, counts, strict=True))}
        for (d, month), counts in sorted(totals.items())
    ]
    await session.execute(upsert(contact_totals, total_rows, key=["district", "month"], add=_COUNTERS))
    await session.execute(upsert(contact_stats, rows, key=_CONTACT_KEY, add=_COUNTERS))
    # Residents reached per neighborhood (listening/): the same contacts, keyed by where they were.
    reach: dict[tuple[str, str, date], list[int]] = defaultdict(lambda: [0, 0])
    for event, _ in batch:
        r = reach[(event.district, event.neighborhood or "", month_of(event.occurred_at))]
        r[0] += 1
        r[1] += event.residents_reached
    reach_rows = [
        {"district": d, "neighborhood": n, "month": m, "contacts": c, "residents": res}
        for (d, n, m), (c, res) in sorted(reach.items())
    ]
    await session.execute(
        upsert(contact_reach, reach_rows, key=["district", "neighborhood", "month"], add=("contacts", "residents"))
    )
