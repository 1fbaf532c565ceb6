"""An inspection's result: a record of the plan's result item, entered by one of the target's
inspectors, stored through the ordinary ingest (so it is checked, sealed and re-grades its
subject like any record), linked to its target, and closing the target's inspection case."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select, update

from xinyong.dueprocess.cases import close_case, get_case
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.inspection.draws import DRAWN, Draw
from xinyong.store.locks import lock_rows
from xinyong.store.tables import cases, inspection_targets, records, subjects


@dataclass(frozen=True, slots=True)
class Target:
    id: int
    draw_id: int
    subject_id: int
    subject_code: str
    subject_name: str
    region_code: str | None
    risk_class: str
    why: str
    inspectors: tuple[str, ...]
    unassigned: str | None
    case_id: int | None
    deadline: date | None
    record_id: int | None
    result: str | None
    decided_on: date | None


def targets(
    conn: Connection, draw_id: int, subject_code: str | None = None, limit: int | None = None
) -> list[Target]:
    """A draw's targets by subject code, with their deadlines and results."""
    query = (
        select(
            inspection_targets,
            subjects.c.code,
            subjects.c.name,
            subjects.c.region_code,
            cases.c.deadline,
            records.c.attributes,
            records.c.decided_on,
        )
        .join(subjects, subjects.c.id == inspection_targets.c.subject_id)
        .outerjoin(cases, cases.c.id == inspection_targets.c.case_id)
        .outerjoin(records, records.c.id == inspection_targets.c.record_id)
        .where(inspection_targets.c.draw_id == draw_id)
        .order_by(subjects.c.code)
    )
    if subject_code is not None:
        query = query.where(subjects.c.code == subject_code)
    if limit is not None:
        query = query.limit(limit)
    return [
        Target(
            id=int(r.id),
            draw_id=int(r.draw_id),
            subject_id=int(r.subject_id),
            subject_code=r.code,
            subject_name=r.name,
            region_code=r.region_code,
            risk_class=r.risk_class,
            why=r.why,
            inspectors=tuple(r.inspectors),
            unassigned=r.unassigned,
            case_id=r.case_id,
            deadline=r.deadline,
            record_id=r.record_id,
            result=(r.attributes or {}).get("result") if r.record_id else None,
            decided_on=r.decided_on if r.record_id else None,
        )
        for r in conn.execute(query)
    ]


def result_target(conn: Connection, draw: Draw, subject_code: str, inspector: str) -> Target:
    """The target whose result ``inspector`` is about to enter, locked, with the rules
    re-checked inside the lock: the draw is drawn, the inspector is one of the target's, and
    no result was entered yet."""
    if draw.state != DRAWN:
        raise Conflict(f"draw {draw.reference} has not been drawn yet")
    found = targets(conn, draw.id, subject_code)
    if not found:
        raise NotFound(f"{subject_code} is not a target of draw {draw.reference}")
    lock_rows(conn, inspection_targets, [found[0].id])
    target = targets(conn, draw.id, subject_code)[0]
    if inspector not in target.inspectors:
        raise InvalidInput(
            f"{inspector} is not an inspector of {subject_code} in {draw.reference} "
            f"(its inspectors: {', '.join(target.inspectors) or 'none assigned'})"
        )
    if target.record_id is not None:
        raise Conflict(
            f"the result of {subject_code} in {draw.reference} was entered already "
            f"(record {target.record_id}); a correction is a new record that amends it"
        )
    return target


def link_result(
    conn: Connection,
    target: Target,
    batch_id: int,
    on: date,
    actor: str,
    result: str,
    note: str | None = None,
) -> int:
    """Link the batch's one record to the target and close the target's inspection case."""
    record_id = conn.execute(
        select(records.c.id).where(
            records.c.batch_id == batch_id, records.c.subject_id == target.subject_id
        )
    ).scalar_one()
    changed = conn.execute(
        update(inspection_targets)
        .where(inspection_targets.c.id == target.id, inspection_targets.c.record_id.is_(None))
        .values(record_id=record_id)
    ).rowcount
    if changed != 1:
        raise Conflict("the result of this target was entered by someone else just now")
    if target.case_id is not None:
        case = get_case(conn, target.case_id)
        details: dict[str, Any] = {"record": record_id, "result": result}
        close_case(
            conn, case, on, actor, "inspected", f"inspection result: {result}", details=details
        )
    return int(record_id)
