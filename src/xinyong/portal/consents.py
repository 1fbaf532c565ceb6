"""The consents page of a signed-in subject: as a worker, give one employer a consent for one
service category and withdraw it; as an employer, check a worker under the consents given to
you and read the answer (pass or flag per category); both sides see the checks made."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup

from xinyong.application.errors import status_of
from xinyong.disclosure.consents import MAX_DAYS, Answer
from xinyong.errors import XinyongError
from xinyong.portal.context import Ctx

router = APIRouter()


def _page(
    ctx: Ctx, *, answer: Answer | None = None, problem: Markup | None = None, status: int = 200
) -> HTMLResponse:
    code = ctx.subject_code()  # signed in
    mine = ctx.svc.consents.mine(code, principal=ctx.principal)
    return ctx.html(
        "consents.html",
        status=status,
        mine=mine,
        categories=ctx.svc.consents.categories(),
        max_days=MAX_DAYS,
        answer=answer,
        problem=problem,
        done=ctx.request.query_params.get("done"),
    )


@router.get("/account/consents", response_class=HTMLResponse)
def consents_page(ctx: Ctx) -> HTMLResponse:
    return _page(ctx)


@router.post("/account/consents", response_model=None)
def give(
    ctx: Ctx,
    employer: Annotated[str, Form(min_length=1, max_length=18)],
    category: Annotated[str, Form(min_length=1, max_length=40)],
    days: Annotated[int, Form(ge=1, le=MAX_DAYS)],
    csrf: Annotated[str, Form()],
) -> HTMLResponse | RedirectResponse:
    ctx.check_csrf(csrf)
    code = ctx.subject_code()
    try:
        ctx.svc.consents.grant(
            code, employer.strip(), category, days, by=ctx.principal.actor, principal=ctx.principal
        )
    except XinyongError as refused:
        return _page(ctx, problem=ctx.told(refused), status=status_of(refused))
    return RedirectResponse("/account/consents?done=given", status_code=303)


@router.post("/account/consents/{consent_id}/revocation", response_model=None)
def withdraw(
    ctx: Ctx, consent_id: int, csrf: Annotated[str, Form()]
) -> HTMLResponse | RedirectResponse:
    ctx.check_csrf(csrf)
    code = ctx.subject_code()
    try:
        ctx.svc.consents.revoke(consent_id, code, by=ctx.principal.actor, principal=ctx.principal)
    except XinyongError as refused:
        return _page(ctx, problem=ctx.told(refused), status=status_of(refused))
    return RedirectResponse("/account/consents?done=withdrawn", status_code=303)


@router.post("/account/consent-checks", response_class=HTMLResponse)
def check(
    ctx: Ctx,
    worker: Annotated[str, Form(min_length=1, max_length=18)],
    csrf: Annotated[str, Form()],
) -> HTMLResponse:
    ctx.check_csrf(csrf)
    code = ctx.subject_code()
    try:
        answer = ctx.svc.consents.check(
            code, worker.strip(), by=ctx.principal.actor, principal=ctx.principal
        )
    except XinyongError as refused:
        return _page(ctx, problem=ctx.told(refused), status=status_of(refused))
    return _page(ctx, answer=answer)
