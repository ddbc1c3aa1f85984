"""A liaison's first week with the notes form, in a real headless Chromium (issue 14, items 4 and 5).

A stray Enter must not file notes; empty notes are refused in words a person reads (never a
regular expression or a parser's message); a meeting that has not started offers no notes; the
same meeting's notes filed twice are one set (a revision), not two meetings hosted.
"""

from __future__ import annotations

import uuid

import httpx
import pytest
from ui.helpers import DEVELOPER_WORDS, check_accessibility, screenshot, sign_in
from ui.helpers import local_time as _local
from ui.helpers import schedule_meeting as _schedule

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_notes_are_filed_on_purpose_once_per_meeting_in_plain_words(stack, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context().new_page()
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" and "/v1/notes" in r.url else None)
    sign_in(page, stack.web, "liaison", stack.district)
    page.wait_for_selector("#schedule-form")
    # The language is chosen from a list, not typed as a "BCP 47" tag.
    assert page.locator("#f-language").evaluate("el => el.tagName") == "SELECT"
    assert "BCP 47" not in page.inner_text("main")

    tag = uuid.uuid4().hex[:6]
    later, held = f"Later library {tag}", f"Held library {tag}"
    _schedule(page, later, _local(2 * 86400))
    _schedule(page, held, _local(-2 * 3600))

    # A meeting two days ahead offers no notes: no button, and not choosable in the form.
    later_row = page.locator(f"#meeting-list tr:has(td:has-text('{later}'))")
    assert later_row.locator("button").count() == 0 and "Notes once it starts" in later_row.inner_text()
    assert page.locator("#n-meeting option:has-text('not started yet')").first.is_disabled()

    page.click(f"#meeting-list tr:has(td:has-text('{held}')) button:has-text('File notes')")
    # The meeting's time and place are its own: those fields are not the form's while it is chosen.
    assert page.is_disabled("#f-held-at") and page.is_disabled("#n-district")
    assert "take that time and place" in page.inner_text("#n-meeting-hint")

    # A stray Enter in a one-line box files nothing.
    page.fill("#f-attendees", "0")
    page.click("label[for=sentiment-3]")
    page.press("#f-attendees", "Enter")
    page.press("#c0-text", "Enter")
    page.wait_for_timeout(500)
    assert posts == []
    # Enter in a text area is a new line.
    page.click("#f-follow-ups")
    page.keyboard.type("Call back Mr Diaz")
    page.keyboard.press("Enter")
    page.keyboard.type("Send the 311 number")
    assert page.input_value("#f-follow-ups") == "Call back Mr Diaz\nSend the 311 number"
    page.fill("#f-follow-ups", "")
    assert posts == []

    # Ctrl+Enter sends on purpose: these notes are empty, and the page says so in plain words.
    page.press("#f-attendees", "Control+Enter")
    page.wait_for_selector("#notes-form .field-error")
    assert len(posts) == 1
    assert "empty" in page.inner_text("#n-concerns .field-error")
    summary = page.inner_text("#notes-form .error-summary")
    assert "Some answers need correcting" in summary
    assert not DEVELOPER_WORDS.search(summary), summary
    screenshot(page, "notes-first-week-empty")
    check_accessibility(page, "liaison: empty notes refused")

    # Half filled: a concern's topic without its words, attendees as nothing. Every message is a
    # person's sentence.
    page.fill("#f-attendees", "")
    page.fill("#c0-topic", "traffic")
    page.click("#notes-form button[type=submit]")
    page.wait_for_selector("#c0-text[aria-invalid=true]")
    errors = page.locator("#notes-form .field-error").all_inner_texts()
    assert "This is required." in errors and "This cannot be empty." in errors, errors
    for text in [*errors, page.inner_text("#notes-form .error-summary")]:
        assert not DEVELOPER_WORDS.search(text), text

    # Filed properly, then filed again with a better head count: one set of notes, revision 2.
    page.fill("#c0-text", "Cars speed on Broadway after school")
    page.fill("#f-attendees", "5")
    page.click("#notes-form button[type=submit]")
    page.wait_for_selector("#notes-status:has-text('Filed')")
    page.click(f"#meeting-list tr:has(td:has-text('{held}')) button:has-text('File notes')")
    page.fill("#c0-text", "Cars speed on Broadway after school")
    page.fill("#f-attendees", "7")
    page.click("label[for=sentiment-3]")
    page.click("#notes-form button[type=submit]")
    page.wait_for_selector("#notes-status:has-text('revision 2')")
    screenshot(page, "notes-first-week-corrected")

    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "liaison", "district": stack.district}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    meetings = httpx.get(f"{stack.urls['intake']}/v1/meetings?limit=50", headers=auth).json()["items"]
    meeting_id = next(m["id"] for m in meetings if m["place"]["place_name"] == held)
    notes = httpx.get(f"{stack.urls['intake']}/v1/notes?meeting_id={meeting_id}", headers=auth).json()["items"]
    assert [(n["revision"], n["attendees"]) for n in notes] == [(2, 7)]
    page.context.close()
