"""The web UI in a real headless Chromium against every service, each role doing its job.

Every page visited is checked with axe-core (WCAG 2.1 A/AA) and photographed into
tests/artifacts/screenshots/ for review.
"""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from ui.helpers import check_accessibility, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}


def _int(page: Any, selector: str) -> int:
    return int(page.inner_text(selector).replace(",", "").split()[0])


def _number(page: Any, selector: str) -> float:
    return float(page.inner_text(selector).replace(",", "").split()[0])


def _contact_hours(stack: Any) -> float:
    """The district's contact hours this month, as the dashboard's API has them."""
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "supervisor", "district": stack.district})
    month = date.today().strftime("%Y-%m")
    r = httpx.get(
        f"{stack.urls['dashboard']}/v1/districts/{stack.district}/page",
        params={"month": month},
        headers={"Authorization": f"Bearer {token.json()['token']}"},
    )
    r.raise_for_status()
    return float(r.json()["engagement"]["contact_hours"])


def _eventually(page: Any, check: Any, timeout_s: float = 20, every_s: float = 0.5) -> None:
    # Waits through the page, not time.sleep: Playwright's sync API runs route handlers and
    # events only while the test is inside one of its calls.
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        page.wait_for_timeout(every_s * 1000)


def test_officer_logs_a_contact_offline_then_online_and_it_counts_once(stack, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, stack.web, "officer", stack.district)
    page.wait_for_selector("#my-contacts")
    # The service worker has cached the shell and controls the page.
    page.wait_for_function("() => navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_selector("#my-contacts")
    before = _int(page, "#my-contacts")
    screenshot(page, "officer-contact")
    check_accessibility(page, "officer: log a contact")

    # No signal: the app still opens (from the service worker) and the contact is kept.
    context.set_offline(True)
    page.reload()
    page.wait_for_selector("h1:has-text('Log a positive contact')")
    page.wait_for_selector("#netstatus:has-text('Offline')")
    started = time.monotonic()
    page.click("label[for=contact_type-conversation]")  # tap 1: what
    page.click("label[for=minutes-30]")  # tap 2: how long
    page.click("button.log-button")  # tap 3: log it
    page.wait_for_selector("#pending-count")
    assert time.monotonic() - started < 10
    assert "1 contact saved on this phone" in page.inner_text("#pending-count")
    screenshot(page, "officer-contact-offline")

    # The signal comes back, but the first answer is lost on the way: the server has the
    # contact, the phone does not know it and keeps it queued.
    answers: list[int] = []

    def lose_the_answer(route: Any) -> None:
        answers.append(route.fetch().status)
        route.abort("internetdisconnected")

    page.route("**/api/intake/v1/contacts", lose_the_answer)
    context.set_offline(False)
    _eventually(page, lambda: answers == [201])
    page.wait_for_timeout(300)
    assert page.locator("#pending-count").count() == 1, "a send without an answer stays queued"

    # The next sync sends it again with the same Idempotency-Key: replayed, not counted again.
    page.unroute("**/api/intake/v1/contacts")
    page.reload()
    page.wait_for_selector("#my-contacts")
    _eventually(page, lambda: page.locator("#pending-count").count() == 0)
    _eventually(page, lambda: _int(page, "#my-contacts") == before + 1)
    page.reload()
    page.wait_for_selector("#my-contacts")
    assert _int(page, "#my-contacts") == before + 1
    assert page.evaluate("JSON.parse(localStorage.getItem('porchlight.outbox') || '[]').length") == 0
    context.close()


def test_host_files_notes_with_field_errors_and_the_district_page_changes(stack, browser) -> None:  # type: ignore[no-untyped-def]
    supervisor = browser.new_context().new_page()
    sign_in(supervisor, stack.web, "supervisor", stack.district)
    supervisor.wait_for_selector("#fig-notes")
    before = _int(supervisor, "#fig-notes")
    hours_before = _number(supervisor, "#fig-hours")
    # Engagement hours count contacts too: the 30-minute contact the officer's test logged may
    # reach the dashboard only now (on a busy run it did, after the figure above was read).
    contact_hours_before = _contact_hours(stack)

    host = browser.new_context().new_page()
    sign_in(host, stack.web, "liaison", stack.district)
    host.wait_for_selector("#schedule-form")
    # Schedule a meeting that started an hour ago (notes are filed after it).
    started = time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() - 3600))
    host.fill("#f-starts-at", started)
    host.select_option("#f-venue-type", "library")
    host.fill("#f-place-place-name", "Branch library")
    # A duration of 0 minutes is refused, next to the field; 90 minutes is taken.
    host.fill("#f-duration-minutes", "0")
    host.click("#schedule-form button[type=submit]")
    host.wait_for_selector("[data-wraps=duration_minutes] .field-error")
    assert host.get_attribute("#f-duration-minutes", "aria-invalid") == "true"
    host.fill("#f-duration-minutes", "90")
    host.click("#schedule-form button[type=submit]")
    host.wait_for_selector("#meeting-list tr:has(td:has-text('Branch library')) td:text-is('90')")
    host.click("#meeting-list button:has-text('File notes')")

    # Send it half filled: each bad field gets its message next to it.
    host.fill("#c0-topic", "street lighting")  # a concern without its text
    host.click("#notes-form button[type=submit]")
    host.wait_for_selector("#notes-form .field-error")
    assert "required" in host.inner_text("[data-wraps=attendees] .field-error").lower()
    assert host.get_attribute("#f-attendees", "aria-invalid") == "true"
    assert host.locator("#n-sentiment .field-error").count() == 1
    assert host.locator("#c0-text[aria-invalid=true]").count() == 1
    assert host.locator(".error-summary li").count() >= 3
    screenshot(host, "host-notes-field-errors")
    check_accessibility(host, "host: notes form with errors")

    host.fill("#c0-text", "The streetlight by the library has been out for weeks")
    host.fill("#f-attendees", "6")
    host.click("label[for=sentiment-4]")
    host.click("#notes-form button[type=submit]")
    host.wait_for_selector("#notes-status:has-text('Filed')")
    assert host.locator("#notes-form .field-error").count() == 0

    def counted() -> bool:
        supervisor.reload()
        supervisor.wait_for_selector("#fig-notes")
        # The notes, and the 90-minute meeting as 1.5 engagement hours (beside contacts counted since).
        contacts_since = _contact_hours(stack) - contact_hours_before
        hours = _number(supervisor, "#fig-hours")
        return _int(supervisor, "#fig-notes") == before + 1 and abs(hours - hours_before - 1.5 - contacts_since) < 0.051

    _eventually(supervisor, counted, timeout_s=60, every_s=1)  # a full run keeps both cores busy

    # "In plain words" comes from synthesis, which analyses the note a moment later: the page says
    # it is waiting, then shows the analysed figures by itself — never "no notes were filed".
    def summarised() -> bool:
        text = supervisor.inner_text("#summary")
        assert "No notes were filed" not in text, text
        if "raised" in text:
            return True
        supervisor.reload()  # the page's own refresh gives up after two minutes (a model still loading)
        supervisor.wait_for_selector("#summary[aria-busy]", state="detached")
        return False

    _eventually(supervisor, summarised, timeout_s=120, every_s=5)
    assert "Incidents so far" in supervisor.inner_text("#crime")  # this month is not over
    supervisor.wait_for_selector("#topics td:has-text('street lighting')")
    screenshot(supervisor, "supervisor-district")
    check_accessibility(supervisor, "supervisor: district page")
    for page in (host, supervisor):
        page.context.close()


