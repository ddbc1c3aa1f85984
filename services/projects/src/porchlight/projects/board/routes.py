"""HTTP routes of the board: its columns and cards, and the stream of their changes (SSE)."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.responses import Response
from sse_starlette import EventSourceResponse

from porchlight.kit.app import Provided, Runtime
from porchlight.kit.auth import CurrentPrincipal
from porchlight.projects.board.schemas import Board
from porchlight.projects.board.service import BoardCache, read_board
from porchlight.projects.board.worker import BoardFilter, BoardHub
from porchlight.projects.inputs.fields import QueryText

router = APIRouter(prefix="/v1/board", tags=["board"])

#: Provided at start-up (board/startup.py).
Hub = Annotated[BoardHub, Provided(BoardHub)]
Cache = Annotated[BoardCache, Provided(BoardCache)]
IfNoneMatch = Annotated[str | None, Header(include_in_schema=False)]


@router.get(
    "",
    response_model=Board,
    responses={304: {"description": "Unchanged since the ETag sent in If-None-Match"}},
)
async def get_board(
    runtime: Runtime,
    cache: Cache,
    _: CurrentPrincipal,
    priority: uuid.UUID | None = None,
    district: QueryText = None,
    department: QueryText = None,
    if_none_match: IfNoneMatch = None,
) -> Any:
    """The shared board: a column per status, a card per project.

    Filtered by priority, district and owning department. Its `ETag` changes with any card:
    send it in `If-None-Match` for a 304 while nothing changed.
    """
    # PostgreSQL writes the cards' JSON (board/repository.py); a board unchanged since it was last
    # built comes from the cache (board/service.py), and its ETag lets a client skip even that.
    # A read-only request needs no transaction: autocommit saves BEGIN and COMMIT round trips.
    async with runtime.engine.connect() as conn:
        conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
        board = await read_board(conn, cache, priority, district, department, if_none_match)
    if board.text is None:
        return Response(status_code=304, headers={"ETag": board.tag})
    return Response(board.text, media_type="application/json", headers={"ETag": board.tag})


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "`ready` once, then `card` and `win` events"}
    },
)
async def stream_board(
    hub: Hub,
    _: CurrentPrincipal,
    priority: uuid.UUID | None = None,
    district: QueryText = None,
    department: QueryText = None,
) -> EventSourceResponse:
    """Server-Sent Events: every change of a card on this board (event `card`, data: the card).

    `ready` once listening, then a `card` event per change, with the same filters as the board,
    and a `win` event (data: the win, without its concerns) when a win of its cards is drafted,
    edited, sent back, sent again or approved. A stream that falls behind ends: the client
    reconnects and reloads the board.
    """
    board_filter = BoardFilter(str(priority) if priority else None, district, department)

    async def events() -> AsyncIterator[dict[str, Any]]:
        async with hub.subscribe(board_filter) as sub:
            # Sent once listening: a change committed after this reaches the stream.
            yield {"event": "ready", "data": "{}"}
            while True:
                item = await sub.queue.get()
                if item is None:  # fell behind: the client reconnects and reloads the board
                    return
                if item.get("event") == "win":  # a win drafted, edited, sent back or approved
                    yield {"event": "win", "id": f"win:{item['id']}:{item['status']}", "data": json.dumps(item)}
                else:
                    yield {"event": "card", "id": f"{item['id']}:{item['version']}", "data": json.dumps(item)}

    return EventSourceResponse(events(), ping=15)
