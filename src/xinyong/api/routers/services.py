"""Grading of government services: the public ranking of a region's agencies and one agency's
page, the agency's answer to a rectification, and the monthly grading an official runs. A
rating is sent like any record (``POST /records/batches``, one row or millions)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import MAX_ID, In, Out
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission

router = APIRouter(tags=["service grading"], responses=ERRORS)
AgencyId = Annotated[int, Path(ge=1, le=MAX_ID, description="the agency's subject id")]
CaseNumber = Annotated[int, Path(ge=1, le=MAX_ID, description="a rectification case's id")]


class RankedAgencyOut(Out):
    rank: int
    subject_id: int
    code: str = Field(examples=["11410100000000600X"])
    name: str
    region_code: str | None
    level: str = Field(description="national, province, city or county")
    as_of: date | None = Field(description="the month's grading it stands on")
    grade: str | None
    score: float | None
    previous: str | None = Field(description="the grade of the grading before")
    trend: str = Field(description="up, down, same, new or none")


class ServiceMonthOut(Out):
    month: str = Field(examples=["2026-10"])
    ratings: int
    satisfied: int = Field(description="ratings of level 4 or 5")
    bad: int = Field(description="ratings of level 1 or 2")


class ServiceGradeOut(Out):
    as_of: date
    grade: str | None
    score: float


class ServiceAgencyOut(Out):
    code: str
    name: str
    level: str
    grades: list[ServiceGradeOut]
    months: list[ServiceMonthOut]
    open_rectifications: int


class RectificationIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"answer": "已电话回访，重新办理完毕"}]}
    )

    answer: str = Field(min_length=1, max_length=4000, description="what was done")


class RectificationOut(Out):
    case_id: int
    reference: str
    outcome: str = Field(description="rectified, or rectified_late after the deadline")
    record_id: int = Field(description="the rectification record written")


class GradingIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"as_of": "2026-10-31"}]}
    )

    as_of: date | None = Field(default=None, description="default: today")


class GradingOut(Out):
    run_id: int
    as_of: date
    subjects: int
    closed_unanswered: int = Field(description="rectifications closed as late first")


@router.get(
    "/services/rankings", response_model=list[RankedAgencyOut], summary="Agencies of a region"
)
def service_ranking(
    call: Annotated[Call, Depends(Public())],
    region: Annotated[
        str | None, Query(pattern=r"^\d{2,6}$", description="a GB/T 2260 code or its prefix")
    ] = None,
) -> list[RankedAgencyOut]:
    """By their latest monthly grade, best first, with the grade of the month before."""
    found = call.service.services.ranking(region)
    return [
        RankedAgencyOut(
            rank=i,
            subject_id=r.subject_id,
            code=r.code,
            name=r.name,
            region_code=r.region_code,
            level=r.level,
            as_of=r.as_of,
            grade=r.grade,
            score=r.score,
            previous=r.previous,
            trend=r.trend,
        )
        for i, r in enumerate(found, start=1)
    ]


@router.get(
    "/services/agencies/{subject_id}", response_model=ServiceAgencyOut, summary="One agency"
)
def service_agency(
    call: Annotated[Call, Depends(Public())], subject_id: AgencyId
) -> ServiceAgencyOut:
    """Its grades month by month and its ratings' monthly counts."""
    page = call.service.services.agency(subject_id)
    return ServiceAgencyOut(
        code=page.subject.code,
        name=page.subject.name,
        level=page.level,
        grades=[ServiceGradeOut(as_of=d, grade=g, score=s) for d, g, s in page.grades],
        months=[
            ServiceMonthOut(month=m.month, ratings=m.ratings, satisfied=m.satisfied, bad=m.bad)
            for m in page.months
        ],
        open_rectifications=page.open_rectifications,
    )


@router.post(
    "/me/rectifications/{case_id}",
    response_model=RectificationOut,
    tags=["self-service"],
    summary="Answer the rectification of a bad rating (the rated agency)",
)
def answer_rectification(
    call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))],
    case_id: CaseNumber,
    body: RectificationIn,
) -> RectificationOut:
    """The agency's answer to a bad rating, signed in as itself: the case closes as
    rectified (late, after its deadline), a rectification record is written, and the agency
    is re-graded."""
    principal = call.principal
    case, record_id, _runs = call.service.services.rectify(
        case_id, body.answer, by=principal.actor, principal=principal
    )
    return RectificationOut(
        case_id=case.id, reference=case.reference, outcome=case.outcome or "", record_id=record_id
    )


@router.post(
    "/services/gradings",
    status_code=201,
    response_model=GradingOut,
    summary="Run the month's grading",
    description="Closes the rectifications past their deadline as unanswered, then grades "
    "every agency under the grading scheme as of the day (a full, stored run).",
)
def run_grading(
    call: Annotated[Call, Depends(Allow(Permission.EVALUATE))], body: GradingIn
) -> GradingOut:
    svc = call.service
    run, closed = svc.services.grade_month(
        as_of=body.as_of, by=call.principal.actor, principal=call.principal
    )
    return GradingOut(
        run_id=run.id, as_of=run.as_of, subjects=run.subjects, closed_unanswered=len(closed)
    )
