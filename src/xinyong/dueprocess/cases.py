"""Cases: objections, credit-repair applications and leniency applications share one model.

A case has a kind, a subject, what it is about (a record, a listing), the day it was opened, a
deadline, a state (open, decided, withdrawn) and a timeline of dated steps (``case_events``).
Because every kind lives in one table, the inbox of open and overdue cases is one query.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.dueprocess.lifecycle import IllegalTransition
from xinyong.errors import InvalidInput, NotFound
from xinyong.store import audit
from xinyong.store.events import append_step
from xinyong.store.seals import seal
from xinyong.store.tables import batches, case_events, cases, record_events, subjects


class CaseKind(enum.StrEnum):
    OBJECTION = "objection"
    REPAIR = "repair"
    LENIENCY = "leniency"
    INSPECTION = "inspection"
    LINK = "link"
    RECTIFICATION = "rectification"


class CaseState(enum.StrEnum):
    OPEN = "open"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Step:
    seq: int
    action: str
    on: date
    actor: str
    note: str | None
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Case:
    id: int
    kind: CaseKind
    subject_id: int
    subject_code: str
    record_id: int | None
    listing_id: int | None
    opened_on: date
    deadline: date
    state: CaseState
    outcome: str | None
    closed_on: date | None
    decided_by: str | None
    reasons: str | None
    details: dict[str, Any]

    def overdue(self, today: date) -> bool:
        return self.state is CaseState.OPEN and self.deadline < today

    @property
    def reference(self) -> str:
        return f"{self.kind.value[:3].upper()}-{self.id:06d}"


def _case(row: Any) -> Case:
    return Case(
        id=row.id,
        kind=CaseKind(row.kind),
        subject_id=row.subject_id,
        subject_code=row.code,
        record_id=row.record_id,
        listing_id=row.listing_id,
        opened_on=row.opened_on,
        deadline=row.deadline,
        state=CaseState(row.state),
        outcome=row.outcome,
        closed_on=row.closed_on,
        decided_by=row.decided_by,
        reasons=row.reasons,
        details=dict(row.details or {}),
    )


def _select() -> Any:
    return select(cases, subjects.c.code).join(subjects, subjects.c.id == cases.c.subject_id)


def open_case(
    conn: Connection,
    kind: CaseKind,
    subject_id: int,
    on: date,
    deadline: date,
    actor: str,
    *,
    record_id: int | None = None,
    listing_id: int | None = None,
    details: dict[str, Any] | None = None,
    note: str | None = None,
) -> Case:
    if not actor.strip():
        raise InvalidInput("a case is opened by someone: give the applicant or agent")
    case_id = conn.execute(
        insert(cases).returning(cases.c.id),
        {
            "kind": kind.value,
            "subject_id": subject_id,
            "record_id": record_id,
            "listing_id": listing_id,
            "opened_on": on,
            "deadline": deadline,
            "state": CaseState.OPEN.value,
            "details": details or {},
            "created_at": clock.now(),
        },
    ).scalar_one()
    add_step(conn, int(case_id), "open", on, actor, note, details)
    return get_case(conn, int(case_id))


def require_open(case: Case) -> None:
    """Refuse a step on a case that is no longer open, saying how it was closed."""
    if case.state is not CaseState.OPEN:
        how = f": {case.outcome} on {case.closed_on} by {case.decided_by}" if case.outcome else ""
        raise IllegalTransition(f"case {case.reference} is already {case.state.value}{how}")


def get_case(conn: Connection, case_id: int) -> Case:
    row = conn.execute(_select().where(cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"no case #{case_id}")
    return _case(row)


def add_step(
    conn: Connection,
    case_id: int,
    action: str,
    on: date,
    actor: str,
    note: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    seq = append_step(
        conn,
        case_events,
        "case_id",
        case_id,
        {"action": action, "effective_on": on, "actor": actor, "note": note, "details": details},
    )
    audit.append(
        conn,
        actor=actor,
        action=f"case.{action}",
        target=f"case:{case_id}",
        details={"step": seq, "effective_on": on, "note": note},
    )


def timeline(conn: Connection, case_id: int) -> list[Step]:
    rows = conn.execute(
        select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.seq)
    )
    return [
        Step(r.seq, r.action, r.effective_on, r.actor, r.note, dict(r.details or {})) for r in rows
    ]


def close_case(
    conn: Connection,
    case: Case,
    on: date,
    actor: str,
    outcome: str,
    reasons: str,
    *,
    state: CaseState = CaseState.DECIDED,
    details: dict[str, Any] | None = None,
) -> Case:
    """Decide (or withdraw) an open case; the decision is a step on its timeline."""
    require_open(case)
    if on < case.opened_on:
        raise IllegalTransition(f"case {case.reference} was opened on {case.opened_on}")
    if not reasons.strip():
        raise InvalidInput("a decision gives its reasons")
    if not actor.strip():
        raise InvalidInput("a decision names who made it")
    conn.execute(
        update(cases)
        .where(cases.c.id == case.id)
        .values(
            state=state.value,
            outcome=outcome,
            closed_on=on,
            decided_by=actor,
            reasons=reasons,
            details={**case.details, **(details or {})},
        )
    )
    add_step(
        conn,
        case.id,
        "withdraw" if state is CaseState.WITHDRAWN else "decide",
        on,
        actor,
        reasons,
        {"outcome": outcome, **(details or {})},
    )
    return get_case(conn, case.id)


def inbox(
    conn: Connection,
    today: date,
    *,
    kind: CaseKind | None = None,
    overdue_only: bool = False,
    subject_id: int | None = None,
) -> list[Case]:
    """Open cases, the most urgent first (overdue ones lead)."""
    query = _select().where(cases.c.state == CaseState.OPEN.value)
    if kind is not None:
        query = query.where(cases.c.kind == kind.value)
    if overdue_only:
        query = query.where(cases.c.deadline < today)
    if subject_id is not None:
        query = query.where(cases.c.subject_id == subject_id)
    return [_case(r) for r in conn.execute(query.order_by(cases.c.deadline, cases.c.id))]


def cases_of(conn: Connection, subject_id: int, *, own: bool = False) -> list[Case]:
    """A subject's cases; ``own``: as the subject sees them, without proposed record links
    (a proposal is the reviewers' question; an accepted one shows as the record it made)."""
    query = _select().where(cases.c.subject_id == subject_id)
    if own:
        query = query.where(cases.c.kind != CaseKind.LINK.value)
    return [_case(r) for r in conn.execute(query.order_by(cases.c.id))]


def case_batch(conn: Connection, case: Case, rows: int) -> int:
    """The batch that carries the facts a case decision writes (records come in batches)."""
    return int(
        conn.execute(
            insert(batches).returning(batches.c.id),
            {
                "source": f"xinyong:{case.kind.value}",
                "batch_key": f"case:{case.id}",
                "content_sha256": f"case:{case.id}",
                "file_format": "case",
                "received_at": clock.now(),
                "rows_total": rows,
                "rows_accepted": rows,
                "rows_quarantined": 0,
            },
        ).scalar_one()
    )


def end_record(
    conn: Connection, case: Case, record_id: int, kind: str, on: date, reason: str
) -> None:
    """A case decision takes a record out of effect from ``on``: a new fact (a ``revocation``
    or ``repair`` event), written in the decision's own batch."""
    batch_id = case_batch(conn, case, 1)
    conn.execute(
        insert(record_events),
        {
            "record_id": record_id,
            "kind": kind,
            "effective_on": on,
            "reason": reason,
            "source": f"xinyong:{case.kind.value}",
            "batch_id": batch_id,
            "row_number": 1,
            "recorded_at": clock.now(),
        },
    )
    seal_batch(conn, case, batch_id)


def seal_batch(conn: Connection, case: Case, batch_id: int) -> None:
    """Keep the seal of what a decision's batch stored in the audit chain, as for a batch a
    department sends, so an edit of it in place is found too."""
    audit.append(
        conn,
        actor=f"xinyong:{case.kind.value}",
        action="batch.accepted",
        target=f"batch:{batch_id}",
        details={"case": case.reference, **seal(conn, batch_id)},
    )
