"""Boards are read far more often than cards move: each process keeps the boards it served.

Every card change bumps ``board_state.generation`` in its own transaction (work/repository.py),
so the counter a reader sees is committed together with the cards it covers. A cached board is
served while the generation it was built at is still the current one — on any replica, since
the counter lives in the database. A board built just after a change committed may be filed
under the generation before it; it is only rebuilt once more, never served stale.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncConnection

from porchlight.projects.board.repository import board_json, generation

Key = tuple[str | None, str | None, str | None, date]


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


@dataclass(frozen=True)
class BoardRead:
    """A board as read: its entity tag and, unless the caller's copy is current, its JSON."""

    tag: str
    text: str | None


async def read_board(
    conn: AsyncConnection,
    cache: BoardCache,
    priority: uuid.UUID | None,
    district: str | None,
    department: str | None,
    if_none_match: str | None,
) -> BoardRead:
    """The board's JSON: none when ``if_none_match`` is current, from the cache when unchanged."""
    current = await generation(conn)
    today = datetime.now(UTC).date()
    tag = f'"b{current}-{today.isoformat()}"'
    if if_none_match == tag:
        return BoardRead(tag, None)
    key = (str(priority) if priority else None, district, department, today)
    text = cache.get(key, current)
    if text is None:
        text = await board_json(conn, priority, district, department)
        cache.put(key, current, text)
    return BoardRead(tag, text)
