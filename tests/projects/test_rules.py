"""Bad input and concurrency: problems naming the field, DICE checks, warnings, 409s and 403s."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
from projects.helpers import Headers, day, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings


def fields(r: httpx.Response) -> set[str]:
    return {e["field"] for e in r.json().get("errors", [])}


async def new_priority(client: httpx.AsyncClient, headers: Headers, district: str, **extra: Any) -> str:
    r = await client.post("/v1/priorities", json=priority_body(district, **extra), headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_a_priority_needs_a_place_and_a_quarter(settings: KitSettings, supervisor: Headers) -> None:
    async with running("projects", settings, background=False) as (_, client):
        body = priority_body("x")
        del body["district"]
        r = await client.post("/v1/priorities", json=body | {"quarter": "Q1"}, headers=supervisor)
        assert r.status_code == 422
        assert r.headers["content-type"].startswith("application/problem+json")
        assert fields(r) == {"body.district", "body.quarter"}
        r = await client.post("/v1/priorities", json=priority_body(""), headers=supervisor)
        assert r.status_code == 422 and fields(r) == {"body.district"}


async def test_bad_projects_are_refused_naming_the_field(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        pid = await new_priority(client, supervisor, district)
        cases = [
            ({"department": "ministry-of-magic"}, "body.department"),
            ({"team": "no-such-team"}, "body.team"),
            ({"starts_on": day(5), "due_on": day(1)}, "body.due_on"),
            ({"priority_id": "00000000-0000-0000-0000-000000000000"}, "body.priority_id"),
            ({"tasks": [{"title": "x", "department": "nope"}]}, "body.tasks.0.department"),
            ({"remedy_kind": "prayer"}, "body.remedy_kind"),
        ]
        for change, field in cases:
            r = await client.post("/v1/projects", json=project_body(pid) | change, headers=supervisor)
            assert r.status_code == 422, (change, r.text)
            assert fields(r) == {field}, (change, r.json())
        r = await client.get(f"/v1/board?priority={pid}", headers=supervisor)
        assert sum(c["count"] for c in r.json()["columns"]) == 0  # nothing half-saved


async def test_enforcement_first_asks_why_and_long_or_crowded_work_is_warned(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        pid = await new_priority(client, supervisor, district)
        patrol = project_body(
            pid, title="Saturday night saturation patrol", department="police", remedy_kind="enforcement"
        )
        r = await client.post("/v1/projects", json=patrol, headers=supervisor)
        assert r.status_code == 422 and fields(r) == {"body.justification"}
        assert "enforcement" in r.json()["errors"][0]["message"]
        r = await client.post(
            "/v1/projects", json=patrol | {"justification": "Three shootings in two weeks"}, headers=supervisor
        )
        assert r.status_code == 201
        # After a physical change, enforcement needs no special justification.
        other = await new_priority(client, supervisor, district)
        assert (await client.post("/v1/projects", json=project_body(other), headers=supervisor)).status_code == 201
        assert (
            await client.post(
                "/v1/projects", json=project_body(other) | patrol | {"priority_id": other}, headers=supervisor
            )
        ).status_code == 201

        r = await client.post("/v1/projects", json=project_body(other, due_on=day(30)), headers=supervisor)
        assert r.status_code == 201
        assert [w["code"] for w in r.json()["warnings"]] == ["long-project"]
        for _ in range(17):
            r = await client.post("/v1/projects", json=project_body(other, tasks=[]), headers=supervisor)
            assert r.status_code == 201 and r.json()["warnings"] == []
        r = await client.post("/v1/projects", json=project_body(other, tasks=[]), headers=supervisor)
        assert [w["code"] for w in r.json()["warnings"]] == ["large-priority"]
        assert "21 projects" in r.json()["warnings"][0]["message"]


async def test_moves_follow_the_flow_and_two_movers_at_once_get_one_409(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("officer", "public-works")
    async with running("projects", settings, background=False) as (_, client):
        pid = await new_priority(client, supervisor, district)
        card = (await client.post("/v1/projects", json=project_body(pid, tasks=[]), headers=works)).json()
        url = f"/v1/projects/{card['id']}/moves"

        r = await client.post(url, json={"to": "planned"}, headers=works)
        assert r.status_code == 428  # the board is shared: say which version you moved
        r = await client.post(url, json={"to": "done", "version": 1}, headers=works)
        assert r.status_code == 409 and r.json()["allowed"] == ["planned", "blocked"]
        r = await client.post(url, json={"to": "blocked", "version": 1}, headers=works)
        assert r.status_code == 422 and fields(r) == {"body.reason"}

        r = await client.post(url, json={"to": "planned"}, headers=works | {"If-Match": '"1"'})
        assert r.status_code == 200 and r.json()["version"] == 2
        # Two people move the same card at once, both from version 2: one wins, one gets 409.
        results = await asyncio.gather(
            client.post(url, json={"to": "in_progress"}, headers=works | {"If-Match": '"2"'}),
            client.post(url, json={"to": "blocked", "reason": "no crew"}, headers=works | {"If-Match": '"2"'}),
        )
        codes = sorted(r.status_code for r in results)
        assert codes == [200, 409], [r.text for r in results]
        winner = next(r for r in results if r.status_code == 200).json()
        loser = next(r for r in results if r.status_code == 409).json()
        assert loser["current"]["version"] == 3 and loser["current"]["status"] == winner["status"]

        r = await client.patch(
            f"/v1/projects/{card['id']}", json={"due_on": day(-1)}, headers=works | {"If-Match": '"3"'}
        )
        assert r.status_code == 422 and fields(r) == {"body.due_on"}
        r = await client.patch(
            f"/v1/projects/{card['id']}", json={"title": "Fix all the lights", "version": 2}, headers=works
        )
        assert r.status_code == 409 and r.json()["current"]["version"] == 3
        r = await client.patch(
            f"/v1/projects/{card['id']}", json={"title": "Fix all the lights"}, headers=works | {"If-Match": 'W/"3"'}
        )
        assert r.status_code == 200 and r.json()["version"] == 4 and r.headers["etag"] == '"4"'


async def test_done_is_final_and_needs_every_task(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("partner", "public-works")
    async with running("projects", settings, background=False) as (_, client):
        pid = await new_priority(client, supervisor, district)
        card = (await client.post("/v1/projects", json=project_body(pid), headers=supervisor)).json()
        url = f"/v1/projects/{card['id']}/moves"
        for v, to in [(1, "planned"), (2, "in_progress")]:
            assert (await client.post(url, json={"to": to, "version": v}, headers=works)).status_code == 200
        r = await client.post(url, json={"to": "done", "version": 3}, headers=works)
        assert r.status_code == 409 and "2 task(s) still open" in r.json()["detail"]
        for task in card["tasks"]:
            await client.patch(f"/v1/projects/{card['id']}/tasks/{task['id']}", json={"done": True}, headers=works)
        assert (await client.post(url, json={"to": "done", "version": 5}, headers=works)).status_code == 200
        r = await client.post(url, json={"to": "proposed", "version": 6}, headers=works)
        assert r.status_code == 409 and r.json()["allowed"] == []


async def test_a_department_changes_only_its_own_cards_and_teams_share_theirs(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    police = as_role("officer", "police")
    social = as_role("partner", "social-services")
    parks = as_role("partner", "parks")
    team = f"co-{district.lower()}"
    async with running("projects", settings, background=False) as (_, client):
        r = await client.post(
            "/v1/teams",
            json={"code": team, "name": "Co-response", "departments": ["police", "nope"]},
            headers=supervisor,
        )
        assert r.status_code == 422 and fields(r) == {"body.departments.1"}
        r = await client.post(
            "/v1/teams",
            json={"code": team, "name": "Co-response", "departments": ["police", "social-services"]},
            headers=supervisor,
        )
        assert r.status_code == 201
        assert (await client.post("/v1/teams", json=r.json(), headers=police)).status_code == 403
        pid = await new_priority(client, supervisor, district)
        body = project_body(pid, department="police", team=team, remedy_kind="positive_activity", tasks=[])
        # Parks cannot add a card it does not own; the police can.
        assert (await client.post("/v1/projects", json=body, headers=parks)).status_code == 403
        card = (await client.post("/v1/projects", json=body, headers=police)).json()
        assert card["owners"] == ["police", "social-services"]
        url = f"/v1/projects/{card['id']}/moves"
        assert (await client.post(url, json={"to": "planned", "version": 1}, headers=parks)).status_code == 403
        assert (await client.post(url, json={"to": "planned", "version": 1}, headers=social)).status_code == 200
        team_board = (
            await client.get(f"/v1/board?department=social-services&district={district}", headers=parks)
        ).json()
        assert [c["id"] for col in team_board["columns"] for c in col["cards"]] == [card["id"]]

        r = await client.post(
            "/v1/departments", json={"code": "housing", "name": "Housing", "kind": "other"}, headers=supervisor
        )
        assert r.status_code in (201, 409)
        codes = {d["code"] for d in (await client.get("/v1/departments", headers=parks)).json()}
        assert {"police", "public-works", "parks", "housing"} <= codes
