"""Load a realistic quarter into the running platform through the services' HTTP APIs."""

from __future__ import annotations

import asyncio
import contextvars
import csv
import io
import json
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from shapely.geometry import Point

from porchlight.dashboard.settings import DashboardSettings
from porchlight.kit.auth import mint_token
from porchlight.kit.city import City, District, load_city
from porchlight.kit.settings import KitSettings

log = logging.getLogger(__name__)

# Thousands of demo requests must not flood the log with httpx's one line per request; only the
# demo's own requests (this context) are dropped, the web proxy's are left alone.
_loading: contextvars.ContextVar[bool] = contextvars.ContextVar("demo_loading", default=False)


class _QuietDemoRequests(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not _loading.get()


logging.getLogger("httpx").addFilter(_QuietDemoRequests())

TEXTS = Path(__file__).with_name("resident_texts.csv")
NS = uuid.UUID("6f1c3f0e-7d6b-4a35-9a51-0c9f5e1d2b77")  # demo ids are uuid5 of this: a re-run repeats them

VENUES = ["living_room", "library", "place_of_worship", "coffee_shop", "school", "park"]
CONTACT_TYPES = ["conversation", "youth_activity", "business_checkin", "event", "referral", "other"]
CONTACT_WEIGHTS = [45, 15, 15, 10, 10, 5]
# NIBRS codes and how common they are in a mid-size US city (rough shares, for a believable mix).
OFFENSES = [("13B", 18), ("290", 14), ("23F", 12), ("23H", 12), ("23C", 8), ("220", 8), ("240", 7), ("13A", 6),
            ("35A", 5), ("120", 3), ("13C", 4), ("26A", 3)]  # fmt: skip
TOPICS = ["speeding_traffic", "police_enforcement_safety", "property_code", "transit_scooters", "parks",
          "roads_sidewalks", "trash_dumping", "street_lighting", "animals_pests", "noise"]  # fmt: skip


@dataclass(frozen=True)
class Endpoints:
    intake: str
    projects: str
    dashboard: str
    #: Where crime incidents are imported (layers owns them); empty: no incidents in the demo.
    layers: str = ""

    @classmethod
    def from_runtime(cls, settings: KitSettings) -> Endpoints:
        """The services of a running ``porchlight run`` (ports in <data_dir>/runtime.json)."""
        info = json.loads((settings.data_dir / "runtime.json").read_text())
        ports = info["ports"]
        base = f"http://{settings.host}"
        return cls(
            intake=f"{base}:{ports['intake']}",
            projects=f"{base}:{ports.get('projects', 0)}",
            dashboard=f"{base}:{ports['dashboard']}",
            layers=f"{base}:{ports['layers']}" if ports.get("layers") else "",
        )


def resident_texts() -> list[dict[str, str]]:
    with TEXTS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


#: What hosts write in a note's own free-text field: the demo's words, not residents'.
HOST_NOTES = [
    "Residents asked for a follow-up in about a month.",
    "Two neighbours offered to help with the next clean-up.",
    "Most came straight from work; an evening slot suits this block.",
    "Agreed to bring someone from traffic to the next one.",
    "A resident offered her porch for the next meeting.",
    "Handed out the non-emergency number and the district newsletter.",
    "Several asked how to report problems online.",
    "",
]


class TextDeck:
    """Residents' texts dealt without repeats: a quote is one resident's words, said once, so no
    page shows the same words twice as if two people had said them."""

    def __init__(self, rng: random.Random, rows: list[dict[str, str]]) -> None:
        self.decks: dict[str, list[str]] = {}
        for row in rows:
            self.decks.setdefault(row["topic"] or "", []).append(row["text"])
        for deck in self.decks.values():
            rng.shuffle(deck)

    def __len__(self) -> int:
        return sum(len(d) for d in self.decks.values())

    def draw(self, topic: str) -> tuple[str, str | None] | None:
        """(text, its topic) on ``topic`` if one is left, else an untagged one (topic None: the
        host does not know it), else any; None when every text is used."""
        for key in (topic, "", *self.decks):
            if self.decks.get(key):
                return self.decks[key].pop(), key or None
        return None


def point_in(rng: random.Random, geometry: Any) -> tuple[float, float]:
    """A random point (lat, lon) inside a district (rejection sampling in its bounding box)."""
    minx, miny, maxx, maxy = geometry.bounds
    for _ in range(1000):
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geometry.contains(Point(lon, lat)):
            return round(lat, 5), round(lon, 5)
    c = geometry.representative_point()
    return c.y, c.x


class _Client:
    """HTTP with a token per persona, bounded concurrency, and counts of what happened."""

    def __init__(self, settings: KitSettings, http: httpx.AsyncClient, parallel: int = 6) -> None:
        self.settings, self.http = settings, http
        self.gate = asyncio.Semaphore(parallel)
        self.tokens: dict[tuple[str, str, str | None], str] = {}
        self.counts: dict[str, int] = {}

    def headers(self, subject: str, role: str, district: str | None = None) -> dict[str, str]:
        key = (subject, role, district)
        if key not in self.tokens:
            self.tokens[key] = mint_token(self.settings, subject=subject, roles=[role], district=district, ttl_s=3600)
        return {"Authorization": f"Bearer {self.tokens[key]}"}

    async def post(
        self, what: str, url: str, headers: dict[str, str], method: str = "POST", **kwargs: Any
    ) -> dict[str, Any] | None:
        for attempt in range(4):
            try:
                async with self.gate:
                    r = await self.http.request(method, url, headers=headers, **kwargs)
                break
            except httpx.TransportError:
                # A keep-alive connection the server closed as we sent: every demo request
                # carries its own id, so sending it again cannot count it twice.
                if attempt == 3:
                    raise
                await asyncio.sleep(0.5 * (attempt + 1))
        if r.status_code in (200, 201):
            self.counts[what] = self.counts.get(what, 0) + 1
            return r.json()
        self.counts[f"{what}_refused_{r.status_code}"] = self.counts.get(f"{what}_refused_{r.status_code}", 0) + 1
        if r.status_code not in (409,):  # 409: loaded before (a re-run)
            log.warning("demo %s refused: %s %s", what, r.status_code, r.text[:300])
        return None


async def wait_ready(http: httpx.AsyncClient, url: str, timeout_s: float = 120) -> bool:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while asyncio.get_running_loop().time() < deadline:
        try:
            if (await http.get(f"{url}/healthz")).status_code == 200:
                return True
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.5)
    return False


