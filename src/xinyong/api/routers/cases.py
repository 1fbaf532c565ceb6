"""Cases: objections to records and credit-repair applications, filed by the subject (or by an
official on its behalf), read and decided by a credit office."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import Connection, select

from xinyong.api.deps import Allow, Call
from xinyong.api.models import BodyId, CaseOut, Day, PathId, case_out
from xinyong.api.problems import ERRORS
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission, Purpose
from xinyong.disclosure.tokens import Principal
from xinyong.dueprocess.cases import Case, CaseKind, get_case, inbox
from xinyong.dueprocess.objections import decide_objection, object_to
from xinyong.dueprocess.repair import apply_for_repair, decide_repair, forward
from xinyong.errors import Conflict, NotFound
from xinyong.evaluation.runs import reevaluate
from xinyong.reference.workdays import WorkCalendar
from xinyong.registry.subjects import get
from xinyong.store.tables import records, subjects

router = APIRouter(tags=["cases"], responses=ERRORS)
HANDLING = Purpose("handling the case", "the objection and credit-repair procedures")


class ObjectionIn(BaseModel):
    record_id: BodyId
    reason: str = Field(min_length=1, max_length=4000, examples=["处罚决定已被行政复议撤销"])
    on: Day | None = None


class RepairIn(BaseModel):
    record_id: BodyId
    materials: list[str] = Field(examples=[["credit_commitment", "proof_of_performance"]])
    on: Day | None = None


class ObjectionDecisionIn(BaseModel):
    uphold: bool
    reasons: str = Field(min_length=1, max_length=4000)
    correction: dict[str, Any] | None = Field(
        default=None,
        description="corrected attribute values (upheld only); else the record is revoked",
    )
    on: Day | None = None


class ForwardIn(BaseModel):
    authority: str = Field(min_length=1, max_length=200, examples=["郑州市生态环境局"])
    on: Day | None = None


class RepairDecisionIn(BaseModel):
    grant: bool
    reasons: str = Field(min_length=1, max_length=4000)
    on: Day | None = None


def _record_owner(conn: Connection, record_id: int) -> str:
    code = conn.execute(
        select(subjects.c.code)
        .join(records, records.c.subject_id == subjects.c.id)
        .where(records.c.id == record_id)
    ).scalar()
    if code is None:
        raise NotFound(f"no record {record_id}")
    return str(code)


def _guard_record(conn: Connection, principal: Principal, record_id: int) -> None:
    access.reach(principal, get(conn, _record_owner(conn, record_id)))


def _guard_case(conn: Connection, principal: Principal, case_id: PathId) -> Case:
    case = get_case(conn, case_id)
    access.reach(principal, get(conn, case.subject_code))
    return case


def _object(call: Call, body: ObjectionIn) -> CaseOut:
    svc = call.service
    with svc.db.begin() as conn:
        _guard_record(conn, call.principal, body.record_id)
        case = object_to(
            conn,
            svc.catalog,
            body.record_id,
            body.on or svc.today(),
            call.principal.actor,
            body.reason,
        )
    return case_out(case, svc.today())


def _repair(call: Call, body: RepairIn) -> CaseOut:
    svc = call.service
    with svc.db.begin() as conn:
        _guard_record(conn, call.principal, body.record_id)
        case = apply_for_repair(
            conn,
            svc.catalog,
            WorkCalendar.from_database(conn),
            body.record_id,
            body.on or svc.today(),
            call.principal.actor,
            tuple(body.materials),
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
    from xinyong.dueprocess.cases import cases_of

    svc = call.service
    with svc.db.connect() as conn:
        subject = get(conn, call.principal.subject_code or "")
        return [case_out(c, svc.today()) for c in cases_of(conn, subject.id)]


@router.post(
    "/cases/objections",
    response_model=CaseOut,
    status_code=201,
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
    today = svc.today()
    with svc.db.connect() as conn:
        found = inbox(conn, today, kind=kind, overdue_only=overdue)
        regions = dict(
            conn.execute(
                select(subjects.c.code, subjects.c.region_code).where(
                    subjects.c.code.in_({c.subject_code for c in found})
                )
            ).all()
        )
    mine = [
        c
        for c in found
        if access.in_scope(call.principal, c.subject_code, regions.get(c.subject_code))
    ]
    return [case_out(c, today) for c in mine[:limit]]


@router.get("/cases/{case_id}", response_model=CaseOut, summary="A case")
def case(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], case_id: PathId
) -> CaseOut:
    with call.service.db.begin() as conn:
        found = _guard_case(conn, call.principal, case_id)
        access.log_read(conn, call.principal, found.subject_id, f"case {found.reference}", HANDLING)
        return case_out(found, call.service.today())


@router.post(
    "/cases/{case_id}/objection-decision", response_model=CaseOut, summary="Decide an objection"
)
def objection_decision(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))],
    case_id: PathId,
    body: ObjectionDecisionIn,
) -> CaseOut:
    svc = call.service
    day = body.on or svc.today()
    with svc.db.begin() as conn:
        found = _guard_case(conn, call.principal, case_id)
        if found.kind is not CaseKind.OBJECTION:
            raise Conflict(f"{found.reference} is not an objection")
        decision = decide_objection(
            conn,
            svc.library,
            svc.catalog,
            case_id,
            day,
            call.principal.holder,
            upheld=body.uphold,
            reasons=body.reasons,
            correction=body.correction,
        )
        reevaluate(conn, svc.library.evaluable(), svc.catalog, [decision.case.subject_id], day)
    return case_out(decision.case, svc.today())


@router.post(
    "/cases/{case_id}/forward",
    response_model=CaseOut,
    summary="Forward a repair application to the deciding authority",
)
def forward_case(
    call: Annotated[Call, Depends(Allow(Permission.CASES_DECIDE))], case_id: PathId, body: ForwardIn
) -> CaseOut:
    svc = call.service
    with svc.db.begin() as conn:
        _guard_case(conn, call.principal, case_id)
        found = forward(
            conn,
            WorkCalendar.from_database(conn),
            case_id,
            body.on or svc.today(),
            call.principal.actor,
            body.authority,
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
    day = body.on or svc.today()
    with svc.db.begin() as conn:
        found = _guard_case(conn, call.principal, case_id)
        if found.kind is not CaseKind.REPAIR:
            raise Conflict(f"{found.reference} is not a repair application")
        decision = decide_repair(
            conn,
            svc.library,
            svc.catalog,
            case_id,
            day,
            call.principal.holder,
            granted=body.grant,
            reasons=body.reasons,
        )
        reevaluate(conn, svc.library.evaluable(), svc.catalog, [decision.case.subject_id], day)
    return case_out(decision.case, svc.today())
