"""What would change a subject's grade or list status: for an official, with a declared
purpose, and for the subject itself (self-service). Its own router, included before the
evaluations router so that ``/evaluations/guidance`` is not read as a run's id."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from xinyong.api.deps import Allow, Call, Declared
from xinyong.api.models import Day, Out
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission
from xinyong.evaluation.guidance import Exit, Guidance

router = APIRouter(tags=["evaluations"], responses=ERRORS)


class ExitOut(Out):
    record_id: int
    item_code: str
    decided_on: date
    repair_from: date | None = Field(
        description="a repair may be applied for from this day (the end of the item's minimum "
        "publication period, or today); none for a record that is not negative"
    )
    stops_counting_on: date | None = Field(
        description="the first day the record no longer counts under this scheme version by "
        "itself (its windows and publication period); none within ten years"
    )
    earliest: date | None
    by: str = Field(description="repair or expiry: which comes first")


class ChangeOut(Out):
    kind: str = Field(description="grade (to another grade), leaves or joins (a list)")
    to: str | None = Field(description="the grade, or the list's id")


class WayOut(Out):
    change: ChangeOut
    records: list[ExitOut] = Field(description="a smallest set of records that brings it about")
    possible_from: date | None = Field(description="the latest of its records' earliest days")


class DriftOut(Out):
    on: date
    grade: str | None
    lists: list[str]
    changes: list[ChangeOut]
    record_ids: list[int] = Field(
        description="the records that leave a measure that read them on that day"
    )


class GuidanceOut(Out):
    scheme: str
    as_of: date
    code: str
    in_scope: bool
    grade: str | None
    lists: list[str]
    ways: list[WayOut] = Field(
        description="for each change the repair or expiry of records can bring, the smallest "
        "sets of records that bring it, found by evaluating the scheme without them"
    )
    drift: list[DriftOut] = Field(description="how the result changes with nothing done")
    complete: bool = Field(
        description="false when the subject has more negative records than the search tries "
        "in one set: larger sets were not tried"
    )
    text: list[str]


def _exit_out(e: Exit) -> ExitOut:
    return ExitOut(
        record_id=e.record_id,
        item_code=e.item_code,
        decided_on=e.decided_on,
        repair_from=e.repair_from,
        stops_counting_on=e.stops_counting_on,
        earliest=e.earliest,
        by=e.by,
    )


def guidance_out(found: Guidance) -> GuidanceOut:
    status = found.status
    return GuidanceOut(
        scheme=found.scheme,
        as_of=found.as_of,
        code=found.code,
        in_scope=found.in_scope,
        grade=status.grade if status else None,
        lists=sorted(status.lists) if status else [],
        ways=[
            WayOut(
                change=ChangeOut(kind=w.change.kind, to=w.change.to),
                records=[_exit_out(e) for e in w.records],
                possible_from=w.possible_from,
            )
            for w in found.ways
        ],
        drift=[
            DriftOut(
                on=d.on,
                grade=d.status.grade,
                lists=sorted(d.status.lists),
                changes=[ChangeOut(kind=c.kind, to=c.to) for c in d.changes],
                record_ids=list(d.record_ids),
            )
            for d in found.drift
        ],
        complete=found.complete,
        text=found.lines(),
    )


@router.get(
    "/evaluations/guidance",
    response_model=list[GuidanceOut],
    summary="What would change a subject's grade or list status",
    description="For one scheme, or each scheme in force that has the subject in scope: the "
    "smallest sets of the subject's negative records whose repair or expiry changes its grade "
    "or lists, the earliest day each is possible, and how the result changes with nothing "
    "done. Needs X-Purpose and X-Legal-Basis; the read is written to the access log.",
)
def subject_guidance(
    call: Annotated[Call, Depends(Allow(Permission.EXPLAIN))],
    purpose: Declared,
    code: Annotated[str, Query(description="the subject's code", examples=["91410100MA4000001N"])],
    scheme: Annotated[
        str | None,
        Query(description="a scheme id or id@version; default: every scheme in force"),
    ] = None,
    as_of: Annotated[Day | None, Query(description="default: today")] = None,
) -> list[GuidanceOut]:
    found = call.service.evaluations.guidance(
        code, scheme, as_of, principal=call.principal, purpose=purpose
    )
    return [guidance_out(g) for g in found]


@router.get(
    "/me/guidance",
    tags=["self-service"],
    response_model=list[GuidanceOut],
    summary="What would change my grade or list status",
    description="Under each scheme in force that has me in scope (or one scheme): the smallest "
    "sets of my negative records whose repair or expiry would change my grade or lists, from "
    "when each is possible, and what changes with nothing done. Logged as my own read.",
)
def own_guidance(
    call: Annotated[Call, Depends(Allow(Permission.OWN_FILE))],
    scheme: Annotated[
        str | None,
        Query(description="a scheme id or id@version; default: every scheme in force"),
    ] = None,
) -> list[GuidanceOut]:
    found = call.service.evaluations.guidance(
        call.principal.subject_code or "", scheme, principal=call.principal
    )
    return [guidance_out(g) for g in found]
