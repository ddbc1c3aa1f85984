"""In which districts a caller may act: the dashboard's and intake's rule, applied to changes.

* Analysts and admins are leadership: city-wide.
* Anyone else whose token carries a ``district`` claim (a district supervisor — its sergeant or
  commander —, an officer, a department partner assigned there) changes only what belongs to that
  district: cards (micro-projects, their tasks and moves), priorities, wins, reminders. Another
  district's is a 403 problem document naming theirs (``district``).
* A token WITHOUT the claim keeps city-wide reach (a watch commander, a department partner,
  an identity provider that issues no district claim).

Reading is not narrowed here: the board is shared and everyone signed in reads every card.
Every priority and project has a district (422 without), so there is no city-wide row today;
one without a district would still be changed by city-wide callers only (``check_district``
treats a missing district as another district's).

The rule itself is the kit's (``Principal.district_scope``), shared with the dashboard's pages
and synthesis' corrections; this module says what it covers in projects.
"""

from __future__ import annotations

from porchlight.kit.auth import Principal
from porchlight.kit.errors import Forbidden


def own_district(who: Principal) -> str | None:
    """The one district ``who`` acts in, or None for city-wide callers (the kit's rule)."""
    return who.district_scope


def check_district(who: Principal, district: str | None, what: str, field: str | None = None) -> None:
    """403 (a problem document naming the caller's district) when ``what`` lies elsewhere."""
    own = own_district(who)
    if own is None or district == own:
        return
    where = f"district {district}" if district else "no district (city-wide)"
    detail = f"you act in district {own} only; {what} belongs to {where}"
    errors = [{"field": field, "message": detail}] if field else None
    raise Forbidden(detail, errors=errors, district=own)


def narrow(who: Principal, district: str | None, field: str = "query.district") -> str | None:
    """An optional district filter of an action as the caller may use it: theirs when left out."""
    own = own_district(who)
    if own is None:
        return district
    if district is not None and district != own:
        check_district(who, district, f"district {district}", field)
    return own