def _moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    t = start + (end - start) * rng.random()
    hour = rng.choice([10, 12, 15, 17, 18, 19])  # people meet in the day and early evening
    return t.replace(hour=hour, minute=rng.choice([0, 15, 30, 45]), second=0, microsecond=0)


async def _meetings_and_notes(
    c: _Client, ep: Endpoints, city: City, rng: random.Random, start: datetime, now: datetime, scale: float
) -> None:
    deck = TextDeck(rng, resident_texts())
    per_district = max(1, round(26 * scale))
    notes_left = per_district * len(city.districts)
    jobs = []
    for d_i, d in enumerate(city.districts):
        # Each district has its own leading concerns and mood, as real districts do.
        lead = [TOPICS[(d_i + k) % len(TOPICS)] for k in range(3)]
        weights = [8 if t == lead[0] else 5 if t == lead[1] else 3 if t == lead[2] else 1 for t in TOPICS]
        mood = 2.6 + (d_i % 4) * 0.4
        hosts = [(f"officer-{d.code.lower()}-{i}", "officer") for i in (1, 2)] + [
            (f"liaison-{d.code.lower()}", "liaison")
        ]
        for k in range(per_district):
            host, role = rng.choice(hosts)
            when = _moment(rng, start, now - timedelta(hours=3))
            meeting_id = uuid.uuid5(NS, f"meeting/{d.code}/{k}")
            concerns = []
            notes_left -= 1
            for i in range(rng.choice([1, 2, 2, 3])):
                # Every note gets one text; a second or third only while that leaves one for
                # each note still to file (the texts are fewer than the notes' concerns).
                if i and len(deck) <= notes_left:
                    break
                drawn = deck.draw(rng.choices(TOPICS, weights)[0])
                if drawn is None:
                    break
                text, topic = drawn
                lat, lon = point_in(rng, d.geometry)
                concerns.append({"text": text, "topic": topic, "point": {"lat": lat, "lon": lon}})
            note = {
                "id": str(uuid.uuid5(NS, f"note/{d.code}/{k}")),
                "meeting_id": str(meeting_id),
                "concerns": concerns,
                "sentiment": max(1, min(5, round(rng.gauss(mood, 0.9)))),
                "attendees": rng.randint(3, 9),
                "notes": rng.choice(HOST_NOTES),
            }
            meeting = {
                "id": str(meeting_id),
                "venue_type": rng.choice(VENUES),
                "place": _place(city, d.code, k),
                "starts_at": when.isoformat(),
                "duration_minutes": rng.choice([45, 60, 60, 75, 90, 90, 120]),  # 45 min to 2 h
                "expected_attendees": note["attendees"],
            }
            jobs.append((host, role, d.code, meeting, note))

    async def one(host: str, role: str, district: str, meeting: dict[str, Any], note: dict[str, Any]) -> None:
        h = c.headers(host, role, district)
        await c.post("meetings", f"{ep.intake}/v1/meetings", h, json=meeting)
        await c.post("notes", f"{ep.intake}/v1/notes", h, json=note)

    await asyncio.gather(*(one(*j) for j in jobs))


