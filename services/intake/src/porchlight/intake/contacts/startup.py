"""Contacts at intake's start: the contact desk the hot route is handed (``Provided``)."""

from __future__ import annotations

from porchlight.intake.contacts.repository import ContactWriter
from porchlight.intake.contacts.service import ContactDesk
from porchlight.intake.db import outbox
from porchlight.intake.places.service import IndexKeeper
from porchlight.intake.settings import IntakeSettings
from porchlight.kit.runtime import ServiceRuntime


def provide_contact_desk(runtime: ServiceRuntime) -> None:
    """One desk per running service: the group writer and the places index keeper live with it."""
    runtime.provide(
        ContactDesk(
            runtime.sessions,
            ContactWriter(runtime.engine, outbox),
            IndexKeeper(runtime.sessions),
            runtime.resource(IntakeSettings),
        )
    )
