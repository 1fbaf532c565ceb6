"""Rectification of bad service ratings (国办发〔2019〕51号: every bad rating is followed up and
rectified). A rating of level 1 or 2 opens a ``rectification`` case for the rated agency, with a
deadline in working days; the agency answers it (what it did about the service), and the answer
is a new record of ``GOV_SERVICE_RECTIFICATION`` saying whether it came by the deadline. A case
still open after its deadline is closed as late by :func:`close_overdue` (the monthly job runs it
before grading), so an unanswered rating counts against the agency instead of being forgotten.

Cases are opened for a whole batch at once: the bad ratings are found by one query over the
batch's records, and the cases and their opening steps are written by one statement each, with
one audit entry for the batch (a month's ratings come in millions).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, and_, insert, select

from xinyong import clock
from xinyong.dueprocess.cases import (
    Case,
    CaseKind,
    case_batch,
    close_case,
    get_case,
    inbox,
    require_open,
    seal_batch,
)
from xinyong.errors import Forbidden, InvalidInput
from xinyong.reference.workdays import WorkCalendar
from xinyong.store import audit
from xinyong.store.locks import lock_rows
from xinyong.store.tables import case_events, cases, records

#: The rating item, the rectification item, and the levels that open a case.
RATING = "GOV_SERVICE_RATING"
RECTIFICATION = "GOV_SERVICE_RECTIFICATION"
BAD_LEVEL = 2
#: Working days the agency has to answer (our own modelling: the document asks for prompt
#: rectification and sets no number).
WORKING_DAYS = 10
ACTOR = "xinyong:rectification"


@dataclass(frozen=True, slots=True)
class Opened:
    cases: int
    deadline: date | None
    warnings: tuple[str, ...] = ()


def open_for_batch(
    conn: Connection, batch_id: int, on: date, calendar: WorkCalendar | None = None
) -> Opened:
    """Open a rectification case for every bad rating the batch stored (the working-day
    calendar is read from the database when one is needed)."""
    level = records.c.attributes["level"].as_integer()
    bad = conn.execute(
        select(records.c.id, records.c.subject_id)
        .where(
            and_(
                records.c.batch_id == batch_id,
                records.c.item_code == RATING,
                records.c.supersedes_id.is_(None),
                level <= BAD_LEVEL,
            )
        )
        .order_by(records.c.id)
    ).all()
    if not bad:
        return Opened(0, None)
    due = (calendar or WorkCalendar.from_database(conn)).add(on, WORKING_DAYS)
    now = clock.now()
    details = {"working_days": WORKING_DAYS, "batch": batch_id}
    ids = conn.execute(
        insert(cases).returning(cases.c.id, sort_by_parameter_order=True),
        [
            {
                "kind": CaseKind.RECTIFICATION.value,
                "subject_id": subject_id,
                "record_id": record_id,
                "opened_on": on,
                "deadline": due.due,
                "state": "open",
                "details": details,
                "created_at": now,
            }
            for record_id, subject_id in bad
        ],
    ).scalars()
    opened = [int(i) for i in ids]
    conn.execute(
        insert(case_events),
        [
            {
                "case_id": case_id,
                "seq": 1,
                "action": "open",
                "effective_on": on,
                "actor": ACTOR,
                "note": "差评（1级或2级）",
                "details": details,
                "recorded_at": now,
            }
            for case_id in opened
        ],
    )
    audit.append(
        conn,
        actor=ACTOR,
        action="case.open",
        target=f"batch:{batch_id}",
        details={"kind": "rectification", "cases": len(opened), "deadline": due.due},
    )
    return Opened(len(opened), due.due, due.warnings)


def _record(conn: Connection, case: Case, on_time: bool, on: date) -> int:
    batch_id = case_batch(conn, case, 1)
    record_id = conn.execute(
        insert(records).returning(records.c.id),
        {
            "subject_id": case.subject_id,
            "item_code": RECTIFICATION,
            "decided_on": on,
            "reference": case.reference,
            "source": ACTOR,
            "batch_id": batch_id,
            "row_number": 1,
            "attributes": {"on_time": int(on_time), "case": case.reference},
            "recorded_at": clock.now(),
        },
    ).scalar_one()
    seal_batch(conn, case, batch_id)
    return int(record_id)


def answer(
    conn: Connection, case_id: int, answerer: str | None, text: str, on: date, actor: str
) -> tuple[Case, int]:
    """The agency's answer to its rectification case: closed as ``rectified``, with a record
    saying whether it came by the deadline. Locked and re-read: one answer per case. With
    ``answerer`` (the code of the signed-in subject) the case must be that agency's; without
    it an operator answers for the agency."""
    if not text.strip():
        raise InvalidInput("answer: say what was done about the service", field="answer")
    lock_rows(conn, cases, [case_id])
    case = get_case(conn, case_id)
    if case.kind is not CaseKind.RECTIFICATION:
        raise InvalidInput(f"case {case.reference} is not a rectification")
    if answerer is not None and case.subject_code != answerer:
        raise Forbidden("only the rated agency answers its rectification")
    require_open(case)
    on_time = on <= case.deadline
    closed = close_case(
        conn,
        case,
        on,
        actor,
        "rectified" if on_time else "rectified_late",
        text.strip(),
        details={"on_time": on_time},
    )
    return closed, _record(conn, case, on_time, on)


def close_overdue(conn: Connection, on: date, actor: str) -> list[tuple[Case, int]]:
    """Close every rectification case past its deadline as ``unanswered``, each with a late
    record; the agencies' grades then count them."""
    due = inbox(conn, on, kind=CaseKind.RECTIFICATION, overdue_only=True)
    lock_rows(conn, cases, [c.id for c in due])
    closed = []
    for found in due:
        case = get_case(conn, found.id)
        if case.state.value != "open":
            continue
        done = close_case(
            conn,
            case,
            on,
            actor,
            "unanswered",
            f"截至{case.deadline}未答复整改",
            details={"on_time": False},
        )
        closed.append((done, _record(conn, case, False, on)))
    return closed
