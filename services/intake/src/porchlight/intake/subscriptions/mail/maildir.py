"""Delivering into a Maildir instead of an SMTP relay: the demo's mail (``make run`` on a machine
with no relay), kept as one file a message under ``<dir>/new`` — any mail client opens them, and
the links in them (confirm, unsubscribe) work against the running demo. Never for residents: no
message leaves the machine."""

from __future__ import annotations

import asyncio
import mailbox
from email.message import EmailMessage
from pathlib import Path

from porchlight.intake.subscriptions.mail.smtp import Outcome


class MaildirDrop:
    """One Maildir, written a message at a time (Maildir's own rename makes each appear whole)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._box: mailbox.Maildir | None = None

    async def send(self, message: EmailMessage | bytes, sender: str, recipient: str) -> Outcome:
        data = message if isinstance(message, bytes) else message.as_bytes()
        await asyncio.to_thread(self._add, data)
        return Outcome("sent")

    def _add(self, data: bytes) -> None:
        if self._box is None:
            for part in ("tmp", "new", "cur"):  # also when the directory is there but empty
                (self.path / part).mkdir(parents=True, exist_ok=True)
            self._box = mailbox.Maildir(self.path, create=False)
        self._box.add(data)
