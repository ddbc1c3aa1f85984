"""A department partner flags an issue in Chromium; it reaches the board's Flagged column and the
district page, and the supervisor makes it a micro-project with one click."""

from __future__ import annotations

import time
import uuid
from datetime import date

import httpx
import pytest
from ui.helpers import check_accessibility, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_partner_flags_an_issue_and_the_supervisor_makes_it_a_micro_project(stack, browser) -> None:  # type: ignore[no-untyped-def]
    what = f"Street light out {uuid.uuid4().hex[:6]}"
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "supervisor", "district": stack.district}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    today = date.today()
    priority = {
        "title": "Lit paths",
        "district": stack.district,
        "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
    }
    assert httpx.post(f"{stack.urls['projects']}/v1/priorities", json=priority, headers=auth).status_code == 201
    httpx.post(
        f"{stack.urls['projects']}/v1/departments", json={"code": "public-works", "name": "Public Works"}, headers=auth
    )

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, stack.web, "partner", stack.district)
    page.goto(f"{stack.web}/#/board")
    page.wait_for_selector("#flag-form")
    page.fill("#flag-category", what)
    page.fill("#flag-lat", "0.5")  # far outside the city: the field is named
    page.fill("#flag-lon", "0.5")
    page.click("#flag-form button[type=submit]")
    page.wait_for_selector("#flag-form .errors li")
    assert "point" in page.inner_text("#flag-form .errors")
    page.fill("#flag-lat", "42.34")
    page.fill("#flag-lon", "-70.98")
    page.fill("#flag-place", "Path behind the community garden")
    page.click("#flag-form button[type=submit]")
    page.wait_for_selector(f"text=Flagged in {stack.district}")
    check_accessibility(page, "partner board with the flag form")
    screenshot(page, "partner-flag-an-issue")
    page.context.close()

    sup = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(sup, stack.web, "supervisor", stack.district)
    card = f".column[data-status=flagged] li.flagged-card:has-text('{what}')"
    listed = f"#flagged-issues li:has-text('{what}')"  # the dashboard's read model
    sup.goto(f"{stack.web}/#/district/{stack.district}")
    deadline = time.monotonic() + 30
    # issue.flagged travels layers -> Kafka -> projects and the dashboard, each at its own pace
    # (a consumer group joining after an earlier test's member left may wait for its rebalance).
    while True:
        sup.wait_for_selector("#board-columns .board")
        sup.wait_for_selector("#flagged-panel:not([aria-busy])")  # its list drawn (or why not)
        if sup.locator(card).count() and sup.locator(listed).count():
            break
        assert time.monotonic() < deadline, "the flagged issue never reached the board and the district page"
        sup.wait_for_timeout(1000)
        sup.reload()  # the same #/district URL: a goto would not load the page again
    assert sup.locator("svg.citymap rect.flag").count() >= 1
    sup.locator(card).locator("button:has-text('Make it a micro-project')").click()
    sup.wait_for_selector(f"li.board-card:not(.flagged-card):has-text('{what}')")
    sup.wait_for_selector(card, state="detached")  # no longer waiting in the Flagged column
    screenshot(sup, "supervisor-flagged-made-a-project")

    # Another flag, not the district's to act on: dismissed, it leaves the column without a project.
    other = f"Faded sign {uuid.uuid4().hex[:6]}"
    flag = {"department": "public-works", "category": other, "point": {"lat": 42.34, "lon": -70.98}}
    assert httpx.post(f"{stack.urls['layers']}/v1/issues", json=flag, headers=auth).status_code == 201
    other_card = f".column[data-status=flagged] li.flagged-card:has-text('{other}')"
    deadline = time.monotonic() + 20
    while True:
        sup.reload()  # the same #/district URL: a goto would not load the page again
        sup.wait_for_selector("#board-columns .board")
        if sup.locator(other_card).count():
            break
        assert time.monotonic() < deadline, "the second flagged issue never reached the board"
        sup.wait_for_timeout(1000)
    sup.locator(other_card).locator("button:has-text('Dismiss')").click()
    sup.wait_for_selector(other_card, state="detached")
    assert sup.locator(f"li.board-card:has-text('{other}')").count() == 0  # no project either
    sup.context.close()
