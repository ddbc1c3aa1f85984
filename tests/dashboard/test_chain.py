"""You said, we did (issue 18), from events on the real broker into the real database: a priority
picks concerns by topic and place and quotes a note by reference; its win answers the notes heard
from ``heard_since`` to its publication. The public line counts exactly those notes, quotes the
words picked, and says what was done; the chain opens from the note to the win and back; an
erased note's words leave every chain; words go only to who reads the district's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from dashboard.test_public_pages import city_file
from dashboard.test_read_models import publish
from support import bearer, eventually, running

from porchlight.dashboard.public.service import PageCache
from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import (
    MeetingScheduled,
    NoteAnalyzed,
    NoteSubmitted,
    PriorityCreated,
    ProjectCreated,
    TaskCompleted,
    UpdatePublished,
)
from porchlight.events.catalog import (
    Concern,
    ConcernAnalysis,
    ConcernRef,
    ConcernSelection,
    NoteAnalysisErased,
    NoteErased,
)

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC)
HEARD_SINCE = (NOW - timedelta(days=30)).date()
PUBLISHED = NOW - timedelta(days=2)


def _note(district: str, hood: str, held: datetime, meeting: uuid.UUID | None, said: list[tuple[str, str]]) -> tuple:
    note = uuid.uuid4()
    submitted = NoteSubmitted(
        note_id=note, meeting_id=meeting, host_id="host-1", district=district, neighborhood=hood, held_at=held,
        submitted_at=held, attendees=3, sentiment=2, concerns=[Concern(text=t) for t, _ in said],
    )  # fmt: skip
    analyzed = NoteAnalyzed(
        note_id=note, district=district, neighborhood=hood, model_version="t1", sentiment="negative",
        sentiment_score=-0.5,
        concerns=[ConcernAnalysis(text=t, topic=topic, topic_score=0.9, sentiment="negative", sentiment_score=-0.5,
                                  topic_label=topic.replace("_", " ").capitalize()) for t, topic in said],
    )  # fmt: skip
    return note, [submitted, analyzed]


def scenario(district: str, hood: str, other_hood: str) -> tuple[list, dict[str, object]]:
    meetings = [uuid.uuid4() for _ in range(4)]
    evs: list = [
        MeetingScheduled(meeting_id=m, host_id="host-1", district=district, neighborhood=hood, venue_type="library",
                         starts_at=NOW - timedelta(days=25 - i))
        for i, m in enumerate(meetings)
    ]  # fmt: skip
    ids: dict[str, object] = {"answered": []}
    # Six notes in the window at four meetings: five on lighting alone, one on lighting and parks
    # (its second concern, position 1, is the one the priority quotes).
    for i in range(6):
        said = [(f"lamp {i} on Tremont is out", "street_lighting")]
        if i == 5:
            said.append(("the park by the school is dark and nobody walks there", "parks"))
        note, more = _note(district, hood, NOW - timedelta(days=20 - i), meetings[i % 4], said)
        ids["answered"].append(note)  # type: ignore[union-attr]
        evs += more
    ids["quoted"] = ids["answered"][5]  # type: ignore[index]
    ids["lamp"] = ids["answered"][3]  # type: ignore[index]
    # Heard before heard_since, after the win, in another neighborhood: none answered by the win.
    ids["before"], more = _note(district, hood, NOW - timedelta(days=40), None, [("dark again", "street_lighting")])
    evs += more
    ids["after"], more = _note(district, hood, NOW - timedelta(days=1), None, [("still dark", "street_lighting")])
    evs += more
    ids["elsewhere"], more = _note(district, other_hood, NOW - timedelta(days=10), None, [("dark", "street_lighting")])
    evs += more
    priority, project, task, win = (uuid.uuid4() for _ in range(4))
    ids |= {"priority": priority, "project": project, "task": task, "win": win}
    picked = [ConcernSelection(topic=t, district=district, neighborhood=hood) for t in ("street_lighting", "parks")]
    quotes = [ConcernRef(note_id=ids["quoted"], position=1), ConcernRef(note_id=ids["lamp"], position=0)]  # type: ignore[arg-type]
    evs += [
        PriorityCreated(priority_id=priority, title="Light the streets", district=district, neighborhood=hood,
                        quarter="2027-Q1", topics=["street_lighting", "parks"], concerns=picked,
                        heard_since=HEARD_SINCE, quotes=quotes),
        ProjectCreated(project_id=project, priority_id=priority, title="Fix the streetlights on Tremont St",
                       district=district, neighborhood=hood, department="public-works", remedy_kind="physical",
                       starts_on=NOW.date() - timedelta(days=9), due_on=NOW.date(), place="Tremont St", public=True),
        TaskCompleted(task_id=task, project_id=project, department="public-works", completed_at=PUBLISHED,
                      completed_by="crew", title="Replace 9 lamps", public=True),
        UpdatePublished(update_id=win, district=district, neighborhood=hood, kind="win",
                        title="The lights on Tremont St are back.", body="Public Works replaced 9 lamps.",
                        published_at=PUBLISHED, project_id=project, place="Tremont St",
                        topics=["street_lighting", "parks"], priority_id=priority, concerns=picked,
                        heard_since=HEARD_SINCE, quotes=quotes),
    ]  # fmt: skip
    return evs, ids


async def test_a_win_counts_the_notes_it_answers_and_the_chain_opens_from_either_end(settings, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    places, district, hood = city_file(tmp_path, tag)
    evs, ids = scenario(district, hood, f"other-{tag.lower()}")
    answered = {str(n) for n in ids["answered"]}  # type: ignore[attr-defined]
    quote = "the park by the school is dark and nobody walks there"
    async with running("dashboard", settings) as (app, client):
        app.state.runtime.provide(DashboardSettings(places_file=places))
        cache = app.state.runtime.resource(PageCache)
        await publish(settings, evs)
        supervisor = bearer(settings, "supervisor", district=district)

        async def arrived() -> bool:
            r = await client.get(f"/v1/chain/updates/{ids['win']}", headers=supervisor)
            if r.status_code != 200:
                return False
            got = r.json()  # every event is in (they come on several topics)
            return (
                got["notes_total"] == 6
                and got["projects"][0]["tasks_done"] == 1
                and [p["answered"]["notes"] for p in got["priorities"]] == [7]
            )

        await eventually(arrived, timeout_s=30)

        # From the win: exactly the six notes heard from heard_since to its publication.
        chain = (await client.get(f"/v1/chain/updates/{ids['win']}", headers=supervisor)).json()
        assert {n["note_id"] for n in chain["notes"]} == answered
        [win] = chain["wins"]
        counts = {c["topic"]: (c["notes"], c["meetings"]) for c in win["answered"]["concerns"]}
        assert counts == {"street_lighting": (6, 4), "parks": (1, 1)}
        assert (win["answered"]["notes"], win["answered"]["meetings"]) == (6, 4)  # the two-topic note once
        assert [(q["note_id"], q["position"], q["text"]) for q in win["answered"]["quotes"]] == [
            (str(ids["quoted"]), 1, quote),
            (str(ids["lamp"]), 0, "lamp 3 on Tremont is out"),
        ]
        [project] = chain["projects"]
        assert [t["title"] for t in project["tasks"]] == ["Replace 9 lamps"]
        [priority] = chain["priorities"]
        assert priority["priority_id"] == str(ids["priority"])
        assert priority["answered"]["notes"] == 7  # the priority counts to now: the note after the win too

        # From the priority and from the project: the same work, the notes the priority picks.
        by_priority = (await client.get(f"/v1/chain/priorities/{ids['priority']}", headers=supervisor)).json()
        assert by_priority["notes_total"] == 7 and [w["update_id"] for w in by_priority["wins"]] == [str(ids["win"])]
        by_project = (await client.get(f"/v1/chain/projects/{ids['project']}", headers=supervisor)).json()
        assert [w["update_id"] for w in by_project["wins"]] == [str(ids["win"])]

        # From a note: the priority, its work and the win that answer it ...
        from_note = (await client.get(f"/v1/chain/notes/{ids['quoted']}", headers=supervisor)).json()
        assert [p["priority_id"] for p in from_note["priorities"]] == [str(ids["priority"])]
        assert [p["project_id"] for p in from_note["projects"]] == [str(ids["project"])]
        assert [w["update_id"] for w in from_note["wins"]] == [str(ids["win"])]
        assert [c["text"] for c in from_note["notes"][0]["concerns"]] == ["lamp 5 on Tremont is out", quote]
        # ... and none for a note heard before heard_since or elsewhere; the priority but not the
        # win for one heard after the win was published.
        for key, priorities, wins in (("before", [], []), ("elsewhere", [], []), ("after", [ids["priority"]], [])):
            got = (await client.get(f"/v1/chain/notes/{ids[key]}", headers=supervisor)).json()
            assert [p["priority_id"] for p in got["priorities"]] == [str(p) for p in priorities], key
            assert [w["update_id"] for w in got["wins"]] == [str(w) for w in wins], key

        # The public line: every number computed from those notes, the words picked, what was done.
        cache.clear()
        page = (await client.get(f"/v1/public/neighborhoods/{hood}")).json()
        [update] = page["updates"]
        first = (NOW - timedelta(days=20)).date()
        assert update["you_said"] == (
            f"Neighbors raised street lighting 6 times at 4 meetings in Elm Hill {tag} since "
            f"{first.strftime('%B')} {first.day}."
        )  # parks: one note, under 5, neither named nor counted
        # The first words picked are of parks (not named): the next, of lighting, are quoted.
        assert update["you_said_quote"] == "lamp 3 on Tremont is out"
        assert update["we_did"] == "Public Works finished 1 step at Tremont St."
        es = (await client.get(f"/v1/public/neighborhoods/{hood}", params={"language": "es"})).json()
        assert es["updates"][0]["we_did"] == "Obras Públicas terminó 1 paso en Tremont St."

        # Words only for who reads the district's; another district's staff: 403; unknown: 404.
        figures_only = bearer(settings, "liaison")
        withheld = (await client.get(f"/v1/chain/updates/{ids['win']}", headers=figures_only)).json()
        assert withheld["words_withheld"] and withheld["notes_total"] == 6
        assert all(c["text"] is None for n in withheld["notes"] for c in n["concerns"])
        assert withheld["wins"][0]["answered"]["quotes"][0]["text"] is None
        elsewhere = bearer(settings, "officer", district=f"{district}-X")
        assert (await client.get(f"/v1/chain/updates/{ids['win']}", headers=elsewhere)).status_code == 403
        assert (await client.get(f"/v1/chain/notes/{uuid.uuid4()}", headers=supervisor)).status_code == 404
        assert (await client.get("/v1/chain/notes/not-a-uuid", headers=supervisor)).status_code == 422
        partner = bearer(settings, "partner")
        assert (await client.get(f"/v1/chain/updates/{ids['win']}", headers=partner)).status_code == 403
        assert (await client.get(f"/v1/chain/updates/{ids['win']}")).status_code == 401

        # A draft previewed as its subscribers would get it, before anyone approves it: both
        # languages, the line counted now, the words picked, what was done; markup escaped.
        draft = {
            "district": district, "neighborhood": hood, "title": "More lights <b>tonight</b>",
            "body": "Public Works replaced 9 lamps.", "place": "Tremont St", "project_id": str(ids["project"]),
            "translations": {"es": {"title": "Más luces", "body": "Obras Públicas cambió 9 lámparas."}},
            "concerns": [{"topic": "street_lighting", "district": district, "neighborhood": hood}],
            "heard_since": HEARD_SINCE.isoformat(), "quotes": [{"note_id": str(ids["lamp"]), "position": 0}],
        }  # fmt: skip
        r = await client.post("/v1/newsletters/preview", json=draft, headers=supervisor)
        assert r.status_code == 200, r.text
        preview = r.json()
        assert preview["neighborhoods"] == [hood] and set(preview["editions"]) == {"en", "es"}
        en, es_mail = preview["editions"]["en"], preview["editions"]["es"]
        assert "Neighbors raised street lighting 7 times at 4 meetings" in en["text"]  # counted to now
        assert "lamp 3 on Tremont is out" in en["text"] and "Public Works finished 1 step at Tremont St." in en["text"]
        assert "&lt;b&gt;tonight&lt;/b&gt;" in en["html"] and "<b>tonight" not in en["html"]
        assert "Más luces" in es_mail["html"] and "Obras Públicas terminó 1 paso" in es_mail["text"]
        refused = await client.post(
            "/v1/newsletters/preview", json=draft | {"neighborhood": "nowhere"}, headers=supervisor
        )
        assert refused.status_code == 422 and "body.neighborhood" in refused.text
        other_supervisor = bearer(settings, "supervisor", district=f"{district}-X")
        assert (await client.post("/v1/newsletters/preview", json=draft, headers=other_supervisor)).status_code == 403
        assert (await client.post("/v1/newsletters/preview", json=draft, headers=partner)).status_code == 403

        # The quoted lamp note is erased: its words leave the chain and the page (which quotes
        # another of the notes the win answers); every count stays.
        erased_at = datetime.now(UTC)
        await publish(
            settings,
            [
                NoteErased(note_id=ids["lamp"], district=district, erased_at=erased_at, reason="request"),  # type: ignore[arg-type]
                NoteAnalysisErased(note_id=ids["lamp"], district=district, erased_at=erased_at, reason="request"),  # type: ignore[arg-type]
            ],
        )

        async def gone() -> bool:
            r = (await client.get(f"/v1/chain/updates/{ids['win']}", headers=supervisor)).json()
            return not r["wins"][0]["answered"]["quotes"][1]["available"]

        await eventually(gone, timeout_s=30)
        after = (await client.get(f"/v1/chain/updates/{ids['win']}", headers=supervisor)).json()
        assert after["notes_total"] == 6 and after["wins"][0]["answered"]["quotes"][1]["text"] is None
        assert "lamp 3" not in (await client.get(f"/v1/chain/notes/{ids['lamp']}", headers=supervisor)).text
        cache.clear()
        page = (await client.get(f"/v1/public/neighborhoods/{hood}")).json()
        said = page["updates"][0]
        assert said["you_said"].startswith("Neighbors raised street lighting 6 times at 4 meetings")
        answered_words = {f"lamp {i} on Tremont is out" for i in (0, 1, 2, 4, 5)}
        assert said["you_said_quote"] in answered_words  # never the note after the win ("still dark")
