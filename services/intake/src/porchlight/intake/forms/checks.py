"""What intake checks in every form (a meeting, a note, an imported row), without HTTP.

* Type errors and context errors (unknown district, a date too far ahead) are reported together
  in one 422 (``problem``); a client may choose the id, and re-sending the same form with the
  same id is a harmless retry (``form_hash`` recognises it).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

from pydantic import BaseModel

from porchlight.kit.errors import ValidationProblem

Errors = list[dict[str, str]]


def form_hash(form: BaseModel) -> str:
    """A stable fingerprint of a form's content (its id left out), to recognise a retry."""
    content = form.model_dump(mode="json", exclude={"id"})
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def too_far_ahead(value: datetime | None, *, now: datetime, hours: float, field: str) -> Errors:
    if value is not None and value > now + timedelta(hours=hours):
        return [
            {"field": field, "code": "too_far_ahead", "message": f"This is more than {hours:g} hours in the future."}
        ]
    return []


def problem(errors: Errors) -> ValidationProblem:
    return ValidationProblem(f"Invalid fields: {', '.join(e['field'] for e in errors)}", errors=errors)
