"""Erasing words from events still waiting in a service's outbox (docs/privacy.md, "Retention and erasure").

An event that left already is on the broker (see the policy for what the broker keeps and for how
long); one still in the outbox leaves with the words blanked. ``rewrite_pending`` first locks every
lane of the outbox, as a relay round does: a round that was publishing those rows finishes first
(they are published, then gone from the table), and no round can read them until the caller's
transaction commits. What is still there afterwards is rewritten in place, so it leaves after the
commit with the new payload, in its place in its key's order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from porchlight.events.outbox import Outbox

#: Gets an event's data and returns the new data, or None to leave the row as it is.
Rewrite = Callable[[dict[str, Any]], dict[str, Any] | None]


async def rewrite_pending(
    session: AsyncSession | AsyncConnection,
    outbox: Outbox,
    event_types: Iterable[str],
    containing: dict[str, Any],
    rewrite: Rewrite,
) -> int:
    """Rewrite the pending events of ``event_types`` whose data contains ``containing`` (JSON
    containment, ``@>``); returns how many rows changed. Call inside the erasing transaction."""
    t = outbox.table
    await session.execute(sa.select(outbox.lanes.c.lane).order_by(outbox.lanes.c.lane).with_for_update())
    data = sa.cast(sa.func.convert_from(t.c.payload, "UTF8"), JSONB)
    query = sa.select(t.c.id, t.c.payload).where(t.c.event_type.in_(list(event_types)), data.contains(containing))
    rows = (await session.execute(query)).all()
    changed = 0
    for row in rows:
        new = rewrite(orjson.loads(row.payload))
        if new is None:
            continue
        await session.execute(
            sa.update(t).where(t.c.id == row.id).values(payload=orjson.dumps(new, option=orjson.OPT_NON_STR_KEYS))
        )
        changed += 1
    return changed
