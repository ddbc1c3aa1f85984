"""HTTP routes of webhooks (admins): register an endpoint (its secret shown once), list, stop one,
and the deliveries — the dead letters among them retried by hand."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from porchlight.dashboard.webhooks import repository as repo
from porchlight.dashboard.webhooks import service
from porchlight.dashboard.webhooks.schemas import DeliveryOut, WebhookCreated, WebhookIn, WebhookOut
from porchlight.kit.app import Session
from porchlight.kit.auth import Admin

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post("", response_model=WebhookCreated, status_code=201)
async def register_webhook(body: WebhookIn, session: Session, who: Admin) -> WebhookCreated:
    """Register an endpoint of the city's own tools: every published update is POSTed to it.

    Each POST is signed as Standard Webhooks says (`webhook-id`, `webhook-timestamp`,
    `webhook-signature`) with the secret in this answer, shown only here.
    """
    return await service.register(session, body, who)


@router.get("", response_model=list[WebhookOut])
async def list_webhooks(session: Session, _: Admin) -> list[WebhookOut]:
    """The registered endpoints (without their secrets)."""
    return await service.listed(session)


@router.delete("/{webhook_id}", status_code=204, response_class=Response, responses={404: {}})
async def stop_webhook(webhook_id: uuid.UUID, session: Session, _: Admin) -> Response:
    """Stop sending to an endpoint (what was queued for it is still sent)."""
    await service.deactivate(session, webhook_id)
    return Response(status_code=204)


@router.get("/deliveries", response_model=list[DeliveryOut])
async def list_deliveries(
    session: Session,
    _: Admin,
    status: Literal["pending", "delivered", "dead"] | None = None,
    update: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """Deliveries, newest first; `status=dead` lists the dead letters, `update=` one update's."""
    return [service.delivery_out(r) for r in await repo.deliveries(session, status, limit, update)]


@router.post("/deliveries/{delivery_id}/retry", response_model=DeliveryOut, responses={404: {}, 409: {}})
async def retry_delivery(delivery_id: uuid.UUID, session: Session, _: Admin) -> DeliveryOut:
    """Send a dead letter again (its attempts start afresh)."""
    return await service.retry(session, delivery_id)