def _place(city: City, district: str, k: int) -> dict[str, str]:
    """The district and, in turn, one of its neighborhoods: the listening gap has residents to count
    per neighborhood (no random draw, so the demo's other figures stay as they were)."""
    hoods = [n.code for n in city.neighborhoods if n.district == district]
    return {"district": district, "neighborhood": hoods[k % len(hoods)]} if hoods else {"district": district}


async def _contacts(
    c: _Client, ep: Endpoints, city: City, rng: random.Random, start: datetime, now: datetime, scale: float
) -> None:
    jobs = []
    for d in city.districts:
        officers = [f"officer-{d.code.lower()}-{i}" for i in range(1, 6)]
        for k in range(max(1, round(110 * scale))):
            officer = rng.choice(officers)
            body = {
                "id": str(uuid.uuid5(NS, f"contact/{d.code}/{k}")),
                "contact_type": rng.choices(CONTACT_TYPES, CONTACT_WEIGHTS)[0],
                "minutes": rng.choice([10, 15, 20, 30, 45, 60, 90]),
                "residents_reached": rng.randint(1, 12),
                "occurred_at": _moment(rng, start, now - timedelta(hours=1)).isoformat(),
                "place": _place(city, d.code, k),
                "unit": f"{d.code}-{rng.choice(['CSO', 'PATROL-1', 'PATROL-2'])}",
            }
            jobs.append((officer, d.code, body))
    await asyncio.gather(
        *(c.post("contacts", f"{ep.intake}/v1/contacts", c.headers(o, "officer", d), json=b) for o, d, b in jobs)
    )


#: The demo's vehicle crime leans towards the blocks where Public Works' streetlights went out:
#: this share of it falls within ~60 m of an outage, so the place-risk page has a risk factor to
#: find (the rest of the demo's incidents fall anywhere in their district).
VEHICLE_CODES = frozenset({"240", "23F"})
DARK_SHARE = 0.5


