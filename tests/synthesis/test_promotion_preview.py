"""Promoting an emerging topic is previewed, then confirmed, and moves only the cluster's concerns
(issue 14, item 3).

* A cluster holds only statements that belong together: HDBSCAN alone swept unrelated
  statements into a planted cluster (model/clusters.py), and promoting it relabelled them.
* ``POST /v1/emerging/preview`` lists the concerns that would move (words, date, district) and
  the topics' figures before and after, and writes nothing; ``POST /v1/emerging/promote`` needs
  that preview's token (409 when the cluster changed since); a bad name is a sentence naming
  ``body.label``; the summary then names the topic by the name given, not by cluster words.

Real database, broker and model, as in test_synthesis_service.py: notes go in through the broker.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import numpy as np
import pytest
import sqlalchemy as sa
from support import bearer, eventually

from porchlight.events import EventProducer, NoteSubmitted
from porchlight.events.catalog import Concern
from porchlight.kit.db import create_engine
from porchlight.kit.settings import KitSettings
from porchlight.synthesis.model.clusters import Statement, cluster_statements
from porchlight.synthesis.model.embedder import get_embedder

pytestmark = [pytest.mark.timeout(600)]

# One thing said four ways: the planted emerging topic.
BOWLING = [
    "Lawn bowling clubs say the bowling ordinance is unfair to them.",
    "The new lawn bowling ordinance is not fair to seniors who bowl.",
    "The city should revisit the lawn bowling ordinance, it is not fair.",
    "Our lawn bowling club was hit hardest by the bowling green ordinance.",
]
# Residents' statements about anything else (the demo's texts no topic fits): HDBSCAN put four of
# them in the bowling cluster.
UNRELATED = [
    "We need to offer free full panel STD testing to students and low income families",
    "Zoning changes should only be made with the consent of a majority of the neighbors in the affected area.",
    "give them the autonomy and power to influence decisions made regarding policing",
    "Refugees should be required to learn and speak english.",
    "Companies that claim they cannot fill job openings should raise wages and improve working conditions.",
    "Homelessness is for the nonprofit sector to deal with, not government.",
    "Educate high schoolers on their options after they graduate",
    "I should be allowed to keep my yard & home in any manner I please.",
    "LGBTQ fairness is far-left political idiocy.",
    "There is too much bullying in our schools that administrators are ignoring.",
    "some children with cultural differences or dietary needs cannot eat a typical lunch at school please provide "
    "special diet options.",
    "Invest in the youth.",
    "Every school has 1-9% homeless people. This is for the government to deal with via economic policy. Not sending "
    "to a NGO or giving a shanty",
    "Legalizing marijuana would be a boon for the economy.",
    "The fact that there is not as much coverage about African American deaths from cocaine as there is about deaths "
    "in the white community from opioids, even though there are as many of them, is evidence of institutionalized "
    "racism.",
    "Allow residence of an area to vote on new developments that might have impact on them opposed to "
    "commissioners/magistrates getting kickbacks",
    "Cable TV providers should include all local channels.",
    "Vaping should not be added to the smoking ordinance.",
    "People need to do all their research before accusing local officials of using their influence for personal gain.",
    "big projeck in city sould be vote by people",
    "We must ensure historic preservation codes are properly enforced in our historic districts; lack of consistency "
    "erodes our unique aesthetic.",
    "Working folks need ordinances struck down that prevent them from assembling to bargain for better pay. benefits "
    "and working conditions.",
    "More public transportation options--be creative",
    "Local schools should help make up the pension fund crisis by learning to live with budget cuts.",
    "Emergency protective orders should not be able to be obtained regarding claims of an incident from a year ago.",
]
NAME = "Lawn bowling fees"
KEY = "lawn_bowling_fees"
# A month of its own: no other test files notes in it.
MONTH = {"from": "2025-03-01", "to": "2025-03-31"}
HELD = datetime(2025, 3, 12, 18, 30, tzinfo=UTC)


def test_a_cluster_keeps_only_the_statements_that_belong_together() -> None:
    """The planted cluster comes out exactly: the old clustering put four unrelated statements in it."""
    embedder = get_embedder("torch")
    texts = UNRELATED + BOWLING
    vectors = embedder.embed(texts)
    statements = [
        Statement(i, uuid.uuid4(), t, 0, len(t), np.asarray(v))
        for i, (t, v) in enumerate(zip(texts, vectors, strict=True))
    ]
    clusters = cluster_statements(statements)
    planted = set(range(len(UNRELATED), len(texts)))
    bowling = [c for c in clusters if {m.concern_id for m in c.members} & planted]
    assert len(bowling) == 1
    assert {m.concern_id for m in bowling[0].members} == planted
    assert "bowling" in bowling[0].words


async def rows(settings: KitSettings, sql: str, **params: Any) -> list[Any]:
    engine = create_engine(settings.require_database_url(), pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(sa.text(sql), params)).all())
    finally:
        await engine.dispose()


async def file_notes(
    settings: KitSettings, where: str, notes: list[list[str]], held: datetime = HELD
) -> list[uuid.UUID]:
    """One note per list of statements, in district ``where``; their ids once synthesis analyzed them."""
    events = [
        NoteSubmitted(
            note_id=uuid.uuid4(),
            district=where,
            neighborhood="Porter",
            host_id="host-promotion-tests",
            submitted_at=held,
            held_at=held,
            concerns=[Concern(text=s) for s in statements],
            text="",
        )
        for statements in notes
    ]
    producer = EventProducer(settings.require_kafka_bootstrap(), idempotent=False)
    await producer.start()
    try:
        for e in events:
            await producer.publish(e, source="/tests/synthesis")
    finally:
        await producer.stop()
    ids = [e.note_id for e in events]

    async def analyzed() -> bool:
        found = await rows(
            settings,
            "SELECT count(*) FROM synthesis.notes WHERE note_id = ANY(:ids) AND analyzed_at IS NOT NULL",
            ids=ids,
        )
        return found[0][0] == len(ids)

    await eventually(analyzed, timeout_s=120, every_s=0.3)
    return ids


async def state(settings: KitSettings, where: str) -> tuple[Any, ...]:
    """Everything a promotion writes: the concerns' topics, corrections, taxonomy and model versions."""
    topics = await rows(
        settings, "SELECT id, topic, model_version FROM synthesis.concerns WHERE district = :d", d=where
    )
    counts = await rows(
        settings,
        "SELECT (SELECT count(*) FROM synthesis.corrections), (SELECT max(version) FROM synthesis.taxonomy_versions),"
        " (SELECT max(version) FROM synthesis.model_versions)",
    )
    return sorted(topics), counts[0]


