"""``porchlight report monthly``: the monthly community report as PDF or HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from porchlight.dashboard.reports.rendering.report import MonthlyReport
from porchlight.kit.commands import in_transaction

report_app = typer.Typer(help="Monthly community reports.", no_args_is_help=True)


@report_app.command("monthly")
def report_monthly(
    ctx: typer.Context,
    month: Annotated[str, typer.Option(help="YYYY-MM")],
    out: Annotated[Path, typer.Option(help="Where to write: .pdf or .html")],
    district: Annotated[str | None, typer.Option(help="A district code (default: the whole city)")] = None,
) -> None:
    """The monthly community report, as PDF or HTML (by the file's extension)."""
    from porchlight.dashboard.months.period import Month
    from porchlight.dashboard.reports.rendering.html import render_html
    from porchlight.dashboard.reports.rendering.pdf import render_pdf
    from porchlight.dashboard.reports.service import gather
    from porchlight.dashboard.settings import DashboardSettings
    from porchlight.kit.city import load_city
    from porchlight.kit.errors import ProblemError

    dsettings = DashboardSettings()

    async def work(session: AsyncSession) -> MonthlyReport:
        return await gather(
            session,
            load_city(dsettings.places_file),
            Month.parse(month, "--month"),
            district,
            meeting_hours=dsettings.meeting_hours,
        )

    try:
        report = in_transaction(ctx, work, embedded=False, upgrade=False)
        if out.suffix.lower() == ".html":
            out.write_text(render_html(report), encoding="utf-8")
        else:
            out.write_bytes(render_pdf(report))
    except ProblemError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"wrote {out}")
