"""``/v1/insights`` topics carry counts estimated from the concerns' calibrated topic probabilities
(issue 17): calibrated by the evaluation shipped with the model until the city made enough
corrections, then by the corrections (each keeps the probabilities the model gave its concern).
Real database, broker and model: notes go in through the broker."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from support import bearer
from synthesis.test_district_corrections import concerns_in, rows

from porchlight.kit.settings import KitSettings
from porchlight.synthesis.calibration import service as calibration
from porchlight.synthesis.calibration.service import shipped_calibration

pytestmark = [pytest.mark.asyncio(loop_scope="module"), pytest.mark.timeout(600)]


def check_estimate(t: dict[str, Any], *, certain: bool = False) -> dict[str, Any]:
    e = t["estimate"]
    assert e is not None, t
    assert 0 <= e["low"] <= e["count"] <= e["high"], e
    assert 0 <= e["share_low"] <= e["share"] <= e["share_high"] <= 1, e
    if not certain:  # a few notes the model labeled never make a certain count
        assert e["high"] > e["low"], e
    return e


async def test_insight_topics_carry_adjusted_counts_with_their_basis(
    settings: KitSettings, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    here = f"EST-{uuid.uuid4().hex[:8]}"
    sup = bearer(settings, "supervisor", subject="sgt-estimates-tests")
    ids = await concerns_in(
        settings,
        here,
        [
            "The streetlight on Elm has been out for weeks",
            "The street light by the school is dark at night",
            "Someone dumped a mattress and trash bags in the alley",
        ],
    )
    r = await client.get("/v1/insights", params={"district": here}, headers=sup)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["topics"]
    shipped = shipped_calibration()
    for t in body["topics"]:
        e = check_estimate(t)
        assert e["basis"] == "evaluation" and e["labels"] == shipped.labels

    # Once the city has made enough corrections, they measure the confusion instead.
    monkeypatch.setattr(calibration, "MIN_CORRECTIONS", 1)
    # Each analyzed concern keeps the model's probability of every topic (before the city's fitted
    # shares, which can move the best topic: only that it is among them is certain).
    stored = await rows(
        settings, "SELECT best_topic, topic_probs FROM synthesis.concerns WHERE id = ANY(:ids) ORDER BY id", ids=ids
    )
    for best, probs in stored:
        assert probs and set(probs) <= set(shipped_calibration().topics), probs
        assert best in probs and 0.99 < sum(probs.values()) < 1.001  # rounded to 4 places
    r = await client.put(f"/v1/concerns/{ids[2]}/topic", json={"topic": "trash_dumping"}, headers=sup)
    assert r.status_code == 200, r.text
    (copied,) = await rows(settings, "SELECT topic_probs FROM synthesis.corrections WHERE concern_id = :id", id=ids[2])
    assert copied[0] == stored[2][1]  # the correction keeps what the model said of its concern
    body = (await client.get("/v1/insights", params={"district": here}, headers=sup)).json()
    for t in body["topics"]:
        e = check_estimate(t, certain=t["topic"] == "trash_dumping")
        assert e["basis"] == "corrections" and e["labels"] >= 1
    # The concern the supervisor labeled counts as labeled: no doubt about that one.
    trash = next(t for t in body["topics"] if t["topic"] == "trash_dumping")
    assert trash["estimate"]["low"] >= 1, trash
