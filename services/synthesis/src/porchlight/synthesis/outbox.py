"""Synthesis's outbox, reached lazily (spec.py imports the modules that publish)."""

from __future__ import annotations

from porchlight.events import Outbox


def outbox() -> Outbox:
    from porchlight.synthesis.spec import spec

    return spec.outbox
