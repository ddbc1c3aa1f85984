"""Issue 15, "an audit trail": the auditor signs in with the demo sign-in and finds, on the audit
page, who asked for the notes behind a figure (25 entries per service shown, older ones on
asking); every service's chain is shown intact. (The question by district, "who read district
B2's notes last week", is tests/kit/test_audit_trail.py's.)"""

from __future__ import annotations

import uuid

import httpx
import pytest
from ui.helpers import check_accessibility, screenshot, sign_in

from porchlight.kit.auth import mint_token

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_the_auditor_finds_who_read_a_districts_notes(stack, browser) -> None:  # type: ignore[no-untyped-def]
    # A supervisor of the stack's district reads the notes behind a figure (synthesis).
    # A subject of its own (the demo sign-in's "demo-supervisor" reads in every browser test).
    subject = f"supervisor-{uuid.uuid4().hex[:8]}"
    token = {"subject": subject, "token": mint_token(stack.settings, subject=subject, roles=["supervisor"],
                                                     district=stack.district)}  # fmt: skip
    note_id = str(uuid.uuid4())
    r = httpx.get(
        f"{stack.urls['dashboard']}/v1/notes/sources",
        params={"id": note_id},
        headers={"Authorization": f"Bearer {token['token']}"},
    )
    assert r.status_code == 200, r.text
    # ... and then 25 more: that first read is now older than the page's first 25 entries.
    for _ in range(25):
        later = httpx.get(
            f"{stack.urls['dashboard']}/v1/notes/sources",
            params={"id": str(uuid.uuid4())},
            headers={"Authorization": f"Bearer {token['token']}"},
        )
        assert later.status_code == 200, later.text

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, stack.web, "auditor")
    # The auditor's start page is the audit trail, and no page with residents' words is offered.
    page.wait_for_selector("h1:has-text('Audit trail')")
    nav = page.inner_text("#nav")
    assert "Audit trail" in nav and "District" not in nav and "Meetings" not in nav
    # The note asked for does not exist (no district in the answer): found by who asked.
    page.fill("#a-actor", token["subject"])
    page.select_option("#a-action", "read")
    page.click("#audit-form button[type=submit]")
    page.wait_for_selector("#audit-dashboard tbody tr")
    assert page.locator("#audit-dashboard tbody tr").count() == 25
    assert page.locator(f"#audit-dashboard tr:has(td:has-text('{note_id}'))").count() == 0
    assert "older ones match too" in page.inner_text("#audit-dashboard")
    page.click("#audit-more-dashboard")  # the next page, appended
    row = page.wait_for_selector(f"#audit-dashboard tr:has(td:has-text('{note_id}'))")
    page.wait_for_selector("#audit-more-dashboard[hidden]", state="attached")
    assert page.locator("#audit-dashboard tbody tr").count() == 26
    assert "every one that matches" in page.inner_text("#audit-dashboard")
    text = row.inner_text()
    assert token["subject"] in text and "/v1/notes/sources" in text and "read" in text
    for service in ("intake", "synthesis", "dashboard", "projects", "layers"):  # checked when asked
        page.click(f"#audit-{service} .chain-check button")
        page.wait_for_selector(f"#audit-{service} [data-intact=true]", timeout=120_000)
    check_accessibility(page, "audit page")
    screenshot(page, "audit-page")
    page.context.close()
