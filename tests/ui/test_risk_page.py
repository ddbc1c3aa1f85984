"""The supervisor in Chromium opens the place-risk page: the layers that draw vehicle crime to the
blocks near them, with relative risks and 95 % intervals, the risk map, and a block's narrative
with the department records behind it."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from ui.helpers import check_accessibility, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]

M = 1 / 111_320  # a metre of latitude, in degrees
# The UI stack's own district (tests/ui/conftest.py): [-70.99, -70.97] x [42.33, 42.35].
SOUTH, WEST = 42.332, -70.988


def test_supervisor_reads_the_risk_factors_and_a_blocks_narrative(stack, browser) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    tag = uuid.uuid4().hex[:6]
    analyst = {
        "Authorization": "Bearer " + httpx.post(f"{stack.web}/web/demo-token", json={"role": "analyst"}).json()["token"]
    }
    layers = stack.urls["layers"]
    now = datetime.now(UTC)

    def spot() -> tuple[float, float]:
        return SOUTH + rng.uniform(0, 0.016), WEST + rng.uniform(0, 0.016)

    bodies = []
    outages = [spot() for _ in range(12)]
    for i, (lat, lon) in enumerate(outages):
        bodies.append({"department": "public-works", "layer": "street_light_outage", "category": "Street light out",
                       "external_id": f"RISK-SL-{tag}-{i}", "point": {"lat": lat, "lon": lon},
                       "opened_at": (now - timedelta(days=60)).isoformat()})  # fmt: skip
    thefts = [
        (lat + rng.uniform(-30, 30) * M, lon + rng.uniform(-30, 30) * M) for lat, lon in outages for _ in range(6)
    ]
    thefts += [spot() for _ in range(60)]
    for i, (lat, lon) in enumerate(thefts):
        bodies.append({"department": "police", "layer": "incident", "category": "Motor vehicle theft",
                       "status": "closed", "external_id": f"RISK-MVT-{tag}-{i}", "point": {"lat": lat, "lon": lon},
                       "opened_at": (now - timedelta(days=rng.uniform(1, 300))).isoformat(),
                       "attributes": {"nibrs_code": "240"}})  # fmt: skip
    with httpx.Client(headers=analyst, timeout=30) as client:
        for body in bodies:
            r = client.post(f"{layers}/v1/records", json=body)
            assert r.status_code == 200, r.text
        api = client.get(f"{layers}/v1/risk", params=[("district", stack.district), ("offence", "240"),
                                                      ("offence", "23F"), ("offence", "23G")]).json()  # fmt: skip
    assert api["status"] == "fitted", api
    lights = next(f for f in api["factors"] if f["layer"] == "street_light_outage")
    assert lights["selected"], api["factors"]

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, stack.web, "supervisor", stack.district)
    page.goto(f"{stack.web}/#/district/{stack.district}")
    page.click("text=Place risk: which city layers")
    page.wait_for_selector("#risk-table")
    row = page.locator("#risk-table tr", has_text=lights["layer_name"])
    cells = row.locator("td").all_inner_texts()
    # The page shows the API's figures: the relative risk and its 95 % interval, and "yes".
    assert cells[0] == f"{lights['relative_risk']:.1f}\u00d7"  # times
    assert cells[1] == f"{lights['ci_low']:.1f} \u2013 {lights['ci_high']:.1f}"  # en dash
    assert cells[-1] == "yes"
    narrative = page.inner_text("#risk-narrative")
    assert api["narrative"][0]["text"] in narrative
    assert page.locator("svg.riskmap path.cell").count() == api["model"]["cells"]
    assert page.locator("svg.riskmap path.rrs-0").count() < api["model"]["cells"]  # some blocks stand out

    page.locator("#riskiest button").first.click()
    page.wait_for_selector("#place-narrative")
    page.locator("#place-narrative details summary").first.click()
    assert f"RISK-SL-{tag}" in page.inner_text("#place-narrative")  # the outage behind the figure
    check_accessibility(page, "place risk page with a block's narrative")
    screenshot(page, "supervisor-place-risk")
    page.context.close()
