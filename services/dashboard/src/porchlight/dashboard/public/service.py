"""The public page of a place, built from the read model: every number computed, nothing personal.

- **What neighbors raised**: the topics of the last 90 days' notes in the place, as the staff pages
  count them (notes that raised a topic, the model's reading), each with its estimate allowing for
  the model's mistakes (ADR 0016) and one neighbor's words as intake redacted them. A topic raised
  in fewer than ``MIN_NOTES_SHOWN`` notes is neither named nor counted (two notes on a street can
  point at who spoke); the page says only how many quieter topics there were.
- **What is being done**: the place's public projects (never one still proposed), each with its
  public steps as they were done: a step marked undone leaves the timeline (task.reopened).
- **Updates**: what was published for the place, newest first, in the reader's language when a
  translation was published, each with its "you said" line.

A page is kept for ``TTL_S`` seconds per place and language: the public pages are read far more
often than they change, and a reader a few seconds behind a win is still told of it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.chain import repository as chain
from porchlight.dashboard.chain.service import since_of
from porchlight.dashboard.pages.repository import concern_estimate, estimate_topics
from porchlight.dashboard.photos.repository import public_of
from porchlight.dashboard.public import repository as repo
from porchlight.dashboard.public.rendering.i18n import Language, day, gettext, ngettext, number
from porchlight.dashboard.public.repository import Kind
from porchlight.dashboard.public.schemas import (
    PublicPage,
    PublicPhoto,
    PublicUpdate,
    PublicWork,
    RaisedTopic,
    WorkStep,
)
from porchlight.events.catalog import GeoPoint
from porchlight.kit.auth import MIN_NOTES_SHOWN
from porchlight.kit.city import City
from porchlight.kit.errors import NotFound
from porchlight.kit.quantify import Calibration

log = logging.getLogger(__name__)

#: The period a page counts topics over, and the one before an update its "you said" counts over.
WINDOW = timedelta(days=90)
YOU_SAID_WINDOW = timedelta(days=180)
TTL_S = 5.0
MAX_WORK, MAX_UPDATES = 30, 20

_STATUS = {
    "planned": "Planned",
    "in_progress": "Under way",
    "blocked": "On hold",
    "done": "Done",
}


@dataclass(frozen=True)
class Place:
    kind: Kind
    code: str
    name: str
    district: str | None


def find_place(city: City, kind: Kind, code: str) -> Place:
    if kind == "neighborhood":
        for n in city.neighborhoods:
            if n.code == code:
                return Place(kind, n.code, n.name, n.district)
    else:
        for d in city.districts:
            if d.code == code:
                return Place(kind, d.code, d.name, None)
    raise NotFound(f"no {kind} {code}")


def label(language: Language, text: str) -> str:
    """A topic's or department's name in the page's language (the catalog's, else as given)."""
    return gettext(language, text)


def in_sentence(name: str) -> str:
    """ "Street lighting" inside a sentence: "street lighting" (an acronym such as "ADA" stays)."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def department_name(language: Language, code: str) -> str:
    return label(language, code.replace("-", " ").title())


def about(language: Language, notes: int, estimate: Any) -> str:
    if estimate is None:
        return number(language, notes)
    return gettext(language, "about {count} ({low}\u2013{high})").format(
        count=number(language, estimate.count), low=number(language, estimate.low), high=number(language, estimate.high)
    )


