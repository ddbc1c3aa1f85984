"""The whole flow of issue 5 on the real database: a priority broken into micro-projects across
departments, cards moved by their owners, tasks ticked off, completion confirmed, the win
approved — and the events each step leaves in the outbox."""

from __future__ import annotations

from collections.abc import Callable

from projects.helpers import Headers, outbox_events, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings


async def test_a_priority_becomes_projects_whose_wins_are_published(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("partner", "public-works", subject="pw-dana")
    parks = as_role("partner", "parks")
    async with running("projects", settings, background=False) as (_, client):
        r = await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)
        assert r.status_code == 201, r.text
        priority = r.json()
        assert priority["topics"] == ["violence", "street_lighting", "parks"]
        # Concerns without a place take the priority's: linked by topic and place.
        assert priority["concerns"][0]["district"] == district
        assert priority["concerns"][0]["neighborhood"] == "south-end"
        [created] = await outbox_events(settings, "priority.created.v1", priority_id=priority["id"])
        assert created["district"] == district and created["quarter"] == "2027-Q1"

        r = await client.post("/v1/projects", json=project_body(priority["id"]), headers=supervisor)
        assert r.status_code == 201, r.text
        project = r.json()
        assert project["status"] == "proposed" and project["version"] == 1
        assert project["district"] == district and project["neighborhood"] == "south-end"
        assert r.headers["etag"] == '"1"'
        assert project["warnings"] == []
        assert project["allowed_moves"] == ["planned", "blocked"]
        [event] = await outbox_events(settings, "project.created.v1", project_id=project["id"])
        assert event["department"] == "public-works" and event["place"] == "Main St between 3rd and 5th"

        # Public Works owns the card: it moves it; Parks may read it but not move it.
        pid = project["id"]
        r = await client.post(f"/v1/projects/{pid}/moves", json={"to": "planned"}, headers=parks | {"If-Match": '"1"'})
        assert r.status_code == 403, r.text
        assert (await client.get(f"/v1/projects/{pid}", headers=parks)).status_code == 200
        for version, to in [(1, "planned"), (2, "in_progress")]:
            r = await client.post(
                f"/v1/projects/{pid}/moves", json={"to": to}, headers=works | {"If-Match": f'"{version}"'}
            )
            assert r.status_code == 200, r.text
        assert r.json()["status"] == "in_progress" and r.headers["etag"] == '"3"'

        # Tasks: each completion is an event; the last one asks the owner to confirm.
        tasks = r.json()["tasks"]
        r = await client.patch(f"/v1/projects/{pid}/tasks/{tasks[0]['id']}", json={"done": True}, headers=works)
        assert r.status_code == 200 and r.json()["completed_by"] == "pw-dana"
        assert not (await client.get(f"/v1/projects/{pid}", headers=works)).json()["awaiting_confirmation"]
        r = await client.patch(f"/v1/projects/{pid}/tasks/{tasks[1]['id']}", json={"done": True}, headers=works)
        assert r.status_code == 200
        card = (await client.get(f"/v1/projects/{pid}", headers=works)).json()
        assert card["awaiting_confirmation"] and card["tasks_done"] == 2
        assert len(await outbox_events(settings, "task.completed.v1", project_id=pid)) == 2
        [asked] = await outbox_events(settings, "project.completion_requested.v1", project_id=pid)
        assert asked["department"] == "public-works"

        # The owner confirms: done, project.completed, and a win drafted for the supervisor.
        r = await client.post(
            f"/v1/projects/{pid}/moves", json={"to": "done", "version": card["version"]}, headers=works
        )
        assert r.status_code == 200, r.text
        assert r.json()["completed_at"] and r.json()["allowed_moves"] == []
        [done] = await outbox_events(settings, "project.completed.v1", project_id=pid)
        assert done["completed_by"] == "pw-dana"
        history = (await client.get(f"/v1/projects/{pid}/history", headers=parks)).json()
        assert [(h["from_status"], h["to_status"]) for h in history] == [
            (None, "proposed"),
            ("proposed", "planned"),
            ("planned", "in_progress"),
            ("in_progress", "done"),
        ]
        assert {h["moved_by"] for h in history[1:]} == {"pw-dana"}

        [win] = (await client.get(f"/v1/wins?priority={priority['id']}&status=draft", headers=parks)).json()
        assert win["title"] == "The streetlights on Main Street between 3rd and 5th are fixed."
        assert "street lighting" in win["body"] and "Public Works" in win["body"]
        assert {c["topic"] for c in win["concerns"]} == {"street_lighting", "parks"}
        assert await outbox_events(settings, "update.published.v1", project_id=pid) == []

        # Only a supervisor approves; then update.published goes out with the place.
        assert (await client.post(f"/v1/wins/{win['id']}/approval", headers=works)).status_code == 403
        r = await client.patch(f"/v1/wins/{win['id']}", json={"body": "Main Street is lit again."}, headers=supervisor)
        assert r.status_code == 200
        r = await client.post(f"/v1/wins/{win['id']}/approval", headers=supervisor)
        assert r.status_code == 200 and r.json()["status"] == "published"
        [update] = await outbox_events(settings, "update.published.v1", project_id=pid)
        assert update["kind"] == "win" and update["district"] == district
        assert update["neighborhood"] == "south-end" and update["place"] == "Main St between 3rd and 5th"
        assert update["point"] == {"lat": 42.34, "lon": -71.07}
        assert update["body"] == "Main Street is lit again."
        assert (await client.post(f"/v1/wins/{win['id']}/approval", headers=supervisor)).status_code == 409

        evaluation = (await client.get(f"/v1/priorities/{priority['id']}/evaluation", headers=parks)).json()
        assert evaluation["done"] == 1 and evaluation["projects"] == 1 and evaluation["wins_published"] == 1
        assert evaluation["days_to_complete_median"] == 0.0 and evaluation["on_time_share"] == 1.0
        r = await client.patch(f"/v1/priorities/{priority['id']}", json={"outcome_after": 9}, headers=supervisor)
        assert r.status_code == 200
        outcome = (await client.get(f"/v1/priorities/{priority['id']}/evaluation", headers=parks)).json()["outcome"]
        assert outcome == {
            "measure": "Violent incidents per month",
            "before": 12,
            "after": 9,
            "change": -3,
            "change_pct": -25.0,
        }
