"""What every input of projects shares: no NUL in text, finite numbers, dates within reason.

PostgreSQL refuses NUL characters in text and Python's dates end in 9999: both would surface as
a 500 deep in a query; here they are a 422 naming the field.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: Projects are planned for this century (a calendar feed adds a day to the due date).
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)
Day = Annotated[date, Field(ge=EARLIEST, le=LATEST)]

NO_NUL = r"^[^\x00]*$"
#: A filter given in the query string (district, department...). A pydantic ``Field`` rather
#: than FastAPI's ``Query``: FastAPI reads it alike (same 422, same OpenAPI) and this package
#: stays free of HTTP.
QueryText = Annotated[str | None, Field(max_length=100, pattern=NO_NUL)]


def _no_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("must not contain NUL characters")
    if isinstance(value, list):
        for item in value:
            _no_nul(item)
    return value


class Input(BaseModel):
    """Base of request bodies."""

    # Unknown fields are ignored, as they always were here (forbidding them would break callers).
    model_config = ConfigDict(allow_inf_nan=False, extra="ignore")

    @field_validator("*", mode="after")
    @classmethod
    def _text_without_nul(cls, value: Any) -> Any:
        return _no_nul(value)
