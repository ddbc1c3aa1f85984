"""The public neighborhood page, its Spanish twin and its Atom feed (issue 18), from events on the
real broker into the real database: what neighbors raised (never a figure under 5 notes), the
public work and its steps (a step undone leaves the timeline; internal work never shows), and the
wins with their "you said" line, every number computed from the notes; a form to get the updates
by email, posting to intake."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from dashboard.test_read_models import publish
from support import eventually, running

from porchlight.dashboard.public.service import PageCache
from porchlight.dashboard.settings import DashboardSettings
from porchlight.dashboard.web.service import Upstreams
from porchlight.events import (
    MeetingScheduled,
    NoteAnalyzed,
    NoteSubmitted,
    ProjectCreated,
    TaskCompleted,
    TaskReopened,
    UpdatePublished,
)
from porchlight.events.catalog import Concern, ConcernAnalysis, ProjectMoved, UpdateText

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
SCRIPT = "<script>alert('x')</script>"


def city_file(tmp_path: Path, tag: str) -> tuple[Path, str, str]:
    district, hood = f"PD-{tag}", f"ph-{tag.lower()}"
    ring = [[150, -45], [150.1, -45], [150.1, -44.9], [150, -44.9], [150, -45]]
    features = [
        {"type": "Feature", "properties": {"kind": "district", "code": district, "name": f"District {tag}"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
        {"type": "Feature", "properties": {"kind": "neighborhood", "code": hood, "name": f"Elm Hill {tag}",
                                            "district": district},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]  # fmt: skip
    path = tmp_path / "city.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "name": "Testville", "features": features}))
    return path, district, hood


def events(district: str, hood: str) -> tuple[list, dict[str, uuid.UUID]]:
    meetings = [uuid.uuid4() for _ in range(3)]
    out: list = [
        MeetingScheduled(meeting_id=m, host_id="host-1", district=district, neighborhood=hood, venue_type="library",
                         starts_at=NOW - timedelta(days=20 - i))
        for i, m in enumerate(meetings)
    ]  # fmt: skip
    # Six notes raise street lighting (the newest, the page's quote, holds a script, which must
    # reach no page as markup), two raise parks: a figure under 5, never shown.
    said = [(f"the lamp by house {i} is out", "street_lighting", "Street lighting") for i in range(5)]
    said += [("It is pitch dark on Tremont after seven " + SCRIPT, "street_lighting", "Street lighting")]
    said += [("the swings are broken", "parks", "Parks"), ("the park gate is locked", "parks", "Parks")]
    for i, (text, topic, label) in enumerate(said):
        note = uuid.uuid4()
        held = NOW - timedelta(days=19 - i)
        out.append(
            NoteSubmitted(note_id=note, meeting_id=meetings[i % 3], host_id="host-1", district=district,
                          neighborhood=hood, held_at=held, submitted_at=held, attendees=4, sentiment=3,
                          concerns=[Concern(text=text)])
        )  # fmt: skip
        out.append(
            NoteAnalyzed(note_id=note, district=district, model_version="t1", sentiment="negative",
                         sentiment_score=-0.4,
                         concerns=[ConcernAnalysis(text=text, topic=topic, topic_score=0.9, sentiment="negative",
                                                   sentiment_score=-0.4, topic_label=label)])
        )  # fmt: skip
    ids = {k: uuid.uuid4() for k in ("public", "internal", "survey", "lamps", "undone", "win", "priority")}
    project = dict(priority_id=ids["priority"], district=district, neighborhood=hood, department="public-works",
                   starts_on=NOW.date() - timedelta(days=5), due_on=NOW.date() + timedelta(days=5))  # fmt: skip
    done = NOW - timedelta(days=2)
    out += [
        ProjectCreated(project_id=ids["public"], title="Fix the streetlights on Tremont St", remedy_kind="physical",
                       place="Tremont St", public=True, **project),
        ProjectCreated(project_id=ids["internal"], title="Plainclothes detail", remedy_kind="enforcement",
                       public=False, **project),
        ProjectMoved(project_id=ids["public"], priority_id=ids["priority"], district=district,
                     department="public-works", from_status="planned", to_status="in_progress", moved_by="sgt",
                     moved_at=done, version=2),
        TaskCompleted(task_id=ids["survey"], project_id=ids["public"], department="public-works", completed_at=done,
                      completed_by="crew", title="Survey the dark poles", public=True, announce=True),
        TaskCompleted(task_id=ids["lamps"], project_id=ids["public"], department="public-works", completed_at=done,
                      completed_by="crew", title="Order lamps from stores", public=False),
        TaskCompleted(task_id=ids["undone"], project_id=ids["public"], department="public-works", completed_at=done,
                      completed_by="crew", title="Replace the lamps", public=True, announce=True),
        TaskReopened(task_id=ids["undone"], project_id=ids["public"], department="public-works",
                     reopened_at=done + timedelta(hours=1), reopened_by="crew"),
        UpdatePublished(update_id=ids["win"], district=district, neighborhood=hood, kind="win",
                        title="The first lights on Tremont St are back.", body="Public Works fixed 4 lights.",
                        published_at=NOW - timedelta(days=1), project_id=ids["public"], place="Tremont St",
                        topics=["street_lighting"],
                        translations={"es": UpdateText(title="Las primeras luces de Tremont St funcionan.",
                                                       body="Obras Públicas arregló 4 luces.")}),
    ]  # fmt: skip
    return out, ids


def subscribe_form(html: str, action: str, hood: str, language: str) -> None:
    """The page's subscription form, as a browser without script posts it."""
    assert f'<form class="subscribe" method="post" action="{action}">' in html, html
    assert f'<input type="hidden" name="neighborhood" value="{hood}">' in html
    assert f'<input type="hidden" name="language" value="{language}">' in html
    assert '<label for="subscribe-email">' in html
    assert '<input id="subscribe-email" type="email" name="email" autocomplete="email" required' in html
    assert '<button type="submit">' in html


