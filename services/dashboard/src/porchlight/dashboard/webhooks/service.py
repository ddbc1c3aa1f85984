"""Webhooks: each published update POSTed to every active endpoint, signed, retried, never lost.

- **Queued with the update**: the handler of ``update.published`` writes one delivery per active
  endpoint in the same transaction as the inbox row, so an update is queued once, whatever the
  broker redelivers, and a crash loses nothing.
- **Signed** as Standard Webhooks says (``webhook-id``, ``webhook-timestamp``,
  ``webhook-signature: v1,<HMAC-SHA256>``; the ``standardwebhooks`` package verifies it): the
  receiver knows it came from us, unchanged, and dedupes by the id if a retry repeats one.
- **Retried** with backoff (``webhook_backoff_s``) on a timeout, a refused connection or any
  non-2xx answer; when the waits are spent the delivery is **dead**: kept with its last error,
  listed for admins, retried by hand. Nothing is dropped.
- **Sized for social posts**: ``social_text`` is at most 280 characters with the link counted as
  23, as X and Mastodon count a link.
"""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from standardwebhooks import Webhook

from porchlight.dashboard.webhooks import repository as repo
from porchlight.dashboard.webhooks.schemas import DeliveryOut, WebhookCreated, WebhookIn, WebhookOut
from porchlight.kit.auth import Principal
from porchlight.kit.errors import Conflict, NotFound

SOCIAL_LIMIT, LINK_LENGTH = 280, 23
#: A sender's lease on the deliveries it claimed: longer than a POST may take.
LEASE = timedelta(seconds=90)


def _out(row: Any) -> WebhookOut:
    return WebhookOut(
        id=row.webhook_id,
        name=row.name,
        url=row.url,
        active=row.active,
        created_by=row.created_by,
        created_at=row.created_at,
    )


async def register(session: AsyncSession, body: WebhookIn, who: Principal) -> WebhookCreated:
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    webhook_id = uuid.uuid4()
    values = {
        "webhook_id": webhook_id,
        "name": body.name,
        "url": str(body.url),
        "secret": secret,
        "active": True,
        "created_by": who.subject,
        "created_at": datetime.now(UTC),
    }
    await repo.add(session, values)
    return WebhookCreated(**_out(await repo.get(session, webhook_id)).model_dump(), secret=secret)


async def listed(session: AsyncSession) -> list[WebhookOut]:
    return [_out(r) for r in await repo.listed(session)]


async def deactivate(session: AsyncSession, webhook_id: uuid.UUID) -> None:
    if await repo.get(session, webhook_id) is None:
        raise NotFound(f"no webhook {webhook_id}")
    await repo.deactivate(session, webhook_id)


def social_text(title: str, extra: str | None, link: str) -> str:
    """``title`` (and ``extra`` when it fits), then the link: at most 280 with the link as 23."""
    room = SOCIAL_LIMIT - LINK_LENGTH - 1
    text = f"{title} {extra}" if extra and len(title) + 1 + len(extra) <= room else title
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return f"{text} {link}"


def update_url(base: str, update: Any, language: str = "en") -> str:
    where = f"neighborhoods/{update.neighborhood}" if update.neighborhood else f"districts/{update.district}"
    return f"{base}/public/{language}/{where}#update-{update.update_id}"


def payload(update: Any, base: str) -> dict[str, Any]:
    """What each endpoint gets: the update as published, with its links and its social texts."""
    url = update_url(base, update)
    data: dict[str, Any] = {
        "update_id": str(update.update_id),
        "kind": update.kind,
        "district": update.district,
        "neighborhood": update.neighborhood,
        "title": update.title,
        "body": update.body,
        "place": update.place,
        "topics": list(update.topics or []),
        "project_id": str(update.project_id) if update.project_id else None,
        "published_at": update.published_at.isoformat(),
        "translations": dict(update.translations or {}),
        "url": url,
        "links": {"en": url},
        "social_text": social_text(update.title, None, url),
    }
    for lang, text in (update.translations or {}).items():
        link = update_url(base, update, lang)
        data["links"][lang] = link
        data[f"social_text_{lang}"] = social_text(text["title"], None, link)
    return {"type": "update.published", "timestamp": update.published_at.isoformat(), "data": data}


async def queue_update(session: AsyncSession, update_id: uuid.UUID) -> int:
    """One delivery per active endpoint, in the same transaction as the event's inbox row: the
    body is built when it is sent, from the update the dashboard keeps. A rebuild of the read
    models replays the event and queues nothing more (the delivery's id is the same)."""
    hooks = await repo.active_ids(session)
    now = datetime.now(UTC)
    rows = [
        {
            # One id per endpoint and update: the redelivered event adds nothing, and the id is
            # the ``webhook-id`` a receiver dedupes by.
            "delivery_id": uuid.uuid5(hook, str(update_id)),
            "webhook_id": hook,
            "update_id": update_id,
            "status": "pending",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for hook in hooks
    ]
    await repo.queue(session, rows)
    return len(rows)


def signed(delivery_id: uuid.UUID, secret: str, body: bytes, at: datetime) -> dict[str, str]:
    msg_id = str(delivery_id)
    return {
        "content-type": "application/json",
        "user-agent": "Porchlight-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


async def post(
    client: httpx.AsyncClient, row: Any, content: dict[str, Any], timeout_s: float
) -> tuple[int | None, str | None]:
    """POST one delivery: (status, error) — error None for a 2xx."""
    body = json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()
    headers = signed(row.delivery_id, row.secret, body, datetime.now(UTC))
    try:
        r = await client.post(row.url, content=body, headers=headers, timeout=timeout_s)
    except httpx.TimeoutException:
        return None, f"no answer within {timeout_s:g} s"
    except httpx.HTTPError as e:
        return None, f"{type(e).__name__}: {e}"[:300]
    return r.status_code, None if 200 <= r.status_code < 300 else f"HTTP {r.status_code}"


def outcome(
    attempts: int, status: int | None, error: str | None, backoff: list[float], now: datetime
) -> dict[str, Any]:
    """The delivery after an attempt: delivered, due again after its wait, or dead."""
    if error is None:
        return {"status": "delivered", "delivered_at": now, "last_status": status, "last_error": None}
    values: dict[str, Any] = {"last_status": status, "last_error": error}
    if attempts > len(backoff):
        return values | {"status": "dead", "next_attempt_at": now}
    return values | {"next_attempt_at": now + timedelta(seconds=backoff[attempts - 1])}


def delivery_out(row: Any) -> DeliveryOut:
    return DeliveryOut(
        id=row.delivery_id,
        webhook_id=row.webhook_id,
        update_id=row.update_id,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status=row.last_status,
        last_error=row.last_error,
        delivered_at=row.delivered_at,
        created_at=row.created_at,
    )


async def retry(session: AsyncSession, delivery_id: uuid.UUID) -> DeliveryOut:
    """A dead letter sent again: due now, its attempts counted afresh."""
    row = await repo.delivery(session, delivery_id, lock=True)
    if row is None:
        raise NotFound(f"no delivery {delivery_id}")
    if row.status != "dead":
        raise Conflict(f"the delivery is {row.status}: only a dead letter is retried by hand")
    await repo.record(session, delivery_id, {"status": "pending", "attempts": 0, "next_attempt_at": datetime.now(UTC)})
    return delivery_out(await repo.delivery(session, delivery_id))
