"""A priority picks residents' concerns by topic and place and quotes their words by reference
(issue 18: "a priority takes its concerns, counts and quotes from synthesis ... no typing of
figures"): a typed figure or quote is refused naming its field; the picks go out on
priority.created, are copied to the win drafted from the priority's work and go out on its
update.published, so the dashboard finds the notes a win answers."""

from __future__ import annotations

import uuid

import pytest
from projects.helpers import Headers, outbox_events, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration


async def test_typed_figures_are_refused_and_the_picks_reach_the_win(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    quoted = str(uuid.uuid4())
    async with running("projects", settings, background=False) as (_, client):
        refused = [
            ({"concerns": [{"topic": "street_lighting", "mentions": 40}]}, "body.concerns.0.mentions"),
            ({"concerns": [{"topic": "parks"}, {"topic": "x", "quote": "It is dark."}]}, "body.concerns.1.quote"),
            ({"heard_since": "2027-04-01"}, "body.heard_since"),  # after 2027-Q1 ends
            ({"quarter": "0000-Q1"}, "body.quarter"),  # the quarter before it has no year: once a 500
            ({"quotes": [{"note_id": quoted, "position": 0}] * 2}, "body.quotes"),
            ({"quotes": [{"note_id": quoted, "position": -1}]}, "body.quotes.0.position"),
            ({"quotes": [{"note_id": "nope", "position": 0}]}, "body.quotes.0.note_id"),
        ]
        for change, field in refused:
            r = await client.post("/v1/priorities", json=priority_body(district, **change), headers=supervisor)
            assert r.status_code == 422, (change, r.text)
            assert field in [e["field"] for e in r.json()["errors"]], (change, r.json())
        assert await outbox_events(settings, "priority.created.v1", district=district) == []

        body = priority_body(district, quotes=[{"note_id": quoted, "position": 1}])
        r = await client.post("/v1/priorities", json=body, headers=supervisor)
        assert r.status_code == 201, r.text
        priority = r.json()
        # No heard_since given: the notes of the quarter before 2027-Q1 on count.
        assert priority["heard_since"] == "2026-10-01"
        picked = [
            {"topic": "street_lighting", "district": district, "neighborhood": "south-end"},
            {"topic": "parks", "district": district, "neighborhood": "south-end"},
        ]
        assert priority["concerns"] == picked
        [event] = await outbox_events(settings, "priority.created.v1", district=district)
        assert event["concerns"] == picked and event["heard_since"] == "2026-10-01"
        assert event["quotes"] == [{"note_id": quoted, "position": 1}]

        # Topics picked with no concern: each is a concern of the priority's place.
        alone = priority_body(district, title="Parks first", concerns=[], topics=["parks"], heard_since="2026-12-01")
        r = await client.post("/v1/priorities", json=alone, headers=supervisor)
        assert r.status_code == 201 and r.json()["concerns"] == [picked[1]] and r.json()["heard_since"] == "2026-12-01"

        # The win drafted from the priority's work answers the same concerns and quotes.
        r = await client.post("/v1/projects", json=project_body(priority["id"], tasks=[]), headers=supervisor)
        pid = r.json()["id"]
        for version, to in enumerate(["planned", "in_progress", "done"], start=1):
            r = await client.post(f"/v1/projects/{pid}/moves", json={"to": to, "version": version}, headers=supervisor)
            assert r.status_code == 200, r.text
        [win] = (await client.get(f"/v1/wins?priority={priority['id']}&status=draft", headers=supervisor)).json()
        assert win["concerns"] == picked and win["heard_since"] == "2026-10-01"
        assert win["quotes"] == [{"note_id": quoted, "position": 1}]
        r = await client.post(f"/v1/wins/{win['id']}/approval", headers=supervisor)
        assert r.status_code == 200, r.text
        [update] = await outbox_events(settings, "update.published.v1", project_id=pid)
        assert update["priority_id"] == priority["id"] and update["concerns"] == picked
        assert update["heard_since"] == "2026-10-01" and update["quotes"] == [{"note_id": quoted, "position": 1}]
