"""Issue 14 item 3 in Chromium: a supervisor makes an emerging topic a topic. A bad name gets a
sentence next to the field (not the browser's "Please match the requested format"); "Preview"
lists the concerns that would move and the counts before → after; "Cancel" changes nothing;
"Confirm" promotes, and the page's table and summary name the topic as it was named."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from support import bearer
from ui.helpers import screenshot, sign_in
from ui.test_connections_page import _publish

from porchlight.dashboard.months.period import Month
from porchlight.events import NoteSubmitted
from porchlight.events.catalog import Concern

pytestmark = [pytest.mark.integration, pytest.mark.browser]

# Not the very statements of tests/synthesis/test_promotion_preview.py: a correction made there is
# learned for the same statement by the model the whole session shares.
BOWLING = [
    "Lawn bowlers say the city's bowling ordinance treats them unfairly.",
    # (Not "...unfair to the older bowlers": the demo taxonomy's lawn phrases claim it at 0.33.)
    "The lawn bowling ordinance hurts our club members.",
    "Please rethink the bowling ordinance, lawn bowlers are upset.",
    "Our lawn bowling league feels singled out by the new ordinance.",
]
UNRELATED = [
    "Cable TV providers should include all local channels.",
    "Educate high schoolers on their options after they graduate",
    "Refugees should be required to learn and speak english.",
    "Legalizing marijuana would be a boon for the economy.",
    "Homelessness is for the nonprofit sector to deal with, not government.",
    "There is too much bullying in our schools that administrators are ignoring.",
    "Invest in the youth.",
    "Vaping should not be added to the smoking ordinance.",
    "Zoning changes should only be made with the consent of a majority of the neighbors in the affected area.",
    "Companies that claim they cannot fill job openings should raise wages and improve working conditions.",
    "I should be allowed to keep my yard & home in any manner I please.",
    "big projeck in city sould be vote by people",
    "Local schools should help make up the pension fund crisis by learning to live with budget cuts.",
    "We need to offer free full panel STD testing to students and low income families",
    "Working folks need ordinances struck down that prevent them from assembling to bargain for better pay.",
]
NAME = "Lawn bowling rules"


def _bowling(cluster: dict[str, Any]) -> bool:
    return any(w.startswith("bowl") for w in cluster["words"])


def _get(stack: Any, path: str, **params: Any) -> Any:
    headers = bearer(stack.settings, "supervisor")
    r = httpx.get(f"{stack.web}/api/synthesis{path}", params=params, headers=headers, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_supervisor_previews_cancels_then_confirms_a_promotion(stack, browser) -> None:  # type: ignore[no-untyped-def]
    d = stack.district
    this = Month.parse(None)
    held = max(this.utc(this.start) + timedelta(minutes=1), datetime.now(UTC) - timedelta(minutes=30))
    notes = [
        NoteSubmitted(note_id=uuid.uuid4(), host_id="host-promotion", district=d, neighborhood="roxbury",
                      submitted_at=held, held_at=held, attendees=3, concerns=[Concern(text=t)])
        for t in BOWLING + UNRELATED
    ]  # fmt: skip
    _publish(stack.settings, notes)
    q = {"district": d, "from": this.start.isoformat(), "to": datetime.now(UTC).date().isoformat()}
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        insight = _get(stack, "/v1/insights", **q)
        if any(_bowling(c) for c in insight["emerging"]):
            break
        time.sleep(1)
    [cluster] = [c for c in insight["emerging"] if _bowling(c)]
    assert len(cluster["concern_ids"]) == len(BOWLING)
    taxonomy = _get(stack, "/v1/taxonomy")

    page = browser.new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, stack.web, "supervisor", d)
    page.goto(f"{stack.web}/#/district/{d}/{this.label}")
    item = page.locator("#emerging li", has_text="bowl")
    item.wait_for()
    field = item.locator(f"#topic-{cluster['cluster_id']}")

    # A bad name: the page's own sentence next to the field, the browser's never; nothing is asked.
    field.fill("!!")
    item.locator("button.preview-promotion").click()
    error = item.locator(f"#topic-{cluster['cluster_id']}-error")
    assert "starts with a letter" in error.inner_text()
    assert field.get_attribute("aria-invalid") == "true"
    assert field.evaluate("el => el.validationMessage") == ""  # no browser pattern to fail
    assert item.locator(".moving-concerns").count() == 0

    # Preview: the concerns that would move, and the counts before → after; then Cancel.
    field.fill(NAME)
    item.locator("button.preview-promotion").click()
    item.locator(".moving-concerns li").first.wait_for()
    assert error.inner_text() == ""
    moving = item.locator(".moving-concerns li").all_inner_texts()
    assert sorted(m.split("”")[0].strip("“") for m in moving) == sorted(BOWLING)
    assert all("roxbury" in m for m in moving)
    counts = item.locator(".promotion-counts tbody tr")
    assert counts.count() == 2
    new_row = item.locator(".promotion-counts tbody tr[data-topic='lawn_bowling_rules']")
    assert new_row.locator("th").inner_text() == NAME
    assert new_row.locator("td").nth(0).inner_text() == "0 → 4" and new_row.locator("td").nth(1).inner_text() == "0 → 4"
    left = item.locator(".promotion-counts tbody tr[data-topic='unassigned'] td").nth(1).inner_text()
    before, after = (int(x) for x in left.split(" → "))
    assert before == insight["unassigned"] and after == before - 4
    screenshot(page, "promotion-preview")
    item.locator("button.cancel-promotion").click()
    assert item.locator(".moving-concerns").count() == 0
    assert _get(stack, "/v1/taxonomy")["version"] == taxonomy["version"]
    assert [c["cluster_id"] for c in _get(stack, "/v1/insights", **q)["emerging"] if _bowling(c)] == [
        cluster["cluster_id"]
    ]

    # Preview again and confirm: the topic appears under its name in the table and the summary.
    item.locator("button.preview-promotion").click()
    item.locator("button.confirm-promotion").click()
    page.wait_for_selector("#topic-table tbody tr[data-topic='lawn_bowling_rules']")
    row = page.locator("#topic-table tbody tr[data-topic='lawn_bowling_rules']")
    assert NAME in row.inner_text()
    page.wait_for_function(
        "name => document.getElementById('summary').innerText.includes(name + ' was raised in 4 notes')", arg=NAME
    )
    assert "“bowl" not in page.inner_text("#summary")
    assert page.locator("#emerging li", has_text="bowl").count() == 0
    screenshot(page, "promotion-confirmed")
    assert errors == []
    page.context.close()

    # Put the city's topics back for the other tests.
    after_tax = _get(stack, "/v1/taxonomy")
    assert [t["label"] for t in after_tax["topics"] if t["name"] == "lawn_bowling_rules"] == [NAME]
    restore = {"city": taxonomy["city"], "topics": taxonomy["topics"]}
    r = httpx.put(
        f"{stack.web}/api/synthesis/v1/taxonomy", json=restore, headers=bearer(stack.settings, "supervisor"), timeout=30
    )
    assert r.status_code == 200, r.text