def sentence(problem: dict[str, Any], field: str) -> str:
    """The message of ``field`` in a problem: written for a person, not a pattern."""
    [error] = [e for e in problem["errors"] if e["field"] == field]
    message = str(error["message"])
    assert message.endswith(".") and message[0].isupper(), message
    for jargon in ("^", "[a-z", "match", "pattern", "regex", "String should"):
        assert jargon not in message, message
    return message


@pytest.mark.asyncio(loop_scope="module")
async def test_a_promotion_is_previewed_then_confirmed_and_moves_only_the_cluster(
    settings: KitSettings, client: httpx.AsyncClient
) -> None:
    where = f"PRV-{uuid.uuid4().hex[:8]}"
    params = {"district": where, **MONTH}
    sup = bearer(settings, "supervisor", subject="sgt-promotion-tests")
    # The first bowling statement shares its note with an unrelated one: that note stays unassigned.
    await file_notes(
        settings,
        where,
        [[BOWLING[0], "Cable TV providers should include all local channels."], *[[b] for b in BOWLING[1:]]]
        + [[u] for u in UNRELATED if not u.startswith("Cable")]
        + [["The streetlight on my corner has been out for weeks."]],
    )
    texts = dict(await rows(settings, "SELECT id, text FROM synthesis.concerns WHERE district = :d", d=where))
    bowling_ids = sorted(i for i, t in texts.items() if t in BOWLING)
    labels = await rows(
        settings, "SELECT text, topic, topic_score FROM synthesis.concerns WHERE id = ANY(:ids)", ids=bowling_ids
    )
    assert {t for _, t, _ in labels} == {"unassigned"}, [
        x for x in labels if x[1] != "unassigned"
    ]  # what the model makes of them: no topic fits

    insight = (await client.get("/v1/insights", params=params, headers=sup)).json()
    [cluster] = [c for c in insight["emerging"] if set(c["concern_ids"]) & set(bowling_ids)]
    assert sorted(cluster["concern_ids"]) == bowling_ids  # the cluster's own statements, nothing else
    proposal = {"cluster_id": cluster["cluster_id"], "label": NAME}

    # Only supervisors, of this district when their token names one.
    r = await client.post("/v1/emerging/preview", params=params, json=proposal, headers=bearer(settings, "officer"))
    assert r.status_code == 403
    elsewhere = bearer(settings, "supervisor", district="PRV-elsewhere")
    r = await client.post("/v1/emerging/preview", params=params, json=proposal, headers=elsewhere)
    assert r.status_code == 403 and r.json()["district"] == "PRV-elsewhere"

    # The preview: which concerns move, with their words, date and place, and the counts before → after.
    before = await state(settings, where)
    r = await client.post("/v1/emerging/preview", params=params, json=proposal, headers=sup)
    assert r.status_code == 200, r.text
    preview = r.json()
    assert preview["topic"] == KEY and preview["label"] == NAME
    assert sorted(c["concern_id"] for c in preview["concerns"]) == bowling_ids
    assert sorted(c["text"] for c in preview["concerns"]) == sorted(BOWLING)
    for c in preview["concerns"]:
        assert c["district"] == where and c["neighborhood"] == "Porter" and c["from_topic"] == "unassigned"
        assert c["occurred_at"].startswith("2025-03-12") and c["from_label"] == "No topic yet"
        assert not {"host_id", "host", "location", "lat", "lon", "embedding"} & set(c)
    unassigned = await rows(
        settings, "SELECT id, note_id FROM synthesis.concerns WHERE district = :d AND topic = 'unassigned'", d=where
    )
    left = [(i, n) for i, n in unassigned if i not in bowling_ids]
    counts = {c["topic"]: c for c in preview["counts"]}
    assert set(counts) == {KEY, "unassigned"}
    assert counts[KEY] == {
        "topic": KEY,
        "label": NAME,
        "notes_before": 0,
        "notes_after": 4,
        "concerns_before": 0,
        "concerns_after": 4,
    }
    assert counts["unassigned"]["concerns_before"] == len(unassigned) == insight["unassigned"]
    assert counts["unassigned"]["concerns_after"] == len(unassigned) - 4
    assert counts["unassigned"]["notes_before"] == len({n for _, n in unassigned})
    assert counts["unassigned"]["notes_after"] == len({n for _, n in left})
    assert counts["unassigned"]["notes_before"] - counts["unassigned"]["notes_after"] == 3  # one note keeps Cable TV
    assert await state(settings, where) == before  # a preview writes nothing

    # A bad name: a sentence for the person, naming the field; nothing written.
    for bad, words in [("", "Give the new topic a name"), ("!!", "starts with a letter"), ("ab", "3 to 60")]:
        r = await client.post("/v1/emerging/preview", params=params, json={**proposal, "label": bad}, headers=sup)
        assert r.status_code == 422, r.text
        assert words in sentence(r.json(), "body.label")
    taken = (await client.get("/v1/taxonomy", headers=sup)).json()["topics"][0]["label"]
    r = await client.post("/v1/emerging/preview", params=params, json={**proposal, "label": taken}, headers=sup)
    assert r.status_code == 422 and "exists already" in sentence(r.json(), "body.label")
    # Confirming needs the preview's token: none, or another, changes nothing.
    r = await client.post("/v1/emerging/promote", params=params, json=proposal, headers=sup)
    assert r.status_code == 422 and sentence(r.json(), "body.preview")
    r = await client.post("/v1/emerging/promote", params=params, json={**proposal, "preview": "0" * 16}, headers=sup)
    assert r.status_code == 409 and "preview it again" in sentence(r.json(), "body.preview")
    assert await state(settings, where) == before

    # The cluster changes after the preview (a sergeant files one of its concerns under a topic):
    # the token is stale, and the page's cluster is gone.
    corrected = bowling_ids[-1]
    r = await client.put(f"/v1/concerns/{corrected}/topic", json={"topic": "parks"}, headers=sup)
    assert r.status_code == 200, r.text
    r = await client.post(
        "/v1/emerging/promote", params=params, json={**proposal, "preview": preview["preview"]}, headers=sup
    )
    assert r.status_code == 409, r.text
    assert "preview it again" in sentence(r.json(), "body.preview")
    r = await client.post("/v1/emerging/preview", params=params, json=proposal, headers=sup)
    assert r.status_code == 409 and sentence(r.json(), "body.cluster_id")
    [(topic,)] = await rows(settings, "SELECT topic FROM synthesis.concerns WHERE id = :c", c=corrected)
    assert topic == "parks"

    # Previewed again from the page as it is now, and confirmed: exactly the concerns it listed move.
    insight = (await client.get("/v1/insights", params=params, headers=sup)).json()
    [cluster] = [c for c in insight["emerging"] if set(c["concern_ids"]) & set(bowling_ids)]
    assert sorted(cluster["concern_ids"]) == bowling_ids[:-1]
    proposal = {"cluster_id": cluster["cluster_id"], "label": NAME}
    preview = (await client.post("/v1/emerging/preview", params=params, json=proposal, headers=sup)).json()
    moving = sorted(c["concern_id"] for c in preview["concerns"])
    assert moving == bowling_ids[:-1]
    before = await state(settings, where)
    r = await client.post(
        "/v1/emerging/promote", params=params, json={**proposal, "preview": preview["preview"]}, headers=sup
    )
    assert r.status_code == 201, r.text
    assert r.json()["topic"] == KEY and r.json()["label"] == NAME and r.json()["relabelled"] == moving
    after = await state(settings, where)
    changed = {i for (i, t, v), (_, t2, v2) in zip(before[0], after[0], strict=True) if (t, v) != (t2, v2)}
    assert changed == set(moving)
    assert {t for i, t, _ in after[0] if i in moving} == {KEY}

    # The table and the summary name it as it was named, never by its cluster's words.
    insight = (await client.get("/v1/insights", params=params, headers=sup)).json()
    [row] = [t for t in insight["topics"] if t["topic"] == KEY]
    assert row["label"] == NAME and row["notes"] == 3
    assert any(s["text"].startswith(f"{NAME} was raised in 3 notes") for s in insight["summary"])
    assert not any("bowling" in s["text"].replace(NAME, "") for s in insight["summary"])
    assert not any(set(c["concern_ids"]) & set(moving) for c in insight["emerging"])
    taxonomy = (await client.get("/v1/taxonomy", headers=sup)).json()
    assert [t["label"] for t in taxonomy["topics"] if t["name"] == KEY] == [NAME]

    # Put the city's topics back for the other tests (a new version again), the corrected statement
    # last filed under the promoted topic: a correction to a topic the taxonomy no longer has
    # teaches nothing, so the model the session shares learns nothing about bowling from this test.
    r = await client.put(f"/v1/concerns/{corrected}/topic", json={"topic": KEY}, headers=sup)
    assert r.status_code == 200, r.text
    restore = {"city": taxonomy["city"], "topics": [t for t in taxonomy["topics"] if t["name"] != KEY]}
    r = await client.put("/v1/taxonomy", json=restore, headers=sup)
    assert r.status_code == 200, r.text
