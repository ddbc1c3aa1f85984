"""Help the model (issue 17): the concerns the model is least sure of, and corrections that refuse bad input.

* ``GET /v1/concerns/uncertain`` lists a place's unlabeled concerns least sure first (by the
  rule of model/uncertainty.py: one minus the margin between the two most probable topics of the
  current model, weighted by how typical the concern is, taking turns among the suggested
  topics), each with its words, the
  topic it counts under and the topics weighed; and the model version with the labels it learned.
  A supervisor's district is theirs only; officers are refused.
* A correction made from it takes the concern off the list and the labels learned go up by one.
* ``PUT /v1/concerns/{id}/topic`` with a concern that does not exist (or an id no database row can
  have) or a topic the taxonomy does not have: a problem naming the field, and nothing changed.

Real database, broker and model, as in test_synthesis_service.py: notes go in through the broker.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import bearer
from synthesis.test_promotion_preview import file_notes, rows

from porchlight.kit.settings import KitSettings

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]

CLEAR = "The streetlight on my corner has been out for weeks and the whole block is dark at night."
STATEMENTS = [
    CLEAR,
    "Things around here could be better.",
    "The dark path by the park is scary with the overgrown bushes.",
    "Cars park on the sidewalk near the bus stop so people walk in the road.",
    "Someone keeps dumping old tires behind the abandoned house.",
    "We talked about a lot of things tonight.",
]

#: The other district's statement (tests/synthesis/test_district_corrections.py corrects another bus shelter).
ELSEWHERE = "The bench at the bus stop on Alder Road is broken and tilted"


async def state(settings: KitSettings, where: str) -> tuple[Any, ...]:
    """What a correction writes: the district's concerns' topics, the corrections and the model versions."""
    topics = await rows(
        settings, "SELECT id, topic, topic_source, model_version FROM synthesis.concerns WHERE district = :d", d=where
    )
    counts = await rows(
        settings,
        "SELECT (SELECT count(*) FROM synthesis.corrections), (SELECT max(version) FROM synthesis.model_versions)",
    )
    return sorted(topics), tuple(counts[0])


async def test_the_least_sure_concerns_come_first_and_a_label_takes_one_off(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    here, there = f"UNC-{uuid.uuid4().hex[:8]}", f"UNC-{uuid.uuid4().hex[:8]}"
    local = bearer(settings, "supervisor", subject="sgt-uncertain-tests", district=here)
    held = datetime.now(UTC) - timedelta(days=2)
    await file_notes(settings, here, [[s] for s in STATEMENTS], held=held)
    # Not a statement another test corrects: a correction settles its near-duplicates everywhere.
    await file_notes(settings, there, [[ELSEWHERE]], held=held)

    r = await client.get("/v1/concerns/uncertain", params={"limit": 50}, headers=local)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["district"] == here  # their own district, unasked
    assert body["rule"] == "dense-spread" and body["considered"] == len(STATEMENTS)
    listed = body["concerns"]
    assert sorted(c["text"] for c in listed) == sorted(STATEMENTS)  # their words; never another district's
    # Least sure first, taking turns among the suggested topics: the least sure of each topic,
    # then the next of each.
    by_score = sorted(listed, key=lambda c: -c["unsure"])
    turns: dict[str, int] = {}
    turn_of = {}
    for c in by_score:
        turn_of[c["concern_id"]] = turns.get(c["suggested_topic"], 0)
        turns[c["suggested_topic"]] = turn_of[c["concern_id"]] + 1
    expected = sorted(by_score, key=lambda c: turn_of[c["concern_id"]])
    assert [c["concern_id"] for c in listed] == [c["concern_id"] for c in expected]
    for c in listed:
        probs = [a["probability"] for a in c["alternatives"]]
        assert len(probs) == 3 and probs == sorted(probs, reverse=True) and sum(probs) <= 1.0001
        assert c["suggested_topic"] == c["alternatives"][0]["topic"] and c["suggested_label"]
        assert abs(c["margin"] - (probs[0] - probs[1])) < 0.001
        assert 0 <= c["unsure"] <= 1 - c["margin"] + 0.001  # weighted by a density in [0, 1]
        assert c["district"] == here and c["topic"] and c["topic_label"]
    # The clear statement is not among the model's doubts: the vague ones come before it.
    clear = next(c for c in listed if c["text"] == CLEAR)
    assert clear["suggested_topic"] == "street_lighting"
    assert listed.index(clear) > 0 and clear["margin"] > listed[0]["margin"] and clear["unsure"] < listed[0]["unsure"]
    model = (await client.get("/v1/model", headers=local)).json()
    assert body["model_version"] == model["model_version"] and body["model_version_number"] == model["version"]
    assert body["labels_learned"] == model["corrections"]
    r = await client.get("/v1/concerns/uncertain", params={"limit": 2}, headers=local)
    assert [c["concern_id"] for c in r.json()["concerns"]] == [c["concern_id"] for c in listed[:2]]

    # A label from the screen: confirming the suggested topic is a correction like any other.
    first = listed[0]
    r = await client.put(
        f"/v1/concerns/{first['concern_id']}/topic", json={"topic": first["suggested_topic"]}, headers=local
    )
    assert r.status_code == 200, r.text
    after = (await client.get("/v1/concerns/uncertain", params={"limit": 50}, headers=local)).json()
    assert first["concern_id"] not in {c["concern_id"] for c in after["concerns"]}
    assert len(after["concerns"]) == len(listed) - 1
    assert after["labels_learned"] == body["labels_learned"] + 1
    assert after["model_version_number"] > body["model_version_number"]
    assert after["model_version"] == r.json()["model_version"]

    # Another district's list: refused, naming the parameter; an officer's: refused.
    r = await client.get("/v1/concerns/uncertain", params={"district": there}, headers=local)
    assert r.status_code == 403 and r.json()["errors"][0]["field"] == "query.district", r.text
    r = await client.get("/v1/concerns/uncertain", params={"district": here}, headers=bearer(settings, "officer"))
    assert r.status_code == 403
    r = await client.get("/v1/concerns/uncertain", params={"limit": 0}, headers=local)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "query.limit"
    # A supervisor without a district claim: any district's.
    r = await client.get("/v1/concerns/uncertain", params={"district": there}, headers=bearer(settings, "supervisor"))
    assert r.status_code == 200 and [c["text"] for c in r.json()["concerns"]] == [ELSEWHERE]


async def test_a_correction_to_a_missing_concern_or_topic_names_the_field_and_changes_nothing(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    where = f"UNC-{uuid.uuid4().hex[:8]}"
    sup = bearer(settings, "supervisor", subject="sgt-uncertain-tests", district=where)
    await file_notes(settings, where, [["Someone keeps dumping old tires behind the abandoned house."]])
    [(concern_id,)] = await rows(settings, "SELECT id FROM synthesis.concerns WHERE district = :d", d=where)
    before = await state(settings, where)

    def names(r: httpx.Response, status: int, field: str) -> None:
        assert r.status_code == status, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert [e["field"] for e in r.json()["errors"]] == [field], r.text

    # A concern that does not exist: 404 naming the path parameter (it named nothing before).
    r = await client.put("/v1/concerns/999999999/topic", json={"topic": "parks"}, headers=sup)
    names(r, 404, "path.concern_id")
    assert "999999999" in r.json()["errors"][0]["message"]
    # An id no bigint holds: a 422 naming it (a 500 from the database before).
    r = await client.put(f"/v1/concerns/{2**63}/topic", json={"topic": "parks"}, headers=sup)
    names(r, 422, "path.concern_id")
    r = await client.put("/v1/concerns/0/topic", json={"topic": "parks"}, headers=sup)
    names(r, 422, "path.concern_id")
    # A topic the taxonomy does not have, or "no topic": 422 naming the body's field.
    for topic in ("bee_swarms", "unassigned"):
        r = await client.put(f"/v1/concerns/{concern_id}/topic", json={"topic": topic}, headers=sup)
        names(r, 422, "body.topic")
        assert topic in r.json()["errors"][0]["message"]
    assert await state(settings, where) == before
