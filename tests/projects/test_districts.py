"""A district supervisor acts in their district only; a supervisor without the claim, city-wide.

The token's ``district`` claim scopes changes — priorities, cards (moves, details, tasks), wins,
reminders — as the dashboard scopes what a caller sees (districts/scope.py). Reads stay shared.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from projects.helpers import Headers, day, outbox_events, priority_body, project_body
from support import bearer, running

from porchlight.kit.auth import mint_token
from porchlight.kit.settings import KitSettings


def refused(r: httpx.Response, own: str, other: str | None = None) -> None:
    """A 403 problem document naming the caller's district (and the one they reached for)."""
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 403 and problem["district"] == own
    assert f"district {own}" in problem["detail"]
    if other:
        assert other in problem["detail"]


async def finish(client: httpx.AsyncClient, pid: str, headers: Headers) -> dict[str, Any]:
    """A project without tasks moved through to done (its win is drafted)."""
    card: dict[str, Any] = {}
    for version, to in [(1, "planned"), (2, "in_progress"), (3, "done")]:
        r = await client.post(f"/v1/projects/{pid}/moves", json={"to": to, "version": version}, headers=headers)
        assert r.status_code == 200, r.text
        card = r.json()
    return card


async def test_a_district_supervisor_changes_priorities_and_cards_of_their_district_only(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    other = f"P-{uuid.uuid4().hex[:8]}"
    local = bearer(settings, "supervisor", subject="sgt-local", district=district)
    async with running("projects", settings, background=False) as (_, client):
        # Priorities: theirs may be set and changed; another district's neither.
        r = await client.post("/v1/priorities", json=priority_body(district), headers=local)
        assert r.status_code == 201, r.text
        mine = r.json()
        refused(await client.post("/v1/priorities", json=priority_body(other), headers=local), district, other)
        r = await client.post("/v1/priorities", json=priority_body(other), headers=supervisor)  # city-wide
        assert r.status_code == 201, r.text
        theirs = r.json()
        r = await client.patch(f"/v1/priorities/{theirs['id']}", json={"outcome_after": 3}, headers=local)
        refused(r, district)
        r = await client.patch(f"/v1/priorities/{mine['id']}", json={"outcome_after": 3}, headers=local)
        assert r.status_code == 200 and r.json()["outcome_after"] == 3

        # Cards: added to their priorities, in their district.
        r = await client.post("/v1/projects", json=project_body(mine["id"]), headers=local)
        assert r.status_code == 201, r.text
        own_card = r.json()
        refused(await client.post("/v1/projects", json=project_body(theirs["id"]), headers=local), district, other)
        r = await client.post("/v1/projects", json=project_body(mine["id"], district=other), headers=local)
        refused(r, district, other)
        assert r.json()["errors"][0]["field"] == "body.district"
        r = await client.post("/v1/projects", json=project_body(theirs["id"]), headers=supervisor)
        assert r.status_code == 201, r.text
        far = r.json()
        far_task = far["tasks"][0]["id"]

        # Another district's card: no move, no edit, no task — and nothing changed.
        far_url = f"/v1/projects/{far['id']}"
        refused(await client.post(f"{far_url}/moves", json={"to": "planned", "version": 1}, headers=local), district)
        refused(await client.patch(far_url, json={"title": "Not yours", "version": 1}, headers=local), district)
        refused(await client.post(f"{far_url}/tasks", json={"title": "Sneak in"}, headers=local), district)
        refused(await client.patch(f"{far_url}/tasks/{far_task}", json={"done": True}, headers=local), district)
        after = (await client.get(far_url, headers=local)).json()  # reads stay shared
        assert after["version"] == 1 and after["status"] == "proposed" and after["tasks_done"] == 0

        # Their own card: every change goes through.
        own_url = f"/v1/projects/{own_card['id']}"
        r = await client.post(f"{own_url}/moves", json={"to": "planned", "version": 1}, headers=local)
        assert r.status_code == 200 and r.json()["status"] == "planned"
        r = await client.patch(own_url, json={"title": "Fix every streetlight on Main St", "version": 2}, headers=local)
        assert r.status_code == 200 and r.json()["version"] == 3
        r = await client.post(f"{own_url}/tasks", json={"title": "Order the lamps"}, headers=local)
        assert r.status_code == 201, r.text
        r = await client.patch(f"{own_url}/tasks/{r.json()['id']}", json={"done": True}, headers=local)
        assert r.status_code == 200 and r.json()["done"] is True

        # A supervisor without a district claim keeps the whole city.
        r = await client.post(f"{far_url}/moves", json={"to": "planned", "version": 1}, headers=supervisor)
        assert r.status_code == 200, r.text

        # The board stays shared: the whole city without a filter, theirs with one.
        board = (await client.get("/v1/board", headers=local)).json()
        ids = {c["id"] for col in board["columns"] for c in col["cards"]}
        assert {own_card["id"], far["id"]} <= ids
        board = (await client.get(f"/v1/board?district={district}", headers=local)).json()
        ids = {c["id"] for col in board["columns"] for c in col["cards"]}
        assert own_card["id"] in ids and far["id"] not in ids


async def test_a_district_supervisor_approves_wins_of_their_district_only(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    other = f"P-{uuid.uuid4().hex[:8]}"
    local = bearer(settings, "supervisor", subject="sgt-wins", district=district)
    async with running("projects", settings, background=False) as (_, client):
        wins = {}
        for where in (district, other):
            pid = (await client.post("/v1/priorities", json=priority_body(where), headers=supervisor)).json()["id"]
            r = await client.post("/v1/projects", json=project_body(pid, tasks=[]), headers=supervisor)
            await finish(client, r.json()["id"], supervisor)
            [win] = (await client.get(f"/v1/wins?status=draft&district={where}", headers=local)).json()
            wins[where] = win

        # The district page's list of wins awaiting approval works for them; another's is readable.
        r = await client.get(f"/v1/wins?status=draft&district={district}", headers=local)
        assert [w["id"] for w in r.json()] == [wins[district]["id"]]

        far = wins[other]["id"]
        refused(await client.patch(f"/v1/wins/{far}", json={"body": "Edited elsewhere."}, headers=local), district)
        refused(await client.post(f"/v1/wins/{far}/approval", headers=local), district, other)
        assert await outbox_events(settings, "update.published.v1", update_id=far) == []

        r = await client.patch(f"/v1/wins/{wins[district]['id']}", json={"body": "Main St is lit."}, headers=local)
        assert r.status_code == 200, r.text
        r = await client.post(f"/v1/wins/{wins[district]['id']}/approval", headers=local)
        assert r.status_code == 200 and r.json()["approved_by"] == "sgt-wins"
        [published] = await outbox_events(settings, "update.published.v1", update_id=wins[district]["id"])
        assert published["district"] == district and published["body"] == "Main St is lit."

        # Without the claim: any district's.
        r = await client.post(f"/v1/wins/{far}/approval", headers=supervisor)
        assert r.status_code == 200 and r.json()["status"] == "published"


async def test_reminders_imports_and_department_tokens_follow_the_district_claim(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    other = f"P-{uuid.uuid4().hex[:8]}"
    local = bearer(settings, "supervisor", subject="sgt-remind", district=district)
    async with running("projects", settings, background=False) as (_, client):
        cards = {}
        for where in (district, other):
            pid = (await client.post("/v1/priorities", json=priority_body(where), headers=supervisor)).json()["id"]
            overdue = project_body(pid, starts_on=day(-10), due_on=day(-3))
            r = await client.post("/v1/projects", json=overdue, headers=supervisor)
            assert r.status_code == 201, r.text
            cards[where] = r.json()["id"]

        # Reminders: another district's is refused; left out, the district is theirs.
        refused(await client.post(f"/v1/projects/reminders?district={other}", headers=local), district, other)
        r = await client.post("/v1/projects/reminders", headers=local)
        assert r.status_code == 200, r.text
        reminded = {x["project_id"] for x in r.json()}
        assert cards[district] in reminded and cards[other] not in reminded
        r = await client.post(f"/v1/projects/reminders?district={other}", headers=supervisor)
        assert r.status_code == 200 and cards[other] in {x["project_id"] for x in r.json()}

        # An import is all or nothing: a row of another district is named, nothing is kept.
        export = (await client.get(f"/v1/exports/projects.csv?district={other}", headers=local)).text
        csv_headers = local | {"content-type": "text/csv"}
        r = await client.post("/v1/imports/projects", content=export.encode(), headers=csv_headers)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "rows.1.priority_id", r.text

        # A department partner assigned to a district changes its cards there only.
        works_here = {
            "Authorization": "Bearer "
            + mint_token(settings, subject="pw-local", roles=["partner"], department="public-works", district=district)
        }
        r = await client.post(
            f"/v1/projects/{cards[other]}/moves", json={"to": "planned", "version": 1}, headers=works_here
        )
        refused(r, district)
        r = await client.post(
            f"/v1/projects/{cards[district]}/moves", json={"to": "planned", "version": 1}, headers=works_here
        )
        assert r.status_code == 200, r.text
        works = as_role("partner", "public-works")  # no claim: every district's public-works cards
        r = await client.post(f"/v1/projects/{cards[other]}/moves", json={"to": "planned", "version": 1}, headers=works)
        assert r.status_code == 200, r.text
