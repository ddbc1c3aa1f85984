"""Overdue and stalled projects are listed, and their owners reminded once a day (an event)."""

from __future__ import annotations

from collections.abc import Callable

from projects.helpers import Headers, day, execute, outbox_events, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings


async def test_overdue_and_stalled_projects_are_listed_and_reminded_once(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    works = as_role("partner", "public-works")
    async with running("projects", settings, background=False) as (_, client):
        pid = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]

        async def add(**extra: object) -> str:
            r = await client.post("/v1/projects", json=project_body(pid, **extra), headers=supervisor)
            assert r.status_code == 201
            return str(r.json()["id"])

        late = await add(title="Late lights", starts_on=day(-10), due_on=day(-2), owner="pw-lee")
        quiet = await add(title="Quiet one", starts_on=day(-12), due_on=day(2))
        fresh = await add(title="On track")
        await execute(
            settings, "UPDATE projects.projects SET changed_at = now() - interval '8 days' WHERE id = :id", id=quiet
        )

        overdue = (await client.get(f"/v1/projects/overdue?district={district}", headers=works)).json()
        assert [p["id"] for p in overdue] == [late] and overdue[0]["overdue"]
        stalled = (await client.get(f"/v1/projects/stalled?district={district}", headers=works)).json()
        assert [p["id"] for p in stalled] == [quiet]

        assert (await client.post(f"/v1/projects/reminders?district={district}", headers=works)).status_code == 403
        r = await client.post(f"/v1/projects/reminders?district={district}", headers=supervisor)
        assert r.status_code == 200
        assert {(x["project_id"], x["reason"]) for x in r.json()} == {(late, "overdue"), (quiet, "stalled")}
        [event] = await outbox_events(settings, "project.reminded.v1", project_id=late)
        assert event["owner"] == "pw-lee" and event["reason"] == "overdue" and event["department"] == "public-works"
        # Reminding again the same day sends nothing; reminding is not a change (still stalled).
        assert (await client.post(f"/v1/projects/reminders?district={district}", headers=supervisor)).json() == []
        stalled = (await client.get(f"/v1/projects/stalled?district={district}", headers=works)).json()
        assert [p["id"] for p in stalled] == [quiet]
        assert await outbox_events(settings, "project.reminded.v1", project_id=fresh) == []
