"""Doors of projects that once answered 500 for good (issue 15): a department name over two lines
broke its calendar feed, and ``"title": null`` on a priority reached the database."""

from __future__ import annotations

import uuid

import pytest
from icalendar import Calendar
from projects.helpers import Headers, execute, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings


@pytest.mark.parametrize("name", ["Public\r\nWorks", "Public\nWorks", "Parks\tand trees", "Parks\x0b"])
async def test_a_department_name_is_one_line_and_its_calendar_keeps_working(
    settings: KitSettings, supervisor: Headers, name: str
) -> None:
    code = f"d-{uuid.uuid4().hex[:8]}"
    async with running("projects", settings, background=False) as (_, client):
        r = await client.post("/v1/departments", json={"code": code, "name": name}, headers=supervisor)
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["field"] == "body.name"
        assert "one line" in error["message"] or "control character" in error["message"]
        r = await client.post("/v1/departments", json={"code": code, "name": "Public Works"}, headers=supervisor)
        assert r.status_code == 201, r.text
        r = await client.get(f"/v1/departments/{code}/calendar.ics", headers=supervisor)
        assert r.status_code == 200, r.text
        assert "Public Works" in str(Calendar.from_ical(r.content)["x-wr-calname"])


@pytest.mark.parametrize("field", ["title"])
async def test_null_for_a_priority_field_that_cannot_be_empty_is_a_422(
    settings: KitSettings, supervisor: Headers, district: str, field: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        pid = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        r = await client.patch(f"/v1/priorities/{pid}", json={field: None}, headers=supervisor)
        assert r.status_code == 422, r.text
        [error] = r.json()["errors"]
        assert error["field"] == f"body.{field}" and "leave it out" in error["message"]
        cleared = await client.patch(f"/v1/priorities/{pid}", json={"outcome_measure": None}, headers=supervisor)
        assert cleared.status_code == 200 and cleared.json()["outcome_measure"] is None  # nullable: emptied
        assert cleared.json()["title"] == f"Reduce violence in {district}"


@pytest.mark.parametrize("field", ["title", "department", "starts_on", "due_on"])
async def test_null_for_a_project_field_that_cannot_be_empty_is_a_422(
    settings: KitSettings, supervisor: Headers, district: str, field: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        pid = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        project = (await client.post("/v1/projects", json=project_body(pid), headers=supervisor)).json()
        r = await client.patch(
            f"/v1/projects/{project['id']}", json={field: None, "version": project["version"]}, headers=supervisor
        )
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == [f"body.{field}"]


async def test_a_priority_title_is_one_line(settings: KitSettings, supervisor: Headers, district: str) -> None:
    async with running("projects", settings, background=False) as (_, client):
        r = await client.post(
            "/v1/priorities", json=priority_body(district, title="Safer\r\nstreets"), headers=supervisor
        )
        assert r.status_code == 422, r.text
        assert [e["field"] for e in r.json()["errors"]] == ["body.title"]


async def test_a_department_name_stored_over_two_lines_before_the_rule_still_has_a_calendar(
    settings: KitSettings, supervisor: Headers
) -> None:
    code = f"d-{uuid.uuid4().hex[:8]}"
    async with running("projects", settings, background=False) as (_, client):
        assert (
            await client.post("/v1/departments", json={"code": code, "name": "Parks"}, headers=supervisor)
        ).is_success
        await execute(
            settings, "UPDATE projects.departments SET name = :n WHERE code = :c", n="Parks\r\nand trees", c=code
        )
        r = await client.get(f"/v1/departments/{code}/calendar.ics", headers=supervisor)
        assert r.status_code == 200, r.text
        assert str(Calendar.from_ical(r.content)["x-wr-calname"]) == "Parks and trees: micro-project due dates"
