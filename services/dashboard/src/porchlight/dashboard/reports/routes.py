"""GET /v1/reports/monthly: the monthly community report as HTML or PDF."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from porchlight.dashboard.months.comparison import last_complete
from porchlight.dashboard.months.period import Month
from porchlight.dashboard.pages.access import PoliceStaff, narrow
from porchlight.dashboard.reports.rendering.html import render_html
from porchlight.dashboard.reports.rendering.pdf import render_pdf
from porchlight.dashboard.reports.service import gather
from porchlight.dashboard.settings import Config
from porchlight.kit.app import Session
from porchlight.kit.city import load_city

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get(
    "/monthly",
    response_class=Response,
    responses={
        200: {"content": {"text/html": {}, "application/pdf": {}}, "description": "The report"},
        403: {"description": "A caller scoped to one district (a district claim) asked for another one"},
        404: {"description": "The city has no such district"},
    },
)
async def get_monthly_report(
    session: Session,
    who: PoliceStaff,
    config: Config,
    month: Annotated[
        str | None,
        Query(
            description="YYYY-MM (default: the last complete month, UTC). A month under way is reported 'so far', "
            "compared only with the same days of the months before"
        ),
    ] = None,
    district: Annotated[
        str | None,
        Query(description="A district code (default: the whole city; a district-scoped caller's own district)"),
    ] = None,
    format: Annotated[Literal["html", "pdf"], Query(description="html or pdf")] = "html",
) -> Response:
    """The monthly community report for the city or one district, as HTML or PDF.

    Meetings hosted, residents reached, engagement hours, sentiment and top concerns, projects and
    wins, next to crime statistics. A caller scoped to one district gets that district's report.
    """
    district = narrow(who, district)
    # By default the last whole month: a report of a few days is asked for by name, never met by chance.
    m = Month.parse(month) if month is not None else last_complete()
    report = await gather(
        session,
        load_city(config.places_file),
        m,
        district,
        meeting_hours=config.meeting_hours,
        with_quotes=who.reads_words_of(district),
    )
    name = f"porchlight-report-{m.label}{'-' + district if district else ''}"
    if format == "pdf":
        # Rendering is CPU work: off the event loop, so other requests are not held up.
        pdf = await run_in_threadpool(render_pdf, report)
        return Response(
            pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}.pdf"'}
        )
    return HTMLResponse(await run_in_threadpool(render_html, report))
