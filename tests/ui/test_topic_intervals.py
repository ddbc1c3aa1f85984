"""The district page's topic counts with error bars, in Chromium (issue 17): each topic row shows
synthesis' count estimated from the model's calibrated probabilities as "about N (L-H)" (an en dash), and the page says
in plain words what that means."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from ui.helpers import check_accessibility, sign_in
from ui.test_connections_page import _publish

from porchlight.dashboard.months.period import Month
from porchlight.events import NoteSubmitted
from porchlight.events.catalog import Concern

pytestmark = [pytest.mark.integration, pytest.mark.browser]

TEXTS = [
    "The streetlight on our corner has been out for two weeks",
    "Somebody dumped old tires and a couch behind the store",
    "The street lights along the path by the school are dark at night",
]
ABOUT = re.compile(r"^about (\d+) \((\d+)\u2013(\d+)\)$")
EXACTLY = re.compile(r"^exactly \d+$")


def test_district_topics_show_adjusted_counts_with_a_range(stack, browser) -> None:  # type: ignore[no-untyped-def]
    d = stack.district
    this = Month.parse(None)
    held = max(this.utc(this.start), datetime.now(UTC) - timedelta(minutes=5))
    _publish(
        stack.settings,
        [
            NoteSubmitted(note_id=uuid.uuid4(), host_id="host-intervals", district=d, submitted_at=held,
                          held_at=held, attendees=2, sentiment=2, concerns=[Concern(text=t)])
            for t in TEXTS
        ],
    )  # fmt: skip
    page = browser.new_context().new_page()
    sign_in(page, stack.web, "supervisor", d)
    page.goto(f"{stack.web}/#/district/{d}/{this.label}")
    page.wait_for_selector("#topic-table td.estimate", timeout=90000)
    assert "Adjusted for model errors" in page.inner_text("#topic-table thead")
    rows = page.locator("#topic-table tbody tr")
    assert rows.count() >= 1
    abouts = 0
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td")
        said = cells.nth(5).inner_text().strip()
        int(cells.nth(2).inner_text())  # the count as labeled stays a plain number beside it
        if EXACTLY.match(said):  # a topic whose every concern a supervisor labeled (another test's)
            continue
        found = ABOUT.match(said)
        assert found, said
        count, low, high = (int(x) for x in found.groups())
        assert low <= count <= high and high > low, said
        abouts += 1
    assert abouts >= 1
    note = page.inner_text("#estimate-note")
    assert "allow for the model's mistakes" in note
    assert "9 in 10 chance the true number is in the range" in note
    assert "labeled concerns" in note or "corrections" in note
    check_accessibility(page, "district page with adjusted counts")
    page.context.close()
