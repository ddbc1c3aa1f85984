"""Whose concerns a supervisor may relabel: the district rule of the dashboard, for corrections.

* Analysts and admins are leadership: city-wide.
* Anyone else whose token carries a ``district`` claim (a district supervisor) corrects the
  concerns of notes filed in that district only — and promotes an emerging cluster only when
  every one of its concerns is from there (the clusters their district page shows them).
  Another district's concern is a 403 problem document naming theirs (``district``).
* A token WITHOUT the claim keeps city-wide reach (a watch commander, an identity provider
  that issues no district claim).

The topic a promotion adds is city-wide (there is one taxonomy), as any supervisor's
``PUT /v1/taxonomy`` edit is; what the district claim limits is whose statements are relabelled
(here and in emerging/service.py).
The rule itself is the kit's (``Principal.district_scope``), shared with the dashboard's pages
and projects' changes; this module says what it covers in synthesis.
"""

from __future__ import annotations

from collections.abc import Iterable

from porchlight.kit.auth import Principal
from porchlight.kit.errors import Forbidden


def own_district(who: Principal) -> str | None:
    """The one district ``who`` acts in, or None for city-wide callers (the kit's rule)."""
    return who.district_scope


def check_concern_districts(own: str | None, districts: Iterable[str], field: str) -> None:
    """403 naming the caller's district when a concern comes from a note of another district."""
    if own is None:
        return
    elsewhere = sorted({d for d in districts if d != own})
    if elsewhere:
        detail = f"you correct concerns of district {own} only; not of {', '.join(elsewhere)}"
        raise Forbidden(detail, errors=[{"field": field, "message": detail}], district=own)
