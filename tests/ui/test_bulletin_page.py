"""A bulletin written in the browser (issue 18): the plain-language check flags the jargon as the
supervisor types; sent above grade 10 without a reason it is refused, the field saying so; the
plain version goes out and the neighborhood's public page carries it."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from projects.test_plain_language_wins import JARGON
from ui.helpers import DEVELOPER_WORDS, check_accessibility, screenshot

from porchlight.kit.auth import mint_token

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_a_supervisor_sends_a_plain_bulletin_after_the_check_flags_the_jargon(stack: Any, browser: Any) -> None:
    tag = uuid.uuid4().hex[:6]
    boss = mint_token(stack.settings, subject=f"sgt-b{tag}", roles=["supervisor"], district=stack.district)
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    try:
        page.goto(stack.web + "/#/signin")
        page.evaluate("t => localStorage.setItem('porchlight.session', JSON.stringify({ token: t }))", boss)
        page.goto(stack.web + "/#/priorities")
        page.reload()
        page.wait_for_selector("#bulletin-form")
        page.select_option("#bl-neighborhood", stack.neighborhood)
        page.fill("#bl-title", f"Safety walk on Thursday {tag}")
        page.fill("#bl-body", JARGON)
        page.wait_for_selector("#bulletin-form .live-reading [data-verdict=needs_reason]")
        flags = page.inner_text("#bulletin-form .live-reading .reading-flags")
        assert "CAD" in flags and "the 911 dispatch system" in flags, flags
        page.click("#bulletin-form button[type=submit]")
        page.wait_for_selector("#bl-reason[aria-invalid=true]")
        said = page.inner_text("#bl-reason-error")
        assert said and not DEVELOPER_WORDS.search(said), said
        screenshot(page, "bulletin-jargon-refused")

        page.fill("#bl-body", "Walk with us on Thursday at 6 pm. We meet at the library door on Tremont St.")
        page.wait_for_selector("#bulletin-form .live-reading [data-verdict=plain]")
        page.click("#bulletin-form button[type=submit]")
        page.wait_for_selector("#bulletin-form .form-status:has-text('Sent:')")
        assert page.evaluate("document.scrollingElement.scrollWidth <= document.scrollingElement.clientWidth")
        check_accessibility(page, "supervisor: a bulletin sent, on a phone")

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            page.goto(f"{stack.web}/public/en/neighborhoods/{stack.neighborhood}")
            if f"Safety walk on Thursday {tag}" in page.inner_text("#updates"):
                break
            time.sleep(0.5)
        assert "We meet at the library door on Tremont St." in page.inner_text("#updates")
    finally:
        page.context.close()
