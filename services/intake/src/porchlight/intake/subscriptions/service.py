"""Subscriptions: double opt-in, one-click unsubscribe, and nothing learned from the answers.

- **Subscribe**: the address must be one email-validator accepts (syntax only: nothing is looked
  up) and not from a disposable-address service (the ``disposable-email-domains`` list); the
  neighborhood must be one of the city's. The answer is the same whether the address is new,
  waiting or already confirmed. A new or waiting address gets a confirmation message (at most
  one per ``RESEND_AFTER``); nothing else is ever sent before it is confirmed.
- **The address** is kept only while it may be mailed: an unsubscribed or bounced subscriber's is
  erased (the row keeps a hash of it, so a repeat subscription finds the row).
- **Confirm** and **unsubscribe** take a signed link (mail/tokens.py): a forged one is a 400,
  and changes nothing. Unsubscribing is one click (RFC 8058: the mail client POSTs it) and final
  until the resident subscribes again.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta

from disposable_email_domains import blocklist
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.intake.settings import IntakeSettings
from porchlight.intake.subscriptions.mail import tokens
from porchlight.intake.subscriptions.models import Mail, Subscriber
from porchlight.intake.subscriptions.repository import SubscriptionRepository
from porchlight.intake.subscriptions.schemas import Counts, SubscribeIn
from porchlight.kit.errors import BadRequest, ValidationProblem

RESEND_AFTER = timedelta(minutes=10)
CONFIRM, UNSUBSCRIBE = "confirm", "unsubscribe"


def _now() -> datetime:
    return datetime.now(UTC)


def normalised(address: str) -> str:
    """The address as email-validator normalises it; 422 naming ``body.email`` when refused (code
    ``not_an_email`` or ``disposable_email``: the form route says which in plain words)."""
    try:
        found = validate_email(address, check_deliverability=False)
    except EmailNotValidError as e:
        raise ValidationProblem(
            str(e), errors=[{"field": "body.email", "code": "not_an_email", "message": str(e)}]
        ) from e
    if found.domain.lower() in blocklist:
        why = "a disposable address: give one you will keep reading"
        raise ValidationProblem(why, errors=[{"field": "body.email", "code": "disposable_email", "message": why}])
    return found.normalized


def address_key(email: str) -> str:
    """What finds a subscriber by address: a hash of the lower-cased address, so the row outlives
    the address (erased when the resident unsubscribes or it bounces)."""
    return hashlib.sha256(email.lower().encode()).hexdigest()


def queue_mail(subscriber: Subscriber, kind: str) -> Mail:
    now = _now()
    return Mail(
        subscriber_id=subscriber.id,
        kind=kind,
        message_id=f"<{kind}.{uuid.uuid4()}@porchlight>",
        status="queued",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


async def subscribe(session: AsyncSession, body: SubscribeIn) -> None:
    email = normalised(body.email)
    repo = SubscriptionRepository(session)
    if await repo.neighborhood_name(body.neighborhood) is None:
        raise ValidationProblem(
            f"no neighborhood {body.neighborhood!r}",
            errors=[
                {
                    "field": "body.neighborhood",
                    "code": "unknown_neighborhood",
                    "message": "not one of the city's neighborhoods",
                }
            ],
        )
    now = _now()
    found = await repo.find(address_key(email), body.neighborhood, lock=True)
    if found is None:
        found = Subscriber(
            id=uuid.uuid4(),
            email=email,
            email_key=address_key(email),
            neighborhood=body.neighborhood,
            language=body.language,
            status="pending",
            created_at=now,
        )
        await repo.add(found)
    elif found.status == "confirmed":
        found.language = body.language  # a change of language is all a repeat may do
        return
    elif found.confirmation_sent_at and now - found.confirmation_sent_at < RESEND_AFTER:
        return  # one confirmation message per ten minutes, whatever is posted
    else:
        # Unsubscribed, bounced or waiting: asked again, it waits for a new confirmation.
        found.status, found.language, found.created_at, found.email = "pending", body.language, now, email
        found.bounced_at, found.bounce_reason = None, None
    found.confirmation_sent_at = now
    await repo.add(queue_mail(found, CONFIRM))


async def _by_token(session: AsyncSession, purpose: str, token: str) -> Subscriber:
    repo = SubscriptionRepository(session)
    subscriber_id = tokens.read(await repo.secret(), purpose, token)
    found = await repo.get(subscriber_id, lock=True) if subscriber_id else None
    if found is None:
        raise BadRequest("this link is not one of ours, or it was changed on the way")
    return found


async def confirm(session: AsyncSession, token: str, settings: IntakeSettings) -> Subscriber:
    found = await _by_token(session, CONFIRM, token)
    if found.status == "confirmed":
        return found
    if found.status != "pending" or _now() - found.created_at > timedelta(hours=settings.confirm_hours):
        raise BadRequest("this confirmation link is no longer valid: subscribe again for a new one")
    found.status, found.confirmed_at = "confirmed", _now()
    return found


async def unsubscribe(session: AsyncSession, token: str) -> Subscriber:
    found = await _by_token(session, UNSUBSCRIBE, token)
    if found.status != "unsubscribed":
        # The address goes with the subscription: nothing to mail, nothing to keep.
        found.status, found.unsubscribed_at, found.email = "unsubscribed", _now(), ""
    return found


def links(secret: bytes, subscriber: Subscriber, base: str) -> dict[str, str]:
    """The subscriber's confirm and unsubscribe links (signed with the deployment's secret)."""
    path = f"{base}/v1/public/subscriptions"
    return {
        CONFIRM: f"{path}/confirm?token={tokens.make(secret, CONFIRM, subscriber.id)}",
        UNSUBSCRIBE: f"{path}/unsubscribe?token={tokens.make(secret, UNSUBSCRIBE, subscriber.id)}",
    }


async def counts(session: AsyncSession, neighborhood: str) -> Counts:
    found = await SubscriptionRepository(session).counts(neighborhood)
    by_status: dict[str, int] = {}
    confirmed: dict[str, int] = {}
    for (status, lang), n in found.items():
        by_status[status] = by_status.get(status, 0) + n
        if status == "confirmed":
            confirmed[lang] = n
    return Counts(
        neighborhood=neighborhood,
        confirmed=confirmed,
        recipients=by_status.get("confirmed", 0),
        pending=by_status.get("pending", 0),
        unsubscribed=by_status.get("unsubscribed", 0),
        bounced=by_status.get("bounced", 0),
    )
