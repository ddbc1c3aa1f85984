"""How intake takes a form (a meeting, a note): size limit, every bad field at once, retries.

* A form's JSON is capped by a setting (notes: ``max_note_bytes``), checked on the declared
  ``Content-Length`` and on the bytes actually read, before anything is parsed.
* Type errors (pydantic) and context errors (unknown district, a date too far ahead, a meeting
  that does not exist) are reported together in one 422: when the types are wrong somewhere,
  the parts that are well-typed are still checked against the database and the clock.
* A client may choose the id; re-sending the same form with the same id is a harmless retry.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.settings import IntakeSettings, settings_of
from porchlight.kit.errors import PayloadTooLarge, ValidationProblem, field_errors

Errors = list[dict[str, str]]
ContextCheck = Callable[[AsyncSession, IntakeSettings, Any], Awaitable[Errors]]


def form_hash(form: BaseModel) -> str:
    """A stable fingerprint of a form's content (its id left out), to recognise a retry."""
    content = form.model_dump(mode="json", exclude={"id"})
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def too_far_ahead(value: datetime | None, *, now: datetime, hours: float, field: str) -> Errors:
    if value is not None and value > now + timedelta(hours=hours):
        return [{"field": field, "message": f"is more than {hours:g} hours in the future"}]
    return []


def problem(errors: Errors) -> ValidationProblem:
    return ValidationProblem(f"Invalid fields: {', '.join(e['field'] for e in errors)}", errors=errors)


@dataclass(frozen=True)
class FormChecks:
    context: type[BaseModel]
    check: ContextCheck
    max_bytes: Callable[[IntakeSettings], int] | None = None


def form_checks(
    context: type[BaseModel], check: ContextCheck, *, max_bytes: Callable[[IntakeSettings], int] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a route of a ``FormRoute`` router: ``context`` is the part of the body ``check``
    verifies against the database and the clock (it must ignore extra fields)."""

    def mark(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        endpoint.__form_checks__ = FormChecks(context, check, max_bytes)  # type: ignore[attr-defined]
        return endpoint

    return mark


class FormRoute(APIRoute):
    """Routes marked with ``form_checks``: the size limit first, then merged validation errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        checks: FormChecks | None = getattr(self.endpoint, "__form_checks__", None)
        if checks is None:
            return handler

        async def checked(request: Request) -> Response:
            settings = settings_of(request.app.state)
            if checks.max_bytes is not None:
                await _refuse_oversized(request, checks.max_bytes(settings))
            try:
                return await handler(request)
            except RequestValidationError as exc:
                errors = field_errors(exc)
                extra = await _context_errors(request, checks, settings, errors)
                if not extra:
                    raise
                raise problem(errors + extra) from None

        return checked


async def _refuse_oversized(request: Request, limit: int) -> None:
    length = request.headers.get("content-length", "")
    if (length.isdigit() and int(length) > limit) or len(await request.body()) > limit:
        raise PayloadTooLarge(f"The form exceeds {limit} bytes of JSON")


async def _context_errors(request: Request, checks: FormChecks, settings: IntakeSettings, errors: Errors) -> Errors:
    """Context errors of the well-typed parts of a body that failed type validation."""
    try:
        raw = json.loads(await request.body())
    except ValueError:
        return []
    if not isinstance(raw, dict):
        return []
    locations = [e["field"].split(".") for e in errors]
    if any(loc == ["body"] for loc in locations):
        return []  # no body, or not an object
    bad = {loc[1] for loc in locations if len(loc) > 1 and loc[0] == "body"}
    clean = {k: v for k, v in raw.items() if k not in bad and k in checks.context.model_fields}
    try:
        context = checks.context.model_validate(clean)
    except ValidationError:
        return []
    async with request.app.state.runtime.sessions() as session:
        found = await checks.check(session, settings, context)
    # A part left out for its type errors is not missing as well: say it once.
    return [e for e in found if e["field"].partition(".")[2].split(".")[0] not in bad]
