"""Projects as CSV (export, import all-or-nothing, round trip) and a department's iCalendar feed."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from icalendar import Calendar
from projects.helpers import Headers, day, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings


async def test_projects_round_trip_through_csv_and_bad_rows_are_named(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        pid = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        title = "=HYPERLINK(evil) lights"  # a cell a spreadsheet would run
        await client.post("/v1/projects", json=project_body(pid, title=title), headers=supervisor)
        await client.post("/v1/projects", json=project_body(pid, department="parks", title="Trim"), headers=supervisor)

        r = await client.get(f"/v1/exports/projects.csv?priority={pid}", headers=supervisor)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert sorted(row["title"] for row in rows) == ["'=HYPERLINK(evil) lights", "Trim"]
        assert {row["status"] for row in rows} == {"proposed"} and {row["district"] for row in rows} == {district}

        # The export imports again (as new proposed projects); a dry run keeps nothing.
        csv_headers = supervisor | {"content-type": "text/csv"}
        r = await client.post("/v1/imports/projects?dry_run=true", content=r.text.encode(), headers=csv_headers)
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 2 and r.json()["project_ids"] == []
        r = await client.post("/v1/imports/projects", content=_csv(rows), headers=csv_headers)
        assert r.status_code == 200 and r.json()["created"] == 2
        again = list(
            csv.DictReader(
                io.StringIO((await client.get(f"/v1/exports/projects.csv?priority={pid}", headers=supervisor)).text)
            )
        )
        assert len(again) == 4 and sorted(row["title"] for row in again).count("'=HYPERLINK(evil) lights") == 2

        bad = [dict(rows[0]), dict(rows[1]), dict(rows[0])]
        bad[0]["department"] = "ministry"
        bad[1]["due_on"] = day(-30)
        bad[2]["starts_on"] = "next tuesday"
        r = await client.post("/v1/imports/projects", content=_csv(bad), headers=csv_headers)
        assert r.status_code == 422
        assert {e["field"] for e in r.json()["errors"]} == {"rows.1.department", "rows.2.due_on", "rows.3.starts_on"}
        assert (
            len(
                list(
                    csv.DictReader(
                        io.StringIO(
                            (await client.get(f"/v1/exports/projects.csv?priority={pid}", headers=supervisor)).text
                        )
                    )
                )
            )
            == 4
        )
        r = await client.post("/v1/imports/projects", content=b"title,department\nx,parks\n", headers=csv_headers)
        assert r.status_code == 422 and "header.priority_id" in {e["field"] for e in r.json()["errors"]}


def _csv(rows: list[dict[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


async def test_a_department_subscribes_to_its_due_dates(
    settings: KitSettings, supervisor: Headers, as_role: Callable[..., Headers], district: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        pid = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()["id"]
        mine = (
            await client.post(
                "/v1/projects", json=project_body(pid, title=f"Lights {district}", due_on=day(9)), headers=supervisor
            )
        ).json()
        await client.post(
            "/v1/projects", json=project_body(pid, department="parks", title=f"Bushes {district}"), headers=supervisor
        )
        r = await client.get("/v1/departments/public-works/calendar.ics", headers=as_role("partner", "public-works"))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
        cal = Calendar.from_ical(r.content)
        events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
        event = events[f"project-{mine['id']}@porchlight"]
        assert str(event["summary"]) == f"Due: Lights {district}"
        assert event.decoded("dtstart").isoformat() == day(9)
        assert str(event["location"]) == "Main St between 3rd and 5th"
        assert not any(f"Bushes {district}" in str(e["summary"]) for e in events.values())
        r = await client.get("/v1/departments/ministry/calendar.ics", headers=supervisor)
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "path.code"
