"""The rule every public text of projects goes out by (wins, bulletins): its hardest version's
reading grade is kept with it, and above ``GRADE_NEEDS_REASON`` it goes out only with a written
reason (issue 18: "publishing above grade 10 needs a written reason, kept with the update")."""

from __future__ import annotations

from collections.abc import Mapping

from porchlight.kit.errors import ValidationProblem
from porchlight.kit.plain_language import GRADE_NEEDS_REASON, Language, Reading


def publishable(what: str, reading: Mapping[Language, Reading], reason: str | None) -> tuple[float, str | None]:
    """The grade to keep and the reason to keep with it (None when it reads plainly enough);
    a 422 naming ``body.reason`` when one is needed and none was given."""
    grade = max((r.grade for r in reading.values()), default=0.0)
    if grade <= GRADE_NEEDS_REASON:
        return grade, None
    if not reason:
        hardest = max(reading, key=lambda lang: reading[lang].grade)
        raise ValidationProblem(
            f"{what} reads at grade {grade:g} ({hardest}); above {GRADE_NEEDS_REASON:g} say why it cannot be plainer",
            errors=[{"field": "body.reason", "message": f"required above grade {GRADE_NEEDS_REASON:g}"}],
        )
    return grade, reason