def incidents_csv(
    city: City,
    rng: random.Random,
    now: datetime,
    scale: float,
    outages: dict[str, list[tuple[float, float]]] | None = None,
) -> str:
    """Thirteen months and this one of synthetic incidents (so every month has a last year).

    ``outages``: the street light outages per district (lat, lon), where ``DARK_SHARE`` of the
    vehicle crime happens."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["incident_id", "nibrs_code", "occurred_at", "lat", "lon"])
    codes, weights = zip(*OFFENSES, strict=True)
    first = date(now.year - 1, now.month, 1) - timedelta(days=1)
    first = first.replace(day=1)
    for d_i, d in enumerate(city.districts):
        base = (30 + 12 * (d_i % 5)) * scale
        day = first
        n = 0
        while day <= now.date():
            season = 1.15 if day.month in (6, 7, 8) else 0.9 if day.month in (1, 2) else 1.0
            for _ in range(int(rng.gauss(base * season / 30, 0.8) + 0.5) if base else 0):
                code = rng.choices(codes, weights)[0]
                dark = (outages or {}).get(d.code)
                if dark and code in VEHICLE_CODES and rng.random() < DARK_SHARE:
                    lat, lon = rng.choice(dark)
                    lat, lon = round(lat + rng.uniform(-4e-4, 4e-4), 5), round(lon + rng.uniform(-5e-4, 5e-4), 5)
                else:
                    lat, lon = point_in(rng, d.geometry)
                when = datetime(day.year, day.month, day.day, rng.randrange(24), rng.randrange(60), tzinfo=UTC)
                if when <= now:
                    w.writerow([f"DEMO-{d.code}-{n}", code, when.isoformat(), lat, lon])
                    n += 1
            day += timedelta(days=1)
    return out.getvalue()


async def _outages(c: _Client, ep: Endpoints, city: City, settle_s: float = 60) -> dict[str, list[tuple[float, float]]]:
    """Layers' street light outages per district, once its own demo load (Boston's 311 cases, in
    the background at its start) has settled: two reads a few seconds apart that agree. An empty
    map when layers has none: the incidents then fall anywhere."""
    url = f"{ep.layers}/v1/records.geojson"
    headers = c.headers("demo-analyst", "analyst")
    loop = asyncio.get_running_loop()
    deadline, last = loop.time() + settle_s, -1
    found: list[dict[str, Any]] = []
    while loop.time() < deadline:
        found = []
        for status in ("open", "closed"):
            params = {"layer": "street_light_outage", "status": status, "limit": 10_000}
            r = await c.http.get(url, params=params, headers=headers)
            if r.status_code != 200:
                return {}
            found += r.json()["features"]
        if len(found) == last:  # settled (or none twice: this layers loads no demo)
            break
        last = len(found)
        await asyncio.sleep(3)
    codes = set(city.codes)
    out: dict[str, list[tuple[float, float]]] = {}
    for f in found:
        district = f["properties"].get("district")
        if district in codes and f["geometry"] and f["geometry"]["type"] == "Point":
            lon, lat = f["geometry"]["coordinates"][:2]
            out.setdefault(district, []).append((lat, lon))
    return out


#: What residents said at the demo's dark block (the demo's own words, not a resident's).
DARK_CORNER = "The corner has been pitch dark since the streetlight went out; two cars were broken into"


async def _dark_block(c: _Client, ep: Endpoints, city: City, now: datetime) -> None:
    """One block where DICE's example happens, so the district page shows a same-block connection
    from the start: vehicle thefts rising over the last three weeks, residents who raised the dark
    corner at a meeting, and Public Works' streetlight outage reported there last (layers connects
    them). Its ids are fixed: a second load adds nothing."""
    district = next((d for d in city.districts if d.code == "D4"), city.districts[0])
    spot = district.geometry.representative_point()
    lat, lon = round(spot.y, 5), round(spot.x, 5)
    analyst = c.headers("demo-analyst", "analyst")
    for i in range(6):
        theft = {
            "department": "police",
            "layer": "incident",
            "category": "Motor vehicle theft",
            "external_id": f"DEMO-DARK-{district.code}-{i}",
            "status": "closed",
            "point": {"lat": round(lat + (i - 3) * 0.0001, 6), "lon": lon},
            "opened_at": (now - timedelta(days=2 + 3 * i)).isoformat(),
            "attributes": {"nibrs_code": "240"},
        }
        await c.post("dark_block", f"{ep.layers}/v1/records", analyst, json=theft)
    host = c.headers(f"liaison-{district.code.lower()}", "liaison", district.code)
    meeting_id = uuid.uuid5(NS, f"meeting/{district.code}/dark-block")
    meeting = {
        "id": str(meeting_id),
        "venue_type": "living_room",
        "place": {"district": district.code},
        "starts_at": (now - timedelta(days=4)).isoformat(),
        "duration_minutes": 60,
        "expected_attendees": 6,
    }
    await c.post("meetings", f"{ep.intake}/v1/meetings", host, json=meeting)
    note = {
        "id": str(uuid.uuid5(NS, f"note/{district.code}/dark-block")),
        "meeting_id": str(meeting_id),
        "concerns": [{"text": DARK_CORNER, "topic": "street_lighting", "point": {"lat": lat, "lon": lon}}],
        "sentiment": 2,
        "attendees": 6,
        "notes": "Neighbours asked who to call about the light.",
    }
    await c.post("notes", f"{ep.intake}/v1/notes", host, json=note)
    outage = {
        "department": "public-works",
        "layer": "street_light_outage",
        "category": "Street Light Outages",
        "external_id": f"DEMO-SL-{district.code}",
        "point": {"lat": lat, "lon": lon},
        "opened_at": (now - timedelta(days=5)).isoformat(),
    }
    await c.post("dark_block", f"{ep.layers}/v1/records", analyst, json=outage)


DEPARTMENTS = [
    ("public-works", "Public Works"),
    ("parks", "Parks and Recreation"),
    ("police", "Police"),
    ("transportation", "Transportation"),
    ("code-enforcement", "Code Enforcement"),
]
#: Each demo district's own street and park (Boston's police districts, as the demo city draws
#: them), so its cards say where the work is; another city's districts get their name instead.
PLACES = {
    "A1": ("Washington St at Downtown Crossing", "the Boston Common entrance at Park St"),
    "A7": ("Meridian St", "Piers Park"),
    "A15": ("Bunker Hill St", "Doherty Playground"),
    "B2": ("Warren St at Nubian Square", "Malcolm X Park"),
    "B3": ("Blue Hill Ave at Mattapan Square", "Almont Park"),
    "C6": ("West Broadway", "Moakley Park"),
    "C11": ("Dorchester Ave at Fields Corner", "Ronan Park"),
    "D4": ("Tremont St at Massachusetts Ave", "Titus Sparrow Park"),
    "D14": ("Washington St at Brighton Center", "Rogers Park"),
    "E5": ("Belgrade Ave at Roslindale Square", "Fallon Field"),
    "E13": ("Centre St at Hyde Square", "the Pond St entrance of Jamaica Pond"),
    "E18": ("River St at Cleary Square", "Iacono Playground"),
}


@dataclass(frozen=True)
class Idea:
    """A micro-project a district might run: ``{street}`` and ``{park}`` are the district's own."""

    title: str
    place: str
    department: str
    remedy_kind: str
    win_text: str  # as residents read it, capitals and all
    tasks: tuple[str, ...]


