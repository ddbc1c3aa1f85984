"""Boards are read far more often than cards move: each process keeps the boards it served.

Every card change bumps ``board_state.generation`` in its own transaction (fanout.announce), so
the counter a reader sees is committed together with the cards it covers. A cached board is
served while the generation it was built at is still the current one — on any replica, since
the counter lives in the database. A board built just after a change committed may be filed
under the generation before it; it is only rebuilt once more, never served stale.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

BUMP = sa.text("UPDATE projects.board_state SET generation = generation + 1 WHERE id = 1")
READ = sa.text("SELECT generation FROM projects.board_state WHERE id = 1")

Key = tuple[str | None, str | None, str | None, date]


async def generation(conn: AsyncConnection) -> int:
    return int((await conn.execute(READ)).scalar_one())


class BoardCache:
    """Board JSON by filter and day (``overdue`` changes at midnight), at most ``max_bytes``."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[Key, tuple[int, str]] = OrderedDict()
        self._bytes = 0

    def get(self, key: Key, current: int) -> str | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] != current:
            return None
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: Key, built_at: int, text: str) -> None:
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old[1])
        self._entries[key] = (built_at, text)
        self._bytes += len(text)
        while self._bytes > self.max_bytes and len(self._entries) > 1:
            _, (_, dropped) = self._entries.popitem(last=False)
            self._bytes -= len(dropped)
