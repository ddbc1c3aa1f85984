"""Sending one message through the city's SMTP relay (aiosmtplib), and what the answer means.

- 2xx for the recipient: **sent**.
- 5xx for the recipient (unknown user, mailbox gone): **bounced** — the address is not tried again.
- anything else (4xx, the sender or message refused, a dropped connection, a timeout): **retry**
  later — the relay is busy, throttling us, or set up wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Literal

import aiosmtplib


@dataclass(frozen=True)
class Outcome:
    result: Literal["sent", "bounced", "retry"]
    detail: str | None = None


@dataclass(frozen=True)
class Relay:
    host: str
    port: int
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    tls: bool = False
    timeout_s: float = 30.0


async def connect(relay: Relay) -> aiosmtplib.SMTP:
    client = aiosmtplib.SMTP(
        hostname=relay.host,
        port=relay.port,
        use_tls=relay.tls,
        start_tls=relay.starttls,
        timeout=relay.timeout_s,
    )
    await client.connect()
    if relay.username and relay.password:
        await client.login(relay.username, relay.password)
    return client


class SmtpTransport:
    """An open connection to the relay, as the mailer sends through it."""

    def __init__(self, client: aiosmtplib.SMTP) -> None:
        self.client = client

    async def send(self, message: EmailMessage | bytes, sender: str, recipient: str) -> Outcome:
        return await send(self.client, message, sender, recipient)


async def send(client: aiosmtplib.SMTP, message: EmailMessage | bytes, sender: str, recipient: str) -> Outcome:
    """Send ``message`` (an EmailMessage, or its wire bytes) to ``recipient`` alone."""
    try:
        if isinstance(message, bytes):
            errors, _ = await client.sendmail(sender, [recipient], message)
        else:
            errors, _ = await client.send_message(message, sender=sender, recipients=[recipient])
    except aiosmtplib.SMTPRecipientsRefused as e:
        refused = e.recipients[0] if e.recipients else None
        code = refused.code if refused is not None else 550
        detail = f"{code} {refused.message if refused is not None else e}"[:300]
        return Outcome("bounced" if 500 <= code < 600 else "retry", detail)
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as e:
        # The relay refused the sender or the message, or went away: a problem of ours or of the
        # relay, never a reason to stop mailing the resident.
        return Outcome("retry", f"{type(e).__name__}: {e}"[:300])
    if recipient in errors:
        code, text = errors[recipient]
        return Outcome("bounced" if 500 <= code < 600 else "retry", f"{code} {text}"[:300])
    return Outcome("sent")
