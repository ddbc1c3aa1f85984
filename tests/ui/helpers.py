"""What the browser tests share: the browser's path and flags, axe-core, screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
SCREENSHOTS = Path(__file__).parents[1] / "artifacts" / "screenshots"


def check_accessibility(page: Any, what: str) -> None:
    """axe-core (vendored from npm, MPL-2.0) on the page as it stands: no WCAG 2.1 A/AA violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
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


def sign_in(page: Any, base: str, role: str, district: str | None = None) -> None:
    """The demo sign-in as a person does it: pick the district and the role, press Sign in."""
    page.goto(base + "/#/signin")
    page.wait_for_selector("#role-officer")
    page.select_option("#district", district or "")
    page.click(f"label[for=role-{role}]")
    page.click("form button[type=submit]")
    page.wait_for_selector(f"#who:has-text('demo-{role}')")
