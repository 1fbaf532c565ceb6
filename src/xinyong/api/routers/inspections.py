"""Double random, one open: the plans, draws with their commitments, seeds and results, the
published inputs and result of each draw byte for byte, the standalone verifier, and the
results of inspections (records of the plan's result item)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import ConfigDict, Field

from xinyong.api.deps import Allow, Call, Public
from xinyong.api.models import MAX_ID, In, Offset, Out, links
from xinyong.api.problems import ERRORS
from xinyong.application.inspections import Draw
from xinyong.disclosure.access import Permission
from xinyong.reference.identifiers import mask

router = APIRouter(tags=["inspections"], responses=ERRORS)

DrawId = Annotated[int, Path(ge=1, le=MAX_ID, description="a draw's id", examples=[1])]
PlanId = Annotated[
    str,
    Path(max_length=100, description="an inspection plan's id", examples=["samr-double-random"]),
]


class PlanOut(Out):
    id: str = Field(examples=["hunan-double-random"])
    version: int
    title_zh: str
    title_en: str
    region: str = Field(examples=["430000"])
    authority: str
    rates: dict[str, str] = Field(description="share drawn by class, the default class last")
    inspectors_per_target: int


class ClassOut(Out):
    risk_class: str = Field(alias="class", examples=["D"])
    rate: str = Field(examples=["0.30"])
    eligible: int
    always: int
    excluded: int
    drawn: int

    model_config = ConfigDict(populate_by_name=True)


class SeedOut(Out):
    value: str = Field(examples=["2026-10-09 福利彩票3D 第2026268期 5 1 7"])
    source: str = Field(examples=["中国福利彩票发行管理中心 开奖公告"])


class TargetOut(Out):
    subject: str = Field(description="USCC shown whole", examples=["91430102MA4000001N"])
    name: str
    risk_class: str = Field(examples=["D"])
    why: str = Field(description="always, drawn or floor", examples=["drawn"])
    inspectors: list[str] = Field(examples=[["ZF-0001", "ZF-0003"]])
    unassigned: str | None = Field(default=None, description="why it has fewer inspectors")
    deadline: date | None = None
    result: str | None = Field(default=None, examples=["compliant"])
    decided_on: date | None = None


class DrawOut(Out):
    id: int
    reference: str = Field(examples=["DRW-000001"])
    plan: str = Field(examples=["samr-double-random@1"])
    plan_sha256: str
    draw_date: date = Field(description="the roster and pool are as of this day")
    state: str = Field(description="committed (seed not yet entered) or drawn")
    commitment: str = Field(description="SHA-256 of inputs.json, published before the seed")
    committed_at: datetime
    committed_by: str
    roster: int = Field(description="subjects on the roster")
    pool: int = Field(description="inspectors in the pool")
    seed: SeedOut | None = None
    seeded_at: datetime | None = None
    result_sha256: str | None = Field(default=None, description="SHA-256 of result.json")
    due_on: date | None = Field(default=None, description="results are due by this day")
    classes: list[ClassOut] = Field(default_factory=list)
    targets: int = 0


class DrawIn(In):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"plan": "hunan-double-random"}]}
    )

    plan: str = Field(min_length=2, max_length=100, description="an inspection plan's id")


class SeedIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"seed": "5 1 7", "source": "福利彩票3D 第2026268期 开奖公告"}]
        },
    )

    seed: str = Field(min_length=1, max_length=200, description="the value as published")
    source: str = Field(min_length=2, max_length=500, description="who published it, when")


class ResultIn(In):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"subject": "91430102MA4000001N", "result": "compliant", "inspector": "ZF-0001"}
            ]
        },
    )

    subject: str = Field(min_length=18, max_length=18)
    result: str = Field(min_length=2, max_length=40, examples=["ordered_to_rectify"])
    inspector: str = Field(min_length=4, max_length=32, description="the inspector's badge")
    note: str | None = Field(default=None, max_length=2000)


class ResultOut(Out):
    record_id: int


def _draw_out(draw: Draw) -> DrawOut:
    result: dict[str, Any] = draw.result() or {}
    return DrawOut(
        id=draw.id,
        reference=draw.reference,
        plan=draw.plan_key,
        plan_sha256=draw.plan_sha256,
        draw_date=draw.draw_date,
        state=draw.state,
        commitment=draw.commitment,
        committed_at=draw.committed_at,
        committed_by=draw.committed_by,
        roster=draw.roster_size,
        pool=draw.pool_size,
        seed=SeedOut(value=draw.seed_value, source=draw.seed_source or "")
        if draw.seed_value
        else None,
        seeded_at=draw.seeded_at,
        result_sha256=draw.result_sha256,
        due_on=draw.due_on,
        classes=[ClassOut.model_validate(c) for c in result.get("classes", [])],
        targets=len(result.get("targets", [])),
    )


@router.get("/inspections/plans", response_model=list[PlanOut], summary="Inspection plans")
def plans(call: Annotated[Call, Depends(Public())]) -> list[PlanOut]:
    """Every inspection plan with its rates by class."""
    found = []
    for plan in call.service.inspections.plans():
        d = plan.definition
        spec = d.inspection
        assert spec is not None
        found.append(
            PlanOut(
                id=plan.id,
                version=plan.version,
                title_zh=d.scheme.title.zh,
                title_en=d.scheme.title.en,
                region=d.scheme.region,
                authority=d.scheme.authority,
                rates={name: str(spec.classes.rate_of(name)) for name in spec.class_names()},
                inspectors_per_target=spec.inspectors_per_target,
            )
        )
    return found


@router.get(
    "/inspections/draws",
    response_model=list[DrawOut],
    summary="Draws, newest first",
)
def draw_list(
    call: Annotated[Call, Depends(Public())],
    plan: Annotated[str | None, Query(max_length=100, description="one plan's draws")] = None,
) -> list[DrawOut]:
    """Every draw with its commitment, its seed once entered and its counts by class."""
    return [_draw_out(d) for d in call.service.inspections.draws(plan)]


@router.post(
    "/inspections/draws",
    response_model=DrawOut,
    status_code=201,
    responses=links(201, draw=("draw", {"draw_id": "$response.body#/id"})),
    summary="Commit a draw",
    description="Publishes the commitment of a draw of the plan with its roster and pool as of "
    "the server's date: the SHA-256 of inputs.json. One draw of a plan per day.",
)
def commit(call: Annotated[Call, Depends(Allow(Permission.DRAW))], body: DrawIn) -> DrawOut:
    who = call.principal
    return _draw_out(call.service.inspections.commit(body.plan, who.actor, principal=who))


@router.get("/inspections/draws/{draw_id}", response_model=DrawOut, summary="A draw")
def draw(call: Annotated[Call, Depends(Public())], draw_id: DrawId) -> DrawOut:
    """The commitment, the seed with its source, and the counts drawn by class."""
    return _draw_out(call.service.inspections.get(draw_id))


@router.post(
    "/inspections/draws/{draw_id}/seed",
    response_model=DrawOut,
    summary="Enter the seed and draw",
    description="Runs the draw once with a value no one at the office controls; a second seed "
    "is a 409.",
)
def seed(
    call: Annotated[Call, Depends(Allow(Permission.DRAW))], draw_id: DrawId, body: SeedIn
) -> DrawOut:
    who = call.principal
    done = call.service.inspections.draw(draw_id, body.seed, body.source, who.actor, principal=who)
    return _draw_out(done)


def _json(text: str | None, name: str) -> Response:
    return Response(
        (text or "").encode("utf-8"),
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/inspections/draws/{draw_id}/inputs.json",
    summary="A draw's published inputs",
    description="The roster and the pool as committed, byte for byte: their SHA-256 is the "
    "commitment.",
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def inputs(call: Annotated[Call, Depends(Public())], draw_id: DrawId) -> Response:
    found = call.service.inspections.get(draw_id)
    return _json(found.inputs_text, f"{found.reference}-inputs.json")


@router.get(
    "/inspections/draws/{draw_id}/result.json",
    summary="A draw's published result",
    description="The targets and their inspectors, byte for byte (empty before the seed).",
    responses={200: {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def result(call: Annotated[Call, Depends(Public())], draw_id: DrawId) -> Response:
    found = call.service.inspections.get(draw_id)
    return _json(found.result_text or "{}", f"{found.reference}-result.json")


@router.get(
    "/inspections/verifier.py",
    summary="The standalone verifier",
    description="Python 3.11, standard library only: `python3 verifier.py inputs.json "
    "result.json --commitment HEX`.",
    responses={200: {"content": {"text/x-python": {"schema": {"type": "string"}}}}},
)
def verifier(call: Annotated[Call, Depends(Public())]) -> Response:
    return Response(
        call.service.inspections.verifier_source().encode("utf-8"),
        media_type="text/x-python",
        headers={"Content-Disposition": 'attachment; filename="verifier.py"'},
    )


@router.get(
    "/inspections/draws/{draw_id}/targets",
    response_model=list[TargetOut],
    summary="A draw's targets and their results",
)
def draw_targets(
    call: Annotated[Call, Depends(Public())],
    draw_id: DrawId,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=500, description="at most this many targets")] = 100,
) -> list[TargetOut]:
    """The targets by code, each with its class, why it was drawn, its inspectors, the day its
    result is due and the result once entered."""
    svc = call.service
    found = svc.inspections.targets(draw_id)[offset : offset + limit]
    return [
        TargetOut(
            subject=mask(t.subject_code, svc.mask),
            name=t.subject_name,
            risk_class=t.risk_class,
            why=t.why,
            inspectors=list(t.inspectors),
            unassigned=t.unassigned,
            deadline=t.deadline,
            result=t.result,
            decided_on=t.decided_on,
        )
        for t in found
    ]


@router.post(
    "/inspections/draws/{draw_id}/results",
    response_model=ResultOut,
    status_code=201,
    summary="Enter an inspection's result",
    description="One of the target's inspectors enters the result, dated by the server; it is "
    "stored as a record (and re-grades the subject); a second result is a 409.",
)
def enter_result(
    call: Annotated[Call, Depends(Allow(Permission.INSPECT))], draw_id: DrawId, body: ResultIn
) -> ResultOut:
    who = call.principal
    record_id = call.service.inspections.enter_result(
        draw_id, body.subject, body.result, body.inspector, who.actor, note=body.note, principal=who
    )
    return ResultOut(record_id=record_id)
