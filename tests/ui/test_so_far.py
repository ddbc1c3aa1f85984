"""A month under way in Chromium: the city page's "Open the report" opens the last complete month;
the district page's topic trends say "so far" and set each topic against the same days of last
month; the report's charts have one labelled unit each and nothing (legends included) clipped."""

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

TEXT = "The gate of the little park on Elm Street is broken and children run into the road"
UNITS = {"hours", "incidents", "notes that raised it", "projects", "rating, 1-5"}


def _notes(d: str, held: list[datetime]) -> list[NoteSubmitted]:
    return [
        NoteSubmitted(note_id=uuid.uuid4(), host_id="host-so-far", district=d, submitted_at=h, held_at=h,
                      attendees=3, sentiment=3, concerns=[Concern(text=TEXT, topic="parks")])
        for h in held
    ]  # fmt: skip


def test_the_city_report_opens_on_the_last_complete_month_with_whole_charts(stack, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context().new_page()
    sign_in(page, stack.web, "analyst")
    page.goto(stack.web + "/#/city")
    page.wait_for_selector("#open-report")
    last = Month.parse(None).shift(-1).start.strftime("%B %Y")
    assert f"for {last} (the last complete month)" in page.inner_text("#report")
    assert "so far" in page.inner_text("#totals")
    with page.expect_popup(timeout=30000) as popup:
        page.click("#open-report")
    report = popup.value
    report.wait_for_load_state()
    assert report.title().startswith(f"Community report — {last} — ")
    assert "so far" not in report.locator("body").inner_text()
    charts = report.locator("svg")
    assert charts.count() >= 4
    for i in range(charts.count()):
        svg = charts.nth(i)
        box = svg.bounding_box()
        texts = svg.locator("text")
        said = {texts.nth(k).text_content() for k in range(texts.count())}
        if said & {"No micro-projects yet", "No concerns filed this month"}:
            continue
        assert len(said & UNITS) == 1, said  # one measure, one axis, its unit written on it
        for k in range(texts.count()):  # every title, label and legend entry whole, inside its chart
            t = texts.nth(k).bounding_box()
            assert t is not None and box is not None
            assert t["x"] >= box["x"] - 0.5 and t["x"] + t["width"] <= box["x"] + box["width"] + 0.5, said
            assert t["y"] >= box["y"] - 0.5 and t["y"] + t["height"] <= box["y"] + box["height"] + 0.5, said
    page.context.close()


def test_topic_trends_of_a_month_under_way_are_so_far_and_like_with_like(stack, browser) -> None:  # type: ignore[no-untyped-def]
    d = stack.district
    now = datetime.now(UTC)
    this = Month.parse(None)
    prev = this.shift(-1)
    start = this.utc(this.start)
    held = max(start, now - timedelta(minutes=5))
    late = prev.utc(prev.end) - timedelta(hours=1)  # last month's last day: outside days 1..today
    late_counts = late < prev.utc(prev.start) + timedelta(days=now.day)
    same_day = prev.utc(prev.start) + (held - start)
    _publish(stack.settings, _notes(d, [held]) + _notes(d, [same_day]) + _notes(d, [late] * 6))

    # Whatever topic the model gives the text, last month as a whole holds 6 more of it than its
    # same days: the table must show the same days.
    headers = bearer(stack.settings, "analyst")
    deadline = time.monotonic() + 90
    whole: dict[str, int] = {}
    while time.monotonic() < deadline:
        r = httpx.get(f"{stack.web}/v1/districts/{d}/page?month={prev.label}", headers=headers, timeout=10).json()
        whole = {c["topic"]: c["count"] for c in r["top_concerns"]}
        if any(n >= 7 for n in whole.values()):
            break
        time.sleep(1)
    page = browser.new_context().new_page()
    sign_in(page, stack.web, "supervisor", d)
    page.goto(f"{stack.web}/#/district/{d}/{this.label}")
    page.wait_for_selector("#topic-table tbody tr")
    heads = page.inner_text("#topic-table thead")
    assert "Notes so far" in heads and "Same days last month" in heads
    assert "so far" in page.inner_text("#topic-table caption")
    assert "so far" in page.inner_text("#engagement")
    rows = page.locator("#topic-table tbody tr")
    seen = False
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        topic = rows.nth(i).get_attribute("data-topic") or ""  # the row's topic code (its cell shows the name)
        before = int(cells.nth(3).inner_text().replace(",", ""))
        if whole.get(topic, 0) >= 7:
            seen = True
            assert before == (whole[topic] if late_counts else whole[topic] - 6), (topic, before, whole)
            if not late_counts:
                assert "▼" not in cells.nth(4).inner_text()  # 1 against 1, not against 7
    assert seen, whole
    # The district page's own chart says its unit, and the month's rating is "so far" too.
    assert page.locator("#sentiment svg text.axis-unit").count() == 1 or not page.locator("#sentiment svg").count()
    page.wait_for_selector("#sentiment:has-text('rating')")
    said = page.inner_text("#sentiment")
    assert "Hosts' rating so far" in said and "in all of last month" in said, said
    page.context.close()
