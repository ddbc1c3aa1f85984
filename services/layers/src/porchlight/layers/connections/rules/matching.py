"""Matching a rule at one record's place: incidents nearby against the place's baseline, and the
residents' concerns raised on the same block."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from scipy.spatial import cKDTree

from porchlight.layers.connections.rules.definitions import Rule
from porchlight.layers.connections.rules.stats import IncidentTest, incident_test
from porchlight.layers.places.cells import cell_of

_M_PER_DEG = 111_320.0
#: At most this many residents' quotes go into a connection's evidence.
MAX_QUOTES = 5


def metres_between(lat1: float, lon1: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Distances in metres from one point (equirectangular: exact enough within a few km)."""
    kx = _M_PER_DEG * math.cos(math.radians(lat1))
    return np.hypot((lons - lon1) * kx, (lats - lat1) * _M_PER_DEG)


def within(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray, radius_m: float) -> np.ndarray:
    """Which of the points are on the same block as (lat, lon): a boolean mask, ``radius_m`` inclusive."""
    return np.asarray(
        metres_between(lat, lon, np.asarray(lats, dtype=float), np.asarray(lons, dtype=float)) <= radius_m
    )


def epoch_seconds(times: Sequence[datetime] | np.ndarray) -> np.ndarray:
    """Seconds since the epoch from datetimes (aware; naive ones are local time, as ``timestamp()``
    reads them), numpy datetime64 (UTC) or numbers already in seconds."""
    arr = np.asarray(times)
    if np.issubdtype(arr.dtype, np.datetime64):
        return arr.astype("datetime64[us]").astype(np.int64) / 1e6
    if np.issubdtype(arr.dtype, np.number):
        return arr.astype(float)
    return np.fromiter((t.timestamp() for t in arr), dtype=float, count=len(arr))


@dataclass(frozen=True)
class RecordView:
    record_id: str
    external_id: str
    department: str
    layer: str
    category: str
    open: bool
    lat: float
    lon: float
    opened_at: datetime
    district: str | None = None


@dataclass(frozen=True)
class ConcernView:
    note_id: str
    text: str  # redacted by intake
    topic: str | None
    lat: float
    lon: float
    occurred_at: datetime


def should_close(record: RecordView) -> bool:
    """A connection lasts while its record is open: the record is the thing to fix, so a closed
    record closes it even if the incidents have not eased (and eased incidents alone do not)."""
    return not record.open


class IncidentIndex:
    """Incidents (ids, places, times, categories) indexed once for many rules and records."""

    def __init__(
        self,
        ids: Sequence[str],
        lats: Sequence[float],
        lons: Sequence[float],
        times: Sequence[datetime] | np.ndarray,
        categories: Sequence[str],
        codes: Sequence[str | None],
    ) -> None:
        self.ids = np.asarray(ids, dtype=object)
        self.lats = np.asarray(lats, dtype=float)
        self.lons = np.asarray(lons, dtype=float)
        self.times = epoch_seconds(times)
        self.labels = np.asarray([c.strip().lower() for c in categories], dtype=object)
        self.codes = np.asarray([(c or "").strip().upper() for c in codes], dtype=object)
        # One projection for the whole city (its mean latitude): metres on a plane for the tree.
        self._lat0 = float(self.lats.mean()) if len(self.lats) else 0.0
        self._kx = _M_PER_DEG * math.cos(math.radians(self._lat0))
        xy = np.column_stack([self.lons * self._kx, self.lats * _M_PER_DEG]) if len(self.lats) else np.zeros((0, 2))
        self._tree = cKDTree(xy)

    def __len__(self) -> int:
        return len(self.ids)

    def near(self, lat: float, lon: float, radius_m: float, wanted: Sequence[str]) -> np.ndarray:
        """Indices of incidents of the wanted categories or NIBRS codes within ``radius_m``."""
        if not len(self.ids):
            return np.zeros(0, dtype=int)
        # The tree is exact at the city's mean latitude; search a little wider, then measure.
        idx = np.asarray(self._tree.query_ball_point([lon * self._kx, lat * _M_PER_DEG], radius_m * 1.05), dtype=int)
        if not len(idx):
            return idx
        idx = idx[metres_between(lat, lon, self.lats[idx], self.lons[idx]) <= radius_m]
        keys = {w.strip().lower() for w in wanted} | {w.strip().upper() for w in wanted}
        ok = np.fromiter((self.labels[i] in keys or self.codes[i] in keys for i in idx), dtype=bool, count=len(idx))
        return idx[ok]

    def count_near(
        self, lat: float, lon: float, radius_m: float, since: datetime, until: datetime, categories: Sequence[str]
    ) -> int:
        """How many incidents of these categories or codes within ``radius_m`` happened in [since, until)."""
        t = self.times[self.near(lat, lon, radius_m, categories)]
        return int(np.count_nonzero((t >= since.timestamp()) & (t < until.timestamp())))


