"""Proposed links and what a person decides about them.

A proposal is a ``record_links`` row and a ``link`` case in the inbox about the subject it
names, due in :data:`REVIEW_WORKING_DAYS` working days. It writes nothing to the subject's
file. Accepting it is the only way the row becomes a record (the application reads the row
again, as its batch was read, with the subject's code); the link stays beside the record as
its provenance: on the subject's file, and open to objection like any record. A rejection
closes the case and leaves the row in quarantine. Each step locks the link's row and checks
its state again inside the lock: two reviewers at once give one decision.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.dueprocess.cases import CaseKind, close_case, get_case, open_case
from xinyong.errors import Conflict, NotFound
from xinyong.linkage.model import Match, Trained
from xinyong.reference.workdays import WorkCalendar
from xinyong.store.tables import quarantine, record_links, subjects

#: The reviewers' deadline for a proposal (our own choice, as for a platform's repair answer).
REVIEW_WORKING_DAYS = 10
PROPOSED, ACCEPTED, REJECTED = "proposed", "accepted", "rejected"


@dataclass(frozen=True, slots=True)
class Link:
    id: int
    quarantine_id: int
    case_id: int
    subject_id: int
    subject_code: str
    subject_name: str
    probability: float
    weight: float
    explanation: dict[str, Any]
    model: dict[str, Any]
    state: str
    record_id: int | None
    decided_by: str | None
    decided_at: datetime | None
    row: dict[str, Any]
    batch_id: int
    row_number: int

    @property
    def reference(self) -> str:
        return f"LIN-{self.case_id:06d}"

    @property
    def row_name(self) -> str:
        """The party's name as the row gave it."""
        return str(self.explanation.get("name_sent") or "")


def _select() -> Any:
    return (
        select(
            record_links,
            subjects.c.code,
            subjects.c.name,
            quarantine.c.raw,
            quarantine.c.batch_id,
            quarantine.c.row_number,
        )
        .join(subjects, subjects.c.id == record_links.c.subject_id)
        .join(quarantine, quarantine.c.id == record_links.c.quarantine_id)
    )


def _link(row: Any) -> Link:
    return Link(
        row.id,
        row.quarantine_id,
        row.case_id,
        row.subject_id,
        row.code,
        row.name,
        float(row.probability),
        float(row.weight),
        dict(row.explanation),
        dict(row.model),
        row.state,
        row.record_id,
        row.decided_by,
        row.decided_at,
        dict(row.raw),
        row.batch_id,
        row.row_number,
    )


def model_summary(
    trained: Trained, threshold: float, registry: int, engine: str = "duckdb"
) -> dict[str, Any]:
    return {
        "engine": engine,
        "threshold": threshold,
        "prior": trained.prior,
        "registry_rows": registry,
        "levels": trained.levels,
        "skipped": trained.skipped,
    }


def propose(
    conn: Connection,
    matches: Sequence[Match],
    model: dict[str, Any],
    calendar: WorkCalendar,
    on: date,
    actor: str,
    names: Mapping[str, str],
) -> list[Link]:
    """Store each match as a proposal with its case, skipping a row proposed meanwhile (the
    caller holds the lock that makes this check hold); ``names`` are the parties' names as
    each row gave them, by the match's key."""
    keys = [int(m.key[1:]) for m in matches]
    taken = set(
        conn.execute(
            select(record_links.c.quarantine_id).where(record_links.c.quarantine_id.in_(keys))
        ).scalars()
    )
    due = calendar.add(on, REVIEW_WORKING_DAYS).due
    now = clock.now()
    made = []
    for match in matches:
        quarantine_id = int(match.key[1:])
        if quarantine_id in taken:
            continue
        explanation = {"name_sent": names.get(match.key), **match.to_json()}
        case = open_case(
            conn,
            CaseKind.LINK,
            match.subject_id,
            on,
            due,
            actor,
            details={"quarantine_id": quarantine_id, "probability": explanation["probability"]},
            note="a record without a code, proposed for this subject by record linkage",
        )
        link_id = conn.execute(
            insert(record_links).returning(record_links.c.id),
            {
                "quarantine_id": quarantine_id,
                "case_id": case.id,
                "subject_id": match.subject_id,
                "probability": match.probability,
                "weight": match.weight,
                "explanation": explanation,
                "model": model,
                "state": PROPOSED,
                "created_at": now,
            },
        ).scalar_one()
        made.append(int(link_id))
    return [get(conn, i) for i in made]


def get(conn: Connection, link_id: int, *, lock: bool = False) -> Link:
    query = _select().where(record_links.c.id == link_id)
    if lock:
        query = query.with_for_update(of=record_links)
    row = conn.execute(query).first()
    if row is None:
        raise NotFound(f"no proposed link #{link_id}")
    return _link(row)


def of_case(conn: Connection, case_id: int) -> Link | None:
    row = conn.execute(_select().where(record_links.c.case_id == case_id)).first()
    return _link(row) if row is not None else None


def pending(conn: Connection, limit: int = 100) -> list[Link]:
    """Proposals waiting for a decision, the strongest first."""
    rows = conn.execute(
        _select()
        .where(record_links.c.state == PROPOSED)
        .order_by(record_links.c.probability.desc(), record_links.c.id)
        .limit(limit)
    )
    return [_link(r) for r in rows]


def _open(link: Link) -> None:
    if link.state != PROPOSED:
        raise Conflict(
            f"link #{link.id} was already {link.state} by {link.decided_by} ({link.reference})"
        )


def accepted(
    conn: Connection, link_id: int, record_id: int, on: date, actor: str, reasons: str
) -> Link:
    """Mark a locked, still proposed link accepted with the record it wrote; close its case."""
    link = get(conn, link_id, lock=True)
    _open(link)
    conn.execute(
        update(record_links)
        .where(record_links.c.id == link_id)
        .values(state=ACCEPTED, record_id=record_id, decided_by=actor, decided_at=clock.now())
    )
    close_case(
        conn,
        get_case(conn, link.case_id),
        on,
        actor,
        "accepted",
        reasons,
        details={"record_id": record_id},
    )
    return get(conn, link_id)


def lock_open(conn: Connection, link_id: int) -> Link:
    """The link, locked, refused unless still proposed."""
    link = get(conn, link_id, lock=True)
    _open(link)
    return link


def rejected(conn: Connection, link_id: int, on: date, actor: str, reasons: str) -> Link:
    link = lock_open(conn, link_id)
    conn.execute(
        update(record_links)
        .where(record_links.c.id == link_id)
        .values(state=REJECTED, decided_by=actor, decided_at=clock.now())
    )
    close_case(conn, get_case(conn, link.case_id), on, actor, "rejected", reasons)
    return get(conn, link_id)


def of_records(conn: Connection, record_ids: Iterable[int]) -> dict[int, Link]:
    """The accepted links of these records, by record."""
    ids = list(record_ids)
    if not ids:
        return {}
    rows = conn.execute(
        _select().where(record_links.c.record_id.in_(ids), record_links.c.state == ACCEPTED)
    )
    return {r.record_id: _link(r) for r in rows}
