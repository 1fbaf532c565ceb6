"""Grading of government services, as the public reads it: the agencies of a region ranked by
their latest monthly grade with the trend since the month before, and one agency's page (its
grades month by month, its ratings' monthly counts, its rectifications waiting)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from xinyong.application.services import SCHEME
from xinyong.portal.context import Ctx
from xinyong.portal.pages import grade_history_chart

router = APIRouter()


@router.get("/services", response_class=HTMLResponse)
def ranking_page(
    ctx: Ctx, region: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None
) -> HTMLResponse:
    svc = ctx.svc
    scheme = svc.library.get(SCHEME, on=ctx.today)
    ranked = svc.services.ranking(region)
    where = svc.regions.lookup(region.ljust(6, "0")) if region else None
    return ctx.html(
        "services.html",
        scheme=scheme,
        ranked=ranked,
        region=region,
        where=where,
    )


@router.get("/services/{subject_id}", response_class=HTMLResponse)
def agency_page(ctx: Ctx, subject_id: int) -> HTMLResponse:
    svc = ctx.svc
    page = svc.services.agency(subject_id)
    scheme = svc.library.get(SCHEME, on=ctx.today)
    chart = (
        grade_history_chart(ctx, scheme.id, scheme.version, [(d, g) for d, g, _ in page.grades])
        if page.grades
        else None
    )
    return ctx.html("service_agency.html", page=page, scheme=scheme, chart=chart)