def _join(language: Language, items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {gettext(language, 'and')} {items[-1]}"


def you_said_line(language: Language, labels: list[str], notes: int, meetings: int, where: str, since: date) -> str:
    """ "Neighbors raised street lighting 12 times at 4 meetings in South End since September 8." """
    times = ngettext(language, "{n} time", "{n} times", notes).format(n=number(language, notes))
    at = ngettext(language, "at {n} meeting", "at {n} meetings", meetings).format(n=number(language, meetings))
    return gettext(language, "Neighbors raised {topics} {times} {at} in {place} since {since}.").format(
        topics=_join(language, labels), times=times, at=at, place=where, since=day(language, since)
    )


async def _raised(
    session: AsyncSession, place: Place, language: Language, since: datetime
) -> tuple[list[RaisedTopic], int]:
    rows = await repo.topics(session, place.kind, [place.code], since)
    shown = sorted((r for r in rows if r.notes >= MIN_NOTES_SHOWN), key=lambda r: (-r.notes, -r.mentions, r.topic))
    quieter = len(rows) - len(shown)
    quotes = await repo.quotes(session, place.kind, [place.code], since, [r.topic for r in shown])
    held = await repo.calibration(session)
    estimates: dict[str, Any] = {}
    calibration = Calibration.from_json(held) if held is not None else None
    if calibration is not None and shown:
        probs = await repo.concern_probabilities(session, place.kind, [place.code], since)
        estimates = await asyncio.to_thread(estimate_topics, list(probs), calibration)
    raised = []
    for r in shown:
        estimate = concern_estimate(estimates.get(r.topic), r.notes, r.mentions, calibration) if calibration else None
        raised.append(
            RaisedTopic(
                topic=r.topic,
                label=label(language, r.label),
                notes=r.notes,
                meetings=r.meetings,
                estimate=estimate,
                about=about(language, r.notes, estimate),
                quote=quotes.get(r.topic),
            )
        )
    return raised, quieter


async def _photos(
    session: AsyncSession, project_ids: list[Any], language: Language, base: str
) -> dict[Any, list[PublicPhoto]]:
    found: dict[Any, list[PublicPhoto]] = defaultdict(list)
    for p in await public_of(session, project_ids):
        url = f"{base.rstrip('/')}/public/photos/{p.photo_id}"
        alt = (p.alt_text_es if language == "es" else None) or p.alt_text
        found[p.project_id].append(PublicPhoto(url=f"{url}/image.jpg", thumb_url=f"{url}/thumb.jpg", alt=alt))
    return found


async def _work(session: AsyncSession, place: Place, language: Language, base: str) -> list[PublicWork]:
    rows = [r for r in await repo.projects(session, place.kind, [place.code], MAX_WORK) if r.status in _STATUS]
    photos = await _photos(session, [r.project_id for r in rows], language, base)
    steps: dict[Any, list[WorkStep]] = defaultdict(list)
    for t in await repo.done_tasks(session, [r.project_id for r in rows]):
        steps[t.project_id].append(WorkStep(on=t.completed_at.date(), text=t.title))
    return [
        PublicWork(
            id=r.project_id,
            title=r.title,
            place=r.place,
            status=r.status,
            status_text=gettext(language, _STATUS[r.status]),
            starts_on=r.starts_on,
            due_on=r.due_on,
            completed_on=r.completed_at.date() if r.completed_at else None,
            steps=steps[r.project_id],
            photos=photos.get(r.project_id, []),
            point=GeoPoint(lat=r.lat, lon=r.lon) if r.lat is not None and r.lon is not None else None,
        )
        for r in rows
    ]


async def _heard(session: AsyncSession, language: Language, u: Any, names: dict[str, str]) -> tuple[str, str] | None:
    """What neighbors raised that a win answers: its picked concerns (update.published) counted
    from the notes up to its publication, naming only topics of at least ``MIN_NOTES_SHOWN`` notes,
    and the words it quotes (the first still there, of a topic named, else the place's best)."""
    since = since_of(u.heard_since)
    rows = [
        r for r in await chain.per_concern(session, u.concerns, since, u.published_at) if r.notes >= MIN_NOTES_SHOWN
    ]
    if not rows:
        return None
    named = {(r.topic, r.district, r.neighborhood) for r in rows}
    shown = [c for c in u.concerns if (c["topic"], c["district"], c.get("neighborhood")) in named]
    whole = await chain.total(session, shown, since, u.published_at)
    labels = list(dict.fromkeys(in_sentence(label(language, r.label)) for r in sorted(rows, key=lambda r: -r.notes)))
    places = list(dict.fromkeys(names.get(r.neighborhood or r.district, r.neighborhood or r.district) for r in rows))
    line = you_said_line(language, labels, whole.notes, whole.meetings, _join(language, places), whole.first_at.date())
    topics = {r.topic for r in rows}
    for q in await chain.quotes(session, u.quotes):
        of_place = any(q.district == r.district and r.neighborhood in (None, q.neighborhood) for r in rows)
        if q.text and q.topic in topics and of_place:
            return line, q.text
    kind: Kind = "neighborhood" if u.neighborhood else "district"
    best = await repo.quotes(session, kind, [u.neighborhood or u.district], since, sorted(topics), u.published_at)
    return line, next((best[r.topic] for r in rows if r.topic in best), "")


async def _you_said(session: AsyncSession, language: Language, u: Any, names: dict[str, str]) -> tuple[str, str] | None:
    """The "you said" line and a neighbor's words. A win names the concerns it answers; an update
    that names none (a bulletin, a win from before issue 18) counts its topics in its place in the
    half year before it."""
    if u.concerns:
        return await _heard(session, language, u, names)
    if not u.topics:
        return None
    kind: Kind = "neighborhood" if u.neighborhood else "district"
    code = u.neighborhood or u.district
    since = u.published_at - YOU_SAID_WINDOW
    rows = [r for r in await repo.topics(session, kind, [code], since, u.published_at) if r.topic in set(u.topics)]
    notes = sum(r.notes for r in rows)
    if not rows or notes < MIN_NOTES_SHOWN:
        return None
    # A note raising two of the topics counts once per topic here; the line names the topics
    # together, so it counts the larger topic's notes and meetings (never more than were held).
    top = max(rows, key=lambda r: r.notes)
    where = names.get(code, code)
    labels = [in_sentence(label(language, r.label)) for r in sorted(rows, key=lambda r: -r.notes)]
    line = you_said_line(language, labels, top.notes, top.meetings, where, min(r.first_at for r in rows).date())
    quote = (await repo.quotes(session, kind, [code], since, [top.topic], u.published_at)).get(top.topic, "")
    return line, quote


async def _we_did(session: AsyncSession, language: Language, u: Any) -> str | None:
    """ "Public Works finished 9 steps at Tremont St.": the public steps done of the update's work."""
    if not u.project_id or u.kind == "step":  # a step announced is itself what was done
        return None
    work = await repo.work_done(session, u.project_id)
    if work is None or not work.steps:
        return None
    steps = ngettext(language, "{n} step", "{n} steps", work.steps).format(n=number(language, work.steps))
    department = department_name(language, work.department)
    if work.place:
        return gettext(language, "{department} finished {steps} at {place}.").format(
            department=department, steps=steps, place=work.place
        )
    return gettext(language, "{department} finished {steps}.").format(department=department, steps=steps)


async def _public_update(
    session: AsyncSession, u: Any, language: Language, names: dict[str, str], photos: dict[Any, list[PublicPhoto]]
) -> PublicUpdate:
    text = (u.translations or {}).get(language)
    title, body, lang = (text["title"], text["body"], language) if text else (u.title, u.body, "en")
    said = await _you_said(session, language, u, names)
    return PublicUpdate(
        id=u.update_id,
        kind=u.kind,
        title=title,
        body=body,
        you_said=said[0] if said else None,
        you_said_quote=(said[1] or None) if said else None,
        we_did=await _we_did(session, language, u),
        published_at=u.published_at,
        place=u.place,
        language=lang,
        photos=photos.get(u.project_id, []) if u.project_id else [],
    )


async def _updates(
    session: AsyncSession, place: Place, language: Language, names: dict[str, str], base: str
) -> list[PublicUpdate]:
    rows = await repo.updates(session, place.kind, [place.code], MAX_UPDATES)
    photos = await _photos(session, [u.project_id for u in rows if u.project_id], language, base)
    return [await _public_update(session, u, language, names, photos) for u in rows]


async def update_in(session: AsyncSession, city: City, u: Any, language: Language, base: str) -> PublicUpdate:
    """One published update as residents read it in ``language`` (the newsletters' content)."""
    names = {n.code: n.name for n in city.neighborhoods} | {d.code: d.name for d in city.districts}
    photos = await _photos(session, [u.project_id] if u.project_id else [], language, base)
    return await _public_update(session, u, language, names, photos)


def page_url(base: str, language: Language, place: Place) -> str:
    return f"{base.rstrip('/')}/public/{language}/{place.kind}s/{place.code}"


async def build_page(
    session: AsyncSession, city: City, place: Place, language: Language, base_url: str, now: datetime | None = None
) -> PublicPage:
    now = now or datetime.now(UTC)
    since = (now - WINDOW).replace(hour=0, minute=0, second=0, microsecond=0)
    names = {n.code: n.name for n in city.neighborhoods} | {d.code: d.name for d in city.districts}
    raised, quieter = await _raised(session, place, language, since)
    url = page_url(base_url, language, place)
    return PublicPage(
        kind=place.kind,
        code=place.code,
        name=place.name,
        district=place.district,
        language=language,
        since=since.date(),
        raised=raised,
        quieter_topics=quieter,
        work=await _work(session, place, language, base_url),
        updates=await _updates(session, place, language, names, base_url),
        url=url,
        feed_url=f"{url}/feed.atom",
        generated_at=now,
    )


class PageCache:
    """What the public routes serve, kept per key: built once, then served as is; after ``ttl_s``
    the next reader still gets it at once while one rebuild runs in the background (stale while
    revalidate), so no reader waits on a build but the very first of a key.

    A page is read far more often than it changes: a reader at most ``ttl_s`` plus one build
    behind a new win is still told of it within seconds.
    """

    def __init__(self, ttl_s: float = TTL_S) -> None:
        self.ttl_s = ttl_s
        self._held: dict[tuple[str, ...], tuple[float, Any]] = {}
        self._building: dict[tuple[str, ...], asyncio.Future[Any]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()

    async def get(self, key: tuple[str, ...], build: Callable[[], Awaitable[Any]]) -> Any:
        held = self._held.get(key)
        if held is not None:
            if time.monotonic() - held[0] >= self.ttl_s and key not in self._building:
                task = asyncio.create_task(self._build(key, build))
                self._tasks.add(task)
                task.add_done_callback(self._finished)
            return held[1]
        if key in self._building:  # another reader is building it: wait for that one build
            return await asyncio.shield(self._building[key])
        return await self._build(key, build)

    async def _build(self, key: tuple[str, ...], build: Callable[[], Awaitable[Any]]) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._building[key] = future
        try:
            value = await build()
        except BaseException as e:
            future.set_exception(e)
            future.exception()  # retrieved: a failed build is not logged as never awaited
            raise
        finally:
            self._building.pop(key, None)
        self._held[key] = (time.monotonic(), value)
        future.set_result(value)
        return value

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("a public page's rebuild failed; the page held is served until one succeeds")

    def clear(self) -> None:
        self._held.clear()
