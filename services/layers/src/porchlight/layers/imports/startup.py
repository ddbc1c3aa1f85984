"""``make run`` on an empty database: the demo city's real department layers (Boston's 311 cases).

Only when ``PORCHLIGHT_LAYERS_DEMO_ON_EMPTY`` is true (the Makefile's ``run`` sets it; tests and
plain ``porchlight run`` leave it off) and layers holds no record yet. The file is 2015's: the
demo replays it as the city's last year, every time moved forward by the whole years that put its
last day within the year before today (``Mapping.shift_years``), so outages, graffiti and
abandoned vehicles sit beside this year's notes and incidents. Loaded in the background: start-up
is not held up by 19,591 rows.
"""

from __future__ import annotations

import gzip
import logging
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from porchlight.kit.runtime import ServiceRuntime
from porchlight.layers.imports.reading import parse_mapping
from porchlight.layers.imports.service import ImportReport, import_file
from porchlight.layers.records.service import Places
from porchlight.layers.settings import LayersSettings

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
DEMO_FILE = HERE / "demo" / "boston_311_2015_layers.csv.gz"
DEMO_MAPPING = HERE / "mappings" / "boston_311.yaml"
DEMO_YEAR = 2015


def demo_shift(today: datetime) -> int:
    """Whole years that move 2015's last day into the year before ``today``."""
    return today.year - 1 - DEMO_YEAR


async def load_demo_layers(runtime: ServiceRuntime, now: datetime | None = None) -> ImportReport | None:
    """Import the demo file when layers holds no record yet; None when it held some."""
    async with runtime.sessions() as session, session.begin():
        if await session.scalar(sa.text("SELECT EXISTS (SELECT 1 FROM layers.records)")):
            return None
        mapping = parse_mapping(DEMO_MAPPING.read_text(encoding="utf-8"))
        mapping = mapping.model_copy(update={"shift_years": demo_shift(now or datetime.now(UTC))})
        data = gzip.decompress(DEMO_FILE.read_bytes())
        return await import_file(session, runtime.resource(Places), DEMO_FILE.name.removesuffix(".gz"), data, mapping)


async def load_demo_layers_when_empty(runtime: ServiceRuntime) -> None:
    if not runtime.resource(LayersSettings).demo_on_empty:
        return

    async def load() -> None:
        try:
            report = await load_demo_layers(runtime)
            if report is not None:
                print(
                    f"demo layers loaded: {report.created} Boston 311 records ({report.refused} outside the demo city)",
                    flush=True,
                )
        except Exception as exc:  # the demo is a convenience: never take the service down
            log.warning("demo layers failed (%s: %s)", type(exc).__name__, exc)

    runtime.spawn(load(), "demo-layers")