def test_dragging_a_card_moves_it_on_a_second_open_board(stack, browser) -> None:  # type: ignore[no-untyped-def]
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "supervisor", "district": stack.district}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    api = stack.urls["projects"]
    today = date.today()
    priority = httpx.post(
        f"{api}/v1/priorities",
        json={
            "title": "Safer walks home",
            "district": stack.district,
            "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
        },
        headers=auth,
    )
    assert priority.status_code == 201, priority.text
    # The department the card belongs to (409: it exists already, as in the demo city).
    department = httpx.post(
        f"{api}/v1/departments",
        json={"code": "public-works", "name": "Public Works", "kind": "public_works"},
        headers=auth,
    )
    assert department.status_code in (201, 409), department.text
    project = httpx.post(
        f"{api}/v1/projects",
        json={
            "priority_id": priority.json()["id"],
            "title": "Fix the streetlights on Elm St",
            "department": "public-works",
            "remedy_kind": "physical",
            "starts_on": today.isoformat(),
            "due_on": (today + timedelta(days=10)).isoformat(),
        },
        headers=auth,
    )
    assert project.status_code == 201, project.text
    card = project.json()
    assert card["status"] in ("proposed", "planned")
    target = "in_progress" if card["status"] == "planned" else "planned"

    pages = []
    for _ in range(2):
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        sign_in(page, stack.web, "supervisor", stack.district)
        page.wait_for_selector("#board-columns[data-live=true]")
        pages.append(page)
    mover, watcher = pages
    selector = f"li.board-card[data-id='{card['id']}']"
    watcher.wait_for_selector(f".column[data-status={card['status']}] {selector}")

    mover.locator(selector).drag_to(mover.locator(f".column[data-status={target}]"))
    mover.wait_for_selector(f".column[data-status={target}] {selector}")
    # The other browser was not touched: the move arrives over SSE.
    watcher.wait_for_selector(f".column[data-status={target}] {selector}", timeout=5000)
    screenshot(watcher, "supervisor-board-after-move")

    # From the keyboard, without dragging: the card's "Move to" control, on the other browser.
    back = card["status"]
    watcher.locator(f"{selector} select").select_option(back)
    watcher.locator(f"{selector} button:has-text('Move')").press("Enter")
    mover.wait_for_selector(f".column[data-status={back}] {selector}", timeout=5000)
    for page in pages:
        page.context.close()


