"""The audit log: verify the chain, export a checkpoint, read entries."""

from __future__ import annotations

import json
import os
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field

from xinyong.api.deps import Allow, Call
from xinyong.api.models import MAX_ID, Out
from xinyong.api.problems import ERRORS
from xinyong.disclosure.access import Permission

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)


def _key() -> bytes | None:
    key = os.environ.get("XINYONG_AUDIT_KEY")
    return key.encode() if key else None


class VerifyOut(Out):
    intact: bool
    rows: int
    head_seq: int
    head_hash: str
    problems: list[str]


@router.get("/verification", response_model=VerifyOut, summary="Verify the hash chain")
def verification(call: Annotated[Call, Depends(Allow(Permission.AUDIT))]) -> VerifyOut:
    """Recomputes the audit log's hash chain and the seals of its batches, and says whether every
    entry is intact and where the first break is."""
    report = call.service.oversight.verify(principal=call.principal)
    return VerifyOut(
        intact=report.intact,
        rows=report.rows,
        head_seq=report.head_seq,
        head_hash=report.head_hash,
        problems=list(report.problems),
    )


@router.get(
    "/checkpoint",
    summary="The head of the chain, to keep elsewhere",
    description="HMAC-signed when the server has XINYONG_AUDIT_KEY; `xinyong audit verify "
    "--checkpoint FILE` then detects a truncated tail.",
)
def checkpoint(call: Annotated[Call, Depends(Allow(Permission.AUDIT))]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        call.service.oversight.checkpoint(_key(), call.principal).to_json()
    )
    return found


class EntryOut(Out):
    seq: int
    recorded_at: str
    actor: str
    action: str
    object: str
    subject_id: int | None
    details: dict[str, Any]
    hash: str = Field(description="SHA-256 over this row and the previous row's hash")


@router.get(
    "/entries", response_model=list[EntryOut], summary="Audit entries after a sequence number"
)
def entries(
    call: Annotated[Call, Depends(Allow(Permission.AUDIT))],
    after: Annotated[
        int, Query(ge=0, le=MAX_ID, description="the last sequence number already held")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1000, description="at most this many entries")] = 100,
) -> list[EntryOut]:
    """Audit entries in order of their sequence number, to mirror the log elsewhere."""
    rows = call.service.oversight.entries(after, limit, call.principal)
    return [
        EntryOut(
            seq=r.seq,
            recorded_at=r.recorded_at.isoformat(),
            actor=r.actor,
            action=r.action,
            object=r.object,
            subject_id=r.subject_id,
            details=dict(r.details),
            hash=r.hash,
        )
        for r in rows
    ]
