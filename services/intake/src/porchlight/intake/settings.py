"""Intake's own settings (``PORCHLIGHT_INTAKE_*``), read once when the service starts, never at import.

The runtime provides them by type: routes declare ``Config``, start-up hooks and workers take
them from the runtime (``runtime.resource(IntakeSettings)``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from porchlight.kit.app import Provided
from porchlight.kit.settings import service_port


class IntakeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORCHLIGHT_INTAKE_", extra="ignore")

    #: Largest note accepted, in bytes of JSON (the issue's 20 KB).
    max_note_bytes: int = 20_000
    #: Kitchen-table meetings: more residents than this is accepted with a warning.
    kitchen_table_max: int = 9
    #: Dates further in the future than this are refused (clock skew of phones allowed).
    max_future_hours: int = 24

    # Bulk imports (``PORCHLIGHT_INTAKE_IMPORT_*``).
    #: Largest file accepted (413 above). It is also the upload route's body limit (instead of the
    #: kit's PORCHLIGHT_MAX_BODY_BYTES), plus room for the multipart envelope; the CLI has none.
    import_max_bytes: int = Field(default=50_000_000, ge=1)
    #: Files up to this size are validated inside the upload request (201 with the report);
    #: larger ones in the background (202; progress with GET).
    import_inline_max_bytes: int = Field(default=1_000_000, ge=0)
    #: Commits of up to this many rows run inside the request, as one transaction.
    import_inline_max_rows: int = Field(default=2_000, ge=0)
    #: Rows per batch: one transaction per batch when validating and committing.
    import_batch_rows: int = Field(default=2_000, ge=1)
    #: Size of the pieces the uploaded file is stored in.
    import_chunk_bytes: int = Field(default=512 * 1024, ge=1024)
    #: An import not committed within this many hours expires: its file and rows are deleted.
    import_expire_hours: int = Field(default=72, ge=1)
    #: A job's runner renews its claim each batch; a claim older than this is taken over.
    import_lease_seconds: int = Field(default=60, ge=5)
    #: Times without an offset are local times of this zone (a department's own clock).
    import_timezone: str = "America/New_York"
    #: Older records are refused (an Excel date of 1900 is a mistake, not history).
    import_max_age_days: int = Field(default=3650, ge=1)

    # Retention (``PORCHLIGHT_INTAKE_RETENTION_*``; docs/privacy.md, "Retention and erasure"): after
    # this many days the words go and the counts stay. Fractions of a day are allowed (tests).
    #: A note's words, counted from when the conversation was held.
    retention_notes_days: float = Field(default=730, gt=0)
    #: A contact's note and place name, counted from when it happened.
    retention_contacts_days: float = Field(default=365, gt=0)
    #: An import's file and staged rows, counted from when the import finished (committed, failed or expired).
    retention_imports_days: float = Field(default=90, gt=0)
    #: How often the retention worker looks; 0 turns it off (run `porchlight retention run` instead).
    retention_interval_s: float = Field(default=3600, ge=0)
    #: Notes or contacts erased per transaction.
    retention_batch: int = Field(default=200, ge=1)

    # Email to subscribers (``PORCHLIGHT_INTAKE_SMTP_*``, ``..._MAIL_*``; ADR 0017). Without an SMTP
    # host the mail waits in the queue (mail_queue) until one is set.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    #: STARTTLS after connecting (a relay on 587); ``smtp_tls`` for implicit TLS (465).
    smtp_starttls: bool = False
    smtp_tls: bool = False
    #: The sender residents see, and where bounces go back to.
    mail_from: str = "Community Outreach Team <outreach@porchlight.invalid>"
    #: Throttle: messages per second to the relay (providers cap senders; bursts get 4xx).
    mail_per_second: float = Field(default=50.0, gt=0)
    #: Concurrent SMTP connections to the relay.
    mail_connections: int = Field(default=4, ge=1, le=32)
    #: Where residents reach intake's public routes (the links in confirmation and unsubscribe
    #: mail). Unset: the dashboard's same-origin proxy on this machine.
    public_url: str | None = None
    #: With no SMTP relay set, each message is written into this Maildir instead (``make run``
    #: sets ``<data dir>/mail`` for the demo: open the files to follow a confirmation link or read
    #: a newsletter). Unset, and no relay: the mail waits in the queue. No resident gets it either way.
    mail_dir: Path | None = None
    #: A confirmation link older than this no longer confirms (subscribe again for a new one).
    confirm_hours: float = Field(default=168, gt=0)

    def links_base(self) -> str:
        return (self.public_url or f"http://127.0.0.1:{service_port('dashboard', 8000)}/api/intake").rstrip("/")


#: The dependency routes declare to get intake's settings.
Config = Annotated[IntakeSettings, Provided(IntakeSettings)]