ROLE_PAGES = [
    ("officer", "Log a positive contact", "officer-home"),
    ("liaison", "Meetings & notes", "host-meetings"),
    ("analyst", "City", "leadership-city"),
    ("partner", "Project board", "partner-board"),
]


@pytest.mark.parametrize(("role", "heading", "shot"), ROLE_PAGES)
def test_each_role_sees_its_own_pages_accessibly(stack, browser, role: str, heading: str, shot: str) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context().new_page()
    page.goto(stack.web + "/")
    page.wait_for_selector("#role-officer")
    if role == "officer":
        screenshot(page, "sign-in")
        check_accessibility(page, "sign-in")
    sign_in(page, stack.web, role, None if role in ("analyst", "partner") else stack.district)
    page.wait_for_selector(f"h1:has-text('{heading}')")
    page.wait_for_function("() => !document.querySelector('[aria-busy=true]')")
    screenshot(page, shot)
    check_accessibility(page, f"{role}: {heading}")
    nav = page.inner_text("#nav")
    if role in ("officer", "partner"):
        assert "District" not in nav and "City" not in nav
        page.goto(stack.web + "/#/district")
        page.wait_for_selector("h1:has-text('Not for your role')")
    if role == "analyst":
        assert "City" in nav and "Log a contact" not in nav
        page.wait_for_selector("#district-table tbody tr")
        row = page.locator(f"#district-table tr:has(a:has-text('Test {stack.district}'))")
        assert row.count() == 1
        # Its dominant topic (the note the host filed above) with its count allowing for the model's
        # mistakes, and a sentence saying what "about" means.
        if row.locator(".dominant").count():
            estimate = row.locator(".estimate").inner_text()
            assert re.fullmatch("about \\d+ \\(\\d+\N{EN DASH}\\d+\\)|exactly \\d+", estimate), estimate
            assert "9 in 10 chance" in page.inner_text("#city-estimate-note")
        # This month is still under way: its incidents are not compared with a whole month.
        headers = page.inner_text("#district-table thead")
        assert "Incidents so far" in headers and "vs last month" not in headers
        page.goto(stack.web + "/#/city/2026-01")
        page.wait_for_selector("#district-table thead:has-text('vs last month')")
        page.goto(stack.web + "/#/city")
        page.wait_for_selector("#district-table tbody tr")
        # The monthly report opens from the city page (fetched with the token, shown as a page).
        with page.expect_popup(timeout=30000) as popup:
            page.click("#open-report")
        report = popup.value
        report.wait_for_load_state()
        assert report.locator("body").inner_text().strip(), "the report has content"
    page.context.close()


def test_a_district_supervisor_sees_their_district_only(stack, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context().new_page()
    sign_in(page, stack.web, "supervisor", stack.district)
    # Lands on their own district; the switcher offers no other; no city page in the menu.
    page.wait_for_selector(f"h1:has-text('Test {stack.district}')")
    options = page.locator("#pick-district option")
    assert options.count() == 1 and options.first.get_attribute("value") == stack.district
    assert "City" not in page.inner_text("#nav")
    page.goto(f"{stack.web}/#/district/A1")
    page.wait_for_selector("h1:has-text('Not your district')")
    page.click(f"a:has-text('Go to district {stack.district}')")
    page.wait_for_selector(f"h1:has-text('Test {stack.district}')")
    page.goto(f"{stack.web}/#/city")
    page.wait_for_selector("h1:has-text('Not for your role')")
    assert f"You see district {stack.district}" in page.inner_text("main")
    check_accessibility(page, "district supervisor: city page refused")

    # A supervisor without a district claim keeps the whole city: every district, the city page.
    city_wide = browser.new_context().new_page()
    sign_in(city_wide, stack.web, "supervisor", None)
    city_wide.wait_for_selector("#pick-district option", state="attached")
    assert city_wide.locator("#pick-district option").count() > 1
    assert "City" in city_wide.inner_text("#nav")
    city_wide.goto(f"{stack.web}/#/city")
    city_wide.wait_for_selector("#district-table tbody tr")
    for p in (page, city_wide):
        p.context.close()
