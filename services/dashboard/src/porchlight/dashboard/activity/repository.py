"""All SQL about district activity."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.activity.models import DistrictActivity

# One statement for a whole batch, prepared once: fixed SQL over arrays. Rows are upserted (and
# so locked) in district order, so concurrent batches never deadlock on the counters.
_COUNT_NOTES = sa.text(
    "INSERT INTO dashboard.district_activity AS a (district, notes, last_note_at) "
    "SELECT * FROM unnest(CAST(:districts AS text[]), CAST(:counts AS int[]), CAST(:latest AS timestamptz[])) "
    "AS u(district, notes, last_note_at) ORDER BY district "
    "ON CONFLICT (district) DO UPDATE SET notes = a.notes + excluded.notes, "
    "last_note_at = greatest(a.last_note_at, excluded.last_note_at)"
)


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def count_notes(self, counts: dict[str, tuple[int, datetime]]) -> None:
        """Add notes to districts' counters: district -> (how many, the newest note's time)."""
        districts = sorted(counts)
        await self.session.execute(
            _COUNT_NOTES,
            {
                "districts": districts,
                "counts": [counts[d][0] for d in districts],
                "latest": [counts[d][1] for d in districts],
            },
        )

    async def all(self) -> list[DistrictActivity]:
        rows = await self.session.scalars(sa.select(DistrictActivity).order_by(DistrictActivity.district))
        return list(rows)
