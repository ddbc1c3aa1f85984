"""Signed links: a subscriber's id and an HMAC-SHA256 of it for one purpose (confirm, unsubscribe).

Nothing is stored per link: a forged or altered token fails the comparison (constant time) and is
refused; a token for one purpose does not work for the other. The secret is the deployment's
(``subscription_secret``), so every replica reads every link.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import uuid

_MAC = 16


def make(secret: bytes, purpose: str, subscriber_id: uuid.UUID) -> str:
    mac = hmac.new(secret, f"{purpose}:{subscriber_id}".encode(), hashlib.sha256).digest()[:_MAC]
    return base64.urlsafe_b64encode(subscriber_id.bytes + mac).rstrip(b"=").decode()


def read(secret: bytes, purpose: str, token: str) -> uuid.UUID | None:
    """The subscriber a token was made for, or None if it was not made by us for ``purpose``."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 16 + _MAC:
        return None
    subscriber_id = uuid.UUID(bytes=raw[:16])
    expected = hmac.new(secret, f"{purpose}:{subscriber_id}".encode(), hashlib.sha256).digest()[:_MAC]
    return subscriber_id if hmac.compare_digest(expected, raw[16:]) else None
