"""Reading records back, with the state that their later facts give them.

Records are never changed: a correction is a newer record that supersedes an older one, and a
revocation or a repair is an event about a record. A record's *state* is derived from those
facts, so it can be worked out as of any date.
"""

from __future__ import annotations

import enum
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, and_, exists, func, select

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Category
from xinyong.errors import NotFound
from xinyong.store.tables import record_events, records, subjects


class RecordState(enum.StrEnum):
    IN_EFFECT = "in_effect"
    SUPERSEDED = "superseded"  # replaced by a correction
    REVOKED = "revoked"  # the decision was revoked
    REPAIRED = "repaired"  # credit repair granted


@dataclass(frozen=True, slots=True)
class RecordView:
    id: int
    item_code: str
    decided_on: date
    valid_from: date | None
    valid_to: date | None
    severity: int | None
    reference: str | None
    source: str
    batch_id: int
    row_number: int
    attributes: dict[str, Any]
    warnings: list[str]
    supersedes_id: int | None
    state: RecordState
    changed_by: int | None  # the correcting record, when superseded


def in_effect(as_of: date | None = None) -> Select[Any]:
    """Records in effect (not superseded, revoked or repaired) as known on ``as_of``."""
    newer = records.alias("newer")
    event_filter = record_events.c.record_id == records.c.id
    superseded = exists().where(newer.c.supersedes_id == records.c.id)
    if as_of is not None:
        superseded = exists().where(
            and_(newer.c.supersedes_id == records.c.id, newer.c.decided_on <= as_of)
        )
        event_filter = and_(event_filter, record_events.c.effective_on <= as_of)
    query = select(records).where(~superseded, ~exists().where(event_filter))
    if as_of is not None:
        query = query.where(records.c.decided_on <= as_of)
    return query


def subject_records(
    conn: Connection, subject_id: int, as_of: date | None = None
) -> list[RecordView]:
    """Every record of a subject, newest decision first, each with its derived state (as known
    on ``as_of``: later corrections, revocations and repairs not yet applied)."""
    rows = (
        conn.execute(
            select(records)
            .where(records.c.subject_id == subject_id)
            .order_by(records.c.decided_on.desc(), records.c.id.desc())
        )
        .mappings()
        .all()
    )
    ids = [r["id"] for r in rows]
    # A correction may belong to another subject (it can fix a wrong code), so look it up.
    corrections = select(records.c.supersedes_id, records.c.id).where(
        records.c.supersedes_id.in_(ids)
    )
    later = select(record_events.c.record_id, record_events.c.kind).where(
        record_events.c.record_id.in_(ids)
    )
    if as_of is not None:
        corrections = corrections.where(records.c.decided_on <= as_of)
        later = later.where(record_events.c.effective_on <= as_of)
    replaced_by: dict[int, int] = {old: new for old, new in conn.execute(corrections)}
    events: dict[int, str] = {
        record_id: kind for record_id, kind in conn.execute(later.order_by(record_events.c.id))
    }
    views = []
    for r in rows:
        if r["id"] in replaced_by:
            state = RecordState.SUPERSEDED
        elif events.get(r["id"]) == "revocation":
            state = RecordState.REVOKED
        elif events.get(r["id"]) == "repair":
            state = RecordState.REPAIRED
        else:
            state = RecordState.IN_EFFECT
        views.append(
            RecordView(
                id=r["id"],
                item_code=r["item_code"],
                decided_on=r["decided_on"],
                valid_from=r["valid_from"],
                valid_to=r["valid_to"],
                severity=r["severity"],
                reference=r["reference"],
                source=r["source"],
                batch_id=r["batch_id"],
                row_number=r["row_number"],
                attributes=dict(r["attributes"] or {}),
                warnings=list(r["warnings"] or []),
                supersedes_id=r["supersedes_id"],
                state=state,
                changed_by=replaced_by.get(r["id"]),
            )
        )
    return views


def count_by_category(conn: Connection, catalog: Catalog) -> dict[Category, int]:
    """Records in effect, counted by catalog category."""
    effective = in_effect().subquery()
    counts: Counter[Category] = Counter()
    for item_code, n in conn.execute(
        select(effective.c.item_code, func.count()).group_by(effective.c.item_code)
    ):
        item = catalog.get(item_code)
        if item is not None:
            counts[item.category] += int(n)
    return dict(counts)


def owner_code(conn: Connection, record_id: int) -> str:
    """The code of the subject a record is about."""
    code = conn.execute(
        select(subjects.c.code)
        .join(records, records.c.subject_id == subjects.c.id)
        .where(records.c.id == record_id)
    ).scalar()
    if code is None:
        raise NotFound(f"no record {record_id}")
    return str(code)


def newest_version(conn: Connection, record_id: int) -> int:
    """The id of the newest version of a record (itself when never corrected)."""
    current = record_id
    while True:
        newer = conn.execute(
            select(records.c.id).where(records.c.supersedes_id == current)
        ).scalar()
        if newer is None:
            return current
        current = int(newer)
