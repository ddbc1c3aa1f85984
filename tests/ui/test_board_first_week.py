"""The shared board in a department's first week (issue 14, item 7), in Chromium: a card says
where its work is, a partner takes and completes a task, and a draft win reaches the
supervisor's open board without a reload — with its capitals — to be edited, sent back to its
author's department (who fix it and send it again) and approved.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from ui.helpers import check_accessibility, screenshot

from porchlight.kit.auth import mint_token

pytestmark = [pytest.mark.integration, pytest.mark.browser]

WIN = "We did it: Tuesday evening foot patrol on Centre St, with residents walking along."
PLACE = "Centre St at Hyde Square"


def _open(browser: Any, web: str, token: str, page_hash: str) -> Any:
    """A browser signed in with ``token`` (saved as the app keeps a session), on ``page_hash``."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(web + "/#/signin")
    page.evaluate("t => localStorage.setItem('porchlight.session', JSON.stringify({ token: t }))", token)
    page.goto(web + "/" + page_hash)
    page.reload()
    page.wait_for_selector("#board-columns[data-live=true]", timeout=20000)
    return page


def test_a_partner_works_the_tasks_and_a_supervisor_reviews_the_win_live(stack, browser) -> None:  # type: ignore[no-untyped-def]
    s = stack.settings
    boss = mint_token(s, subject="sgt-ortiz", roles=["supervisor"], district=stack.district)
    partner = mint_token(s, subject="pw-dana", roles=["partner"], department="public-works")
    api = stack.urls["projects"]

    def call(method: str, path: str, token: str, body: Any = None) -> httpx.Response:
        return httpx.request(method, api + path, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)

    today = date.today()
    r = call("POST", "/v1/departments", boss, {"code": "public-works", "name": "Public Works", "kind": "public_works"})
    assert r.status_code in (201, 409), r.text
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    r = call(
        "POST", "/v1/priorities", boss, {"title": "Safer walks home", "district": stack.district, "quarter": quarter}
    )
    assert r.status_code == 201, r.text
    body = {
        "priority_id": r.json()["id"],
        "title": "Tuesday evening foot patrol on Centre St",
        "place": PLACE,
        "department": "public-works",
        "remedy_kind": "positive_activity",
        "starts_on": today.isoformat(),
        "due_on": (today + timedelta(days=10)).isoformat(),
        "win_text": WIN,
        "owner": "pw-dana",
        "tasks": [{"title": "Set the route with residents"}, {"title": "Walk the first Tuesday"}],
    }
    r = call("POST", "/v1/projects", boss, body)
    assert r.status_code == 201, r.text
    card = r.json()
    version = card["version"]
    for to in ("planned", "in_progress"):
        r = call("POST", f"/v1/projects/{card['id']}/moves", partner, {"to": to, "version": version})
        assert r.status_code == 200, r.text
        version = r.json()["version"]

    works = _open(browser, stack.web, partner, "#/board")
    supervisor = _open(browser, stack.web, boss, f"#/district/{stack.district}")
    on_card = f"li.board-card[data-id='{card['id']}']"

    # The card says where: its district and its place.
    where = works.inner_text(f"{on_card} .where")
    assert stack.district in where and PLACE in where, where

    # The partner opens the tasks, takes one and ticks both off.
    works.click(f"{on_card} .card-tasks summary")
    first, second = (t["id"] for t in card["tasks"])
    works.click(f"li.task[data-task='{first}'] button.take")
    works.wait_for_selector(f"li.task[data-task='{first}']:has-text('yours')")
    for task in (first, second):
        works.check(f"#task-{task}")
        works.wait_for_selector(f"li.task[data-task='{task}'][data-done=true]")
    works.wait_for_selector(f"{on_card} .card-tasks summary:has-text('Tasks 2/2')")
    tasks = call("GET", f"/v1/projects/{card['id']}", boss).json()["tasks"]
    assert [(t["done"], t["completed_by"]) for t in tasks] == [(True, "pw-dana"), (True, "pw-dana")]
    assert {t["id"]: t["assignee"] for t in tasks}[first] == "pw-dana"  # the one taken
    screenshot(works, "partner-board-tasks-done")

    # Done: the draft win reaches the supervisor's open board at once, capitals and all.
    works.locator(f"{on_card} select").select_option("done")
    works.locator(f"{on_card} button:has-text('Move')").click()
    item = "#board-wins li.win"
    supervisor.wait_for_selector(f"{item} .win-title:text-is('{WIN}')", timeout=5000)
    screenshot(supervisor, "supervisor-board-draft-win")

    # Edited by the supervisor.
    supervisor.click(f"{item} button:has-text('Edit')")
    edited = "Tuesday evening foot patrols walk Centre St"
    supervisor.fill(f"{item} input[name=title]", edited)
    supervisor.click(f"{item} button:has-text('Save')")
    supervisor.wait_for_selector(f"{item} .win-title:text-is('{edited}')")

    # Sent back: without a reason it says what is missing, next to the field.
    supervisor.click(f"{item} button:has-text('Send back')")
    supervisor.click(f"{item} form.win-form button[type=submit]")
    supervisor.wait_for_selector(f"{item} textarea[name=reason][aria-invalid=true]")
    assert supervisor.inner_text(f"{item} .win-form .field-error").strip()
    supervisor.fill(f"{item} textarea[name=reason]", "Say which blocks, and thank the residents.")
    supervisor.click(f"{item} form.win-form button[type=submit]")
    supervisor.wait_for_selector(item, state="detached")

    # It reaches its department's open board with the reason; they fix it and send it again.
    works.wait_for_selector(f"{item} .win-reason:has-text('Say which blocks')", timeout=5000)
    check_accessibility(works, "partner: board with tasks and a win sent back")
    screenshot(works, "partner-board-win-sent-back")
    works.click(f"{item} button:has-text('Edit')")
    works.fill(
        f"{item} textarea[name=body]", "From Hyde Square to Jackson Square, every Tuesday. Thank you, neighbors!"
    )
    works.click(f"{item} button:has-text('Save')")
    works.wait_for_selector(f"{item} .win-body:has-text('Thank you, neighbors!')")
    works.click(f"{item} button:has-text('Send for approval again')")
    works.wait_for_selector(item, state="detached")

    supervisor.wait_for_selector(f"{item} .win-body:has-text('Thank you, neighbors!')", timeout=5000)
    supervisor.click(f"{item} button:has-text('Approve')")
    supervisor.wait_for_selector(item, state="detached")
    wins = call("GET", f"/v1/wins?district={stack.district}&status=published", boss).json()
    [win] = [w for w in wins if w["project_id"] == card["id"]]
    assert win["title"] == edited and win["return_reason"] == "Say which blocks, and thank the residents."
    for page in (works, supervisor):
        page.context.close()