IDEAS = [
    Idea(
        "Fix the streetlights on {street}",
        "{street}",
        "public-works",
        "physical",
        "The streetlights on {street} are fixed.",
        ("Survey the dark poles after sunset", "Replace the lamps", "Walk the block after dark with residents"),
    ),
    Idea(
        "Trim the bushes at {park}",
        "{park}",
        "parks",
        "physical",
        "The bushes at {park} are trimmed: the paths are in view again.",
        ("Mark the overgrown beds with residents", "Trim and haul the cuttings"),
    ),
    Idea(
        "Tuesday evening foot patrol on {street}",
        "{street}",
        "police",
        "positive_activity",
        "We did it: Tuesday evening foot patrols on {street}, with residents walking along.",
        ("Set the route with the block association", "Walk the first Tuesday", "Walk the second Tuesday"),
    ),
    Idea(
        "Speed survey near the school off {street}",
        "{street}, by the school",
        "transportation",
        "physical",
        "The speed survey near the school off {street} is done, and the counts are posted.",
        ("Count traffic at the morning drop-off", "Share the counts with parents"),
    ),
    Idea(
        "Clean-up day at the vacant lot off {street}",
        "the vacant lot off {street}",
        "code-enforcement",
        "ownership",
        "Neighbors and Code Enforcement cleared the vacant lot off {street}.",
        ("Reach the lot's owner", "Hold the clean-up day"),
    ),
    Idea(
        "Coffee with a cop by {park}",
        "{park}",
        "police",
        "positive_activity",
        "Coffee with a cop by {park}: neighbors met their officers.",
        ("Book the spot", "Invite the neighbors"),
    ),
]


