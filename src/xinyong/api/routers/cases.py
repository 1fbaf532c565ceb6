"""Cases: objections to records and credit-repair applications, filed by the subject (or by an
official on its behalf), read and decided by a credit office."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field, StrictBool

from xinyong.api.deps import Allow, Call
from xinyong.api.models import BodyId, CaseOut, In, PathId, case_out, links
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission, Purpose
from xinyong.dueprocess.cases import CaseKind

router = APIRouter(tags=["cases"], responses=ERRORS)
HANDLING = Purpose("handling the case", "the objection and credit-repair procedures")


class ObjectionIn(In):
    record_id: BodyId
    reason: str = Field(min_length=1, max_length=4000, examples=["处罚决定已被行政复议撤销"])


class RepairIn(In):
    record_id: BodyId
    materials: list[str] = Field(examples=[["credit_commitment", "proof_of_performance"]])


class ObjectionDecisionIn(In):
    uphold: StrictBool
    reasons: str = Field(min_length=1, max_length=4000)
    correction: dict[str, Any] | None = Field(
        default=None,
        description="corrected attribute values (upheld only); else the record is revoked",
    )


class ForwardIn(In):
    authority: str = Field(min_length=1, max_length=200, examples=["郑州市生态环境局"])


class RepairDecisionIn(In):
    grant: StrictBool
    reasons: str = Field(min_length=1, max_length=4000)


def _object(call: Call, body: ObjectionIn) -> CaseOut:
    svc = call.service
    case = svc.cases.object(
        body.record_id, body.reason, by=call.principal.actor, principal=call.principal
    )
    return case_out(case, svc.today())


def _repair(call: Call, body: RepairIn) -> CaseOut:
    svc = call.service
    case = svc.cases.apply_for_repair(
        body.record_id,
        tuple(body.materials),
        by=call.principal.actor,
        principal=call.principal,
    )
    return case_out(case, svc.today())


@router.post(
    "/me/objections",
    response_model=CaseOut,
    status_code=201,
    tags=["self-service"],
    summary="Object to a record in my file",
)
def my_objection(
    call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))], body: ObjectionIn
) -> CaseOut:
    return _object(call, body)


@router.post(
    "/me/repairs",
    response_model=CaseOut,
    status_code=201,
    tags=["self-service"],
    summary="Apply for credit repair of a record in my file",
)
def my_repair(
    call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))], body: RepairIn
) -> CaseOut:
    return _repair(call, body)


@router.get(
    "/me/cases",
    response_model=list[CaseOut],
    tags=["self-service"],
    summary="My cases, with their deadlines and state",
)
def my_cases(call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))]) -> list[CaseOut]:
    svc = call.service
    return [
        case_out(c, svc.today()) for c in svc.cases.of_subject(call.principal.subject_code or "")
    ]


@router.post(
    "/cases/objections",
    response_model=CaseOut,
    status_code=201,
    responses=links(201, case=("case", {"case_id": "$response.body#/id"})),
    summary="File an objection on a subject's behalf",
)
def objection(
    call: Annotated[Call, Depends(Allow(Permission.CASES_FILE))], body: ObjectionIn
) -> CaseOut:
    return _object(call, body)


@router.post(
    "/cases/repairs",
    response_model=CaseOut,
    status_code=201,
    responses=links(201, case=("case", {"case_id": "$response.body#/id"})),
    summary="File a repair application on a subject's behalf",
)
def repair(call: Annotated[Call, Depends(Allow(Permission.CASES_FILE))], body: RepairIn) -> CaseOut:
    return _repair(call, body)


@router.get(
    "/cases", response_model=list[CaseOut], summary="The inbox of open cases, most urgent first"
)
def cases_inbox(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    kind: CaseKind | None = None,
    overdue: bool = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[CaseOut]:
    svc = call.service
    found = svc.cases.inbox(kind=kind, overdue=overdue, principal=call.principal, limit=limit)
    return [case_out(c, svc.today()) for c in found]


@router.get("/cases/{case_id}", response_model=CaseOut, summary="A case")
def case(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], case_id: PathId
) -> CaseOut:
    return case_out(call.service.cases.case(case_id, call.principal), call.service.today())


@router.post(
    "/cases/{case_id}/objection-decision", response_model=CaseOut, summary="Decide an objection"
)
def objection_decision(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    case_id: PathId,
    body: ObjectionDecisionIn,
) -> CaseOut:
    svc = call.service
    decided = svc.cases.decide_objection(
        case_id,
        uphold=body.uphold,
        reasons=body.reasons,
        by=call.principal.holder,
        correction=body.correction,
        principal=call.principal,
    )
    return case_out(decided.case, svc.today())


@router.post(
    "/cases/{case_id}/forward",
    response_model=CaseOut,
    summary="Forward a repair application to the deciding authority",
)
def forward_case(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], case_id: PathId, body: ForwardIn
) -> CaseOut:
    svc = call.service
    found = svc.cases.forward(
        case_id, body.authority, by=call.principal.actor, principal=call.principal
    )
    return case_out(found, svc.today())


@router.post(
    "/cases/{case_id}/repair-decision",
    response_model=CaseOut,
    summary="Grant or refuse credit repair",
)
def repair_decision(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    case_id: PathId,
    body: RepairDecisionIn,
) -> CaseOut:
    svc = call.service
    decided = svc.cases.decide_repair(
        case_id,
        grant=body.grant,
        reasons=body.reasons,
        by=call.principal.holder,
        principal=call.principal,
    )
    return case_out(decided.case, svc.today())
