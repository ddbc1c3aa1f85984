"""Plain language, checked where wins are written (issue 18): the editor's check names each
jargon term with what to say instead; a win is drafted in English and Spanish; one that reads
above grade 10 is approved only with a written reason, kept with the win and on update.published."""

from __future__ import annotations

import pytest
from projects.helpers import Headers, outbox_events, priority_body, project_body
from support import running

from porchlight.kit.settings import KitSettings

pytestmark = pytest.mark.integration

JARGON = (
    "Pursuant to the aforementioned ordinance, Code Enforcement commenced nuisance abatement and proactive "
    "enforcement in order to mitigate quality-of-life offenses identified through CAD and RMS analysis "
    "across the jurisdiction's Part I crime hot spots."
)


async def test_the_editor_check_flags_jargon_and_grades_both_languages(
    settings: KitSettings, supervisor: Headers
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        r = await client.post("/v1/plain-language", json={"text": JARGON}, headers=supervisor)
        assert r.status_code == 200, r.text
        reading = r.json()
        assert reading["verdict"] == "needs_reason" and reading["grade"] > 10
        flagged = {f["text"]: f["instead"] for f in reading["flags"]}
        assert flagged["proactive enforcement"] == "extra patrols" and flagged["CAD"] == "the 911 dispatch system"
        assert "RMS" in flagged and "nuisance abatement" in flagged

        es = {"text": "Arreglamos las luces de la calle Tremont. Ahora se ve bien de noche.", "language": "es"}
        r = await client.post("/v1/plain-language", json=es, headers=supervisor)
        assert r.status_code == 200 and r.json()["verdict"] == "plain" and r.json()["language"] == "es"

        # Bad input names its field; no sign-in, no check.
        assert (
            await client.post("/v1/plain-language", json={"text": "x", "language": "fr"}, headers=supervisor)
        ).status_code == 422
        r = await client.post("/v1/plain-language", json={"text": "a" * 10_001}, headers=supervisor)
        assert r.status_code == 422 and "body.text" in r.text
        assert (await client.post("/v1/plain-language", json={"text": "Hello."})).status_code == 401


async def test_a_win_above_grade_ten_needs_a_reason_kept_with_the_update(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        priority = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()
        r = await client.post("/v1/projects", json=project_body(priority["id"], tasks=[]), headers=supervisor)
        pid = r.json()["id"]
        for version, to in enumerate(["planned", "in_progress", "done"], start=1):
            r = await client.post(f"/v1/projects/{pid}/moves", json={"to": to, "version": version}, headers=supervisor)
            assert r.status_code == 200, r.text
        [win] = (await client.get(f"/v1/wins?priority={priority['id']}&status=draft", headers=supervisor)).json()
        # Drafted in both languages; each scored as it stands.
        assert win["title_es"] and "hizo el trabajo" in win["body_es"] and "Public Works" in win["body_es"]
        assert set(win["reading"]) == {"en", "es"} and win["reading"]["en"]["verdict"] in ("plain", "review")

        r = await client.patch(f"/v1/wins/{win['id']}", json={"body": JARGON}, headers=supervisor)
        assert r.status_code == 200 and r.json()["reading"]["en"]["verdict"] == "needs_reason"
        url = f"/v1/wins/{win['id']}/approval"
        r = await client.post(url, headers=supervisor)
        assert r.status_code == 422 and "body.reason" in r.text, r.text
        r = await client.post(url, json={"reason": "short"}, headers=supervisor)
        assert r.status_code == 422 and "body.reason" in r.text
        assert await outbox_events(settings, "update.published.v1", project_id=pid) == []
        assert (await client.get(f"/v1/wins/{win['id']}", headers=supervisor)).json()["status"] == "draft"

        reason = "The wording repeats the court's order, which residents asked to see as written."
        r = await client.post(url, json={"reason": reason}, headers=supervisor)
        assert r.status_code == 200, r.text
        published = r.json()
        assert published["plain_language_reason"] == reason and published["reading_grade"] > 10
        [update] = await outbox_events(settings, "update.published.v1", project_id=pid)
        assert update["plain_language_reason"] == reason and update["reading_grade"] > 10
        assert update["translations"]["es"]["title"] == win["title_es"]


async def test_a_plain_win_is_approved_without_a_reason(
    settings: KitSettings, supervisor: Headers, district: str
) -> None:
    async with running("projects", settings, background=False) as (_, client):
        priority = (await client.post("/v1/priorities", json=priority_body(district), headers=supervisor)).json()
        pid = (
            await client.post("/v1/projects", json=project_body(priority["id"], tasks=[]), headers=supervisor)
        ).json()["id"]
        for version, to in enumerate(["planned", "in_progress", "done"], start=1):
            await client.post(f"/v1/projects/{pid}/moves", json={"to": to, "version": version}, headers=supervisor)
        [win] = (await client.get(f"/v1/wins?priority={priority['id']}&status=draft", headers=supervisor)).json()
        plain = {
            "body": "The lights on Main Street work again. Thank you for telling us.",
            "body_es": "Las luces de Main Street funcionan otra vez. Gracias por avisarnos.",
        }
        assert (await client.patch(f"/v1/wins/{win['id']}", json=plain, headers=supervisor)).status_code == 200
        r = await client.post(f"/v1/wins/{win['id']}/approval", headers=supervisor)
        assert r.status_code == 200, r.text
        assert r.json()["plain_language_reason"] is None and r.json()["reading_grade"] <= 10
        [update] = await outbox_events(settings, "update.published.v1", project_id=pid)
        assert update["translations"]["es"]["body"] == plain["body_es"] and update["plain_language_reason"] is None