@dataclass(frozen=True)
class Match:
    rule: str
    title: str
    record: RecordView
    test: IncidentTest
    radius_m: float
    cell: str
    incident_ids: list[str]
    note_ids: list[str] = field(default_factory=list)
    quotes: list[str] = field(default_factory=list)
    #: The note each quote came from (same order).
    quote_note_ids: list[str] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    category_names: list[str] = field(default_factory=list)
    #: What the rule suggests: the DICE remedy kind and the department that would own it.
    remedy_kind: str = "physical"
    department: str | None = None

    def figures(self) -> dict[str, str]:
        """Every number the explanation says, formatted once (the explanation quotes these)."""
        opened = self.record.opened_at
        return {
            "opened": f"{opened.day} {opened:%b %Y}",
            "incidents": str(self.test.k),
            "window_days": str(self.test.window_days),
            "expected": f"{self.test.expected:.1f}",
            "baseline_days": str(self.test.baseline_days),
            "p_value": _p(self.test.p_value),
            "radius_m": f"{self.radius_m:.0f}",
            "notes": str(len(self.note_ids)),
        }

    def explanation(self) -> str:
        f = self.figures()
        what = " or ".join(self.category_names) if self.category_names else "incidents"
        text = (
            f"{self.record.category} open since {f['opened']}; "
            f"{f['incidents']} {what} within {f['radius_m']} m in the last {f['window_days']} days, "
            f"against {f['expected']} expected from the place's own {f['baseline_days']} days before "
            f"(p = {f['p_value']})"
        )
        if self.note_ids:
            topics = ", ".join(t.replace("_", " ") for t in self.topics)
            text += f"; {f['notes']} residents' notes raised {topics} nearby"
        return text + "."


def _p(p: float) -> str:
    return f"{p:.4f}" if p >= 0.0001 else "< 0.0001"


def evaluate(
    rule: Rule,
    radius_m: float,
    record: RecordView,
    incidents: IncidentIndex,
    concerns: Sequence[ConcernView],
    now: datetime,
) -> Match | None:
    """The match of ``rule`` at ``record``'s place now, or None."""
    if not record.open or record.layer not in rule.record.layers:
        return None
    cond = rule.incidents
    idx = incidents.near(record.lat, record.lon, radius_m, cond.categories)
    t = incidents.times[idx]
    window_start = (now - timedelta(days=cond.window_days)).timestamp()
    baseline_start = window_start - cond.baseline_days * 86_400
    in_window = idx[(t >= window_start) & (t <= now.timestamp())]
    if len(in_window) < cond.min_count:
        # Never significant (the test requires min_count): most records of a city are here, and
        # the test's scipy calls cost more than everything else of an evaluation.
        return None
    baseline_t = t[(t >= baseline_start) & (t < window_start)]
    blocks = None
    if cond.test == "negative_binomial":  # only its dispersion reads the baseline's blocks
        blocks = np.histogram(baseline_t, bins=max(1, cond.baseline_days // cond.window_days),
                              range=(baseline_start, window_start))[0].tolist()  # fmt: skip
    test = incident_test(
        len(in_window),
        len(baseline_t),
        cond.window_days,
        cond.baseline_days,
        p_value=cond.p_value,
        min_count=cond.min_count,
        test=cond.test,
        baseline_blocks=blocks,
    )
    if not test.significant:
        return None
    note_ids: list[str] = []
    quotes: list[str] = []
    quoted: dict[str, str] = {}  # each quote, with the note it came from first
    topics: list[str] = []
    if rule.concerns is not None:
        since = now - timedelta(days=rule.concerns.window_days)
        wanted = set(rule.concerns.topics)
        recent = [c for c in concerns if c.topic in wanted and c.occurred_at >= since]
        mask = within(record.lat, record.lon, np.array([c.lat for c in recent]), np.array([c.lon for c in recent]),
                      radius_m)  # fmt: skip
        near = [c for c, ok in zip(recent, mask, strict=True) if ok]
        near.sort(key=lambda c: c.occurred_at, reverse=True)
        note_ids = list(dict.fromkeys(c.note_id for c in near))
        if len(note_ids) < rule.concerns.min_notes:
            return None
        # An erased concern (a blank text: docs/privacy.md) still counts, and quotes nothing.
        # Each quote once, with the note it came from first (its words are sealed under that note's key).
        for c in near:
            if c.text:
                quoted.setdefault(c.text, c.note_id)
        quotes = list(quoted)[:MAX_QUOTES]
        topics = sorted({c.topic for c in near if c.topic})
    labels = sorted({str(incidents.labels[i]) for i in in_window})
    return Match(
        rule=rule.name,
        title=rule.title,
        record=record,
        test=test,
        radius_m=radius_m,
        cell=cell_of(record.lat, record.lon),
        incident_ids=[str(incidents.ids[i]) for i in in_window],
        note_ids=note_ids,
        quotes=quotes,
        quote_note_ids=[quoted[q] for q in quotes],
        topics=topics,
        category_names=labels,
        remedy_kind=rule.remedy_kind,
        department=rule.department or record.department,
    )
