"""Target vs control from end to end: a micro-project with a place is completed in projects,
layers compares its place with matched control places of the district (daily "so far", then
final) and projects shows the result on the project and on its priority's evaluation, in place of
the figures typed on the priority (which stand, labelled, only while there is no data)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from layers.test_target_control_service import forget, place_at, plant
from projects.helpers import Headers, priority_body, project_body
from support import bearer, eventually, running

from porchlight.kit.settings import KitSettings
from porchlight.layers.evaluation.worker import EvaluationWorker
from porchlight.layers.records.startup import places_of
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration


async def test_a_completed_project_shows_its_target_vs_control_result(
    settings: KitSettings, supervisor: Headers, tmp_path: Path
) -> None:
    place = place_at(tmp_path, -54.2, 176.2)
    staff = bearer(settings, "analyst")
    try:
        async with (
            running("layers", settings) as (layers_app, layers),
            running("projects", settings) as (_, projects),
        ):
            layers_app.state.runtime.provide(places_of(LayersSettings(places_file=place.path)))
            body = priority_body(place.code, outcome_before=12, outcome_after=9)
            priority = (await projects.post("/v1/priorities", json=body, headers=supervisor)).json()
            evaluation_url = f"/v1/priorities/{priority['id']}/evaluation"
            typed = (await projects.get(evaluation_url, headers=staff)).json()
            assert typed["outcome_source"] == "hand_typed" and typed["target_control"] == []
            assert typed["outcome"]["before"] == 12 and typed["outcome_note"].startswith("Hand-typed figures")

            point = {"lat": place.point[0], "lon": place.point[1]}
            r = await projects.post(
                "/v1/projects", json=project_body(priority["id"], point=point, tasks=[]), headers=supervisor
            )
            assert r.status_code == 201, r.text
            pid = r.json()["id"]
            for version, to in enumerate(["planned", "in_progress", "done"], start=1):
                r = await projects.post(
                    f"/v1/projects/{pid}/moves", json={"to": to, "version": version}, headers=supervisor
                )
                assert r.status_code == 200, r.text
            completed_at = datetime.fromisoformat(r.json()["completed_at"])
            assert r.json()["target_control"] is None

            # Layers keeps the completed project (its point came with project.completed) and waits
            # for a whole day to pass.
            url = f"/v1/evaluations/projects/{pid}"

            async def kept() -> bool:
                return (await layers.get(url, headers=staff)).status_code == 200

            await eventually(kept, timeout_s=60)
            waiting = (await layers.get(url, headers=staff)).json()
            assert waiting["status"] == "waiting" and waiting["result"] is None
            assert waiting["priority_id"] == priority["id"] and waiting["district"] == place.code

            # A drop planted in the target area after completion; the worker's clock moved on.
            await plant(settings, place, completed_at, seed=21, effect=0.7)
            worker = layers_app.state.runtime.resource(EvaluationWorker)
            # (Other tests' projects waiting in the shared database are due at that hour too.)
            assert uuid.UUID(pid) in await worker.run_once(now=completed_at + timedelta(days=30, hours=1))
            so_far = await shown(projects, staff, pid, version=1)
            assert so_far["so_far"] and so_far["days"] == 30
            assert "in the 30 days so far" in so_far["summary"]
            partial = (await projects.get(evaluation_url, headers=staff)).json()
            assert partial["outcome_source"] == "target_vs_control"
            assert "So far: the after period is still filling" in partial["outcome_note"]

            assert uuid.UUID(pid) in await worker.run_once(now=completed_at + timedelta(days=91))
            final = await shown(projects, staff, pid, version=2)
            layer_side = (await layers.get(url, headers=staff)).json()
            evaluation = (await projects.get(evaluation_url, headers=staff)).json()
    finally:
        await forget(settings, place)

    assert layer_side["final"] and layer_side["version"] == 2
    assert not final["so_far"] and final["days"] == 90
    assert final["significant"] and final["p_value"] < 0.05, final
    assert final["target_after"] < final["target_before"] and final["did"] < 0
    assert final["summary"] == layer_side["result"]["summary"]

    measured = evaluation["outcome"]
    assert evaluation["outcome_source"] == "target_vs_control"
    assert measured["before"] == final["target_before"] and measured["after"] == final["target_after"]
    assert measured["change"] == final["target_after"] - final["target_before"]
    assert measured["measure"] == "Incidents in the completed projects' target areas"
    [listed] = evaluation["target_control"]
    assert listed["project_id"] == pid and listed["title"] == "Fix the streetlights on Main Street"
    assert listed["result"]["p_value"] == final["p_value"] and not listed["result"]["so_far"]
    assert "So far" not in evaluation["outcome_note"]


async def shown(client: Any, headers: Headers, pid: str, *, version: int) -> dict[str, Any]:
    """The project's target-vs-control result once projects holds ``version`` of it."""

    async def arrived() -> bool:
        tc = (await client.get(f"/v1/projects/{pid}", headers=headers)).json()["target_control"]
        return tc is not None and tc["version"] == version

    await eventually(arrived, timeout_s=60)
    result: dict[str, Any] = (await client.get(f"/v1/projects/{pid}", headers=headers)).json()["target_control"]
    return result
