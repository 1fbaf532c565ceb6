"""Records: a department sends a batch (new records, corrections and revocations of its own
records), once, with an ``Idempotency-Key``; and reads back what was refused and why."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from xinyong.api.deps import Allow, Call
from xinyong.api.models import Out, PathId
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission
from xinyong.disclosure.tokens import Principal, Role
from xinyong.errors import NotFound
from xinyong.ingest import idempotency
from xinyong.ingest.batches import BatchReport, quarantined_rows
from xinyong.ingest.pipeline import Ingestor
from xinyong.ingest.profiles import load_profile
from xinyong.ingest.readers import read_bytes
from xinyong.store.tables import batches

router = APIRouter(prefix="/records", tags=["records"], responses=ERRORS)

EXAMPLE_ROWS = [
    {
        "subject_code": "91410100MA40000018",
        "subject_name": "郑州某环保科技有限公司",
        "item_code": "ENV_PENALTY",
        "decided_on": "2026-03-02",
        "reference": "郑环罚〔2026〕12号",
        "fine_amount": 3.5,
    },
    {"action": "revoke", "target_reference": "郑环罚〔2025〕7号", "reason": "撤销原处罚决定"},
]


class BatchIn(BaseModel):
    """Rows in the layout ``profile`` names; the canonical layout by default. A row's ``action``
    is ``new`` (the default), ``correct`` or ``revoke``; a correction or revocation names the
    record by ``target_reference`` or ``target_record_id``, and only the department that sent a
    record may correct or revoke it."""

    profile: str = Field(default="canonical", examples=["canonical", "double_publicity_penalty"])
    strict: bool = Field(default=False, description="refuse the whole batch if any row is refused")
    rows: list[dict[str, Any]] = Field(min_length=1, max_length=50000, examples=[EXAMPLE_ROWS])


class Problem(Out):
    field: str | None
    value: str | None
    message: str


class RejectedRow(Out):
    row: int = Field(description="1-based position in ``rows``")
    problems: list[Problem]


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


def batch_out(report: BatchReport) -> BatchOut:
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
                    Problem(
                        field=p.field,
                        value=None if p.value is None else str(p.value),
                        message=p.message,
                    )
                    for p in r.problems
                ],
            )
            for r in report.rejected
        ],
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
    responses={200: {"model": BatchOut, "description": "The batch had been received before"}},
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
    svc = call.service
    key = idempotency.check_key(idempotency_key)
    actor = call.principal.actor
    digest = idempotency.digest(batch.model_dump(mode="json"))
    with svc.db.connect() as conn:
        stored = idempotency.recall(conn, actor, key, digest)
    if stored is not None:
        response.status_code = stored.status_code
        response.headers["Idempotent-Replayed"] = "true"
        return BatchOut.model_validate(stored.response)
    profile = load_profile(batch.profile)
    lines = "\n".join(json.dumps(row, ensure_ascii=False, default=str) for row in batch.rows)
    raw = read_bytes(lines.encode(), f"api:{key}", "jsonl")

    def remember(conn: Any, report: BatchReport) -> None:
        body = batch_out(report).model_dump(mode="json")
        idempotency.remember(conn, actor, key, digest, 201, body)

    report = Ingestor(svc.db, svc.catalog, svc.settings).ingest(
        raw,
        source_of(call.principal),
        profile,
        batch_key=f"idempotency:{key}",
        strict=batch.strict,
        within=remember,
    )
    if report.already_ingested:  # the batch landed but its answer was not kept
        response.status_code = 200
    return batch_out(report)


class BatchStatus(Out):
    batch_id: int
    batch_key: str
    source: str
    received_at: str
    rows_total: int
    accepted: int
    quarantined: int
    refused: list[Problem] = Field(description="one entry per problem of each refused row")
    refused_rows: list[int]


@router.get(
    "/batches/{batch_id}", response_model=BatchStatus, summary="A batch and its refused rows"
)
def batch_status(
    call: Annotated[Call, Depends(Allow(Permission.SUBMIT))], batch_id: PathId
) -> BatchStatus:
    with call.service.db.connect() as conn:
        source = source_of(call.principal)
        row = conn.execute(
            select(batches).where(batches.c.id == batch_id, batches.c.source == source)
        ).first()
        if row is None:  # another source's batch is not named as existing
            raise NotFound(f"no batch {batch_id} from {source}")
        refused = quarantined_rows(conn, row.source, limit=100000, batch_id=batch_id)
    return BatchStatus(
        batch_id=row.id,
        batch_key=row.batch_key,
        source=row.source,
        received_at=row.received_at.isoformat(),
        rows_total=row.rows_total,
        accepted=row.rows_accepted,
        quarantined=row.rows_quarantined,
        refused=[
            Problem(
                field=q["field"], value=q["value"], message=f"row {q['row_number']}: {q['message']}"
            )
            for q in refused
        ],
        refused_rows=sorted({q["row_number"] for q in refused}),
    )
