"""issue.flagged reaches the board: a card in the Flagged column with its owner and a proposed DICE
remedy (never enforcement), one step from a micro-project; the same event twice is one card."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from projects.helpers import token
from support import bearer, eventually, published, running, scalar

from porchlight.events import EventProducer, IssueFlagged, new_envelope, to_kafka
from porchlight.events.catalog import GeoPoint
from porchlight.projects.flagged.service import propose_remedy

pytestmark = pytest.mark.integration


def test_a_remedy_is_proposed_from_the_category_and_never_enforcement():
    assert propose_remedy("Street light out", None) == ("physical", False)
    assert propose_remedy("Loud noise at night", None) == ("positive_activity", False)
    assert propose_remedy("Zoning variance", None) == ("policy", False)
    assert propose_remedy("Drug dealing", None) == ("physical", False)  # a person chooses enforcement
    assert propose_remedy("anything", "ownership") == ("ownership", True)
    # Words, not letters: "street" holds no "tree", "parking" no "park", "design" no "sign".
    assert propose_remedy("Street noise after midnight", None) == ("positive_activity", False)
    assert propose_remedy("Parking lot owner unreachable", None) == ("ownership", False)
    assert propose_remedy("Design permit expired", None) == ("policy", False)
    assert propose_remedy("Street lights out", None) == ("physical", False)


async def test_a_flagged_issue_becomes_a_card_and_then_a_micro_project(settings, district):
    issue_id = uuid.uuid4()
    event = IssueFlagged(
        issue_id=issue_id,
        department="public-works",
        category="Street light out",
        district=district,
        point=GeoPoint(lat=42.3398, lon=-71.0892),
        description="Three lights out along the park path",
        flagged_at=datetime.now(UTC),
        record_ids=["101001240735"],
        place="Park path behind 12 Elm St",
    )
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("projects", settings) as (_, client):
            for _ in range(2):  # a department's system sends it twice: one card
                key, value, headers = to_kafka(new_envelope(event, source="/city/public-works"))
                await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
            sup = token(settings, "supervisor")

            async def carded() -> bool:
                r = await client.get("/v1/flagged", params={"district": district}, headers=sup)
                return len(r.json()) >= 1

            await eventually(carded, timeout_s=30)
            (card,) = (await client.get("/v1/flagged", params={"district": district}, headers=sup)).json()
            assert (card["department"], card["remedy_kind"], card["remedy_given"]) == (
                "public-works",
                "physical",
                False,
            )
            assert card["record_ids"] == ["101001240735"]

            # No priority in the district yet: a clear 422 naming it.
            r = await client.post(f"/v1/flagged/{issue_id}/project", headers=sup)
            assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body.priority_id"
            await client.post("/v1/departments", json={"code": "public-works", "name": "Public Works"}, headers=sup)
            pr = await client.post("/v1/priorities", json={"title": "Brighter paths", "district": district,
                                                            "quarter": "2026-Q4"}, headers=sup)  # fmt: skip
            assert pr.status_code == 201, pr.text
            r = await client.post(f"/v1/flagged/{issue_id}/project", headers=sup)
            assert r.status_code == 201, r.text
            project_id = r.json()["project_id"]
            assert r.json()["title"] == "Street light out — Park path behind 12 Elm St"
            again = await client.post(f"/v1/flagged/{issue_id}/project", headers=sup)
            assert again.status_code == 409  # one project per flagged issue
            assert (await client.post(f"/v1/flagged/{uuid.uuid4()}/project", headers=sup)).status_code == 404
            assert (await client.get("/v1/flagged", params={"district": district}, headers=sup)).json() == []
            officer = await client.post(f"/v1/flagged/{issue_id}/project", headers=token(settings, "officer"))
            assert officer.status_code == 403
            converted = (await client.get("/v1/flagged", params={"district": district, "status": "converted"},
                                          headers=sup)).json()  # fmt: skip
            assert [(c["issue_id"], c["project_id"]) for c in converted] == [(str(issue_id), project_id)]
    finally:
        await producer.stop()
    created = await published(settings, "porchlight.projects", "org.porchlight.project.created.v1", project_id)
    assert created["district"] == district and created["remedy_kind"] == "physical"
    stored = await scalar(settings, "select remedy_kind from projects.projects where id = :p", p=uuid.UUID(project_id))
    assert stored == "physical"


async def test_a_flagged_issue_is_dismissed_by_its_districts_supervisor_only(settings, district):
    issue_id = uuid.uuid4()
    event = IssueFlagged(
        issue_id=issue_id, department="parks", category="Broken bench", district=district,
        flagged_at=datetime.now(UTC), place="Elm Park",
    )  # fmt: skip
    producer = EventProducer(settings.kafka_bootstrap, idempotent=False)
    await producer.start()
    try:
        async with running("projects", settings) as (_, client):
            key, value, headers = to_kafka(new_envelope(event, source="/city/parks"))
            await (await producer.send_raw(event.TOPIC, key=key, value=value, headers=headers))
            sup = bearer(settings, "supervisor", district=district)

            async def carded() -> bool:
                r = await client.get("/v1/flagged", params={"district": district}, headers=sup)
                return len(r.json()) == 1

            await eventually(carded, timeout_s=30)
            elsewhere = bearer(settings, "supervisor", district=f"{district}-other")
            r = await client.post(f"/v1/flagged/{issue_id}/dismiss", headers=elsewhere)
            assert r.status_code == 403 and r.json()["district"] == f"{district}-other"
            r = await client.post(f"/v1/flagged/{issue_id}/dismiss", headers=sup)
            assert r.status_code == 200, r.text
            assert (r.json()["status"], r.json()["project_id"]) == ("dismissed", None)
            assert (await client.get("/v1/flagged", params={"district": district}, headers=sup)).json() == []
            assert (await client.post(f"/v1/flagged/{issue_id}/project", headers=sup)).status_code == 409
            assert (await client.post(f"/v1/flagged/{issue_id}/dismiss", headers=sup)).status_code == 409
            dismissed = (await client.get("/v1/flagged", params={"district": district, "status": "dismissed"},
                                          headers=sup)).json()  # fmt: skip
            assert [c["issue_id"] for c in dismissed] == [str(issue_id)]
    finally:
        await producer.stop()
