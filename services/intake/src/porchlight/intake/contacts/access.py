"""Who sees which contacts: intake's visibility rule (``meetings/access.py``), and raw notes.

Analysts and admins see every contact, a supervisor with a district claim that district,
officers and liaisons their own.
"""

from __future__ import annotations

from porchlight.intake.meetings.access import ListQuery, Visibility
from porchlight.kit.auth import Principal, Role


def visible(viewer: Principal, q: ListQuery) -> ListQuery:
    """``q`` narrowed to what ``viewer`` may see (asking for more is a 403)."""
    return Visibility.of(viewer).narrow(q, "contacts")


def sees_notes(viewer: Principal) -> bool:
    """Raw notes are for supervisors and admins (an analyst's export carries them redacted)."""
    return bool(viewer.roles & {Role.supervisor, Role.admin})
