"""One approved update -> every subscriber's inbox (issue 18), across services on the real broker:
the dashboard renders the newsletter per language and hands it over (newsletter.requested, no
address in it); intake, which alone holds the addresses, mails each confirmed subscriber the
edition of their language once, with RFC 8058 one-click unsubscribe; a redelivered event mails
nobody twice; an unsubscribed resident gets nothing more. SMTP: aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import uuid
from datetime import UTC, datetime

import pytest
from dashboard.test_read_models import publish
from intake.test_subscriptions import HOOD, Sink, parts
from support import eventually, running

from porchlight.dashboard.settings import DashboardSettings
from porchlight.events import UpdatePublished
from porchlight.events.catalog import UpdateText
from porchlight.intake.settings import IntakeSettings

pytestmark = pytest.mark.integration

BASE = "https://engage.city.example"


async def test_an_update_reaches_each_subscriber_once_in_their_language(settings) -> None:
    sink = Sink()
    sink.controller.start()
    tag = uuid.uuid4().hex[:8]
    ana, ben = f"ana.{tag}@example.org", f"ben.{tag}@example.org"
    try:
        async with running("intake", settings) as (intake_app, intake), running("dashboard", settings) as (dash_app, _):
            intake_app.state.runtime.provide(
                IntakeSettings(smtp_host="127.0.0.1", smtp_port=sink.port, mail_per_second=200,
                               public_url=f"{BASE}/api/intake", mail_from="Back Bay Outreach <outreach@city.example>")
            )  # fmt: skip
            dash_app.state.runtime.provide(DashboardSettings(public_url=BASE))
            for who, lang in ((ana, "es"), (ben, "en")):
                r = await intake.post(
                    "/v1/public/subscriptions", json={"email": who, "neighborhood": HOOD, "language": lang}
                )
                assert r.status_code == 202
            await eventually(lambda: _arrived(sink, [ana, ben]), timeout_s=20)
            for who in (ana, ben):
                text, _ = parts(sink.to(who)[0])
                [path] = re.findall(rf"{BASE}/api/intake(/v1/public/subscriptions/confirm\?token=\S+)", text)
                assert (await intake.get(path)).status_code == 200

            win = uuid.uuid4()
            event = UpdatePublished(
                update_id=win, district="D4", neighborhood=HOOD, kind="win", published_at=datetime.now(UTC),
                title="The lights on Marlborough St are back.", body="Public Works fixed 6 lights <for real>.",
                translations={"es": UpdateText(title="Las luces de Marlborough St funcionan.",
                                               body="Obras Públicas arregló 6 luces.")},
            )  # fmt: skip
            await publish(settings, [event])

            async def mailed() -> bool:
                return all(len(sink.to(who)) == 2 for who in (ana, ben))

            await eventually(mailed, timeout_s=30)
            es, en = sink.to(ana)[1], sink.to(ben)[1]
            assert es["Subject"] == "Back Bay: Las luces de Marlborough St funcionan."
            assert en["Subject"] == "Back Bay: The lights on Marlborough St are back."
            assert es["Content-Language"] == "es" and en["Content-Language"] == "en"
            for msg, who in ((es, ana), (en, ben)):
                assert msg["To"] == who and msg["Precedence"] == "bulk"
                assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
                [unsubscribe] = re.findall(r"<(\S+)>", msg["List-Unsubscribe"])
                assert unsubscribe.startswith(f"{BASE}/api/intake/v1/public/subscriptions/unsubscribe?token=")
                text, html = parts(msg)
                assert unsubscribe in text and "%%UNSUBSCRIBE_URL%%" not in text + html
                assert "<style" not in html and 'style="' in html  # inlined for mail clients
                assert f"{BASE}/public/" in html
            assert "6 lights &lt;for real&gt;" in parts(en)[1]  # escaped in the HTML
            assert "Obras Públicas arregló 6 luces." in parts(es)[0]

            # The same event again (a redelivery): nobody is mailed twice.
            await publish(settings, [event])
            await asyncio.sleep(3)
            assert [len(sink.to(who)) for who in (ana, ben)] == [2, 2]

            # Ben unsubscribes with one click (as his mail client does it); the next update skips him.
            [link] = re.findall(r"<(\S+)>", en["List-Unsubscribe"])
            r = await intake.post(
                link.removeprefix(f"{BASE}/api/intake"),
                content=b"List-Unsubscribe=One-Click",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            assert r.status_code == 200
            second = event.model_copy(
                update={"update_id": uuid.uuid4(), "title": "Tree trimming on Beacon St is done."}
            )
            await publish(settings, [second])
            await eventually(lambda: _count(sink, ana, 3), timeout_s=30)
            await asyncio.sleep(2)
            assert len(sink.to(ben)) == 2
    finally:
        sink.controller.stop()


async def _arrived(sink: Sink, who: list[str]) -> bool:
    return all(sink.to(w) for w in who)


async def _count(sink: Sink, who: str, n: int) -> bool:
    return len(sink.to(who)) == n
