"""The officials' workbench: a credit office's or a department's staff, signed in with the token
the platform issued to them (its role and region decide what they see), work the cases inbox by
deadline, take each listing's next step with the list's rules beside it, decide objections and
repair applications, check a subject before granting a service, and run a scheme's own cases.
Every action goes through the application layer, is dated by its clock and carries the form's
anti-forgery value."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse

from xinyong.application.base import Backdate
from xinyong.catalog.attributes import AttributeSpec
from xinyong.catalog.items import CatalogItem
from xinyong.catalog.measures import ServiceAction
from xinyong.catalog.terms import Names
from xinyong.disclosure.access import Permission, holds
from xinyong.disclosure.tokens import Principal, Role
from xinyong.dueprocess.cases import CaseKind, CaseState
from xinyong.dueprocess.lifecycle import ExitReason, State
from xinyong.errors import Forbidden, InvalidInput, Unauthenticated
from xinyong.portal.context import Ctx, Page
from xinyong.schemes.plain import list_criteria

router = APIRouter(prefix="/desk")
Text = Annotated[str, Form(max_length=4000)]
Csrf = Annotated[str, Form()]
#: The steps a listing may take from each state, in the order the form offers them.
NEXT_STEPS: dict[State, tuple[str, ...]] = {
    State.PROPOSED: ("notice", "drop"),
    State.NOTIFIED: ("sign-off", "drop"),
    State.SIGNED_OFF: ("listing",),
    State.LISTED: ("exit",),
}


def official(ctx: Page, permission: Permission | None = None) -> Principal:
    """The signed-in official (or department), holding ``permission`` where one is named."""
    if not ctx.official:
        raise Unauthenticated("sign in with an official's token").saying("sign_in_first")
    if permission is not None and not holds(ctx.principal, permission):
        role = ctx.principal.role.value
        raise Forbidden(f"the role {role} does not hold {permission.value}").saying("role_may_not")
    return ctx.principal


def _may(principal: Principal) -> dict[str, bool]:
    return {
        name: holds(principal, permission)
        for name, permission in {
            "cases": Permission.CASES_DECIDE,
            "listings": Permission.LISTINGS,
            "check": Permission.CHECK,
            "schemes": Permission.SCHEMES,
        }.items()
    }


@router.get("", response_class=HTMLResponse)
def desk(ctx: Ctx) -> HTMLResponse:
    who = official(ctx)
    may = _may(who)
    svc = ctx.svc
    cases = svc.cases.inbox(principal=who, limit=200) if may["cases"] else []
    waiting = svc.listings.waiting(who) if may["listings"] else []
    return ctx.html(
        "desk.html",
        may=may,
        cases=cases,
        overdue=sum(c.overdue(ctx.today) for c in cases),
        waiting=waiting,
        lists=_list_names(ctx),
        done=ctx.request.query_params.get("done"),
    )


def _list_names(ctx: Page) -> dict[str, Names]:
    """``scheme-id/list-id -> names`` of every list in the library."""
    return {f"{s.id}/{d.id}": d.name for s in ctx.svc.library for d in s.definition.lists}


# -- cases --------------------------------------------------------------------------------------


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(ctx: Ctx, case_id: int) -> HTMLResponse:
    who = official(ctx, Permission.CASES_DECIDE)
    dossier = ctx.svc.cases.dossier(case_id, who)
    item = None
    if dossier.record is not None:
        item = ctx.svc.catalog.get(dossier.record.item_code)
    return ctx.html(
        "desk_case.html",
        dossier=dossier,
        case=dossier.case,
        item=item,
        correctable=_correctable(dossier.record, item),
        is_open=dossier.case.state is CaseState.OPEN,
        objection=dossier.case.kind is CaseKind.OBJECTION,
        repair=dossier.case.kind is CaseKind.REPAIR,
        forwarded="authority" in dossier.case.details,
        link=(
            ctx.svc.linkage.of_case(case_id, who) if dossier.case.kind is CaseKind.LINK else None
        ),
    )


def _back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/desk/cases/{case_id}?done=1", status_code=303)


def _shown(value: Any) -> str:
    """A stored value as the correction form shows it, and compares what comes back to."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _correctable(
    record: Any, item: CatalogItem | None
) -> list[tuple[str, AttributeSpec | None, str]]:
    """The fields an upheld objection may correct: the decision date, then each attribute the
    item declares, as (name, its spec, the value now)."""
    if record is None or item is None:
        return []
    fields: list[tuple[str, AttributeSpec | None, str]] = [
        ("decided_on", None, _shown(record.decided_on))
    ]
    for spec in item.attributes:
        fields.append((spec.name, spec, _shown(record.attributes.get(spec.name))))
    return fields


