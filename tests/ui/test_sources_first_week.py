"""Issue 14 item 2 in Chromium: a sergeant checks a claim. A quote opens its note (date, meeting,
place; host for a supervisor); "Notes filed" opens the notes list; a topic row opens its notes;
the supervisor corrects a statement's topic from that list with one control."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from support import bearer
from ui.helpers import sign_in
from ui.test_connections_page import _publish

from porchlight.dashboard.months.period import Month
from porchlight.events import NoteSubmitted
from porchlight.events.catalog import Concern

pytestmark = [pytest.mark.integration, pytest.mark.browser]

TEXTS = [
    "The streetlight on Washington St is out again",
    "Street lights out along the avenue near the school",
    "Please fix the broken streetlight by the bus stop",
]


def test_a_quote_opens_its_note_and_a_supervisor_corrects_a_topic_from_the_list(stack, browser) -> None:  # type: ignore[no-untyped-def]
    d = stack.district
    this = Month.parse(None)
    held = max(this.utc(this.start) + timedelta(minutes=1), datetime.now(UTC) - timedelta(minutes=30))
    notes = [
        NoteSubmitted(note_id=uuid.uuid4(), host_id="host-sources", district=d, neighborhood="roxbury",
                      submitted_at=held, held_at=held, attendees=4, sentiment=2, concerns=[Concern(text=t)])
        for t in TEXTS
    ]  # fmt: skip
    _publish(stack.settings, notes)
    ids = {str(n.note_id) for n in notes}
    headers = bearer(stack.settings, "supervisor")
    q = {"district": d, "from": this.start.isoformat(), "to": datetime.now(UTC).date().isoformat()}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        r = httpx.get(f"{stack.web}/api/synthesis/v1/insights/notes", params=q, headers=headers, timeout=10)
        if r.status_code == 200 and ids <= {n["note_id"] for n in r.json()["notes"]}:
            break
        time.sleep(1)

    page = browser.new_context().new_page()
    sign_in(page, stack.web, "supervisor", d)
    page.goto(f"{stack.web}/#/district/{d}/{this.label}")
    page.wait_for_selector("#topic-table tbody tr")
    # The table's names are the summary's: each label in the table is in a summary sentence.
    first_label = page.locator("#topic-table tbody tr .topic-link").first.inner_text()
    assert first_label in page.inner_text("#summary")

    # A quote opens its note: date, meeting, place — and the host, for a supervisor.
    # The district is the UI stack's, shared with other tests' notes: one of ours if the summary
    # quotes one, else the first quote, checked against what its note says.
    links = page.locator("#summary .quote-source")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(links.count())]
    ours = [i for i, href in enumerate(hrefs) if any(n in href for n in ids)]
    links.nth(ours[0] if ours else 0).click()
    page.wait_for_selector("article.note-source.picked")
    picked = page.locator("article.note-source.picked")
    place = picked.locator(".source-place").inner_text()
    assert picked.locator(".source-meeting").inner_text()
    if ours:
        assert "roxbury" in place and picked.locator(".source-host").inner_text() == "host-sources"
    else:
        quoted: dict[str, str | None] = next((n for n in r.json()["notes"] if n["note_id"] in hrefs[0]), {})
        assert f"district {d}" in place and (quoted.get("neighborhood") or "") in place, (place, quoted)
        assert picked.locator(".source-host").inner_text()

    # "Notes filed" opens the list of every note.
    page.goto(f"{stack.web}/#/district/{d}/{this.label}")
    page.wait_for_selector("#notes-filed-link")
    page.click("#notes-filed-link")
    page.wait_for_selector("#notes-total")
    assert page.locator("article.note-source").count() >= len(TEXTS)

    # A topic row opens its notes; one control corrects a statement's topic there.
    page.goto(f"{stack.web}/#/district/{d}/{this.label}")
    page.wait_for_selector("#topic-table .topic-link")
    row = page.locator("#topic-table tbody tr").first
    topic = row.get_attribute("data-topic")
    before = int(row.locator("td").nth(2).inner_text())
    row.locator(".topic-link").click()
    page.wait_for_selector("form.correct-topic")
    form = page.locator("form.correct-topic").first
    other = "noise" if topic != "noise" else "parks"
    form.locator("select").select_option(other)
    form.locator("button").click()
    page.wait_for_function("() => document.getElementById('notes-status').textContent.includes('Moved')")
    page.goto(f"{stack.web}/#/district/{d}/{this.label}")
    page.wait_for_selector("#topic-table tbody tr")
    after = page.locator(f"#topic-table tbody tr[data-topic='{topic}'] td")
    assert (int(after.nth(2).inner_text()) if after.count() else 0) == before - 1
    assert page.locator(f"#topic-table tbody tr[data-topic='{other}']").count() == 1
    page.context.close()