async def test_a_neighborhood_reads_what_it_said_what_is_done_and_the_wins(settings, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    places, district, hood = city_file(tmp_path, tag)
    evs, ids = events(district, hood)
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=places))
        cache = app.state.runtime.resource(PageCache)
        await publish(settings, evs)
        url = f"/v1/public/neighborhoods/{hood}"

        async def arrived() -> bool:
            cache.clear()
            page = (await client.get(url)).json()
            # Every event is in (they come on several topics): 6 lighting notes, 2 of parks, the
            # work's steps (one done, one reopened), the win.
            return (
                [t["notes"] for t in page["raised"]] == [6]
                and page["quieter_topics"] == 1
                and [len(w["steps"]) for w in page["work"]] == [1]
                and sorted(u["kind"] for u in page["updates"]) == ["step", "win"]
            )

        await eventually(arrived, timeout_s=30)
        cache.clear()
        r = await client.get(url)  # no sign-in
        assert r.status_code == 200, r.text
        page = r.json()

        [lights] = page["raised"]
        assert lights["quote"] == "It is pitch dark on Tremont after seven " + SCRIPT  # exact, as intake sent it
        assert (lights["topic"], lights["label"], lights["notes"], lights["meetings"]) == (
            "street_lighting", "Street lighting", 6, 3,
        )  # fmt: skip
        assert page["quieter_topics"] == 1  # parks: 2 notes, neither named nor counted
        assert "parks" not in r.text.lower() and "swings" not in r.text
        [work] = page["work"]
        assert work["title"] == "Fix the streetlights on Tremont St" and work["status_text"] == "Under way"
        assert [s["text"] for s in work["steps"]] == ["Survey the dark poles"]  # internal and undone: out
        assert "Plainclothes" not in r.text
        # The step its owner announced is an update of its own; the one marked undone left them.
        [win, step] = page["updates"]  # newest first: the win came a day after the step
        assert (step["kind"], step["title"], step["body"]) == ("step", "Survey the dark poles", work["title"])
        assert "Replace the lamps" not in r.text
        first = (NOW - timedelta(days=19)).date()
        expected = f"Neighbors raised street lighting 6 times at 3 meetings in Elm Hill {tag} since "
        assert win["you_said"].startswith(expected), win["you_said"]
        assert win["you_said"].endswith(f"{first.strftime('%B')} {first.day}.")
        assert win["language"] == "en" and win["title"] == "The first lights on Tremont St are back."

        es = (await client.get(url, params={"language": "es"})).json()
        assert es["raised"][0]["label"] == "Alumbrado público"
        assert es["updates"][0]["title"] == "Las primeras luces de Tremont St funcionan."
        assert es["updates"][0]["you_said"].startswith(
            "Los vecinos hablaron de alumbrado público 6 veces en 3 reuniones"
        )
        assert es["work"][0]["status_text"] == "En marcha"

        # The page itself: escaped, branded, with its feed and the other language linked.
        html = await client.get(f"/public/en/neighborhoods/{hood}")
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        assert SCRIPT not in html.text and "&lt;script&gt;" in html.text
        assert "Community Outreach Team" in html.text and f"/public/es/neighborhoods/{hood}" in html.text
        again = await client.get(f"/public/en/neighborhoods/{hood}", headers={"If-None-Match": html.headers["etag"]})
        assert again.status_code == 304
        html_es = await client.get(f"/public/es/neighborhoods/{hood}")
        assert 'lang="es"' in html_es.text and "Ustedes lo dijeron, lo hicimos" in html_es.text

        # "Get these updates by email": a form posting to intake (which alone keeps addresses), found
        # as the web UI's proxy finds it; the page's CSP lets the form go there. No script needed.
        intake = app.state.runtime.resource(Upstreams).get("intake")
        assert intake and intake.startswith("http")
        subscribe_form(html.text, f"{intake}/v1/public/subscriptions/form", hood, "en")
        assert f"form-action 'self' {intake}" in html.headers["content-security-policy"]
        assert "Get these updates by email" in html.text and "Your email address" in html.text
        subscribe_form(html_es.text, f"{intake}/v1/public/subscriptions/form", hood, "es")
        assert "Reciba estas novedades por correo" in html_es.text and "Su dirección de correo" in html_es.text
        assert "Suscribirme" in html_es.text and "Get these updates" not in html_es.text
        # Set (PORCHLIGHT_DASHBOARD_SUBSCRIBE_URL): intake through the city's ingress. A district's
        # page offers its neighborhoods.
        app.state.runtime.provide(
            DashboardSettings(places_file=places, subscribe_url="https://engage.city.example/api/intake/")
        )
        cache.clear()
        action = "https://engage.city.example/api/intake/v1/public/subscriptions/form"
        r = await client.get(f"/public/en/neighborhoods/{hood}")
        subscribe_form(r.text, action, hood, "en")
        assert "form-action 'self' https://engage.city.example;" in r.headers["content-security-policy"]
        r = await client.get(f"/public/es/districts/{district}")
        assert f'action="{action}"' in r.text and '<label for="subscribe-neighborhood">Su vecindario</label>' in r.text
        select = f'<select id="subscribe-neighborhood" name="neighborhood"><option value="{hood}">Elm Hill {tag}<'
        assert select in r.text
        assert '<input type="hidden" name="language" value="es">' in r.text

        # The Atom feed, read by a feed parser.
        feed = feedparser.parse((await client.get(f"/public/en/neighborhoods/{hood}/feed.atom")).content)
        assert not feed.bozo, feed.bozo_exception
        assert feed.feed.title == f"Updates for Elm Hill {tag}" and feed.feed.language == "en"
        [entry, step_entry] = feed.entries
        assert step_entry.title == "Survey the dark poles"
        assert entry.id == f"urn:uuid:{ids['win']}" and entry.title == win["title"]
        assert entry.link.endswith(f"/public/en/neighborhoods/{hood}#update-{ids['win']}")
        assert "6 times at 3 meetings" in entry.summary
        feed_es = feedparser.parse((await client.get(f"/public/es/neighborhoods/{hood}/feed.atom")).content)
        assert feed_es.entries[0].title == "Las primeras luces de Tremont St funcionan."

        # The district's page and feed carry the same win.
        district_page = (await client.get(f"/v1/public/districts/{district}")).json()
        assert [u["id"] for u in district_page["updates"]] == [str(ids["win"]), step["id"]]

        # Bad input: a clear 4xx, never a 5xx.
        assert (await client.get("/v1/public/neighborhoods/nowhere-at-all")).status_code == 404
        assert (await client.get(f"{url}?language=fr")).status_code == 422
        assert (await client.get(f"/public/fr/neighborhoods/{hood}")).status_code == 422
        assert (await client.get("/v1/public/streets/x")).status_code == 422
