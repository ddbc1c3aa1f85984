"""Issue 15, purpose limitation: a written policy (docs/privacy.md) of what engagement data may and
may not be used for, shown to admins (and auditors) in the web UI, the same words as the repository's."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from ui.helpers import check_accessibility, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


def test_the_policy_the_repository_writes_is_the_one_people_read(stack, browser) -> None:  # type: ignore[no-untyped-def]
    token = httpx.post(f"{stack.web}/web/demo-token", json={"role": "officer", "district": stack.district}).json()
    r = httpx.get(f"{stack.urls['dashboard']}/v1/privacy", headers={"Authorization": f"Bearer {token['token']}"})
    assert r.status_code == 200
    assert r.json()["markdown"] == DOC.read_text(encoding="utf-8")
    assert "<table>" in r.json()["html"] and "<h2>Who reads residents' words</h2>" in r.json()["html"]
    assert httpx.get(f"{stack.urls['dashboard']}/v1/privacy").status_code == 401

    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, stack.web, "auditor")
    page.click("#nav a:has-text('Privacy')")
    page.wait_for_selector("#privacy-policy h2:has-text('may not be used')")
    text = page.inner_text("#privacy-policy")
    assert "identify, locate, list or follow a resident" in text
    assert page.locator("#privacy-policy table tr").count() == 6  # the header and five role rows
    check_accessibility(page, "the privacy policy")
    screenshot(page, "privacy-policy")

    # An officer's menu does not offer it (the policy is for those who answer for the data).
    officer = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(officer, stack.web, "officer", district=stack.district)
    assert "Privacy" not in officer.inner_text("#nav")
