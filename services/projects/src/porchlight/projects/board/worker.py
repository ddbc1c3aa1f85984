"""Card changes reach every open board, on every replica, when their transaction commits.

Work announces each change with ``pg_notify`` inside the transaction that makes it
(work/repository.py): PostgreSQL delivers the notification only on commit (never for a
rolled-back change) and to every listening connection, so each replica's ``BoardHub`` — one
LISTEN connection per process, opened while someone watches — hears every replica's changes
within milliseconds, and hands each card to the open streams whose filter it matches. Kafka
carries the same moves as events (``project.moved`` ...) for other systems; a consumer group
would hand each event to one replica only, which is why the board does not listen there.
Wins announce their changes on the same channel (wins/repository.py, ``"event": "win"``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from porchlight.projects.work.repository import CARD_CHANNEL

log = logging.getLogger(__name__)

#: A subscriber this far behind is dropped (its browser reconnects and reloads the board).
QUEUE_LIMIT = 1000


@dataclass(frozen=True)
class BoardFilter:
    """What a stream shows: the cards of one priority, district or owning department (any given)."""

    priority: str | None = None
    district: str | None = None
    department: str | None = None

    def matches(self, card: dict[str, Any]) -> bool:
        """The card is on this board, or was on it before this change (``was``)."""
        was = card.get("was")
        return self._on_board(card) or (isinstance(was, dict) and self._on_board(was))

    def _on_board(self, card: dict[str, Any]) -> bool:
        if self.priority and card.get("priority_id") != self.priority:
            return False
        if self.district and card.get("district") != self.district:
            return False
        return not (self.department and self.department not in card.get("owners", ()))


@dataclass(eq=False)
class Subscriber:
    filter: BoardFilter
    queue: asyncio.Queue[dict[str, Any] | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))


class BoardHub:
    """One process's fan-out of card changes to its open streams."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.subscribers: set[Subscriber] = set()
        self._conn: asyncpg.Connection | None = None
        self._lock = asyncio.Lock()

    async def _ensure_listening(self) -> None:
        async with self._lock:
            if self._conn is not None and not self._conn.is_closed():
                return
            self._conn = await asyncpg.connect(self.dsn)
            await self._conn.add_listener(CARD_CHANNEL, self._on_notify)
            self._conn.add_termination_listener(self._on_lost)

    async def _stop_listening(self) -> None:
        async with self._lock:
            if self.subscribers or self._conn is None:
                return
            conn, self._conn = self._conn, None
            with contextlib.suppress(Exception):
                await conn.close()

    def _on_notify(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        try:
            card = json.loads(payload)
        except ValueError:
            log.warning("unreadable board notification dropped")
            return
        self.publish(card)

    def _on_lost(self, conn: object) -> None:
        """The LISTEN connection closed. Unless we closed it (nobody watching), changes could be
        missed from now on: every stream ends; browsers reconnect (a new LISTEN) and reload."""
        if conn is not self._conn:
            return
        self._conn = None
        for sub in list(self.subscribers):
            self._end(sub)

    def _end(self, sub: Subscriber) -> None:
        self.subscribers.discard(sub)
        with contextlib.suppress(asyncio.QueueFull, asyncio.QueueEmpty):
            if sub.queue.full():
                sub.queue.get_nowait()
            sub.queue.put_nowait(None)

    def publish(self, card: dict[str, Any]) -> None:
        for sub in list(self.subscribers):
            if not sub.filter.matches(card):
                continue
            try:
                sub.queue.put_nowait(card)
            except asyncio.QueueFull:
                # Too slow to keep up: end its stream rather than let memory grow.
                self._end(sub)

    @contextlib.asynccontextmanager
    async def subscribe(self, board_filter: BoardFilter) -> AsyncIterator[Subscriber]:
        sub = Subscriber(board_filter)
        self.subscribers.add(sub)
        try:
            await self._ensure_listening()
            yield sub
        finally:
            self.subscribers.discard(sub)
            await self._stop_listening()

    async def close(self) -> None:
        self.subscribers.clear()
        await self._stop_listening()
