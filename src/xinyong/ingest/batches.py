"""A batch as its sender sees it: what was accepted, what was refused and why, and the
quarantine where refused rows wait for a corrected batch."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from xinyong.ingest.parsed import Problem
from xinyong.store.tables import batches, quarantine


@dataclass(slots=True)
class Rejected:
    number: int
    problems: list[Problem]
    raw: dict[str, Any]


@dataclass(slots=True)
class BatchReport:
    """What happened to a batch; ``already_ingested`` when it was a repeat that changed nothing."""

    source: str
    batch_key: str
    file_name: str
    file_format: str
    encoding: str | None
    profile: str
    batch_id: int | None = None
    rows_total: int = 0
    accepted: int = 0
    warnings: int = 0
    subjects_registered: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    items: Counter[str] = field(default_factory=Counter)
    already_ingested: bool = False
    received_at: datetime | None = None
    subject_ids: set[int] = field(default_factory=set)  # whose records this batch changed
    # records the batch took out of effect: (record id, "revocation" | "repair" | "correction")
    amended: list[tuple[int, str]] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        return len(self.rejected)

    def reasons(self) -> Counter[str]:
        """Rejected rows counted by their first problem's field and message shape."""
        return Counter(
            f"{r.problems[0].field or 'row'}: {_shape(r.problems[0].message)}"
            for r in self.rejected
        )


def _shape(message: str) -> str:
    # "check character is 'A', expected 'B': ..." -> one bucket per kind of problem
    return message.split(",")[0].split(";")[0]


def quarantined_rows(
    conn: Connection, source: str | None = None, limit: int = 100, batch_id: int | None = None
) -> list[dict[str, Any]]:
    """Quarantined rows, newest batch first, with their batch's source and file."""
    query = (
        select(
            batches.c.source,
            batches.c.batch_key,
            batches.c.file_name,
            quarantine.c.row_number,
            quarantine.c.field,
            quarantine.c.value,
            quarantine.c.message,
        )
        .join(batches, batches.c.id == quarantine.c.batch_id)
        .order_by(batches.c.id.desc(), quarantine.c.row_number)
        .limit(limit)
    )
    if source:
        query = query.where(batches.c.source == source)
    if batch_id is not None:
        query = query.where(batches.c.id == batch_id)
    return [dict(r) for r in conn.execute(query).mappings()]
