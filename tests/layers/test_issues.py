"""A department flags an issue: checked, stored, announced as issue.flagged; bad input named."""

from __future__ import annotations

import json
import uuid

import pytest
from support import bearer, running, scalar

from porchlight.kit.auth import mint_token
from porchlight.layers.records.startup import places_of
from porchlight.layers.settings import LayersSettings

pytestmark = pytest.mark.integration


def partner(settings, department: str = "public-works") -> dict[str, str]:
    token = mint_token(settings, subject=f"{department}-desk", roles=["partner"], department=department)
    return {"Authorization": f"Bearer {token}"}


async def test_flagging_stores_and_announces_with_the_records_it_is_about(settings, test_city):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    ext = f"SL-{uuid.uuid4().hex[:8]}"
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        record = {"department": "public-works", "layer": "street_light_outage", "external_id": ext,
                  "category": "Street light out", "point": {"lat": lat, "lon": lon},
                  "opened_at": "2026-11-30T18:00:00Z"}  # fmt: skip
        assert (await client.post("/v1/records", json=record, headers=partner(settings))).status_code == 200
        body = {
            "department": "public-works",
            "category": "Street light out",
            "point": {"lat": lat, "lon": lon},
            "description": "Three lights out on the path",
            "record_ids": [ext],
            "remedy_kind": "physical",
        }
        r = await client.post("/v1/issues", json=body, headers=partner(settings))
        assert r.status_code == 201, r.text
        issue = r.json()
        assert (issue["district"], issue["record_ids"], issue["source"]) == (tc.a, [ext], "http")
        listed = await client.get("/v1/issues", params={"district": tc.a}, headers=bearer(settings, "supervisor"))
        assert [i["issue_id"] for i in listed.json()] == [issue["issue_id"]]
    payload = await scalar(
        settings,
        "select convert_from(payload, 'UTF8') from layers.outbox where event_type = 'org.porchlight.issue.flagged.v1' "
        "and key = :d",
        d=tc.a,
    )
    if payload is not None:  # the relay is off in this test: the event waits in the outbox
        event = json.loads(str(payload))
        assert event["record_ids"] == [ext] and event["remedy_kind"] == "physical"
    else:
        pytest.fail("issue.flagged was not written to the outbox")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"department": "nowhere"}, "body.department"),
        ({"point": {"lat": 0.5, "lon": 0.5}}, "body.point"),
        ({"record_ids": ["NOT-A-RECORD"]}, "body.record_ids.0"),
        ({"category": "x\u0000"}, "body.category"),
        ({"remedy_kind": "arrest everyone"}, "body.remedy_kind"),
    ],
)
async def test_bad_flags_are_refused_naming_the_field(settings, test_city, change, field):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    body = {"department": "public-works", "category": "Graffiti", "point": {"lat": lat, "lon": lon}, **change}
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        r = await client.post("/v1/issues", json=body, headers=bearer(settings, "analyst"))
    assert r.status_code == 422, r.text
    assert field in {e["field"] for e in r.json()["errors"]}, r.json()


async def test_a_department_flags_for_itself_only(settings, test_city):
    tc = test_city
    lat, lon = tc.inside[tc.a]
    body = {"department": "police", "category": "Vacant lot", "point": {"lat": lat, "lon": lon}}
    async with running("layers", settings, background=False) as (app, client):
        app.state.runtime.provide(places_of(LayersSettings(places_file=tc.path)))
        r = await client.post("/v1/issues", json=body, headers=partner(settings, "parks"))
        assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.department"
        assert (await client.post("/v1/issues", json=body, headers=bearer(settings, "officer"))).status_code == 403
