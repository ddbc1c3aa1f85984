"""A completed project's target-vs-control result in Chromium: on the priority's evaluation page
(measured, in place of the typed figures) and behind the done card's "Result" on the board.

The project is completed in projects without a place; its ``project.completed`` with a place is
then published as completed 100 days ago (the after period whole), so layers evaluates it at once
on the incidents planted around that place and the result travels back to projects.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from layers.test_target_control_service import Place, forget, plant
from shapely.geometry import box
from ui.helpers import check_accessibility, screenshot, sign_in

from porchlight.events import EventProducer, ProjectCompleted
from porchlight.events.catalog import GeoPoint
from porchlight.layers.evaluation.comparison import cells_of

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def _run(coro: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to its end in a thread of its own (Playwright's sync API owns this one's loop)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coro).result(timeout=120)


async def _publish(bootstrap: str, event: ProjectCompleted) -> None:
    producer = EventProducer(bootstrap, idempotent=False)
    await producer.start()
    try:
        await producer.publish(event, source="/porchlight/projects")
    finally:
        await producer.stop()


def test_a_completed_project_shows_its_result_on_the_evaluation_page_and_its_card(stack, browser) -> None:  # type: ignore[no-untyped-def]
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "supervisor", "district": stack.district}).json()
    auth = {"Authorization": f"Bearer {token['token']}"}
    projects = stack.urls["projects"]
    today = date.today()
    title = f"Light the underpass {uuid.uuid4().hex[:6]}"
    priority = httpx.post(
        f"{projects}/v1/priorities",
        json={
            "title": f"Safer paths {uuid.uuid4().hex[:4]}",
            "district": stack.district,
            "quarter": f"{today.year}-Q{(today.month - 1) // 3 + 1}",
            "outcome_measure": "Incidents per month",
            "outcome_before": 12,
        },
        headers=auth,
    ).json()
    httpx.post(f"{projects}/v1/departments", json={"code": "public-works", "name": "Public Works"}, headers=auth)
    project = {
        "priority_id": priority["id"],
        "title": title,
        "place": "Underpass at the garden path",
        "department": "public-works",
        "remedy_kind": "physical",
        "starts_on": today.isoformat(),
        "due_on": (today + timedelta(days=6)).isoformat(),
        "tasks": [],
    }
    r = httpx.post(f"{projects}/v1/projects", json=project, headers=auth)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    for version, to in enumerate(["planned", "in_progress", "done"], start=1):
        r = httpx.post(f"{projects}/v1/projects/{pid}/moves", json={"to": to, "version": version}, headers=auth)
        assert r.status_code == 200, r.text

    # The stack's district is drawn just off the demo city's coast (tests/ui/conftest.py).
    lat, lon = 42.34, -70.98
    place = Place(Path("."), stack.district, (lat, lon), cells_of(box(-70.99, 42.33, -70.97, 42.35)))
    done_at = datetime.now(UTC) - timedelta(days=100)
    _run(plant(stack.settings, place, done_at, seed=31, effect=0.7))
    try:
        event = ProjectCompleted(
            project_id=uuid.UUID(pid),
            priority_id=uuid.UUID(priority["id"]),
            district=stack.district,
            department="public-works",
            completed_at=done_at,
            point=GeoPoint(lat=lat, lon=lon),
        )
        _run(_publish(stack.settings.require_kafka_bootstrap(), event))
        deadline = time.monotonic() + 60
        while True:
            got = httpx.get(f"{stack.urls['layers']}/v1/evaluations/projects/{pid}", headers=auth)
            if got.status_code == 200 and got.json()["status"] != "waiting":
                break
            assert time.monotonic() < deadline, f"layers never evaluated the project: {got.status_code} {got.text}"
            time.sleep(0.5)
    finally:
        # Evaluated (or given up): the planted incidents must not reach other pages' tests.
        _run(forget(stack.settings, place))
    result = got.json()["result"]
    assert got.json()["status"] == "evaluated" and result["significant"], got.json()

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, stack.web, "supervisor", stack.district)
    measured = "#evaluation .outcome[data-source=target_vs_control]"
    page.goto(f"{stack.web}/#/evaluation/{priority['id']}")
    page.reload()  # the start page of sign-in may still be drawing: load this one on its own
    deadline = time.monotonic() + 30
    while True:  # project.evaluated travels layers -> Kafka -> projects
        page.wait_for_selector("#evaluation:not([aria-busy])")
        if page.locator(measured).count():
            break
        assert time.monotonic() < deadline, page.inner_text("#evaluation")
        page.wait_for_timeout(1000)
        page.reload()
    text = page.inner_text(measured)
    assert "Measured (target vs control)" in text and "Hand-typed" not in text
    assert result["summary"] in text
    assert f"{result['target_before']} → {result['target_after']}" in text
    check_accessibility(page, "priority evaluation with a target-vs-control result")
    screenshot(page, "priority-evaluation-target-control")

    page.goto(f"{stack.web}/#/district/{stack.district}")
    card = page.locator(f"li.board-card:has-text('{title}')")
    card.wait_for()
    card.locator("details.card-result summary").click()
    page.wait_for_selector(f"li.board-card:has-text('{title}') .target-control")
    assert result["summary"] in card.inner_text()
    check_accessibility(page, "district page with a done card's result open")
    screenshot(page, "done-card-target-control")
    page.context.close()
