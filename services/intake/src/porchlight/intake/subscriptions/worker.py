"""The mailer: sends the queued messages through the city's SMTP relay, throttled (with no relay
set, into ``mail_dir`` when one is: the demo's Maildir; else the messages wait in the queue).

``mail_connections`` loops each keep one SMTP connection and send one message per transaction:
the row is locked (SKIP LOCKED: loops and replicas never take the same one), sent, and its
outcome committed with it. A mailer killed between the relay's 250 and that commit leaves that
one message queued, so it goes again — at most one message per connection, once (the relay sees
the same Message-ID). Loops together send at most ``mail_per_second``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from porchlight.intake.settings import IntakeSettings
from porchlight.intake.subscriptions import service
from porchlight.intake.subscriptions.mail import messages
from porchlight.intake.subscriptions.mail.maildir import MaildirDrop
from porchlight.intake.subscriptions.mail.smtp import Outcome, Relay, SmtpTransport, connect
from porchlight.intake.subscriptions.models import Mail, Subscriber
from porchlight.intake.subscriptions.repository import SubscriptionRepository

log = logging.getLogger(__name__)

#: Waits before each retry of a message the relay did not take (then it is ``failed``).
BACKOFF = (timedelta(seconds=30), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=8))
IDLE_S = 1.0


class Transport(Protocol):
    async def send(self, message: EmailMessage | bytes, sender: str, recipient: str) -> Outcome: ...


class Mailer:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], settings: Callable[[], IntakeSettings]) -> None:
        self.sessions = sessions
        self.settings = settings  # read at each round: the settings the service provides now
        self._key: bytes | None = None
        self._places: dict[str, str] = {}
        self._templates: dict[tuple[uuid.UUID, str, str, str], tuple[bytes, dict[str, str]]] = {}
        self._drop: MaildirDrop | None = None

    def _relay(self, s: IntakeSettings) -> Relay | None:
        if not s.smtp_host:
            return None
        password = s.smtp_password.get_secret_value() if s.smtp_password else None
        return Relay(s.smtp_host, s.smtp_port, s.smtp_username, password, s.smtp_starttls, s.smtp_tls)

    def _maildir(self, path: Path) -> MaildirDrop:
        if self._drop is None or self._drop.path != path:
            self._drop = MaildirDrop(path)
        return self._drop

    async def _secret(self, repo: SubscriptionRepository) -> bytes:
        if self._key is None:
            self._key = await repo.secret()
        return self._key

    async def _place(self, repo: SubscriptionRepository, code: str) -> str:
        if code not in self._places:
            self._places[code] = await repo.neighborhood_name(code) or code
        return self._places[code]

    async def _template(
        self, repo: SubscriptionRepository, newsletter_id: uuid.UUID, language: str, list_id: str, sender: str
    ) -> tuple[bytes, dict[str, str]]:
        """The newsletter's edition in ``language`` (else its first) and its wire template: the few
        newsletters being sent are kept in memory, each read and laid out once for its thousands
        of messages."""
        key = (newsletter_id, language, list_id, sender)
        if key not in self._templates:
            letter = await repo.newsletter(newsletter_id)
            assert letter is not None  # the foreign key holds it
            edition = letter.editions.get(language) or next(iter(letter.editions.values()))
            if len(self._templates) >= 64:
                self._templates.pop(next(iter(self._templates)))
            template = messages.newsletter_template(sender=sender, language=language, edition=edition, list_id=list_id)
            self._templates[key] = (template, edition)
        return self._templates[key]

    async def _message(
        self, repo: SubscriptionRepository, mail: Mail, subscriber: Subscriber, s: IntakeSettings
    ) -> EmailMessage | bytes:
        place = await self._place(repo, subscriber.neighborhood)
        links = service.links(await self._secret(repo), subscriber, s.links_base())
        if mail.kind == "newsletter" and mail.newsletter_id is not None:
            list_id = f"{place} <{subscriber.neighborhood}.updates.porchlight>"
            template, edition = await self._template(
                repo, mail.newsletter_id, subscriber.language, list_id, s.mail_from
            )
            return messages.newsletter_bytes(
                template,
                to=subscriber.email,
                message_id=mail.message_id,
                unsubscribe_url=links[service.UNSUBSCRIBE],
                edition=edition,
            )
        return messages.confirmation(
            to=subscriber.email,
            sender=s.mail_from,
            message_id=mail.message_id,
            language=subscriber.language,
            place=place,
            team=parseaddr(s.mail_from)[0] or "Community Outreach Team",
            confirm_url=links[service.CONFIRM],
        )

    async def send_one(self, transport: Transport, s: IntakeSettings) -> str:
        """Send the next due message in its own transaction: "none" when none is due, else what
        became of it ("sent", "bounced", "failed", "retry")."""
        async with self.sessions() as session, session.begin():
            repo = SubscriptionRepository(session)
            rows = await repo.claim_mail(datetime.now(UTC), 1)
            if not rows:
                return "none"
            mail, subscriber = rows[0]
            mail.attempts += 1
            if subscriber.status in ("unsubscribed", "bounced") or (
                mail.kind == "newsletter" and subscriber.status != "confirmed"
            ):
                mail.status, mail.error = "failed", f"the subscriber is {subscriber.status}"
                return "failed"
            message = await self._message(repo, mail, subscriber, s)
            outcome = await transport.send(message, parseaddr(s.mail_from)[1], subscriber.email)
            now = datetime.now(UTC)
            if outcome.result == "sent":
                mail.status, mail.sent_at, mail.error = "sent", now, None
            elif outcome.result == "bounced":
                mail.status, mail.error = "bounced", outcome.detail
                subscriber.status, subscriber.bounced_at, subscriber.bounce_reason = "bounced", now, outcome.detail
                subscriber.email = ""  # never tried again: the address is not kept
            elif mail.attempts > len(BACKOFF):
                mail.status, mail.error = "failed", outcome.detail
            else:
                mail.next_attempt_at, mail.error = now + BACKOFF[mail.attempts - 1], outcome.detail
            return outcome.result if outcome.result != "retry" or mail.status == "queued" else "failed"

    async def _loop(self, stopping: asyncio.Event, share: int) -> None:
        client: aiosmtplib.SMTP | None = None
        try:
            while not stopping.is_set():
                s = self.settings()
                relay = self._relay(s)
                if relay is None and s.mail_dir is None:  # nowhere to send: the mail waits in the queue
                    await _sleep(stopping, IDLE_S)
                    continue
                started = time.monotonic()
                try:
                    transport: Transport
                    if relay is None:
                        assert s.mail_dir is not None
                        transport = self._maildir(s.mail_dir)
                    else:
                        if client is None or not client.is_connected:
                            client = await connect(relay)
                        transport = SmtpTransport(client)
                    result = await self.send_one(transport, s)
                except (aiosmtplib.SMTPException, OSError, TimeoutError):
                    log.warning("the SMTP relay is not reachable; retrying", exc_info=True)
                    if client is not None:
                        client.close()
                    client = None
                    await _sleep(stopping, IDLE_S)
                    continue
                if result == "none":
                    await _sleep(stopping, IDLE_S)
                    continue
                if result == "retry" and client is not None:
                    client.close()  # a fresh connection for the next message
                    client = None
                # Throttle: each of the loops sends at most rate/loops messages a second.
                pause = share / s.mail_per_second - (time.monotonic() - started)
                if pause > 0:
                    await asyncio.sleep(pause)
        finally:
            if client is not None and client.is_connected:
                with contextlib.suppress(Exception):
                    await client.quit()

    async def run(self, stopping: asyncio.Event) -> None:
        loops = self.settings().mail_connections
        await asyncio.gather(*(self._loop(stopping, loops) for _ in range(loops)))


async def _sleep(stopping: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), seconds)
