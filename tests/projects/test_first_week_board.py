"""The shared board in a department's first week (issue 14, item 7): the demo's cards each name
their place and carry tasks, a partner takes and completes a task, and a draft win reaches the
open board at once, keeps its capitals, and can be edited, sent back, sent again and approved.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from projects.helpers import Headers, outbox_events, priority_body, project_body, serving, sse_events
from support import running

from porchlight.dashboard.demo.service import IDEAS, Endpoints, _Client, _projects, project_bodies
from porchlight.kit.city import DEMO_CITY, load_city, parse_city
from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

WIN = "We did it: Tuesday evening foot patrol on Centre St, with residents walking along."


def test_the_demo_gives_each_district_its_own_cards_with_places_tasks_and_capitals() -> None:
    city = load_city(DEMO_CITY)
    now = datetime.now(UTC)
    titles: list[str] = []
    for d in city.districts:
        bodies = project_bodies(str(uuid.uuid4()), d, random.Random(7), now, count=len(IDEAS))
        for body in bodies:
            assert body["district"] == d.code and body["place"], body
            assert body["tasks"], f"{body['title']}: a card without tasks shows 0/0 for good"
            assert body["win_text"][0].isupper(), body["win_text"]
        titles += [b["title"] for b in bodies]
        # What residents read keeps its capitals: a street's name, "Tuesday".
        patrol = next(b for b in bodies if "foot patrol" in b["title"])
        assert "Tuesday" in patrol["win_text"] and patrol["win_text"] != patrol["win_text"].lower()
    # Twelve districts on one shared board: no two cards alike.
    assert len(titles) == len(set(titles)), [t for t in titles if titles.count(t) > 1]
    assert any("Meridian St" in t for t in titles)


async def test_the_demo_board_has_tasks_done_where_work_is_done(settings: KitSettings) -> None:
    code = f"W-{uuid.uuid4().hex[:6]}"
    ring = [[-71.1, 42.3], [-71.0, 42.3], [-71.0, 42.4], [-71.1, 42.3]]
    feature = {"kind": "district", "code": code, "name": f"District {code} (Test)"}
    city = parse_city(
        {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": feature, "geometry": {"type": "Polygon", "coordinates": [ring]}}
            ],
        }
    )
    async with running("projects", settings, background=False) as (_, client):
        c = _Client(settings, client)
        await _projects(
            c, Endpoints(intake="", projects="http://projects", dashboard=""), city, random.Random(3), now()
        )
        board = (await client.get(f"/v1/board?district={code}", headers=c.headers("a", "analyst"))).json()
        cards = [card for col in board["columns"] for card in col["cards"]]
        assert len(cards) == 4 and all(card["tasks_total"] >= 2 for card in cards)
        # Outside the demo city, a card is named by its district (the demo knows Boston's streets only).
        assert all(card["place"] and code in card["title"] for card in cards), [c["title"] for c in cards]
        assert len({card["title"] for card in cards}) == 4
        by_status = {card["status"]: card for card in cards}
        assert by_status["done"]["tasks_done"] == by_status["done"]["tasks_total"]
        assert by_status["in_progress"]["tasks_done"] == 1
        published = (
            await client.get(f"/v1/wins?district={code}&status=published", headers=c.headers("a", "analyst"))
        ).json()
        assert len(published) == 1 and published[0]["title"][0].isupper()


def now() -> datetime:
    return datetime.now(UTC)


async def test_a_partner_takes_and_completes_a_task(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("partner", "public-works", subject="pw-dana")
    parks = as_role("partner", "parks", subject="parks-lee")
    async with running("projects", settings, background=False) as (_, client):
        pid = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        body = project_body(pid, tasks=[{"title": "Survey the dark poles"}, {"title": "Replace the lamps"}])
        card = (await client.post("/v1/projects", json=body, headers=supervisor)).json()
        assert card["district"] == district and card["place"] == "Main St between 3rd and 5th"
        task = card["tasks"][0]
        assert task["assignee"] is None

        url = f"/v1/projects/{card['id']}/tasks/{task['id']}"
        # Another department's partner neither takes nor ticks off Public Works' task.
        assert (await client.patch(url, json={"assignee": "parks-lee"}, headers=parks)).status_code == 403
        r = await client.patch(url, json={"assignee": "pw-dana"}, headers=works)  # "Take"
        assert r.status_code == 200 and r.json()["assignee"] == "pw-dana"
        r = await client.patch(url, json={"done": True}, headers=works)
        assert r.status_code == 200 and r.json()["done"] and r.json()["completed_by"] == "pw-dana"
        after = (await client.get(f"/v1/projects/{card['id']}", headers=parks)).json()
        assert (after["tasks_done"], after["tasks_total"]) == (1, 2)
        [event] = await outbox_events(settings, "task.completed.v1", task_id=task["id"])
        assert event["completed_by"] == "pw-dana"
        r = await client.patch(url, json={"done": "perhaps"}, headers=works)
        assert r.status_code == 422 and "done" in r.text


@contextlib.asynccontextmanager
async def win_events(http: httpx.AsyncClient, url: str, headers: Headers) -> AsyncIterator[list[dict[str, Any]]]:
    """The `win` events of an open board stream, as they arrive."""
    seen: list[dict[str, Any]] = []
    ready = asyncio.Event()

    async def read() -> None:
        async with http.stream("GET", url, headers=headers) as response:
            assert response.status_code == 200
            async for event, data in sse_events(response):
                if event == "ready":
                    ready.set()
                elif event == "win":
                    seen.append(json.loads(data))

    task = asyncio.create_task(read())
    await asyncio.wait_for(ready.wait(), 10)
    try:
        yield seen
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
            await task


async def _until(check: Callable[[], bool], timeout: float = 5) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


async def test_a_draft_win_reaches_the_open_board_and_is_edited_sent_back_and_approved(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("partner", "public-works", subject="pw-dana")
    colleague = as_role("partner", "public-works", subject="pw-sam")
    parks = as_role("partner", "parks")
    async with serving(settings) as base, httpx.AsyncClient(base_url=base, timeout=10) as client:
        pid = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        body = project_body(pid, title="Tuesday evening foot patrol on Centre St", win_text=WIN, owner="pw-dana")
        card = (await client.post("/v1/projects", json=body, headers=supervisor)).json()
        async with win_events(client, f"/v1/board/stream?district={district}", supervisor) as wins:
            for task in card["tasks"]:
                await client.patch(f"/v1/projects/{card['id']}/tasks/{task['id']}", json={"done": True}, headers=works)
            version = (await client.get(f"/v1/projects/{card['id']}", headers=works)).json()["version"]
            for to in ("planned", "in_progress", "done"):
                r = await client.post(
                    f"/v1/projects/{card['id']}/moves", json={"to": to, "version": version}, headers=works
                )
                assert r.status_code == 200, r.text
                version = r.json()["version"]

            # Live, with its capitals, on the supervisor's open board.
            await _until(lambda: len(wins) == 1)
            draft = wins[0]
            assert draft["status"] == "draft" and draft["title"] == WIN
            assert draft["district"] == district and draft["author"] == "pw-dana"
            assert draft["department"] == "public-works"
            win = f"/v1/wins/{draft['id']}"

            # The supervisor edits it; a partner may not edit a draft.
            r = await client.patch(
                win, json={"title": "Tuesday patrols on Centre St are under way."}, headers=supervisor
            )
            assert r.status_code == 200 and r.json()["title"] == "Tuesday patrols on Centre St are under way."
            assert (await client.patch(win, json={"title": "Mine now"}, headers=works)).status_code == 403
            await _until(lambda: len(wins) == 2)
            assert wins[1]["title"] == "Tuesday patrols on Centre St are under way."

            # Sent back with a reason (none, or blank, is a 422 naming the field).
            for bad in ({}, {"reason": "   "}):
                r = await client.post(f"{win}/return", json=bad, headers=supervisor)
                assert r.status_code == 422 and "reason" in r.text, r.text
            assert (
                await client.post(f"{win}/return", json={"reason": "Thank the residents"}, headers=works)
            ).status_code == 403
            r = await client.post(
                f"{win}/return", json={"reason": "Say which blocks, and thank the residents."}, headers=supervisor
            )
            assert r.status_code == 200, r.text
            returned = r.json()
            assert (
                returned["status"] == "returned"
                and returned["return_reason"] == "Say which blocks, and thank the residents."
            )
            assert returned["returned_by"] is not None
            await _until(lambda: len(wins) == 3)
            assert wins[2]["status"] == "returned"
            # Nothing goes out while it is with its author; approving it now is a 409.
            assert (await client.post(f"{win}/approval", headers=supervisor)).status_code == 409
            assert (await client.post(f"{win}/return", json={"reason": "Again"}, headers=supervisor)).status_code == 409

            # Back with its author's department: found there, edited, sent again.
            mine = (await client.get("/v1/wins?status=returned&department=public-works", headers=works)).json()
            assert draft["id"] in [w["id"] for w in mine]
            assert (await client.patch(win, json={"body": "Parks wrote this"}, headers=parks)).status_code == 403
            fixed = "Tuesday evening patrols walk Centre St from Hyde Square to Jackson Square. Thank you, neighbors!"
            r = await client.patch(win, json={"body": fixed}, headers=colleague)
            assert r.status_code == 200 and r.json()["body"] == fixed
            assert (await client.post(f"{win}/submission", headers=parks)).status_code == 403
            r = await client.post(f"{win}/submission", headers=works)
            assert r.status_code == 200 and r.json()["status"] == "draft"
            assert (await client.post(f"{win}/submission", headers=works)).status_code == 409
            await _until(lambda: len(wins) == 5 and wins[-1]["status"] == "draft")

            r = await client.post(f"{win}/approval", headers=supervisor)
            assert r.status_code == 200 and r.json()["status"] == "published"
            await _until(lambda: wins[-1]["status"] == "published")
        [update] = await outbox_events(settings, "update.published.v1", project_id=card["id"])
        assert update["title"] == "Tuesday patrols on Centre St are under way." and update["body"] == fixed
        assert (await client.patch(win, json={"title": "Too late"}, headers=supervisor)).status_code == 409
