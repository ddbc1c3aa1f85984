"""A newsletter to 50,000 subscribers through a local SMTP sink (issue 18): time, rate, and each
address mailed exactly once across a restart of intake in the middle.

    cd bench && ../.venv/bin/python newsletter_send.py [--subscribers 50000] [--restart term|kill|none]

Load: ``--subscribers`` confirmed subscribers of one neighborhood (half English, half Spanish),
seeded with COPY into intake's tables, and one newsletter (two editions of about 4 KB of HTML)
queued for them as intake's handler of newsletter.requested queues it (one statement).

``porchlight serve intake`` runs as its own process with the SMTP relay pointing at an aiosmtpd
sink in this process, which counts every message by its Message-ID and recipient. When half are
sent intake is stopped (``term``: SIGTERM, a graceful stop; ``kill``: SIGKILL, mid-send) and
started again; the bench waits until the queue is empty and prints the time from the first to the
last message, the rate, and how many recipients got none or more than one. Embedded PostgreSQL and
Tansu in a temp dir, removed at exit; everything on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from aiosmtpd.controller import Controller
from dashboard_api import serve

from porchlight.events.catalog import UNSUBSCRIBE_URL
from porchlight.kit.embedded import free_port
from porchlight.kit.service import get_service
from porchlight.kit.settings import KitSettings
from porchlight.kit.standalone import Infrastructure, prepare

HOOD = "back-bay"


class Sink:
    def __init__(self) -> None:
        self.got: Counter[str] = Counter()
        self.first: float | None = None
        self.last: float = 0.0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        now = time.monotonic()
        self.first = self.first or now
        self.last = now
        for rcpt in envelope.rcpt_tos:
            self.got[rcpt] += 1
        return "250 OK"


async def seed(dsn: str, n: int) -> uuid.UUID:
    conn = await asyncpg.connect(dsn)
    try:
        now = datetime.now(UTC)
        rows = [
            (uuid.uuid4(), f"resident{i}@example.org", f"key{i}", HOOD, "es" if i % 2 else "en", "confirmed", now, now)
            for i in range(n)
        ]
        await conn.copy_records_to_table(
            "subscribers", schema_name="intake", records=rows,
            columns=["id", "email", "email_key", "neighborhood", "language", "status", "created_at", "confirmed_at"],
        )  # fmt: skip
        letter = uuid.uuid4()
        html = "<html><body>" + '<p style="color:#1b1b1b">The lights on Marlborough St are back.</p>' * 60
        edition = {"subject": "Back Bay: the lights are back", "html": html + f'<a href="{UNSUBSCRIBE_URL}">x</a>',
                   "text": "The lights are back.\n" * 40 + UNSUBSCRIBE_URL}  # fmt: skip
        await conn.execute(
            "INSERT INTO intake.newsletters (newsletter_id, update_id, district, neighborhoods, editions, requested_at,"
            " recipients) VALUES ($1, $2, 'D4', $3, $4, $5, 0)",
            letter, uuid.uuid4(), [HOOD], json.dumps({"en": edition, "es": edition}), now,
        )  # fmt: skip
        await conn.execute(
            "INSERT INTO intake.mail_queue (subscriber_id, kind, newsletter_id, message_id, status, attempts,"
            " next_attempt_at, created_at) SELECT id, 'newsletter', $1, '<n.' || $4 || '.' || id || '@p>', 'queued', 0,"
            " $2, $2 FROM intake.subscribers WHERE neighborhood = $3 AND status = 'confirmed'",
            letter, now, HOOD, str(letter),
        )  # fmt: skip
        return letter
    finally:
        await conn.close()


def serve_intake(settings: KitSettings, tmp: Path, smtp_port: int) -> tuple[subprocess.Popen[bytes], int]:
    return serve("intake", settings, tmp, {
        "PORCHLIGHT_INTAKE_SMTP_HOST": "127.0.0.1", "PORCHLIGHT_INTAKE_SMTP_PORT": str(smtp_port),
        "PORCHLIGHT_INTAKE_MAIL_PER_SECOND": "1000", "PORCHLIGHT_INTAKE_MAIL_CONNECTIONS": "4",
    })  # fmt: skip


async def queued(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM intake.mail_queue WHERE status = 'queued'"))
    finally:
        await conn.close()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--subscribers", type=int, default=50_000)
    ap.add_argument("--restart", choices=["term", "kill", "none"], default="term")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="porchlight-mail-bench-"))
    infra = Infrastructure(KitSettings(data_dir=tmp, log_format="text"), broker_port=free_port())
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    server = None
    try:
        settings = infra.start()
        asyncio.run(prepare(settings, [get_service("intake")]))
        dsn = settings.require_database_url().replace("postgresql+asyncpg://", "postgresql://")
        asyncio.run(seed(dsn, args.subscribers))
        controller.start()
        started = time.monotonic()
        server, _ = serve_intake(settings, tmp, controller.port)
        restarted_at = None
        while True:
            sent = sum(sink.got.values())
            if args.restart != "none" and restarted_at is None and sent >= args.subscribers // 2:
                server.send_signal(signal.SIGTERM if args.restart == "term" else signal.SIGKILL)
                server.wait(60)
                restarted_at = sent
                server, _ = serve_intake(settings, tmp, controller.port)
            if asyncio.run(queued(dsn)) == 0:
                time.sleep(1)  # the last messages' 250s
                break
            if time.monotonic() - started > 900:
                raise SystemExit("not drained within 15 minutes")
            time.sleep(1)
        expected = {f"resident{i}@example.org" for i in range(args.subscribers)}
        span = (sink.last - (sink.first or sink.last)) or 1.0
        report = {
            "subscribers": args.subscribers,
            "restart": args.restart,
            "restarted_after": restarted_at,
            "messages_received": sum(sink.got.values()),
            "first_to_last_s": round(span, 1),
            "start_to_drained_s": round(time.monotonic() - started, 1),
            "messages_per_s": round(sum(sink.got.values()) / span, 1),
            "missing": len(expected - set(sink.got)),
            "more_than_once": sum(1 for n in sink.got.values() if n > 1),
            "loadavg": Path("/proc/loadavg").read_text().split()[:3],
        }
        print(json.dumps(report, indent=2))
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if controller._thread is not None:
            controller.stop()
        infra.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
