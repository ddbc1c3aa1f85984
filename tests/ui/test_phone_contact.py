"""The officer's phone (issue 14, item 6): at 390x844 the "Log contact" button is on the first
screen, nothing floats over it, a second tap right after the first logs a second contact, and the
messages name a contact as its button does.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from ui.helpers import check_accessibility, screenshot, sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]

PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True}


def _centre(page: Any, selector: str) -> tuple[float, float]:
    box = page.locator(selector).bounding_box()
    assert box is not None, f"{selector} is not drawn"
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def _on_top(page: Any, selector: str) -> bool:
    """Whether a tap at the element's centre lands on it (not on something drawn over it)."""
    x, y = _centre(page, selector)
    return bool(
        page.evaluate(
            "([x, y, s]) => { const hit = document.elementFromPoint(x, y); const el = document.querySelector(s);"
            " return !!hit && (hit === el || el.contains(hit)); }",
            [x, y, selector],
        )
    )


def test_a_tap_while_the_message_shows_logs_the_contact(stack, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    posted: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            posted.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" and r.url.endswith("/api/intake/v1/contacts")
            else None
        ),
    )
    sign_in(page, stack.web, "officer", stack.district)
    page.wait_for_selector("#my-contacts")
    before = int(page.inner_text("#my-contacts").replace(",", ""))

    # The primary action on the first screen, without scrolling.
    assert page.evaluate("window.scrollY") == 0
    button = page.locator("button.log-button").bounding_box()
    assert button is not None
    assert button["y"] >= 0 and button["y"] + button["height"] <= 844, f"Log contact is below the fold: {button}"
    screenshot(page, "officer-phone-contact")
    check_accessibility(page, "officer's phone: log a contact")

    # First contact: raw taps at the places a thumb would touch (no waiting for anything to move).
    page.touchscreen.tap(*_centre(page, "label[for=contact_type-business_checkin]"))
    page.touchscreen.tap(*_centre(page, "button.log-button"))
    page.wait_for_selector("#contact-status:has-text('Logged:')")
    button_label = page.inner_text("label[for=contact_type-business_checkin]")
    assert button_label == "Business check-in"
    message = page.inner_text("#contact-status")
    assert message.startswith(f"Logged: {button_label},"), message
    assert "checkin" not in message.lower().replace("check-in", "")

    # The message is showing: the button is still the thing under the thumb, and a second tap
    # at once logs a second contact.
    assert _on_top(page, "button.log-button"), "something covers Log contact while the message shows"
    page.touchscreen.tap(*_centre(page, "label[for=contact_type-youth_activity]"))
    page.touchscreen.tap(*_centre(page, "button.log-button"))
    page.wait_for_selector("#contact-status:has-text('Logged: Youth activity')")
    # The month counts both (the last answer drawn, not an older one that came back late).
    page.wait_for_selector(f"#my-contacts:text-is('{before + 2}')")
    screenshot(page, "officer-phone-second-tap")

    ids = [p["id"] for p in posted if "id" in p]
    assert len(set(ids)) == 2, f"two taps, two contacts sent: {posted}"
    # Stored by intake, read back with the officer's own token (an officer sees their own contacts).
    token = page.evaluate("JSON.parse(localStorage.getItem('porchlight.session')).token")
    stored = [
        httpx.get(f"{stack.urls['intake']}/v1/contacts/{i}", headers={"Authorization": f"Bearer {token}"})
        for i in dict.fromkeys(ids)
    ]
    assert [r.status_code for r in stored] == [200, 200], [r.text for r in stored]
    assert sorted(r.json()["contact_type"] for r in stored) == ["business_checkin", "youth_activity"]
    context.close()


def test_a_floating_message_never_swallows_a_tap(stack, browser) -> None:  # type: ignore[no-untyped-def]
    # Any page's toast (the board's, the meetings page's): drawn over a button, it lets the tap through.
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in(page, stack.web, "officer", stack.district)
    page.wait_for_selector("#my-contacts")
    page.evaluate(
        """() => { const t = document.getElementById('toast'); t.textContent = 'A message';
             const b = document.querySelector('button.log-button').getBoundingClientRect();
             t.style.top = `${b.top}px`; t.style.bottom = 'auto'; t.style.height = `${b.height}px`; }"""
    )
    assert _on_top(page, "button.log-button")
    context.close()