@router.post("/cases/{case_id}/objection-decision")
def decide_objection(
    ctx: Ctx,
    case_id: int,
    outcome: Annotated[Literal["uphold", "reject"], Form()],
    reasons: Annotated[str, Form(min_length=1, max_length=4000)],
    csrf: Csrf,
    field: Annotated[list[str], Form(max_length=64)] = [],  # noqa: B006 (FastAPI's own default)
    value: Annotated[list[str], Form(max_length=4000)] = [],  # noqa: B006
    was: Annotated[list[str], Form(max_length=4000)] = [],  # noqa: B006
) -> RedirectResponse:
    """Uphold or reject. Upheld with changed values, the record is corrected by a new one;
    upheld with none changed, it is revoked. Only the values that differ from those the form
    showed (``was``) are sent on, so an untouched form never rewrites a record; the use case
    checks each field against the record's item."""
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.CASES_DECIDE)
    if not len(field) == len(value) == len(was):
        raise InvalidInput("correction: the form's fields do not match").saying("form_expired")
    correction = {
        name: sent.strip()
        for name, sent, shown in zip(field, value, was, strict=True)
        if sent.strip() and sent.strip() != shown
    }
    if correction and outcome != "uphold":
        raise InvalidInput("correction: values are corrected only when upheld").saying(
            "correct_only_upheld"
        )
    ctx.svc.cases.decide_objection(
        case_id,
        uphold=outcome == "uphold",
        reasons=reasons.strip(),
        by=who.holder,
        correction=correction or None,
        principal=who,
    )
    return _back(case_id)


@router.post("/cases/{case_id}/forward")
def forward(
    ctx: Ctx,
    case_id: int,
    authority: Annotated[str, Form(min_length=1, max_length=200)],
    csrf: Csrf,
) -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.CASES_DECIDE)
    ctx.svc.cases.forward(case_id, authority.strip(), by=who.actor, principal=who)
    return _back(case_id)


@router.post("/cases/{case_id}/repair-decision")
def decide_repair(
    ctx: Ctx,
    case_id: int,
    outcome: Annotated[Literal["grant", "refuse"], Form()],
    reasons: Annotated[str, Form(min_length=1, max_length=4000)],
    csrf: Csrf,
) -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.CASES_DECIDE)
    ctx.svc.cases.decide_repair(
        case_id, grant=outcome == "grant", reasons=reasons.strip(), by=who.holder, principal=who
    )
    return _back(case_id)


@router.post("/links/{link_id}/{decision}")
def decide_link(
    ctx: Ctx,
    link_id: int,
    decision: Literal["acceptance", "rejection"],
    csrf: Csrf,
    reasons: Annotated[str, Form(max_length=4000)] = "",
) -> RedirectResponse:
    """Accept a proposed link (the row becomes the subject's record) or reject it (with the
    reasons; the row stays in quarantine)."""
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.CASES_DECIDE)
    linkage = ctx.svc.linkage
    if decision == "acceptance":
        done = linkage.accept(link_id, by=who.holder, principal=who).link
    elif not reasons.strip():
        raise InvalidInput("reasons: a rejection gives its reasons").saying("say_why")
    else:
        done = linkage.reject(link_id, by=who.holder, reasons=reasons.strip(), principal=who)
    return _back(done.case_id)


# -- listings -----------------------------------------------------------------------------------


@router.get("/listings/{listing_id}", response_class=HTMLResponse)
def listing_page(ctx: Ctx, listing_id: int) -> HTMLResponse:
    who = official(ctx, Permission.LISTINGS)
    svc = ctx.svc
    found = svc.listings.listing(listing_id, who)  # a logged read
    _, history, replays = svc.listings.history(listing_id)
    scheme = svc.library.get(f"{found.scheme_id}@{found.scheme_version}")
    entry = next(e for e in scheme.definition.lists if e.id == found.list_id)
    return ctx.html(
        "desk_listing.html",
        listing=found,
        scheme=scheme,
        entry=entry,
        criteria=list_criteria(scheme, svc.catalog, found.list_id, ctx.lang),
        history=history,
        replays=replays,
        steps=NEXT_STEPS.get(found.state.state, ()),
        reasons=list(ExitReason),
        done=ctx.request.query_params.get("done"),
    )


