"""The board: columns and cards, filters, and card changes streamed live to open boards (SSE) —
from this replica and from another one (a second app on the same database)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx
from projects.helpers import Headers, Stream, execute, priority_body, project_body, serving
from support import running

from porchlight.kit.settings import KitSettings
from porchlight.projects.work.schemas import Card


async def test_the_board_groups_cards_by_status_and_filters(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    parks = as_role("partner", "parks")
    async with running("projects", settings, background=False) as (_, client):
        p1 = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        p2 = (
            await client.post("/v1/priorities", json=priority_body(district, title="Quiet nights"), headers=supervisor)
        ).json()["id"]
        a = (await client.post("/v1/projects", json=project_body(p1), headers=supervisor)).json()
        b = (
            await client.post(
                "/v1/projects", json=project_body(p1, department="parks", title="Trim the bushes"), headers=supervisor
            )
        ).json()
        c = (
            await client.post(
                "/v1/projects", json=project_body(p2, department="parks", title="Movie night"), headers=supervisor
            )
        ).json()
        await client.post(f"/v1/projects/{b['id']}/moves", json={"to": "planned", "version": 1}, headers=parks)

        board = (await client.get(f"/v1/board?district={district}", headers=parks)).json()
        assert [col["status"] for col in board["columns"]] == ["proposed", "planned", "in_progress", "blocked", "done"]
        by_status = {col["status"]: {card["id"] for card in col["cards"]} for col in board["columns"]}
        assert by_status["proposed"] == {a["id"], c["id"]} and by_status["planned"] == {b["id"]}
        card = next(x for x in board["columns"][0]["cards"] if x["id"] == a["id"])
        assert card["tasks_total"] == 2 and card["tasks_done"] == 0 and card["owners"] == ["public-works"]
        # The board's cards (written by PostgreSQL) are the cards of the API (written in Python).
        single = (await client.get(f"/v1/projects/{a['id']}", headers=parks)).json()
        assert card == {k: single[k] for k in card}
        assert set(card) == set(Card.model_fields)
        planned = board["columns"][1]["cards"][0]
        # A card stored without its JSON (written before it was kept, or loaded by hand) is built
        # by the query itself, in the same shape.
        await execute(settings, "UPDATE projects.projects SET card_head = NULL WHERE id = :id", id=b["id"])
        await execute(settings, "UPDATE projects.board_state SET generation = generation + 1")
        rebuilt = (await client.get(f"/v1/board?district={district}", headers=parks)).json()
        assert rebuilt["columns"][1]["cards"] == [planned]
        assert planned == {
            k: v for k, v in (await client.get(f"/v1/projects/{b['id']}", headers=parks)).json().items() if k in planned
        }

        def ids(board: dict) -> set[str]:
            return {card["id"] for col in board["columns"] for card in col["cards"]}

        r = await client.get(f"/v1/board?priority={p1}&department=parks", headers=parks)
        assert ids(r.json()) == {b["id"]}
        r = await client.get(f"/v1/board?district={district}&department=parks", headers=parks)
        assert ids(r.json()) == {b["id"], c["id"]}
        # Unchanged board: 304 for its ETag; any card change (here on another priority) moves it on.
        r = await client.get(f"/v1/board?priority={p1}", headers=parks)
        tag = r.headers["etag"]
        assert (await client.get(f"/v1/board?priority={p1}", headers=parks | {"If-None-Match": tag})).status_code == 304
        await client.post(f"/v1/projects/{c['id']}/moves", json={"to": "planned", "version": 1}, headers=parks)
        r = await client.get(f"/v1/board?district={district}", headers=parks | {"If-None-Match": tag})
        assert r.status_code == 200 and r.headers["etag"] != tag
        assert {card["id"] for card in r.json()["columns"][1]["cards"]} == {b["id"], c["id"]}
        assert (await client.get("/v1/board?priority=nope", headers=parks)).status_code == 422
        assert (await client.get("/v1/board")).status_code == 401


async def test_a_card_move_reaches_open_boards_within_a_second_from_any_replica(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("partner", "public-works")
    async with (
        serving(settings) as base,
        running("projects", settings, background=False) as (_, replica),
        httpx.AsyncClient(base_url=base, timeout=10) as http,
    ):
        pid = (await replica.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        everything = f"/v1/board/stream?district={district}"
        parks_only = f"/v1/board/stream?district={district}&department=parks"
        async with Stream(http, everything, works) as watcher, Stream(http, parks_only, works) as parks_watcher:
            # Created on the other replica: the stream of this one sees it.
            card = (await replica.post("/v1/projects", json=project_body(pid), headers=supervisor)).json()
            before = (await http.get(f"/v1/board?district={district}", headers=works)).json()  # now cached here
            assert [c["id"] for c in before["columns"][0]["cards"]] == [card["id"]]
            moved_at = time.monotonic()
            r = await replica.post(
                f"/v1/projects/{card['id']}/moves", json={"to": "planned", "version": 1}, headers=works
            )
            assert r.status_code == 200
            deadline = time.monotonic() + 5
            while len(watcher.cards) < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert [(c["id"], c["status"], c["version"]) for _, c in watcher.cards] == [
                (card["id"], "proposed", 1),
                (card["id"], "planned", 2),
            ]
            assert watcher.cards[1][0] - moved_at < 1.0, "the move took over a second to reach the board"
            on_board = (await http.get(f"/v1/board?district={district}", headers=works)).json()["columns"][1]["cards"]
            assert on_board == [watcher.cards[1][1]]  # the stream's card is the board's card
            # A task ticked off on this replica reaches it too (the card's counts change).
            task = card["tasks"][0]["id"]
            await http.patch(f"/v1/projects/{card['id']}/tasks/{task}", json={"done": True}, headers=works)
            deadline = time.monotonic() + 5
            while len(watcher.cards) < 3 and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            assert watcher.cards[2][1]["tasks_done"] == 1
            await asyncio.sleep(0.2)
            assert parks_watcher.cards == []  # a Public Works card is not on the Parks board
            # Handed to Parks, the card reaches the Parks board; handed back, it reaches it once more
            # with ``was`` (where it was), so that board drops it instead of showing it until reloaded.
            version = watcher.cards[-1][1]["version"]
            for department, seen in (("parks", 1), ("public-works", 2)):
                r = await replica.patch(
                    f"/v1/projects/{card['id']}",
                    json={"department": department, "version": version},
                    headers=supervisor,
                )
                assert r.status_code == 200, r.text
                version = r.json()["version"]
                deadline = time.monotonic() + 5
                while len(parks_watcher.cards) < seen and time.monotonic() < deadline:
                    await asyncio.sleep(0.01)
            handed, back = (c for _, c in parks_watcher.cards)
            assert "parks" in handed["owners"] and "was" in handed
            assert "parks" not in back["owners"] and "parks" in back["was"]["owners"]
