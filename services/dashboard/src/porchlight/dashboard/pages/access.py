"""Which districts a caller sees on the dashboard.

* Analysts and admins are leadership (city-wide): every district, the city page, the city's report.
* Anyone else whose token carries a ``district`` claim works in that district (a supervisor is
  its sergeant or commander; an officer or liaison is assigned there): their district's page,
  map, report and crime figures only — another district's is a 403, and so is the city page
  (PRODUCT.md and issue 6 give it to leadership). Where a district is optional (the report,
  crime stats) leaving it out means theirs.
* A token WITHOUT a district claim keeps city-wide access (a city-wide supervisor such as a
  watch commander, a department partner, tokens from identity providers that do not issue the
  claim): the same rule intake applies to the meetings and contacts lists
  (meetings/listing.py Visibility).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from porchlight.kit.auth import Allow, Principal, Role
from porchlight.kit.errors import Forbidden

#: Who reads the pages counted from residents' notes: police staff and leadership. A department
#: partner works from the board, the map and the connections, and never sees a figure of fewer
#: than 5 notes (docs/privacy.md: a count of 2 can single out who spoke); rather than a threshold
#: on every figure, these pages are not theirs (auditors read the audit trail, not the notes).
PoliceStaff = Annotated[Principal, Depends(Allow(Role.officer, Role.liaison, Role.supervisor, Role.analyst))]


def own_district(who: Principal) -> str | None:
    """The one district ``who`` is limited to, or None for city-wide callers (the kit's rule)."""
    return who.district_scope


def check_district(who: Principal, code: str) -> None:
    """403 (a problem document naming the caller's district) for another district than theirs."""
    own = own_district(who)
    if own is not None and code != own:
        raise Forbidden(f"you see district {own} only, not {code}", district=own)


def check_city_wide(who: Principal, what: str) -> None:
    own = own_district(who)
    if own is not None:
        raise Forbidden(f"{what} is for city-wide roles (analysts, leadership); you see district {own}", district=own)


def narrow(who: Principal, district: str | None) -> str | None:
    """An optional district filter as the caller may use it: theirs when left out."""
    own = own_district(who)
    if own is None:
        return district
    if district is not None and district != own:
        raise Forbidden(f"you see district {own} only, not {district}", district=own)
    return own
