"""Subject self-service: sign in with the token the platform issued, read the full own file and
who read it, object to a record, apply for credit repair, and follow a case. Every read of the
own file is written to the access log, as through the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import HTMLResponse, RedirectResponse

from xinyong.application.errors import status_of
from xinyong.disclosure.tokens import Role
from xinyong.dueprocess.repair import REQUIRED_MATERIALS
from xinyong.errors import Unauthenticated
from xinyong.portal.context import TOKEN_COOKIE, WORKBENCH, Ctx, client_of

router = APIRouter()


@router.get("/signin", response_class=HTMLResponse)
def signin_form(ctx: Ctx) -> HTMLResponse:
    return ctx.html("signin.html", problem=None)


@router.post("/signin", response_model=None)
def signin(
    ctx: Ctx, token: Annotated[str, Form(max_length=200)], csrf: Annotated[str, Form()] = ""
) -> HTMLResponse | RedirectResponse:
    ctx.check_csrf(csrf)  # a page elsewhere cannot sign a visitor in under its own token
    try:
        principal = ctx.svc.authenticate(token.strip(), client_of(ctx.request))
    except Unauthenticated as refused:
        return ctx.html("signin.html", status=status_of(refused), problem=ctx.told(refused))
    if principal.role is not Role.SUBJECT and principal.role not in WORKBENCH:
        return ctx.html("signin.html", status=403, problem=ctx.t("subjects_only"))
    home = "/account" if principal.role is Role.SUBJECT else "/desk"
    response = RedirectResponse(home, status_code=303)
    response.set_cookie(
        TOKEN_COOKIE, token.strip(), httponly=True, samesite="strict", secure=ctx.secure
    )
    return response


@router.post("/signout")
def signout(ctx: Ctx, csrf: Annotated[str, Form()] = "") -> RedirectResponse:
    ctx.check_csrf(csrf)
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(TOKEN_COOKIE, httponly=True, samesite="strict", secure=ctx.secure)
    return response


@router.get("/account", response_class=HTMLResponse)
def account(ctx: Ctx, page: Annotated[int, Query(ge=1)] = 1) -> HTMLResponse:
    ctx.subject_code()  # signed in
    mine = ctx.svc.files.account(ctx.principal, page=page)
    return ctx.html(
        "account.html",
        subject=mine.subject,
        file=mine.file,
        grades=mine.grades,
        repairable=mine.repairable,
        records=mine.records,
        page=mine.page,
        pages=mine.pages,
        readers=mine.readers,
        own_reads=mine.own_reads,
        cases=mine.cases,
        catalog=ctx.svc.catalog,
        filed=ctx.request.query_params.get("filed"),
    )


@router.get("/account/guidance", response_class=HTMLResponse)
def guidance_page(ctx: Ctx) -> HTMLResponse:
    """What would change my grade or lists, under each scheme in force that has me in scope."""
    code = ctx.subject_code()  # signed in
    found = ctx.svc.evaluations.guidance(code, principal=ctx.principal)
    schemes = {g.scheme: ctx.svc.library.get(g.scheme) for g in found}
    lists = {(key, d.id): d.name for key, s in schemes.items() for d in s.definition.lists}
    return ctx.html("guidance.html", found=found, schemes=schemes, list_names=lists)


def _own_record(ctx: Ctx, record_id: int) -> None:
    ctx.subject_code()  # signed in
    ctx.svc.files.own_record(ctx.principal, record_id)


@router.post("/account/objections")
def file_objection(
    ctx: Ctx,
    record_id: Annotated[int, Form(ge=1)],
    reason: Annotated[str, Form(min_length=1, max_length=4000)],
    csrf: Annotated[str, Form()],
) -> RedirectResponse:
    ctx.check_csrf(csrf)
    _own_record(ctx, record_id)
    case = ctx.svc.cases.object(
        record_id, reason.strip(), by=ctx.principal.actor, principal=ctx.principal
    )
    return RedirectResponse(f"/account/cases/{case.id}", status_code=303)


@router.post("/account/repairs")
def file_repair(
    ctx: Ctx,
    record_id: Annotated[int, Form(ge=1)],
    csrf: Annotated[str, Form()],
    commitment: Annotated[bool, Form()] = False,
    performance: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    ctx.check_csrf(csrf)
    _own_record(ctx, record_id)
    materials = tuple(
        m for m, given in zip(REQUIRED_MATERIALS, (commitment, performance), strict=True) if given
    )
    case = ctx.svc.cases.apply_for_repair(
        record_id, materials, by=ctx.principal.actor, principal=ctx.principal
    )
    return RedirectResponse(f"/account/cases/{case.id}", status_code=303)


@router.get("/account/cases/{case_id}", response_class=HTMLResponse)
def case_page(ctx: Ctx, case_id: int) -> HTMLResponse:
    ctx.subject_code()  # signed in
    case, steps = ctx.svc.cases.own(case_id, ctx.principal)
    return ctx.html("case.html", case=case, steps=steps)


@router.post("/account/cases/{case_id}/rectification")
def answer_rectification(
    ctx: Ctx,
    case_id: int,
    answer: Annotated[str, Form(min_length=1, max_length=4000)],
    csrf: Annotated[str, Form()],
) -> RedirectResponse:
    """A government agency, signed in as itself, answers the rectification of a bad rating."""
    ctx.check_csrf(csrf)
    ctx.subject_code()  # signed in
    ctx.svc.services.rectify(
        case_id, answer.strip(), by=ctx.principal.actor, principal=ctx.principal
    )
    return RedirectResponse(f"/account/cases/{case_id}", status_code=303)
