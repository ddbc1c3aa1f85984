"""Issue 14, "every figure opens what it counts", in Chromium: each figure of the district page is a
link to the list behind it, whose total row says the figure clicked; the city page's totals open
their breakdown by district. Each list passes axe and reflows at 200 % zoom."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import bearer
from ui.helpers import sign_in
from ui.test_connections_page import _publish
from ui.test_every_page import check_page

from porchlight.dashboard.months.period import Month
from porchlight.events import ContactLogged, MeetingScheduled, NoteSubmitted
from porchlight.events.catalog import Concern

pytestmark = [pytest.mark.integration, pytest.mark.browser]

POINT = {"lat": 42.34, "lon": -70.98}  # inside the stack's own district (tests/ui/conftest.py)
# The district page's figure links, the list each opens and the id of that list's total.
FIGURES = [
    ("#meetings-hosted-link", "meetings", "#sources-total-meetings"),
    ("#residents-reached-link", "residents", "#sources-total-residents"),
    ("#contacts-link", "contacts", "#sources-total-contacts"),
    ("#engagement-hours-link", "hours", "#sources-total-hours"),
    ("#incidents-link", "incidents", "#sources-total-incidents"),
]


def seed(stack: Any, held: datetime) -> None:
    """A meeting of 45 minutes with its notes, notes filed without a meeting, contacts of two kinds
    and incidents of two categories, all in the stack's district this month."""
    d, meeting, tag = stack.district, uuid.uuid4(), uuid.uuid4().hex[:6]
    note = dict(
        host_id="host-figures",
        district=d,
        submitted_at=held,
        held_at=held,
        sentiment=3,
        concerns=[Concern(text="the underpass is dark at night")],
    )
    _publish(stack.settings, [
        MeetingScheduled(meeting_id=meeting, district=d, host_id="host-figures", venue_type="library",
                         starts_at=held, duration_minutes=45),
        NoteSubmitted(note_id=uuid.uuid4(), meeting_id=meeting, attendees=5, **note),
        NoteSubmitted(note_id=uuid.uuid4(), attendees=3, **note),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-figures", unit="CPU", district=d,
                      contact_type="conversation", minutes=25, residents_reached=2, occurred_at=held),
        ContactLogged(contact_id=uuid.uuid4(), officer_id="off-figures", unit="CPU", district=d,
                      contact_type="youth_activity", minutes=60, residents_reached=9, occurred_at=held),
    ])  # fmt: skip
    analyst = bearer(stack.settings, "analyst")
    for i, (category, code) in enumerate((("Burglary", "220"), ("Burglary", "220"), ("Vandalism", "290"))):
        body = {"department": "police", "layer": "incident", "category": category, "attributes": {"nibrs_code": code},
                "external_id": f"F-{tag}-{i}", "point": POINT, "opened_at": held.isoformat()}  # fmt: skip
        r = httpx.post(f"{stack.urls['layers']}/v1/records", headers=analyst, json=body, timeout=10)
        assert r.status_code == 200, r.text


def arrived(stack: Any, month: Month) -> None:
    headers = bearer(stack.settings, "supervisor")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        r = httpx.get(f"{stack.web}/v1/districts/{stack.district}/page?month={month.label}", headers=headers)
        page = r.json() if r.status_code == 200 else None
        if (
            page
            and page["engagement"]["contacts"] >= 2
            and page["engagement"]["notes"] >= 2
            and page["crime"]["total"] >= 3
        ):
            return
        time.sleep(0.5)
    raise AssertionError("the seeded events never reached the district page")


def test_each_district_figure_opens_a_list_whose_total_is_that_figure(stack: Any, browser: Any) -> None:
    this = Month.parse(None)
    held = max(this.utc(this.start) + timedelta(minutes=1), datetime.now(UTC) - timedelta(minutes=30))
    seed(stack, held)
    arrived(stack, this)
    d = stack.district
    context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
    page = context.new_page()
    try:
        sign_in(page, stack.web, "supervisor", d)
        home = f"{stack.web}/#/district/{d}/{this.label}"
        for link, kind, total in FIGURES:
            page.goto(home)
            page.wait_for_selector(link)
            figure = page.inner_text(link)
            page.click(link)
            page.wait_for_selector(total)
            assert page.url.endswith(f"/sources/{kind}"), page.url
            assert page.inner_text(total) == figure, f"{kind}: the list's total is not the figure clicked"
            # A month under way is said to be "so far" where the list says what it counts.
            assert "so far" in page.inner_text("#sources-table caption"), kind
            check_page(page, f"the {kind} behind the figure", f"figure-sources-{kind}")
            if kind == "meetings":
                rows = page.inner_text("#sources-table tbody")
                assert "Library (45 min)" in rows and "Notes filed without a scheduled meeting" in rows
                assert "hosted by host-figures" in rows  # a supervisor sees who hosted
            if kind == "hours":
                # Each part opens its own list, whose total is the part.
                part = page.locator("#sources-table tbody tr").first
                hours = part.locator("td").nth(1).inner_text()
                part.locator("a.sources-part").click()
                page.wait_for_selector("#sources-total-meeting-hours")
                assert page.inner_text("#sources-total-meeting-hours") == hours
            page.click("#sources-back")
            page.wait_for_selector(link)

        # A category of the crime panel opens its records; a record opens what layers holds.
        page.goto(home)
        page.wait_for_selector("#crime-categories a.crime-category-link:has-text('Burglary')")
        page.click("#crime-categories a.crime-category-link:has-text('Burglary')")
        page.wait_for_selector(".record-list .open-record")
        assert all("Burglary" in t for t in page.locator(".record-list .open-record").all_inner_texts())
        page.locator(".record-list .open-record").first.click()
        page.wait_for_selector("#record-detail h2", timeout=60000)  # a full run keeps both cores busy
        assert "Burglary — police" in page.inner_text("#record-detail h2")
        check_page(page, "an incident record", "figure-sources-record")
        context.close()

        # Leadership: each city total opens its breakdown by district, totalling the figure.
        context = browser.new_context(viewport={"width": 1280, "height": 900}, device_scale_factor=2)
        page = context.new_page()
        sign_in(page, stack.web, "analyst")
        for kind in ("meetings", "contacts", "hours", "incidents"):
            page.goto(f"{stack.web}/#/city/{this.label}")
            page.wait_for_selector(f"#city-total-{kind}")
            figure = page.inner_text(f"#city-total-{kind}")
            page.click(f"#city-total-{kind}")
            page.wait_for_selector("#sources-total-city")
            assert page.inner_text("#sources-total-city") == figure, kind
            if kind == "meetings":
                check_page(page, "a city total by district", "figure-sources-city")
        # A district's figure there opens that district's list.
        page.click(f"#sources-table a[href='#/district/{d}/{this.label}/sources/incidents']")
        page.wait_for_selector("#sources-total-incidents")
    finally:
        context.close()
