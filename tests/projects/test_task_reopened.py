"""A task marked done, then not done, then done again (issue 18): projects says so with
task.reopened, and every count downstream stays right — the dashboard's done tasks count one, not
two, and the public timeline keeps the task once. A public project's tasks are public unless said
otherwise; enforcement is kept internal unless its owner says otherwise."""

from __future__ import annotations

import pytest
from projects.helpers import Headers, outbox_events, priority_body, project_body
from support import eventually, running, scalar

from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


async def _dashboard_row(settings: KitSettings, pid: str) -> tuple[object, object]:
    done = await scalar(settings, "SELECT tasks_done FROM dashboard.projects WHERE project_id = :p", p=pid)
    public = await scalar(
        settings,
        "SELECT count(*) FROM dashboard.project_tasks WHERE project_id = :p AND done AND public",
        p=pid,
    )
    return done, public


async def test_done_undone_done_counts_one_downstream(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    async with running("projects", settings) as (_, projects), running("dashboard", settings):
        priority = (await projects.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()
        body = project_body(priority["id"], announce_tasks=True)
        body["tasks"][1]["public"] = False  # a step residents need not read about
        r = await projects.post("/v1/projects", json=body, headers=supervisor)
        assert r.status_code == 201, r.text
        project = r.json()
        pid = project["id"]
        [created] = await outbox_events(settings, "project.created.v1", project_id=pid)
        assert created["public"] is True
        by_title = {t["title"]: t for t in project["tasks"]}
        survey, lamps = by_title["Survey the dark poles"], by_title["Replace the lamps"]
        assert survey["public"] is True and lamps["public"] is False

        url = f"/v1/projects/{pid}/tasks/{survey['id']}"
        for done in (True, False, True):
            r = await projects.patch(url, json={"done": done}, headers=supervisor)
            assert r.status_code == 200, r.text
        r = await projects.patch(f"/v1/projects/{pid}/tasks/{lamps['id']}", json={"done": True}, headers=supervisor)
        assert r.status_code == 200, r.text

        completed = await outbox_events(settings, "task.completed.v1", project_id=pid)
        [reopened] = await outbox_events(settings, "task.reopened.v1", project_id=pid)
        assert reopened["task_id"] == survey["id"] and reopened["reopened_by"]
        assert sorted((e["task_id"] == survey["id"], e["public"], e["announce"]) for e in completed) == [
            (False, False, False),  # the lamps: not public, so never announced
            (True, True, True),
            (True, True, True),
        ]
        assert {e["title"] for e in completed} == {"Survey the dark poles", "Replace the lamps"}
        card = (await projects.get(f"/v1/projects/{pid}", headers=supervisor)).json()
        assert card["tasks_done"] == 2

        # The dashboard: two tasks done (three completions, one reopening), one of them public.
        async def counted() -> bool:
            return await _dashboard_row(settings, pid) == (2, 1)

        await eventually(counted, timeout_s=30)

        # Undone once more: the dashboard follows (a count never drifts with repeats).
        r = await projects.patch(url, json={"done": False}, headers=supervisor)
        assert r.status_code == 200, r.text

        async def reopened_counted() -> bool:
            return await _dashboard_row(settings, pid) == (1, 0)

        await eventually(reopened_counted, timeout_s=30)


async def test_enforcement_is_internal_unless_its_owner_says(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    async with running("projects", settings, background=False) as (_, projects):
        priority = (await projects.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()
        first = project_body(priority["id"], remedy_kind="physical", tasks=[])
        assert (await projects.post("/v1/projects", json=first, headers=supervisor)).status_code == 201
        patrol = project_body(priority["id"], title="Tuesday foot patrol", remedy_kind="enforcement", tasks=[])
        r = await projects.post("/v1/projects", json=patrol, headers=supervisor)
        assert r.status_code == 201, r.text
        [event] = await outbox_events(settings, "project.created.v1", project_id=r.json()["id"])
        assert event["public"] is False
        shown = project_body(priority["id"], title="Walk and talk", remedy_kind="enforcement", public=True, tasks=[])
        r = await projects.post("/v1/projects", json=shown, headers=supervisor)
        assert r.status_code == 201, r.text
        [event] = await outbox_events(settings, "project.created.v1", project_id=r.json()["id"])
        assert event["public"] is True
        r = await projects.post("/v1/projects", json=shown | {"public": "yes"}, headers=supervisor)
        assert r.status_code == 422 and "body.public" in r.text
