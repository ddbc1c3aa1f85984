"""Errors as RFC 9457 problem details: a small hierarchy and one handler per app.

Every 4xx/5xx leaves as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and, for validation errors, ``errors``: one ``{"field", "message", "code"}`` per bad
field, all of them at once. ``message`` is written for the person filling the form (never a
regular expression or a parser's words: ``human_message``); ``field`` and ``code`` are for
programs. Request bodies never appear in a problem (they may hold personal data).
Each service's OpenAPI document says so too (``document_problems``).
"""

from __future__ import annotations

import json
import logging
from typing import Any, get_args

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_core.core_schema import ErrorType
from starlette.exceptions import HTTPException as StarletteHTTPException

from porchlight.events.consumer import is_transient
from porchlight.kit.logs import safe_traceback

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_TYPE_BASE = "https://porchlight.city/problems/"


class ProblemError(Exception):
    """Base of the errors services raise; subclasses fix the status and the type."""

    status: int = 500
    slug: str = "internal"
    title: str = "Internal error"

    def __init__(self, detail: str | None = None, *, errors: list[dict[str, str]] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.extra = extra


class BadRequest(ProblemError):
    status, slug, title = 400, "bad-request", "Bad request"


class Unauthorized(ProblemError):
    status, slug, title = 401, "unauthorized", "Authentication required"
    #: The ``WWW-Authenticate`` challenge of the answer (RFC 6750 section 3).
    challenge = "Bearer"


class InvalidToken(Unauthorized):
    """Credentials were sent and refused: the challenge says ``invalid_token`` and why (RFC 6750 3.1)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        reason = "".join(c for c in detail if c.isprintable() and c not in '"\\')
        self.challenge = f'Bearer error="invalid_token", error_description="{reason}"'


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class ValidationProblem(ProblemError):
    status, slug, title = 422, "validation", "Some answers need correcting"


class Unavailable(ProblemError):
    status, slug, title = 503, "unavailable", "Service unavailable"


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    instance: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"type": _TYPE_BASE + slug, "title": title, "status": status, "detail": detail}
    if instance:
        body["instance"] = instance
    if errors is not None:
        body["errors"] = errors
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# --- validation messages for people ------------------------------------------------------
# Pydantic's messages are written for developers ("String should match pattern '^[a-z]…'");
# people see these instead, chosen by the error's type (kept as ``code``) and its limits.

_TYPES = {
    "missing": "This is required.",
    "extra_forbidden": "This form has no such field: leave it out.",
    "int_parsing": "Enter a whole number.",
    "int_type": "Enter a whole number.",
    "int_from_float": "Enter a whole number.",
    "float_parsing": "Enter a number.",
    "float_type": "Enter a number.",
    "finite_number": "Enter a number.",
    "bool_parsing": "Choose yes or no.",
    "bool_type": "Choose yes or no.",
    "string_type": "Enter text.",
    "string_pattern_mismatch": "This is not in the expected form.",
    "literal_error": "Choose one of the listed options.",
    "enum": "Choose one of the listed options.",
    "datetime_parsing": "Enter a date and time, e.g. 2026-12-05 18:30.",
    "datetime_from_date_parsing": "Enter a date and time, e.g. 2026-12-05 18:30.",
    "datetime_type": "Enter a date and time, e.g. 2026-12-05 18:30.",
    "timezone_aware": "Give the time zone too, e.g. 2026-12-05 18:30-05:00.",
    "timezone_naive": "Leave the time zone out, e.g. 2026-12-05 18:30.",
    "date_parsing": "Enter a date, e.g. 2026-12-05.",
    "date_from_datetime_parsing": "Enter a date, e.g. 2026-12-05.",
    "date_type": "Enter a date, e.g. 2026-12-05.",
    "time_parsing": "Enter a time, e.g. 18:30.",
    "uuid_parsing": "This is not a valid id.",
    "uuid_type": "This is not a valid id.",
    "url_parsing": "Enter a web address, e.g. https://example.org.",
    "list_type": "Give a list of values here.",
    "dict_type": "This part of the form is not in the expected shape.",
    "model_type": "This part of the form is not in the expected shape.",
    "model_attributes_type": "This part of the form is not in the expected shape.",
    "json_invalid": "The form could not be read: send it again.",
    "json_type": "The form could not be read: send it again.",
}
_LIMITS = {
    "greater_than_equal": ("ge", "Enter {} or more."),
    "greater_than": ("gt", "Enter more than {}."),
    "less_than_equal": ("le", "Enter {} or less."),
    "less_than": ("lt", "Enter less than {}."),
    "string_too_long": ("max_length", "Use at most {} characters."),
    "too_long": ("max_length", "Give at most {} here."),
    "too_short": ("min_length", "Give at least {} here."),
}
#: Pydantic's own error types; any other was raised by our code (``human_error``) in people's words.
_PYDANTIC_TYPES = frozenset(get_args(ErrorType))


def human_error(code: str, message: str) -> PydanticCustomError:
    """Raise this from a validator: ``code`` for programs, ``message`` shown as it is to people."""
    return PydanticCustomError(code, message)


def human_message(err: ErrorDetails | dict[str, Any]) -> str:
    """A sentence for the person who filled the field, from a pydantic error."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind in _TYPES:
        return _TYPES[kind]
    if kind == "string_too_short":
        least = ctx.get("min_length", 1)
        return "This cannot be empty." if least == 1 else f"Use at least {least} characters."
    if kind in _LIMITS:
        key, template = _LIMITS[kind]
        return template.format(ctx.get(key, ""))
    if kind == "value_error":  # a ValueError of a validator of ours: its words, without the prefix
        text = str(ctx.get("error", "")).strip() or "This value is not accepted."
        return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    if kind and kind not in _PYDANTIC_TYPES:  # ``human_error``: already written for people
        return str(err.get("msg") or "This value is not accepted.")
    return "This value is not accepted."


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """One entry per bad field: ``field`` a dotted path (``body.district``), ``code`` the error's
    type for programs (``missing``, ``greater_than_equal``…), ``message`` for people."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append({"field": ".".join(loc), "message": human_message(err), "code": str(err.get("type", "invalid"))})
    return out


def _with_codes(errors: list[dict[str, str]] | None) -> list[dict[str, str]] | None:
    # Errors a service wrote itself name the field and the message; each gets a code all the same.
    return None if errors is None else [{"code": "invalid"} | e for e in errors]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        # A 401 says how to authenticate; other problems may carry headers of their own (Retry-After).
        headers = {"WWW-Authenticate": getattr(exc, "challenge", "Bearer")} if exc.status == 401 else None
        headers = headers or getattr(exc, "headers", None)
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            slug=exc.slug,
            instance=request.url.path,
            errors=_with_codes(exc.errors),
            headers=headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        names = ", ".join(e["field"] for e in errors)
        return problem_response(
            422,
            ValidationProblem.title,
            f"Invalid fields: {names}",
            slug="validation",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(
            exc.status_code,
            str(exc.detail),
            str(exc.detail),
            slug=f"http-{exc.status_code}",
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # Runs outside the request-context middleware, so the request id comes from the state it
        # left; the traceback leaves out exception messages, which can quote personal data.
        request_id = getattr(request.state, "request_id", None)
        if is_transient(exc):
            # The database (or broker) is away, not the request at fault: a 503 the client may
            # retry, as load shedding answers (PostgreSQL restarting, a failover).
            log.warning("unavailable on %s: %s", request.url.path, type(exc).__name__, extra={"request_id": request_id})
            return unavailable_response(request.url.path, request_id)
        log.error(
            "unhandled error on %s: %s",
            request.url.path,
            type(exc).__name__,
            extra={"request_id": request_id, "stack": safe_traceback(exc)},
        )
        return problem_response(
            500,
            "Internal error",
            "An unexpected error occurred",
            slug="internal",
            instance=request.url.path,
            headers={"X-Request-ID": request_id} if request_id else None,
        )


def unavailable_response(instance: str | None = None, request_id: str | None = None) -> JSONResponse:
    """503 with ``Retry-After``: the service's database or broker cannot be reached right now."""
    headers = {"Retry-After": "2", "Cache-Control": "no-store"}
    if request_id:
        headers["X-Request-ID"] = request_id
    return problem_response(
        503,
        "Service unavailable",
        "The service cannot reach its database right now. Try again in a moment.",
        slug="unavailable",
        instance=instance,
        headers=headers,
    )


# --- problems in the OpenAPI document ------------------------------------------------------

#: What every problem answer holds (``components/schemas/Problem`` of each service's document).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "RFC 9457 problem details; `errors` names every bad field of a 422",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {
                    "field": {"type": "string", "description": "The bad field, as a dotted path"},
                    "message": {"type": "string", "description": "What to change, written for the person"},
                    "code": {"type": "string", "description": "The kind of error, for programs"},
                },
            },
        },
    },
    "examples": [
        {
            "type": "https://porchlight.city/problems/validation",
            "title": "Some answers need correcting",
            "status": 422,
            "detail": "Invalid fields: body.attendees",
            "instance": "/v1/notes",
            "errors": [{"field": "body.attendees", "message": "Enter 0 or more.", "code": "greater_than_equal"}],
        }
    ],
}
_DESCRIPTIONS = {
    400: "A body that cannot be read (not UTF-8, broken multipart)",
    401: "No credentials, or invalid ones",
    403: "Not allowed for the caller's role or scope",
    404: "Not found, or not visible to the caller",
    409: "Conflict with the current state",
    413: "Request body too large",
    422: "Invalid input: every bad field is named in `errors`",
}
_FASTAPI_422 = {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` entries for problem answers; ``document_problems`` gives them their body."""
    return {status: {"description": _DESCRIPTIONS.get(status, "Problem")} for status in statuses}


def document_problems(document: dict[str, Any]) -> dict[str, Any]:
    """Document 4xx answers as they leave: ``application/problem+json`` with the Problem schema.

    FastAPI documents its 422 as ``{"detail": [...]}`` in JSON, and routes declare other 4xx by
    a description alone; both get the Problem body. Answers any operation may give are declared
    where they apply: 404 with path parameters, 400 and 413 with a body (unreadable, over the
    body limit), 422 with either. Idempotent (FastAPI caches the document and returns it again).
    """
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses: dict[str, Any] = operation["responses"]
            parameters = operation.get("parameters", [])
            if any(p.get("in") == "path" for p in parameters):
                responses.setdefault("404", {"description": _DESCRIPTIONS[404]})
            if "requestBody" in operation:
                responses.setdefault("400", {"description": _DESCRIPTIONS[400]})
                responses.setdefault("413", {"description": _DESCRIPTIONS[413]})
            if parameters or "requestBody" in operation:
                responses.setdefault("422", {"description": _DESCRIPTIONS[422]})
            for status, response in responses.items():
                if status.startswith("4") and response.get("content", _FASTAPI_422) == _FASTAPI_422:
                    response["content"] = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    for unused in ("HTTPValidationError", "ValidationError"):  # FastAPI's, unless still referenced
        if f'/{unused}"' not in json.dumps([document.get("paths"), {k: v for k, v in schemas.items() if k != unused}]):
            schemas.pop(unused, None)
    return document
