"""The public register of credit-rating agencies: who is registered, by which regulator, for
what, until when, and whether it is suspended (as the regulators publish it)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from xinyong.portal.context import Ctx

router = APIRouter()


@router.get("/agencies", response_class=HTMLResponse)
def agencies_page(ctx: Ctx) -> HTMLResponse:
    found = ctx.svc.agencies.register_list()
    return ctx.html("agencies.html", registrations=found, today=ctx.today, catalog=ctx.svc.catalog)
