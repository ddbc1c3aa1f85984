"""Issue 15, "locations fit their purpose": contacts and notes carried their exact point (7
decimals) on the broker, a house-level trail of who was met where. Outside intake a point is a
block (3 decimals, privacy/precision.py): in events, exports and lists for readers other than
the raw readers; the exact point stays in intake's tables."""

from __future__ import annotations

import csv
import io
import json
import uuid

from intake.test_contacts import contact, officer_headers
from intake.test_notes import as_, events_of, note, query, someone
from support import bearer, running

from porchlight.events.catalog import GeoPoint
from porchlight.intake.privacy.precision import coarse, coarse_point
from porchlight.kit.settings import KitSettings

DOORSTEP = {"lat": 42.3335171, "lon": -71.0495289}  # in district C6, to the house
BLOCK = {"lat": 42.334, "lon": -71.05}


def test_a_point_is_rounded_to_a_block() -> None:
    assert coarse_point(GeoPoint(**DOORSTEP)) == GeoPoint(**BLOCK)
    assert coarse(None) is None and coarse_point(None) is None
    # Within ~70 m of the true point: close enough for a 150 m connection, far from a doorstep.
    assert abs(BLOCK["lat"] - DOORSTEP["lat"]) * 111_000 < 60 and abs(BLOCK["lon"] - DOORSTEP["lon"]) * 82_000 < 45


async def test_contacts_and_notes_leave_intake_with_a_block_not_a_doorstep(settings: KitSettings) -> None:
    officer = f"officer-{uuid.uuid4().hex[:10]}"
    host = someone()
    async with running("intake", settings, background=False) as (_, client):
        r = await client.post(
            "/v1/contacts", json=contact(place={"point": DOORSTEP}), headers=officer_headers(settings, officer)
        )
        assert r.status_code == 201, r.text
        contact_id = r.json()["id"]
        concern = {"text": "cars speed past the school", "point": DOORSTEP}
        r = await client.post("/v1/notes", json=note(concerns=[concern]), headers=as_(settings, host))
        assert r.status_code == 201, r.text

        analyst, supervisor = bearer(settings, "analyst"), bearer(settings, "supervisor")
        listed = (await client.get("/v1/contacts", params={"host": officer}, headers=analyst)).json()
        (item,) = [c for c in listed["items"] if c["id"] == contact_id]
        assert item["place"]["point"] == BLOCK
        raw = (await client.get(f"/v1/contacts/{contact_id}", headers=supervisor)).json()
        assert raw["place"]["point"] == DOORSTEP  # the raw reader of intake's own records

        export = await client.get("/v1/contacts/export.csv", params={"host": officer}, headers=analyst)
        assert export.status_code == 200, export.text
        rows = [r for r in csv.DictReader(io.StringIO(export.text)) if r["id"] == contact_id]
        assert (float(rows[0]["lat"]), float(rows[0]["lon"])) == (BLOCK["lat"], BLOCK["lon"])

    # What the relay publishes: the outbox rows as they go on the broker.
    (payload,) = await query(
        settings,
        "SELECT convert_from(payload, 'UTF8') FROM intake.outbox"
        " WHERE convert_from(payload, 'UTF8')::jsonb ->> 'contact_id' = :i",
        i=contact_id,
    )
    assert json.loads(payload[0])["point"] == BLOCK
    ((_, submitted),) = await events_of(settings, host)
    assert submitted["concerns"][0]["point"] == BLOCK
    assert "42.3335171" not in json.dumps(submitted) and "42.3335171" not in payload[0]
    # The exact point stays in intake.
    ((stored,),) = await query(settings, "SELECT lat FROM intake.contacts WHERE id = :i", i=uuid.UUID(contact_id))
    assert stored == DOORSTEP["lat"]
