"""Shapes of webhooks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

from porchlight.kit.inputs import SingleLine

_WEBHOOK_IN: JsonDict = {"name": "Precinct B2 social page", "url": "https://social.city.example/hooks/porchlight"}
_WEBHOOK_OUT: JsonDict = _WEBHOOK_IN | {
    "id": "7d1c3e5a-2b4f-4a6c-9e8d-1f0a2b3c4d50",
    "active": True,
    "created_by": "admin-lee",
    "created_at": "2027-01-04T15:30:00Z",
}
_DELIVERY: JsonDict = {
    "id": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c60",
    "webhook_id": "7d1c3e5a-2b4f-4a6c-9e8d-1f0a2b3c4d50",
    "update_id": "8a3e5c1f-2b7d-4f9a-9c6e-1d4b7a2f5e80",
    "status": "dead",
    "attempts": 8,
    "next_attempt_at": "2027-01-05T03:30:00Z",
    "last_status": 500,
    "last_error": "HTTP 500",
    "delivered_at": None,
    "created_at": "2027-01-04T15:30:00Z",
}


class WebhookIn(BaseModel):
    """An endpoint of the city's own tools that gets every published update."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_WEBHOOK_IN]})

    name: SingleLine = Field(min_length=3, max_length=100)
    url: AnyHttpUrl = Field(description="http or https; it gets a POST per published update")


class WebhookOut(BaseModel):
    """A registered endpoint (its secret is shown once, when it is registered)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_WEBHOOK_OUT]})

    id: uuid.UUID
    name: str
    url: str
    active: bool
    created_by: str
    created_at: datetime


class WebhookCreated(WebhookOut):
    """The endpoint and its signing secret: keep it, it is not shown again."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [_WEBHOOK_OUT | {"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]}
    )

    secret: str = Field(description="Verify each POST's webhook-signature with it (Standard Webhooks)")


class DeliveryOut(BaseModel):
    """One update's delivery to one endpoint: pending, delivered, or dead (the dead letter)."""

    model_config = ConfigDict(json_schema_extra={"examples": [_DELIVERY]})

    id: uuid.UUID
    webhook_id: uuid.UUID
    update_id: uuid.UUID
    status: Literal["pending", "delivered", "dead"]
    attempts: int
    next_attempt_at: datetime
    last_status: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime
