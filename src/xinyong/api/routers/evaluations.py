"""Evaluations: run a scheme as of a date, read a stored run, compare two, explain one subject."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Declared
from xinyong.api.models import MAX_ID, Day, In, Out, RunId, links
from xinyong.api.problems import ERRORS
from xinyong.application.evaluations import Evaluated
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission

router = APIRouter(prefix="/evaluations", tags=["evaluations"], responses=ERRORS)


class RunIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scheme": "zhengzhou-environment@1", "as_of": "2026-06-30"}]
        },
    )

    scheme: str = Field(description="id, or id@version", examples=["zhengzhou-environment@1"])
    as_of: Day | None = Field(default=None, description="default: today")


class RunOut(Out):
    id: int
    scheme: str
    as_of: date
    kind: str = Field(
        description="full; incremental (after a record or a decision); or trial: a version "
        "not in force on as_of, kept for comparison and never read by checks, files or listings"
    )
    subjects: int
    grades: dict[str, int] = Field(description="subjects per grade; '-' for no grade")
    lists: dict[str, int] = Field(description="list candidates per list")


def _run_out(found: Evaluated) -> RunOut:
    run = found.run
    return RunOut(
        id=run.id,
        scheme=run.scheme,
        as_of=run.as_of,
        kind=run.kind,
        subjects=run.subjects,
        grades={g or "-": n for g, n in found.grades.items()},
        lists=found.lists,
    )


@router.post(
    "",
    response_model=RunOut,
    status_code=201,
    summary="Evaluate a scheme as of a date",
    responses=links(201, run=("stored", {"run_id": "$response.body#/id"})),
)
def run(call: Annotated[Call, Depends(Allow(Permission.EVALUATE))], body: RunIn) -> RunOut:
    """Applies the scheme version in force on `as_of` (or the version named) to every subject
    in its scope, as one query inside the database, and stores each subject's score, grade and
    list candidates. A named version that is not in force on `as_of` gives a trial run."""
    svc = call.service
    day = body.as_of or svc.today()
    scheme = svc.library.get(body.scheme, on=day)
    access.reach_region(call.principal, scheme.definition.scheme.region, scheme.key)
    return _run_out(svc.evaluations.evaluate(scheme.key, as_of=day))


class Transition(Out):
    before: str
    after: str
    subjects: int


class ComparisonOut(Out):
    first: int
    second: int
    transitions: list[Transition]
    changed: list[str] = Field(description="codes of subjects whose grade changed (first 50)")


@router.get("/compare", response_model=ComparisonOut, summary="Compare two stored runs")
def compare(
    call: Annotated[Call, Depends(Allow(Permission.EVALUATE))],
    first: Annotated[int, Query(ge=1, le=MAX_ID, description="a run id")],
    second: Annotated[int, Query(ge=1, le=MAX_ID, description="a run id")],
) -> ComparisonOut:
    """How grades moved between two stored runs: how many subjects went from each grade to
    each other, and the codes of the first 50 whose grade changed."""
    result = call.service.evaluations.compare_stored(first, second, call.principal)
    return ComparisonOut(
        first=first,
        second=second,
        transitions=[
            Transition(before=a or "-", after=b or "-", subjects=n)
            for (a, b), n in sorted(
                result.transitions.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1]))
            )
        ],
        changed=[c[0] for c in result.changed],
    )


class FiringOut(Out):
    rule: str
    value: float
    points: float
    capped: bool
    record_ids: list[int]


class ReadingOut(Out):
    what: str = Field(description="a named measure, a count of records, the previous grade, ...")
    value: float | str | None = Field(description="its value (null: no value)")
    record_ids: list[int] = Field(description="the records it read")


class ConditionOut(Out):
    step: str = Field(description="an override, a bar, the new-subject rule or a list entry")
    holds: bool
    readings: list[ReadingOut]


class ExplanationOut(Out):
    scheme: str
    as_of: date
    code: str
    in_scope: bool
    base: float
    score: float
    grade: str | None
    firings: list[FiringOut]
    steps: list[str]
    tests: list[ConditionOut] = Field(
        description="every override, bar, new-subject rule and list entry: whether it held, "
        "and what it read with values and records"
    )
    lists: list[str]
    agrees_with_query: bool
    text: list[str]


@router.get(
    "/explain",
    response_model=ExplanationOut,
    summary="Why a subject has its score, grade and lists",
    description="Needs X-Purpose and X-Legal-Basis; the read is written to the access log.",
    include_in_schema=True,
)
def explain_subject(
    call: Annotated[Call, Depends(Allow(Permission.EXPLAIN))],
    purpose: Declared,
    scheme: Annotated[
        str, Query(description="a scheme id or id@version", examples=["zhengzhou-environment"])
    ],
    code: Annotated[str, Query(description="the subject's code", examples=["91410100MA4000001N"])],
    as_of: Annotated[Day | None, Query(description="default: today")] = None,
) -> ExplanationOut:
    result = call.service.evaluations.explain(
        scheme, code, as_of, principal=call.principal, purpose=purpose
    )
    return ExplanationOut(
        scheme=result.scheme,
        as_of=result.as_of,
        code=result.code,
        in_scope=result.in_scope,
        base=result.base,
        score=result.score,
        grade=result.grade,
        firings=[
            FiringOut(
                rule=f.rule,
                value=f.value,
                points=f.points,
                capped=f.capped,
                record_ids=list(f.record_ids),
            )
            for f in result.firings
        ],
        steps=list(result.steps),
        tests=[
            ConditionOut(
                step=t.step,
                holds=t.holds,
                readings=[
                    ReadingOut(what=r.what, value=r.value, record_ids=list(r.record_ids))
                    for r in t.readings
                ],
            )
            for t in result.tests
        ],
        lists=sorted(result.lists),
        agrees_with_query=result.agrees_with_query,
        text=result.lines(),
    )


@router.get("/{run_id}", response_model=RunOut, summary="A stored run")
def stored(call: Annotated[Call, Depends(Allow(Permission.EVALUATE))], run_id: RunId) -> RunOut:
    """A stored run: its scheme version, the date it was evaluated as of, and its counts by grade
    and of list candidates."""
    return _run_out(call.service.evaluations.summary(run_id, call.principal))
