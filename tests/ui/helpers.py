"""What the browser tests share: the browser's path and flags, axe-core, screenshots, the demo sign-in
and scheduling a meeting."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SCREENSHOTS = Path(__file__).parents[1] / "artifacts" / "screenshots"
# What a person must never read in a message: a pattern, a parser's words, an API's field path.
DEVELOPER_WORDS = re.compile(
    r"\^|\[a-z\]|String should|Input should|valid datetime|Invalid input|BCP 47|Value error|body\.|meeting_id"
)


def run_async(coro: Coroutine[Any, Any, Any], timeout: float = 60) -> Any:
    """Run a coroutine to its end in a thread of its own: once a test has a browser, Playwright's
    sync API owns this thread's event loop and ``asyncio.run`` here refuses to start."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout=timeout)


def check_accessibility(page: Any, what: str) -> None:
    """axe-core (vendored from npm, MPL-2.0) on the page as it stands: no WCAG 2.1 A/AA violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated by the driver rather than added as a <script>: the app's CSP refuses inline scripts.
        page.evaluate(AXE.read_text() + "\n;undefined")
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
             values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"""
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in result["violations"]
    ]
    assert not problems, f"{what}: accessibility violations:\n" + "\n".join(problems)
    assert result["passes"], f"{what}: axe checked nothing"


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def sign_in(page: Any, base: str, role: str, district: str | None = None, department: str | None = None) -> None:
    """The demo sign-in as a person does it: pick the district and the role (a partner: the
    department), press Sign in."""
    page.goto(base + "/#/signin")
    page.wait_for_selector("#role-officer")
    page.select_option("#district", district or "")
    page.click(f"label[for=role-{role}]")
    if department:
        page.select_option("#department", department)
    page.click("form button[type=submit]")
    page.wait_for_selector(f"#who:has-text('demo-{role}')")


def local_time(seconds_from_now: float) -> str:
    """A moment as a datetime-local field takes it (the browser's local time, to the minute)."""
    return time.strftime("%Y-%m-%dT%H:%M", time.localtime(time.time() + seconds_from_now))


def schedule_meeting(page: Any, place: str, starts_at: str) -> None:
    """Schedule a library meeting at ``place`` from the meetings page; wait for its row in "My meetings"."""
    page.fill("#f-starts-at", starts_at)
    page.select_option("#f-venue-type", "library")
    page.fill("#f-place-place-name", place)
    page.click("#schedule-form button[type=submit]")
    page.wait_for_selector(f"#meeting-list tr:has(td:has-text('{place}'))")


def a_card_in(stack: Any, district: str, title: str = "Fix the streetlights on the path") -> dict[str, Any]:
    """A proposed micro-project of Public Works in ``district``, filed by that district's supervisor."""
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "supervisor", "district": district}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    projects = stack.urls["projects"]
    today = date.today()
    httpx.post(f"{projects}/v1/departments", json={"code": "public-works", "name": "Public Works"}, headers=auth)
    priority = httpx.post(
        f"{projects}/v1/priorities",
        json={"title": "Lit paths", "district": district, "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}"},
        headers=auth,
    )
    assert priority.status_code == 201, priority.text
    card = httpx.post(
        f"{projects}/v1/projects",
        json={
            "priority_id": priority.json()["id"],
            "title": title,
            "department": "public-works",
            "remedy_kind": "physical",
            "starts_on": today.isoformat(),
            "due_on": (today + timedelta(days=7)).isoformat(),
        },
        headers=auth,
    )
    assert card.status_code == 201, card.text
    return card.json()
