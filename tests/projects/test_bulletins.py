"""Bulletins (issue 18: "one approved update -> all of them"): a supervisor tells a neighborhood
something; it is scored for plain language as it is sent (above grade 10 only with a written
reason, kept with it and on update.published) and goes out at once as update.published of kind
bulletin, in English and Spanish. Bad input names its field; nothing is sent."""

from __future__ import annotations

import pytest
from projects.helpers import Headers, outbox_events, token
from projects.test_plain_language_wins import JARGON
from support import bearer, running

from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

PLAIN = {
    "title": "Meet your officers at the library on Thursday",
    "body": "Come to the Tremont library on Thursday at 6 pm. Bring your questions about the street lights.",
    "title_es": "Conozca a sus agentes en la biblioteca el jueves",
    "body_es": "Venga a la biblioteca de Tremont el jueves a las 6 pm. Traiga sus preguntas.",
}


async def test_a_bulletin_goes_out_once_plain_or_with_its_reason(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    body = PLAIN | {"district": district, "neighborhood": "south-end"}
    async with running("projects", settings, background=False) as (_, client):
        refused = [
            (body | {"title": ""}, "body.title"),
            (body | {"title": "Two\nlines"}, "body.title"),
            (body | {"body_es": None}, "body"),  # Spanish title without its words
            (body | {"body": JARGON}, "body.reason"),  # above grade 10, no reason
            (body | {"body": JARGON, "reason": "short"}, "body.reason"),
            ({k: v for k, v in body.items() if k != "district"}, "body.district"),
        ]
        for bad, field in refused:
            r = await client.post("/v1/bulletins", json=bad, headers=supervisor)
            assert r.status_code == 422, (bad, r.text)
            assert field in [e["field"] for e in r.json()["errors"]], (field, r.json())
        elsewhere = bearer(settings, "supervisor", district=f"{district}-X")
        assert (await client.post("/v1/bulletins", json=body, headers=elsewhere)).status_code == 403
        assert (await client.post("/v1/bulletins", json=body, headers=token(settings, "officer"))).status_code == 403
        assert (await client.post("/v1/bulletins", json=body)).status_code == 401
        assert await outbox_events(settings, "update.published.v1", district=district) == []

        r = await client.post("/v1/bulletins", json=body, headers=supervisor)
        assert r.status_code == 201, r.text
        plain = r.json()
        assert plain["reading_grade"] <= 10 and plain["plain_language_reason"] is None
        reason = "It quotes the city ordinance word for word, as residents asked to read it."
        r = await client.post("/v1/bulletins", json=body | {"body": JARGON, "reason": reason}, headers=supervisor)
        assert r.status_code == 201, r.text
        hard = r.json()
        assert hard["reading_grade"] > 10 and hard["plain_language_reason"] == reason

        sent = {e["update_id"]: e for e in await outbox_events(settings, "update.published.v1", district=district)}
        assert set(sent) == {plain["id"], hard["id"]}
        first = sent[plain["id"]]
        assert (first["kind"], first["neighborhood"], first["title"]) == ("bulletin", "south-end", PLAIN["title"])
        assert first["translations"]["es"] == {"title": PLAIN["title_es"], "body": PLAIN["body_es"]}
        assert sent[hard["id"]]["plain_language_reason"] == reason

        listed = (await client.get(f"/v1/bulletins?district={district}", headers=supervisor)).json()
        assert [b["id"] for b in listed] == [hard["id"], plain["id"]]