def project_bodies(
    priority_id: str, district: District, rng: random.Random, now: datetime, count: int = 4
) -> list[dict[str, Any]]:
    """The district's micro-projects as ``POST /v1/projects`` takes them: each titled with its
    place (a shared board shows many districts' cards side by side), each with its tasks."""
    street, park = PLACES.get(district.code, (f"the main street of {district.name}", f"the park of {district.name}"))
    bodies = []
    for k, idea in enumerate(rng.sample(IDEAS, count)):
        starts = now.date() - timedelta(days=rng.randint(20, 60))
        due = now.date() - timedelta(days=3) if k == 2 else now.date() + timedelta(days=rng.randint(3, 14))
        bodies.append(
            {
                "priority_id": priority_id,
                "title": idea.title.format(street=street, park=park),
                "place": idea.place.format(street=street, park=park),
                "district": district.code,
                "department": idea.department,
                "remedy_kind": idea.remedy_kind,
                "starts_on": starts.isoformat(),
                "due_on": due.isoformat(),
                "win_text": idea.win_text.format(street=street, park=park),
                "tasks": [{"title": t} for t in idea.tasks],
            }
        )
    return bodies


async def _tick(
    c: _Client, ep: Endpoints, h: dict[str, str], project: dict[str, Any], tasks: list[dict[str, Any]]
) -> dict[str, Any]:
    """Tick tasks off; the project as it is after (its version moved on)."""
    for task in tasks:
        url = f"{ep.projects}/v1/projects/{project['id']}/tasks/{task['id']}"
        await c.post("tasks_done", url, h, method="PATCH", json={"done": True})
    async with c.gate:
        r = await c.http.get(f"{ep.projects}/v1/projects/{project['id']}", headers=h)
    return r.json() if r.status_code == 200 else project


