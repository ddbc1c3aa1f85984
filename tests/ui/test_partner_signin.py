"""Issue 14, item 7: a department partner signs in without a district, and so acts on every
district's cards.

The demo sign-in used to preselect the first district for every role, a partner included: the
partner's token carried ``district``, and projects (rightly, for a district-bound caller) refused
Public Works' moves on the cards of any other district. A partner stands for a department.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from ui.helpers import a_card_in, check_accessibility, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))  # type: ignore[no-any-return]


def test_the_partner_signs_in_without_a_district_and_moves_another_district_s_card(stack, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(stack.web + "/#/signin")
    page.wait_for_selector("#role-officer")
    assert page.is_visible("#district") and not page.is_visible("#department"), "an officer has a district"
    page.click("label[for=role-partner]")
    # A partner picks a department; there is no district to pick (none preselected either).
    assert not page.is_visible("#district") and page.is_visible("#department")
    assert page.is_disabled("#district")
    check_accessibility(page, "demo sign-in, partner chosen")
    screenshot(page, "sign-in-partner")
    page.select_option("#department", "public-works")
    page.click("form button[type=submit]")
    page.wait_for_selector("#who:has-text('demo-partner · partner')")
    who = page.inner_text("#who")
    assert who.startswith("demo-partner · partner") and "·" not in who.removeprefix("demo-partner · partner")
    token = page.evaluate("JSON.parse(localStorage.getItem('porchlight.session')).token")
    page.context.close()

    said = claims(token)
    assert "district" not in said and said["department"] == "public-works" and said["roles"] == ["partner"]

    # Public Works moves a card of a district (the stack's own, last in the city's list): accepted.
    card = a_card_in(stack, stack.district)
    moved = httpx.post(
        f"{stack.urls['projects']}/v1/projects/{card['id']}/moves",
        json={"to": "planned", "version": card["version"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["status"] == "planned"


def test_the_demo_sign_in_refuses_a_partner_bound_to_a_district(stack) -> None:  # type: ignore[no-untyped-def]
    body = {"role": "partner", "department": "public-works", "district": stack.district}
    r = httpx.post(f"{stack.web}/web/demo-token", json=body)
    assert r.status_code == 422, r.text
    error = r.json()["errors"][0]
    assert error["field"] == "body.district" and "city-wide" in error["message"]
