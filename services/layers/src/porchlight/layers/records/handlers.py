"""Events in: departments' ``record.reported`` and ``record.closed`` (porchlight.records).

A record that can never be accepted (unknown layer, outside the city, a bad geometry) is refused
with the field named: the consumer dead-letters it at once and counts it, and the rest of the
batch is stored (the consumer re-applies a failed batch one event at a time).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.events import Envelope, EventRefused, EventRouter, RecordClosed, RecordReported
from porchlight.layers.records import service
from porchlight.layers.records.service import Places, RecordIn, RecordRefused

router = EventRouter()


def record_in(event: RecordReported) -> RecordIn:
    return RecordIn(
        department=event.department,
        layer=event.layer,
        external_id=event.external_id,
        category=event.category,
        status=event.status,
        point=(event.point.lat, event.point.lon) if event.point else None,
        geometry=event.geometry,
        opened_at=event.opened_at,
        closed_at=event.closed_at,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        description=event.description,
        attributes=dict(event.attributes),
    )


@router.batch_subscriber
async def on_records_reported(
    session: AsyncSession, batch: list[tuple[RecordReported, Envelope]], places: Places
) -> None:
    """Store a batch in one statement per 1,500 records (the Kafka door's 5,000 records/s)."""
    report = await service.accept(session, [record_in(e) for e, _ in batch], places, source="kafka")
    if report.refused:
        index, errors = report.refused[0]
        raise EventRefused(f"record {batch[index][0].external_id!r}: " + str(RecordRefused(errors)))


@router.subscriber
async def on_record_closed(session: AsyncSession, event: RecordClosed) -> None:
    try:
        await service.close(session, event.department, event.external_id, event.closed_at, event.status)
    except RecordRefused as exc:
        raise EventRefused(str(exc)) from None