async def _projects(c: _Client, ep: Endpoints, city: City, rng: random.Random, now: datetime) -> None:
    """Priorities, micro-projects on the board, and wins, through projects' API.

    Each district gets a priority and four projects: one done (its tasks ticked off, its win
    approved, so update.published goes out), one in progress (a task done), one overdue, one
    planned. Whatever the projects API refuses is counted in the summary and the rest of the
    demo goes on.
    """
    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    boss = c.headers("demo-supervisor", "supervisor")
    for code, name in DEPARTMENTS:
        await c.post("departments", f"{ep.projects}/v1/departments", boss, json={"code": code, "name": name})
    for d in city.districts:
        h = c.headers(f"supervisor-{d.code.lower()}", "supervisor", d.code)
        priority = await c.post(
            "priorities",
            f"{ep.projects}/v1/priorities",
            h,
            json={
                "title": f"Safer, brighter streets in {d.name}",
                "district": d.code,
                "quarter": quarter,
                "topics": ["street_lighting", "speeding_traffic"],
            },
        )
        if priority is None:
            continue
        for k, body in enumerate(project_bodies(priority["id"], d, rng, now)):
            project = await c.post("projects", f"{ep.projects}/v1/projects", h, json=body)
            if project is None:
                continue
            path = {0: ["planned", "in_progress", "done"], 1: ["planned", "in_progress"]}.get(k, ["planned"])
            for to in path:
                if project.get("status") == to:
                    continue
                if to == "done":  # a card is done when its tasks are
                    project = await _tick(c, ep, h, project, project.get("tasks", []))
                moved = await c.post(
                    "moves",
                    f"{ep.projects}/v1/projects/{project['id']}/moves",
                    h,
                    json={"to": to, "version": project.get("version")},
                )
                if moved is None:
                    break
                project = moved
            if k == 1:  # under way: its first task done
                await _tick(c, ep, h, project, project.get("tasks", [])[:1])
        async with c.gate:
            r = await c.http.get(f"{ep.projects}/v1/wins", params={"status": "draft", "district": d.code}, headers=h)
        for win in r.json() if r.status_code == 200 else []:
            await c.post("wins_approved", f"{ep.projects}/v1/wins/{win['id']}/approval", h)


def summary(counts: dict[str, int], seconds: float) -> str:
    """One line for the terminal: what the demo load made, and how many requests were refused."""
    made = [f"{counts[k]:,} {k}" for k in ("notes", "meetings", "contacts", "incidents", "projects") if counts.get(k)]
    refused = sum(n for k, n in counts.items() if "_refused_" in k)
    line = f"demo city loaded in {seconds:.0f} s: {', '.join(made) or 'nothing'}"
    return line + (f" ({refused:,} requests refused: see the log file)" if refused else "")


async def load_demo(
    settings: KitSettings,
    ep: Endpoints,
    *,
    seed: int = 7,
    scale: float = 1.0,
    city: City | None = None,
    http: httpx.AsyncClient | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> dict[str, int]:
    """Load the quarter; returns what was created (and refused, by status).

    ``http`` lets tests route the endpoints to in-process apps (httpx mounts). ``progress`` gets
    a short line after each part (notes, contacts, incidents), for a person watching ``make run``.
    """
    city = city or load_city(DashboardSettings().places_file)
    _loading.set(True)  # this task and the ones it starts
    rng = random.Random(seed)
    now = datetime.now(UTC)
    start = now - timedelta(days=91)
    async with http or httpx.AsyncClient(timeout=30) as http:
        c = _Client(settings, http)
        if not await wait_ready(http, ep.intake) or not await wait_ready(http, ep.dashboard):
            raise RuntimeError("intake or dashboard is not answering: is `porchlight run` up?")
        await _meetings_and_notes(c, ep, city, rng, start, now, scale)
        progress(f"{c.counts.get('notes', 0)} notes loaded, from {c.counts.get('meetings', 0)} meetings")
        await _contacts(c, ep, city, rng, start, now, scale)
        progress(f"{c.counts.get('contacts', 0)} contacts loaded")
        if ep.layers and await wait_ready(http, ep.layers, timeout_s=30):
            outages = await _outages(c, ep, city)
            files = {"file": ("demo-incidents.csv", incidents_csv(city, rng, now, scale, outages).encode(), "text/csv")}
            report = await c.post(
                "incident_imports",
                f"{ep.layers}/v1/incidents/imports",
                c.headers("demo-analyst", "analyst"),
                files=files,
            )
            if report is not None:
                c.counts["incidents"] = report["imported"] + report["duplicates"]
                progress(f"{c.counts['incidents']} incidents loaded")
            await _dark_block(c, ep, city, now)
        if ep.projects.rsplit(":", 1)[-1] != "0" and await wait_ready(http, ep.projects, timeout_s=10):
            await _projects(c, ep, city, rng, now)
        return dict(sorted(c.counts.items()))
