"""The district page's sentiment panel, fed by sentiment.scored (issue 17), in a real browser.

A note goes the whole way: on the broker as intake sends it, analysed by synthesis, whose
sentiment.scored the dashboard keeps. The panel then shows the model's reading (its share of
positive notes, of how many analysed notes) beside the hosts' own 1-5 rating.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx
import pytest
from support import bearer
from ui.helpers import sign_in
from ui.test_connections_page import _publish

from porchlight.events import NoteSubmitted
from porchlight.events.catalog import Concern

pytestmark = [pytest.mark.integration, pytest.mark.browser]

MONTH = "2024-03"  # a month of its own: no other browser test files notes in it
HELD = datetime(2024, 3, 12, 18, tzinfo=UTC)


def test_the_model_reading_shows_beside_the_hosts_rating(stack, browser) -> None:  # type: ignore[no-untyped-def]
    d = stack.district
    note = NoteSubmitted(
        note_id=uuid.uuid4(), host_id="host-sentiment-ui", district=d, submitted_at=HELD, held_at=HELD,
        attendees=4, sentiment=2, concerns=[Concern(text="Thank you, the new playground is wonderful")],
    )  # fmt: skip
    _publish(stack.settings, [note])
    headers = bearer(stack.settings, "analyst")
    deadline = time.monotonic() + 120  # synthesis may still be loading its model
    trend: dict[str, int] = {}
    while time.monotonic() < deadline:
        r = httpx.get(f"{stack.web}/v1/districts/{d}/page?month={MONTH}", headers=headers, timeout=10).json()
        trend = r["sentiment"]["trend"][-1]
        if trend["positive"] + trend["neutral"] + trend["negative"] == 1:
            break
        time.sleep(1)
    assert trend["positive"] + trend["neutral"] + trend["negative"] == 1, trend  # the model's reading arrived

    page = browser.new_context().new_page()
    sign_in(page, stack.web, "supervisor", d)
    page.goto(f"{stack.web}/#/district/{d}/{MONTH}")
    page.wait_for_selector("#fig-model-sentiment")
    panel = page.inner_text("#sentiment")
    assert "Hosts' rating" in panel and "2.0 / 5" in page.inner_text("#fig-sentiment"), panel
    model = page.inner_text("#fig-model-sentiment")
    assert "as the model read them" in panel
    assert f"{trend['positive']} of 1 analysed note" in model, model
    assert model.startswith("100 %" if trend["positive"] else "0 %"), model
    page.context.close()
