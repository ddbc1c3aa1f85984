"""A resident gets the neighborhood's updates by email from its public page, on a phone, with
script turned off: the form posts to intake (the page's CSP lets it), a disposable address is
refused in plain Spanish with the form again, the corrected address gets "check your email" and
the confirmation message; the page passes axe."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from ui.helpers import DEVELOPER_WORDS, check_accessibility, screenshot

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_a_resident_subscribes_from_the_public_page_on_a_phone_without_script(stack: Any, browser: Any) -> None:
    me = f"rosa.{uuid.uuid4().hex[:8]}@example.org"
    url = f"{stack.web}/public/es/neighborhoods/{stack.neighborhood}"
    with_script = browser.new_context(viewport={"width": 390, "height": 844})
    without_script = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    try:
        page = with_script.new_page()
        page.goto(url)
        page.wait_for_selector("#subscribe-email")
        check_accessibility(page, "the public page with its subscription form")
        screenshot(page, "public-subscribe-form")
        page.get_by_label("Su dirección de correo").fill("someone@mailinator.com")
        page.get_by_role("button", name="Suscribirme").click()
        page.wait_for_selector("h1:has-text('Revise el formulario')")
        check_accessibility(page, "intake's page saying what to correct")
        screenshot(page, "public-subscribe-refused")

        # Script off (axe cannot run there): the same, then corrected.
        page = without_script.new_page()
        page.goto(url)
        page.get_by_label("Su dirección de correo").fill("someone@mailinator.com")
        page.get_by_role("button", name="Suscribirme").click()
        page.wait_for_selector("h1:has-text('Revise el formulario')")
        assert page.url == f"{stack.urls['intake']}/v1/public/subscriptions/form"
        text = page.inner_text("body")
        assert "correos temporales" in text and not DEVELOPER_WORDS.search(text), text
        # The form again, the address in it: corrected and sent again.
        assert page.get_by_label("Su dirección de correo").input_value() == "someone@mailinator.com"
        page.get_by_label("Su dirección de correo").fill(me)
        page.get_by_role("button", name="Suscribirme").click()
        page.wait_for_selector("h1:has-text('Revise su correo')")
        assert me not in page.content() and "Volver" not in page.content()  # no page to go back to
        screenshot(page, "public-subscribe-check-your-email")

        deadline = time.monotonic() + 10
        while not stack.mail.to(me) and time.monotonic() < deadline:
            time.sleep(0.1)
        [message] = stack.mail.to(me)
        assert message["Content-Language"] == "es"
    finally:
        with_script.close()
        without_script.close()
