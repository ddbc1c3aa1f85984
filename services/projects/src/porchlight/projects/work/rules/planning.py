"""Planning rules of micro-projects: dates in order, short spans, small priorities, DICE's order.

Pure: the service hands in the numbers it read and turns the answers into problems or warnings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from porchlight.kit.errors import Conflict, ProblemError, ValidationProblem

#: Micro-projects take one or two weeks; longer ones are worth splitting.
MAX_SPAN_DAYS = 14
#: A quarter's priority is broken into 10-20 micro-projects.
MAX_PROJECTS_PER_PRIORITY = 20
#: DICE puts enforcement last: while a priority holds fewer than this many projects and they are
#: all enforcement, a new enforcement project must say why.
FIRST_PROJECTS = 3

#: A warning: (code, field, message) — the change is made, the caller is told.
Advice = tuple[str, str, str]


class PreconditionRequired(ProblemError):
    status, slug, title = 428, "precondition-required", "Precondition required"


def check_version(version: int, expected: int | None, current: dict[str, Any]) -> None:
    """Optimistic concurrency: a change based on an older card loses with the current card."""
    if expected is None:
        raise PreconditionRequired(
            "send If-Match with the card's ETag (or its version in the body): the board is shared",
            errors=[{"field": "header.If-Match", "message": "missing"}],
        )
    if expected != version:
        raise Conflict(
            f"the card changed since version {expected}: it is at version {version}",
            current=current,
        )


def check_dates(starts_on: date, due_on: date, field: str = "body.due_on") -> None:
    if due_on < starts_on:
        raise ValidationProblem(
            "the due date is before the start date",
            errors=[{"field": field, "message": f"due {due_on} is before the start {starts_on}"}],
        )


def check_enforcement_order(remedy_kind: str, kinds: Sequence[str], justified: bool) -> None:
    """DICE: while the priority's first projects are all enforcement, a new one must say why."""
    if (
        remedy_kind == "enforcement"
        and len(kinds) < FIRST_PROJECTS
        and all(k == "enforcement" for k in kinds)
        and not justified
    ):
        raise ValidationProblem(
            "DICE puts enforcement last: say why this priority starts with enforcement",
            errors=[
                {
                    "field": "body.justification",
                    "message": "required while the priority's first projects are all enforcement: were physical "
                    "changes, positive activities, ownership of the space and policy considered?",
                }
            ],
        )


def planning_advice(starts_on: date, due_on: date, projects_after: int) -> list[Advice]:
    """Warnings for a new project: a long span, a priority grown past 20 projects."""
    advice: list[Advice] = []
    span = (due_on - starts_on).days + 1
    if span > MAX_SPAN_DAYS:
        advice.append(
            (
                "long-project",
                "body.due_on",
                f"spans {span} days; micro-projects take one or two weeks: consider splitting it",
            )
        )
    if projects_after > MAX_PROJECTS_PER_PRIORITY:
        advice.append(
            (
                "large-priority",
                "body.priority_id",
                f"the priority now holds {projects_after} projects (10-20 work best): consider splitting it",
            )
        )
    return advice
