"""Consent-based checks of domestic workers: the worker gives one employer a consent for one
service category and may withdraw it; the employer, signed in as a subject, checks the worker
and gets a pass or a flag per consented category, never the file."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import MAX_ID, In, Out
from xinyong.api.problems import ERRORS
from xinyong.application.consents import Mine, Shown
from xinyong.disclosure.access import Permission
from xinyong.disclosure.consents import MAX_DAYS, Answer, Asked
from xinyong.disclosure.tokens import Principal
from xinyong.errors import Forbidden

router = APIRouter(tags=["consents"], responses=ERRORS)
ConsentId = Annotated[int, Path(ge=1, le=MAX_ID, description="a consent's id", examples=[3])]


def _own_code(principal: Principal) -> str:
    if principal.subject_code is None:  # the permission is a subject's; kept for the types
        raise Forbidden("consents are given and used by subjects signed in with their own token")
    return principal.subject_code


class ConsentCategoryOut(Out):
    code: str = Field(examples=["maternity"])
    zh: str = Field(examples=["母婴护理"])
    en: str = Field(examples=["maternity care"])


class ConsentCategoriesOut(Out):
    id: str = Field(examples=["domestic-service"])
    source_zh: str
    source_en: str = Field(description="where the list comes from, or that it is our modelling")
    categories: list[ConsentCategoryOut]
    max_days: int = Field(description="the longest a consent may run")


class ConsentOut(Out):
    id: int
    state: str = Field(description="valid, expired or revoked (withdrawn)")
    worker_code: str
    worker_name: str
    employer_code: str
    employer_name: str
    category: str
    purpose: str
    valid_from: date
    valid_until: date = Field(description="the last day a check may be made under it")
    granted_at: datetime
    revoked_at: datetime | None


class ConsentCheckRowOut(Out):
    reference: str = Field(examples=["CON-20261203-1A2B3C4D5E"])
    at: date
    asked_at: datetime
    actor: str
    outcome: str = Field(description="answered or refused")
    refusal: str | None
    consent_ids: list[int]
    answer: dict[str, Any] | None = Field(description="pass or flag per category, flag kinds")


class ConsentsOut(Out):
    given: list[ConsentOut] = Field(description="consents I gave, as a worker")
    received: list[ConsentOut] = Field(description="consents given to me, as an employer")
    checks_about_me: list[ConsentCheckRowOut]
    checks_by_me: list[ConsentCheckRowOut]


class ConsentIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"employer_code": "150103197501010032", "category": "maternity"}]
        },
    )

    employer_code: str = Field(max_length=18, description="who may check me: USCC or ID")
    category: str = Field(
        max_length=40, description="one service category (GET /consents/categories)"
    )
    days: int = Field(default=30, ge=1, le=MAX_DAYS, description="how long, from today")


class ConsentCheckIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"worker_code": "150102198503010019"}]}
    )

    worker_code: str = Field(max_length=18, description="the worker's resident ID")


class ConsentReasonOut(Out):
    kind: str = Field(examples=["drugs"])
    zh: str
    en: str


class ConsentOutcomeOut(Out):
    category: str
    zh: str
    en: str
    outcome: str = Field(description="pass, flag, or unchecked (no scheme covers the worker)")
    reasons: list[ConsentReasonOut] = Field(description="a flag's reasons, by kind only")


class ConsentCheckOut(Out):
    reference: str = Field(description="the check's reference, kept by the employer")
    at: date
    scheme: str | None = Field(examples=["hohhot-domestic-worker-check@1"])
    outcomes: list[ConsentOutcomeOut]
    consent_ids: list[int]


def _shown(found: Shown) -> ConsentOut:
    c = found.consent
    return ConsentOut(
        id=c.id,
        state=found.state,
        worker_code=found.worker_code,
        worker_name=found.worker_name,
        employer_code=found.employer_code,
        employer_name=found.employer_name,
        category=c.category,
        purpose=c.purpose,
        valid_from=c.valid_from,
        valid_until=c.valid_until,
        granted_at=c.granted_at,
        revoked_at=c.revoked_at,
    )


def _asked(found: Asked) -> ConsentCheckRowOut:
    return ConsentCheckRowOut(
        reference=found.reference,
        at=found.at,
        asked_at=found.asked_at,
        actor=found.actor,
        outcome=found.outcome,
        refusal=found.refusal,
        consent_ids=list(found.consent_ids),
        answer=found.answer,
    )


def _mine(found: Mine) -> ConsentsOut:
    return ConsentsOut(
        given=[_shown(c) for c in found.given],
        received=[_shown(c) for c in found.received],
        checks_about_me=[_asked(a) for a in found.checks_about_me],
        checks_by_me=[_asked(a) for a in found.checks_by_me],
    )


@router.get("/consents/categories", response_model=ConsentCategoriesOut, summary="Categories")
def consent_categories(call: Annotated[Call, Depends(Public())]) -> ConsentCategoriesOut:
    """The service categories a consent may name, with where the list comes from."""
    found = call.service.consents.categories()
    return ConsentCategoriesOut(
        id=found.id,
        source_zh=found.source_zh,
        source_en=found.source_en,
        categories=[ConsentCategoryOut(code=c.code, zh=c.zh, en=c.en) for c in found.items],
        max_days=MAX_DAYS,
    )


@router.get(
    "/me/consents",
    response_model=ConsentsOut,
    tags=["self-service"],
    summary="My consents and the checks made under them",
)
def own_consents(call: Annotated[Call, Depends(Allow(Permission.CONSENT))]) -> ConsentsOut:
    """The consents I gave (as a worker) and those given to me (as an employer), and every
    check asked about me or by me, answered or refused."""
    code = _own_code(call.principal)
    return _mine(call.service.consents.mine(code, principal=call.principal))


@router.post(
    "/me/consents",
    status_code=201,
    response_model=ConsentOut,
    tags=["self-service"],
    summary="Let one employer check me for one service category",
)
def give_consent(
    call: Annotated[Call, Depends(Allow(Permission.CONSENT))], body: ConsentIn
) -> ConsentOut:
    """A consent for ``days`` days from today (at most 90); one per employer and category
    holds at a time. The employer then sees a pass or a flag for that category, never my
    records, and each check shows in my "who read my file"."""
    svc, principal = call.service, call.principal
    code = _own_code(principal)
    made = svc.consents.grant(
        code, body.employer_code, body.category, body.days, by=principal.actor, principal=principal
    )
    return _shown(made)


@router.post(
    "/me/consents/{consent_id}/revocation",
    response_model=ConsentOut,
    tags=["self-service"],
    summary="Withdraw a consent",
)
def withdraw_consent(
    call: Annotated[Call, Depends(Allow(Permission.CONSENT))], consent_id: ConsentId
) -> ConsentOut:
    """From now on: the next check under it is refused."""
    svc, principal = call.service, call.principal
    code = _own_code(principal)
    done = svc.consents.revoke(consent_id, code, by=principal.actor, principal=principal)
    return _shown(done)


@router.post(
    "/consent-checks",
    response_model=ConsentCheckOut,
    summary="Check a worker who consented, before hiring",
    description="Answers pass or flag for each category the worker's consent to me holds "
    "for today, with the kinds of the reasons and never the records; refused (403, and kept) "
    "without such a consent. The read is in the worker's access log.",
)
def consent_check(
    call: Annotated[Call, Depends(Allow(Permission.CONSENT))], body: ConsentCheckIn
) -> ConsentCheckOut:
    svc, principal = call.service, call.principal
    code = _own_code(principal)
    found: Answer = svc.consents.check(
        code, body.worker_code, by=principal.actor, principal=principal
    )
    return ConsentCheckOut(
        reference=found.reference,
        at=found.at,
        scheme=found.scheme,
        outcomes=[
            ConsentOutcomeOut(
                category=o.category,
                zh=o.zh,
                en=o.en,
                outcome=o.outcome,
                reasons=[ConsentReasonOut(kind=r.kind, zh=r.zh, en=r.en) for r in o.reasons],
            )
            for o in found.outcomes
        ],
        consent_ids=list(found.consent_ids),
    )
