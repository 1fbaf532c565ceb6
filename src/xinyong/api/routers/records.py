"""Records: a department sends a batch (new records, corrections and revocations of its own
records), once, with an ``Idempotency-Key``; and reads back what was refused and why."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from pydantic import ConfigDict, Field, JsonValue, StrictBool

from xinyong.api.deps import Allow, Call
from xinyong.api.models import BatchId, In, Out, links
from xinyong.api.problems import ERRORS
from xinyong.application.records import Ingested
from xinyong.disclosure.access import Permission
from xinyong.disclosure.tokens import Principal, Role

router = APIRouter(prefix="/records", tags=["records"], responses=ERRORS)

EXAMPLE_ROWS: list[JsonValue] = [
    {
        "subject_code": "91410100MA4000001N",
        "subject_name": "郑州某环保科技有限公司",
        "item_code": "ADM_PENALTY_GENERAL",
        "decided_on": "2026-03-02",
        "reference": "郑环罚〔2026〕12号",
        "decided_in": "410100",
        "violation": "超标排放大气污染物",
        "fine_10k_cny": 3.5,
    },
    {
        "action": "revoke",
        "target_reference": "郑环罚〔2025〕7号",
        "decided_on": "2026-03-10",
        "reason": "行政复议决定撤销原处罚决定",
    },
]


class BatchIn(In):
    """Rows in the layout ``profile`` names; the canonical layout by default. A row's ``action``
    is ``new`` (the default), ``correct`` or ``revoke``; a correction or revocation names the
    record by ``target_reference`` or ``target_record_id``, and only the department that sent a
    record may correct or revoke it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"profile": "canonical", "strict": False, "rows": EXAMPLE_ROWS}]
        },
    )

    profile: str = Field(default="canonical", examples=["canonical", "double_publicity_penalty"])
    strict: StrictBool = Field(
        default=False, description="refuse the whole batch if any row is refused"
    )
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=50000, examples=[EXAMPLE_ROWS])


class RowProblem(Out):
    field: str | None
    value: str | None
    message: str


class RejectedRow(Out):
    row: int = Field(description="1-based position in ``rows``")
    problems: list[RowProblem]


class BatchOut(Out):
    batch_id: int | None
    batch_key: str
    source: str
    rows_total: int
    accepted: int
    quarantined: int
    warnings: int
    subjects_registered: int
    already_ingested: bool = Field(
        description="the batch had been received before; nothing changed"
    )
    rejected: list[RejectedRow]
    evaluation_runs: list[int] = Field(
        default_factory=list,
        description="the evaluation runs stored, in the batch's own transaction, for the "
        "subjects whose records it changed (one per scheme in force)",
    )


def batch_out(ingested: Ingested) -> BatchOut:
    report = ingested.report
    return BatchOut(
        batch_id=report.batch_id,
        batch_key=report.batch_key,
        source=report.source,
        rows_total=report.rows_total,
        accepted=report.accepted,
        quarantined=report.quarantined,
        warnings=report.warnings,
        subjects_registered=report.subjects_registered,
        already_ingested=report.already_ingested,
        rejected=[
            RejectedRow(
                row=r.number,
                problems=[
                    RowProblem(
                        field=p.field,
                        value=None if p.value is None else str(p.value),
                        message=p.message,
                    )
                    for p in r.problems
                ],
            )
            for r in report.rejected
        ],
        evaluation_runs=[run.id for run in ingested.runs],
    )


def source_of(principal: Principal) -> str:
    """The department a batch comes from is the one the token names, never one the body claims."""
    if principal.role is Role.DEPARTMENT and principal.department:
        return principal.department
    return principal.holder


@router.post(
    "/batches",
    response_model=BatchOut,
    status_code=201,
    responses={
        200: {"model": BatchOut, "description": "The batch had been received before"},
        **links(201, batch=("batch_status", {"batch_id": "$response.body#/batch_id"})),
    },
    summary="Send a batch of records",
    description="All or nothing: a batch is written in one transaction. Sent again with the same "
    "Idempotency-Key and the same content, it returns the first answer (header "
    "`Idempotent-Replayed: true`) and stores nothing more; the same key with other content is "
    "refused with 409.",
)
def submit(
    call: Annotated[Call, Depends(Allow(Permission.SUBMIT))],
    batch: BatchIn,
    response: Response,
    idempotency_key: Annotated[
        str,
        Header(
            min_length=1,
            max_length=200,
            description="A key the sender picks per batch; a retry sends the same key",
            examples=["2026-03-02-penalties-1"],
        ),
    ],
) -> BatchOut:
    done = call.service.records.submit(
        batch.model_dump(mode="json")["rows"],
        source=source_of(call.principal),
        actor=call.principal.actor,
        key=idempotency_key,
        answer=lambda ingested: batch_out(ingested).model_dump(mode="json"),
        profile=batch.profile,
        strict=batch.strict,
        principal=call.principal,
    )
    response.status_code = done.status
    if done.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return BatchOut.model_validate(done.body)


class BatchStatus(Out):
    batch_id: int
    batch_key: str
    source: str
    received_at: str
    rows_total: int
    accepted: int
    quarantined: int
    refused: list[RowProblem] = Field(description="one entry per problem of each refused row")
    refused_rows: list[int]


@router.get(
    "/batches/{batch_id}",
    response_model=BatchStatus,
    summary="A batch and its refused rows",
)
def batch_status(
    call: Annotated[Call, Depends(Allow(Permission.SUBMIT))], batch_id: BatchId
) -> BatchStatus:
    """A batch sent earlier: counts of rows taken, amended and refused, and each refused row with
    the field at fault and why, as kept in quarantine."""
    found = call.service.records.batch(batch_id, source_of(call.principal))
    row, refused = found.batch, found.refused
    return BatchStatus(
        batch_id=row["id"],
        batch_key=row["batch_key"],
        source=row["source"],
        received_at=row["received_at"].isoformat(),
        rows_total=row["rows_total"],
        accepted=row["rows_accepted"],
        quarantined=row["rows_quarantined"],
        refused=[
            RowProblem(
                field=q["field"], value=q["value"], message=f"row {q['row_number']}: {q['message']}"
            )
            for q in refused
        ],
        refused_rows=sorted({q["row_number"] for q in refused}),
    )
