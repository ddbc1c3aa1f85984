"""Shapes of subscriptions. No answer ever carries an address back (not even its owner's)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

Language = Literal["en", "es"]

_IN: JsonDict = {"email": "maria@example.org", "neighborhood": "roxbury", "language": "es"}


class SubscribeIn(BaseModel):
    """An address to send a neighborhood's updates to, in a language."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_IN]})

    email: str = Field(min_length=3, max_length=254)
    neighborhood: str = Field(min_length=1, max_length=100)
    language: Language = "en"


class SubscribeOut(BaseModel):
    """The same answer whether the address was new, waiting or already subscribed (nobody learns
    from it who is on the list)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "check-your-email", "message": "We sent a link to confirm."}]}
    )

    status: Literal["check-your-email"] = "check-your-email"
    message: str


class Counts(BaseModel):
    """How many addresses each language has in a neighborhood (no address is ever listed)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "neighborhood": "roxbury",
                    "confirmed": {"en": 412, "es": 188},
                    "recipients": 600,
                    "pending": 31,
                    "unsubscribed": 17,
                    "bounced": 4,
                }
            ]
        }
    )

    neighborhood: str
    confirmed: dict[str, int]
    #: Who a newsletter sent now would reach: the confirmed addresses.
    recipients: int
    pending: int
    unsubscribed: int
    bounced: int
