"""Errors as RFC 9457 problem details: a small hierarchy and one handler per app.

Every 4xx/5xx leaves as ``application/problem+json`` with ``type``, ``title``, ``status``,
``detail`` and, for validation errors, ``errors``: one ``{"field", "message"}`` per bad field,
all of them at once. Request bodies never appear in a problem (they may hold personal data).
Each service's OpenAPI document says so too (``document_problems``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

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


class Forbidden(ProblemError):
    status, slug, title = 403, "forbidden", "Not allowed for your role"


class NotFound(ProblemError):
    status, slug, title = 404, "not-found", "Not found"


class Conflict(ProblemError):
    status, slug, title = 409, "conflict", "Conflict"


class PayloadTooLarge(ProblemError):
    status, slug, title = 413, "payload-too-large", "Request body too large"


class ValidationProblem(ProblemError):
    status, slug, title = 422, "validation", "Invalid input"


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


def field_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """One entry per bad field, named as a dotted path (``body.district``)."""
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        out.append({"field": ".".join(loc), "message": str(err.get("msg", "invalid"))})
    return out


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            slug=exc.slug,
            instance=request.url.path,
            errors=exc.errors,
            headers=headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = field_errors(exc)
        names = ", ".join(e["field"] for e in errors)
        return problem_response(
            422,
            "Invalid input",
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
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "examples": [
        {
            "type": "https://porchlight.city/problems/validation",
            "title": "Invalid fields: body.attendees",
            "status": 422,
            "detail": "Invalid fields: body.attendees",
            "instance": "/v1/notes",
            "errors": [{"field": "body.attendees", "message": "must be 0 or more"}],
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
