"""The web UI under its Content-Security-Policy, and the demo banner, in Chromium (issue 15).

The stack runs in demo mode (standalone, no provider): every page must say so in a banner, and
no page may trip the CSP (no inline script, no handler attribute, nothing from another origin).
Chromium reports each refusal as a console error ("Refused to ... Content Security Policy").
Outside demo mode the banner is absent (tests/ui/test_oidc_signin.py and tests/kit/test_auth_floor.py).
"""

from __future__ import annotations

from typing import Any

import pytest
from ui.helpers import sign_in

pytestmark = [pytest.mark.integration, pytest.mark.browser]

BANNER = "Demo mode — sign-in without a password; not for real data"
#: The pages of each role (the app's own routes; {d}: the stack's district).
PAGES = {
    "supervisor": ["contact", "meetings", "district", "risk", "evaluation", "help", "city"],
    "analyst": ["city", "district/{d}", "risk/{d}", "evaluation"],
    "partner": ["board"],
}
LOADED = """() => { const main = document.getElementById('main');
  return main.querySelector('h1') && !main.querySelector('[aria-busy=true]')
    && !main.innerText.includes('Loading…'); }"""


def _csp_errors(page: Any) -> list[str]:
    errors: list[str] = []
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and "Content Security Policy" in m.text else None,
    )
    return errors


@pytest.mark.parametrize("role", sorted(PAGES))
def test_every_page_says_demo_mode_and_trips_no_csp(stack: Any, browser: Any, role: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors = _csp_errors(page)
    response = page.goto(stack.web + "/#/signin")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert page.locator("#demo-banner").inner_text() == BANNER
    assert page.locator("#demo-banner").is_visible()
    sign_in(page, stack.web, role, district=None if role == "partner" else stack.district)
    for route in PAGES[role]:
        page.goto(f"{stack.web}/#/{route.format(d=stack.district)}")
        page.wait_for_function(LOADED, timeout=20_000)
        assert page.locator("#demo-banner").is_visible(), f"#/{route}: no demo banner"
        assert not errors, f"{role} #/{route}: CSP violations:\n" + "\n".join(errors)

    # The policy is enforced and the check sees it: an inline script is refused and reported.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.head.append(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert any("inline script" in e for e in errors), errors
    context.close()
