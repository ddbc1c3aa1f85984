"""The district page's heading is the district's name as the city gives it ("District D4 (South
End)"), not "District District D4 (South End)"; the wins to review are the board's own (live,
with edit and send back), not a second, load-once list with Approve only beside it."""

from __future__ import annotations

import pytest
from ui.helpers import sign_in

from porchlight.kit.city import load_city

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def test_the_district_heading_is_its_name_once(stack, browser) -> None:  # type: ignore[no-untyped-def]
    d4 = next(d for d in load_city(None).districts if d.code == "D4")
    assert d4.name.startswith("District ")  # the demo city's own naming, the case that doubled
    page = browser.new_context().new_page()
    sign_in(page, stack.web, "analyst")
    page.goto(stack.web + "/#/district/D4")
    page.wait_for_selector("main h1:has-text('D4')")
    assert page.inner_text("main h1") == d4.name
    assert page.locator("#draft-wins, #wins").count() == 0
