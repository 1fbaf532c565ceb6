"""The public pages of "double random, one open": the plans with their rates and their draws,
and each draw with its commitment, seed, classes, targets and published results, with the
published inputs, result and verifier to download (the API serves the files)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from xinyong.portal.context import Ctx

router = APIRouter()
PAGE_SIZE = 50


@router.get("/double-random", response_class=HTMLResponse)
def inspections_page(ctx: Ctx) -> HTMLResponse:
    svc = ctx.svc.inspections
    plans = []
    for plan in svc.plans():
        spec = plan.definition.inspection
        assert spec is not None
        rates = [(name, spec.classes.rate_of(name)) for name in spec.class_names()]
        plans.append((plan, rates))
    return ctx.html("inspections.html", plans=plans, draws=svc.draws())


@router.get("/double-random/{draw_id}", response_class=HTMLResponse)
def draw_page(ctx: Ctx, draw_id: int, page: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:
    svc = ctx.svc
    draw = svc.inspections.get(draw_id)
    plan = svc.library.get(draw.plan_key)
    targets = svc.inspections.targets(draw_id)
    done = sum(1 for t in targets if t.result is not None)
    overdue = sum(1 for t in targets if t.result is None and t.deadline and t.deadline < ctx.today)
    shown = targets[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    result = draw.result() or {}
    return ctx.html(
        "draw.html",
        draw=draw,
        plan=plan,
        classes=result.get("classes", []),
        floor=result.get("floor"),
        targets=shown,
        total=len(targets),
        done=done,
        overdue=overdue,
        page=page,
        pages=max(1, -(-len(targets) // PAGE_SIZE)),
        today=ctx.today,
    )
