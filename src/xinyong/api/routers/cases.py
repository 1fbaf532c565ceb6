"""Cases: objections to records and credit-repair applications, filed by the subject (or by an
official on its behalf), read and decided by a credit office."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field, StrictBool

from xinyong.api.deps import Allow, Call
from xinyong.api.models import BodyId, CaseId, CaseOut, In, case_out, links
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission, Purpose
from xinyong.dueprocess.cases import CaseKind

router = APIRouter(tags=["cases"], responses=ERRORS)
HANDLING = Purpose("handling the case", "the objection and credit-repair procedures")


class ObjectionIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"record_id": 1024, "reason": "处罚决定已被行政复议撤销"}]},
    )

    record_id: BodyId
    reason: str = Field(min_length=1, max_length=4000, examples=["处罚决定已被行政复议撤销"])


class RepairIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"record_id": 1024, "materials": ["credit_commitment", "proof_of_performance"]}
            ]
        },
    )

    record_id: BodyId
    materials: list[str] = Field(examples=[["credit_commitment", "proof_of_performance"]])


class ObjectionDecisionIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "uphold": True,
                    "reasons": "罚款金额录入有误，已更正",
                    "correction": {"fine_10k_cny": 0.35},
                }
            ]
        },
    )

    uphold: StrictBool
    reasons: str = Field(min_length=1, max_length=4000)
    correction: dict[str, Any] | None = Field(
        default=None,
        description="corrected attribute values (upheld only); else the record is revoked",
    )


class ForwardIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"authority": "郑州市生态环境局"}]}
    )

    authority: str = Field(min_length=1, max_length=200, examples=["郑州市生态环境局"])


class RepairDecisionIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"grant": True, "reasons": "已履行处罚决定并作出信用承诺"}]
        },
    )

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
    """Disputes a record in my own file. The record shows as disputed everywhere while the case is
    open; the answer is due within the statutory period."""
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
    """Applies for credit repair of a record whose minimum publication period has passed, with the
    materials the procedure names (a credit commitment, proof of performance)."""
    return _repair(call, body)


@router.get(
    "/me/cases",
    response_model=list[CaseOut],
    tags=["self-service"],
    summary="My cases, with their deadlines and state",
)
def my_cases(call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))]) -> list[CaseOut]:
    """My objections and repair applications, with their state, deadline and outcome."""
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
    """Files an objection for a subject (at a counter, or on a letter the subject sent)."""
    return _object(call, body)


@router.post(
    "/cases/repairs",
    response_model=CaseOut,
    status_code=201,
    responses=links(201, case=("case", {"case_id": "$response.body#/id"})),
    summary="File a repair application on a subject's behalf",
)
def repair(call: Annotated[Call, Depends(Allow(Permission.CASES_FILE))], body: RepairIn) -> CaseOut:
    """Files a credit-repair application for a subject."""
    return _repair(call, body)


@router.get(
    "/cases", response_model=list[CaseOut], summary="The inbox of open cases, most urgent first"
)
def cases_inbox(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    kind: Annotated[CaseKind | None, Query(description="only cases of this kind")] = None,
    overdue: Annotated[bool, Query(description="only cases past their deadline")] = False,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many cases")] = 200,
) -> list[CaseOut]:
    """Open cases the caller may decide, the nearest deadline first; a regional token sees its
    region only."""
    svc = call.service
    found = svc.cases.inbox(kind=kind, overdue=overdue, principal=call.principal, limit=limit)
    return [case_out(c, svc.today()) for c in found]


@router.get("/cases/{case_id}", response_model=CaseOut, summary="A case")
def case(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], case_id: CaseId
) -> CaseOut:
    """A case with its record or listing, deadline, state and outcome."""
    return case_out(call.service.cases.case(case_id, call.principal), call.service.today())


@router.post(
    "/cases/{case_id}/objection-decision", response_model=CaseOut, summary="Decide an objection"
)
def objection_decision(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    case_id: CaseId,
    body: ObjectionDecisionIn,
) -> CaseOut:
    """Upholds or dismisses an objection, with reasons. Upheld with a correction, the record gets a
    corrected successor; upheld without one, it is revoked. Grades and lists are re-evaluated in
    the same transaction."""
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
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], case_id: CaseId, body: ForwardIn
) -> CaseOut:
    """Sends a repair application to the authority that made the decision; the deciding authority's
    working-day deadline starts."""
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
    case_id: CaseId,
    body: RepairDecisionIn,
) -> CaseOut:
    """Grants or refuses repair, with reasons. Granted, the record leaves public view at once and
    grades and lists are re-evaluated."""
    svc = call.service
    decided = svc.cases.decide_repair(
        case_id,
        grant=body.grant,
        reasons=body.reasons,
        by=call.principal.holder,
        principal=call.principal,
    )
    return case_out(decided.case, svc.today())