@router.post("/listings/{listing_id}/{step}")
def listing_step(
    ctx: Ctx,
    listing_id: int,
    step: Literal["notice", "sign-off", "listing", "drop", "exit"],
    csrf: Csrf,
    note: Annotated[str, Form(max_length=2000)] = "",
    reason: Annotated[str, Form(max_length=200)] = "",
    effective_on: Annotated[str, Form(max_length=10)] = "",
    because: Annotated[str, Form(max_length=2000)] = "",
) -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.LISTINGS)
    steps = ctx.svc.listings
    if step == "notice":
        steps.notify(listing_id, by=who.actor, principal=who)
    elif step == "sign-off":
        steps.sign_off(listing_id, by=who.holder, principal=who)
    elif step == "listing":
        steps.put_on_list(listing_id, by=who.actor, principal=who)
    elif step == "drop":
        if not reason.strip():
            raise InvalidInput("reason: say why the proposal is dropped").saying("say_why")
        steps.drop(listing_id, reason.strip(), by=who.actor, note=note, principal=who)
    else:
        try:
            why = ExitReason(reason)
        except ValueError:
            raise InvalidInput(f"reason: {reason!r} is not an exit reason").saying(
                "say_why"
            ) from None
        effective = None
        if effective_on:
            try:
                effective = Backdate(date.fromisoformat(effective_on), because)
            except ValueError:
                raise InvalidInput("effective_on: write YYYY-MM-DD").saying("bad_day") from None
        steps.exit(listing_id, why, by=who.actor, note=note, effective=effective, principal=who)
    return RedirectResponse(f"/desk/listings/{listing_id}?done={step}", status_code=303)


# -- the check and the schemes ------------------------------------------------------------------


@router.get("/check", response_class=HTMLResponse)
def check_form(ctx: Ctx) -> HTMLResponse:
    who = official(ctx, Permission.CHECK)
    return ctx.html("desk_check.html", actions=list(ServiceAction), answer=None, asked={}, who=who)


@router.post("/check", response_class=HTMLResponse)
def check(
    ctx: Ctx,
    code: Annotated[str, Form(min_length=1, max_length=18)],
    action: Annotated[ServiceAction, Form()],
    csrf: Csrf,
    department: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.CHECK)
    granting = who.department if who.role is Role.DEPARTMENT else department.strip()
    if not granting:
        raise InvalidInput("department: name the department granting the service").saying(
            "name_department"
        )
    answer = ctx.svc.checks.check(code.strip(), action.value, granting, by=who.actor, principal=who)
    asked = {"code": code.strip(), "action": action.value, "department": granting}
    svc = ctx.svc
    return ctx.html(
        "desk_check.html",
        actions=list(ServiceAction),
        answer=answer,
        asked=asked,
        who=who,
        lists=_list_names(ctx),
        policies={p.id: p.definition.policy.title for p in svc.policies},
        measures={m.code: svc.measures[m.code].name for m in answer.measures},
    )


@router.get("/schemes", response_class=HTMLResponse)
def schemes_page(ctx: Ctx) -> HTMLResponse:
    official(ctx, Permission.SCHEMES)
    rows = [(s, ctx.svc.schemes.distribution(s)) for s in ctx.svc.library.in_force(ctx.today)]
    return ctx.html("desk_schemes.html", rows=rows, tested=None, results=[])


@router.get("/shadows", response_class=HTMLResponse)
def shadows_page(ctx: Ctx) -> HTMLResponse:
    """Versions in shadow, day by day beside the version in force; start or stop one."""
    who = official(ctx, Permission.SCHEMES)
    svc = ctx.svc
    return ctx.html(
        "desk_shadows.html",
        reports=svc.shadows.every(who),
        waiting=svc.shadows.waiting(),
        lists=_list_names(ctx),
        done=ctx.request.query_params.get("done"),
    )


@router.post("/shadows")
def start_shadow(
    ctx: Ctx,
    scheme: Annotated[str, Form(max_length=120)],
    days: Annotated[int, Form(ge=1, le=366)],
    reason: Annotated[str, Form(min_length=1, max_length=500)],
    csrf: Csrf,
) -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.SCHEMES)
    ctx.svc.shadows.start(scheme, days=days, reason=reason.strip(), by=who.holder, principal=who)
    return RedirectResponse("/desk/shadows?done=1", status_code=303)


@router.post("/shadows/{scheme}/stop")
def stop_shadow(ctx: Ctx, scheme: str, csrf: Csrf) -> RedirectResponse:
    ctx.check_csrf(csrf)
    who = official(ctx, Permission.SCHEMES)
    ctx.svc.shadows.stop(scheme, by=who.holder, principal=who)
    return RedirectResponse("/desk/shadows?done=1", status_code=303)


@router.post("/schemes/{scheme_id}/tests", response_class=HTMLResponse)
def run_tests(ctx: Ctx, scheme_id: str, csrf: Csrf) -> HTMLResponse:
    ctx.check_csrf(csrf)
    official(ctx, Permission.SCHEMES)
    scheme = ctx.svc.library.get(scheme_id, on=ctx.today)
    results = ctx.svc.schemes.test(scheme)
    rows = [(s, ctx.svc.schemes.distribution(s)) for s in ctx.svc.library.in_force(ctx.today)]
    return ctx.html("desk_schemes.html", rows=rows, tested=scheme, results=results)
