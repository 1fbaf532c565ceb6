"""A scheme version in shadow: put in shadow for a set period, read what it would have done
beside the version in force, stop early. The daily run is ``xinyong schemes shadow run``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call
from xinyong.api.models import In, Out, SchemeRef
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission
from xinyong.evaluation.shadows import MAX_DAYS, Shadow, ShadowReport

router = APIRouter(prefix="/schemes", tags=["schemes"], responses=ERRORS)


class ShadowIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"days": 30, "reason": "a month beside version 1 before it takes effect"}]
        },
    )

    days: int = Field(ge=1, le=MAX_DAYS, description="how many days, from today")
    reason: str = Field(min_length=1, max_length=500, description="why it runs in shadow")


class ShadowOut(Out):
    id: int
    scheme: str = Field(examples=["shenzhen-rental-bike@2"])
    sha256: str = Field(description="of the file put in shadow; a changed file is not run")
    starts_on: date
    ends_on: date = Field(description="the last day it is evaluated")
    reason: str
    started_by: str
    started_at: datetime
    stopped_on: date | None = Field(description="set when stopped before its end")
    stopped_by: str | None


class ShadowTransitionOut(Out):
    was: str | None = Field(description="the grade under the version in force (None: none)")
    would_be: str | None = Field(description="the grade under the version in shadow")
    subjects: int


class ShadowRunOut(Out):
    as_of: date
    subjects: int = Field(description="subjects in the shadow version's scope that day")
    baseline_run: int | None = Field(description="the full run of the version in force")
    changed: int = Field(description="subjects whose grade would differ")
    transitions: list[ShadowTransitionOut]
    entered: dict[str, int] = Field(description="per list, subjects who would join it")
    left: dict[str, int] = Field(description="per list, subjects who would leave it")


class ShadowReportOut(Out):
    shadow: ShadowOut
    runs: list[ShadowRunOut]


def _shadow_out(shadow: Shadow) -> ShadowOut:
    return ShadowOut(
        id=shadow.id,
        scheme=shadow.scheme,
        sha256=shadow.sha256,
        starts_on=shadow.starts_on,
        ends_on=shadow.ends_on,
        reason=shadow.reason,
        started_by=shadow.started_by,
        started_at=shadow.started_at,
        stopped_on=shadow.stopped_on,
        stopped_by=shadow.stopped_by,
    )


def _report_out(report: ShadowReport) -> ShadowReportOut:
    return ShadowReportOut(
        shadow=_shadow_out(report.shadow),
        runs=[
            ShadowRunOut(
                as_of=r.as_of,
                subjects=r.subjects,
                baseline_run=r.baseline,
                changed=r.changed,
                transitions=[
                    ShadowTransitionOut(was=a, would_be=b, subjects=n)
                    for (a, b), n in sorted(r.transitions.items(), key=lambda kv: str(kv[0]))
                ],
                entered=r.entered,
                left=r.left,
            )
            for r in report.runs
        ],
    )


@router.post(
    "/{reference}/shadow",
    response_model=ShadowOut,
    status_code=201,
    summary="Put a scheme version in shadow",
    description="From today, for the days given, the version is evaluated each day beside the "
    "version in force; its results are kept apart and never used by a check, a profile, a "
    "listing, a report or another scheme. Only a version not yet in force and not published "
    "(409), whose own test cases pass (422); its approval waits for the period to end.",
)
def start_shadow(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))],
    reference: SchemeRef,
    body: ShadowIn,
) -> ShadowOut:
    shadow = call.service.shadows.start(
        reference,
        days=body.days,
        reason=body.reason,
        by=call.principal.actor,
        principal=call.principal,
    )
    return _shadow_out(shadow)


@router.get(
    "/{reference}/shadow",
    response_model=ShadowReportOut,
    summary="What a version in shadow would have done",
    description="The version's newest shadow and, for each day it ran, how many subjects "
    "would have changed grade and joined or left each list, beside the version in force.",
)
def read_shadow(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))], reference: SchemeRef
) -> ShadowReportOut:
    return _report_out(call.service.shadows.report(reference, call.principal))


@router.post(
    "/{reference}/shadow/stop",
    response_model=ShadowOut,
    summary="Stop a version's shadow today",
    description="It is not evaluated today or after; its runs so far are kept. 409 when the "
    "version is not in shadow.",
)
def stop_shadow(
    call: Annotated[Call, Depends(Allow(Permission.SCHEMES))], reference: SchemeRef
) -> ShadowOut:
    return _shadow_out(
        call.service.shadows.stop(reference, by=call.principal.actor, principal=call.principal)
    )
