"""HTTP routes of the board: its columns and cards, and the stream of their changes (SSE)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncConnection
from sse_starlette import EventSourceResponse

from porchlight.kit.auth import CurrentPrincipal
from porchlight.kit.runtime import ServiceRuntime
from porchlight.projects.board.cache import BoardCache, generation
from porchlight.projects.board.fanout import BoardFilter, BoardHub
from porchlight.projects.board.query import board_json
from porchlight.projects.inputs import QueryText
from porchlight.projects.work.schemas import Card

router = APIRouter(prefix="/v1/board", tags=["board"])


class Column(BaseModel):
    status: str
    title: str
    count: int
    cards: list[Card]


class Board(BaseModel):
    filters: dict[str, str | None]
    generated_at: str
    columns: list[Column]


@router.get(
    "",
    response_model=Board,
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match"}},
    summary="The shared board: a column per status, a card per project",
)
async def get_board(
    request: Request,
    _: CurrentPrincipal,
    priority: uuid.UUID | None = None,
    district: QueryText = None,
    department: QueryText = None,
) -> Any:
    # PostgreSQL writes the cards' JSON (board/query.py); a board unchanged since it was last
    # built comes from the cache (board/cache.py), and its ETag lets a client skip even that.
    # A read-only request needs no transaction: autocommit saves BEGIN and COMMIT round trips.
    runtime: ServiceRuntime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        return await _board(request, conn, priority, district, department)


async def _board(
    request: Request, conn: AsyncConnection, priority: uuid.UUID | None, district: str | None, department: str | None
) -> Response:
    current = await generation(conn)
    today = datetime.now(UTC).date()
    tag = f'"b{current}-{today.isoformat()}"'
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    cache: BoardCache = request.app.state.runtime.resource(BoardCache)
    key = (str(priority) if priority else None, district, department, today)
    text = cache.get(key, current)
    if text is None:
        text = await board_json(conn, priority, district, department)
        cache.put(key, current, text)
    return Response(text, media_type="application/json", headers={"ETag": tag})


@router.get(
    "/stream",
    summary="Server-Sent Events: every change of a card on this board (event `card`, data: the card)",
    response_class=EventSourceResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "`ready` once, then `card` events"}},
)
async def stream_board(
    request: Request,
    _: CurrentPrincipal,
    priority: uuid.UUID | None = None,
    district: QueryText = None,
    department: QueryText = None,
) -> EventSourceResponse:
    hub: BoardHub = request.app.state.runtime.resource(BoardHub)
    board_filter = BoardFilter(str(priority) if priority else None, district, department)

    async def events() -> AsyncIterator[dict[str, Any]]:
        async with hub.subscribe(board_filter) as sub:
            # Sent once listening: a change committed after this reaches the stream.
            yield {"event": "ready", "data": "{}"}
            while True:
                card = await sub.queue.get()
                if card is None:  # fell behind: the client reconnects and reloads the board
                    return
                yield {"event": "card", "id": f"{card['id']}:{card['version']}", "data": json.dumps(card)}

    return EventSourceResponse(events(), ping=15)
