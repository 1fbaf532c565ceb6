"""Credit repair: a subject asks for a negative record to stop being published early.

Eligibility follows the publication rules: the record is negative and in effect, its minimum
publication period has passed, the subject has performed its obligations and signed a credit
commitment, and no other repair of it is pending. The platform answers within 10 working days
and, once it forwards the application, the deciding authority within 3 (the 2025 repair plan);
both deadlines are counted on the official working-day calendar. A granted repair is a new fact
about the record (an event of kind ``repair``): the record leaves public view and stops counting
from that day, and the listings it caused end as repaired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select, update

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Polarity
from xinyong.dueprocess.cases import (
    Case,
    CaseKind,
    CaseState,
    add_step,
    close_case,
    end_record,
    get_case,
    open_case,
    require_open,
)
from xinyong.dueprocess.lifecycle import ExitReason, IllegalTransition
from xinyong.dueprocess.listings import end_for_record
from xinyong.dueprocess.memberships import Listing
from xinyong.dueprocess.publication import window
from xinyong.errors import InvalidInput, NotFound
from xinyong.reference.workdays import WorkCalendar
from xinyong.registry.records import in_effect
from xinyong.schemes.library import Library
from xinyong.store.outbox import enqueue
from xinyong.store.tables import cases, records

PLATFORM_WORKING_DAYS = 10
AUTHORITY_WORKING_DAYS = 3
#: What an application must include.
REQUIRED_MATERIALS = ("credit_commitment", "proof_of_performance")


@dataclass(frozen=True, slots=True)
class Eligibility:
    record_id: int
    repair_from: date | None
    unmet: tuple[str, ...]

    @property
    def eligible(self) -> bool:
        return not self.unmet


def eligibility(
    conn: Connection, catalog: Catalog, record_id: int, on: date, materials: tuple[str, ...] = ()
) -> Eligibility:
    """What stands between the record and a repair application on ``on`` (nothing: eligible)."""
    record = conn.execute(select(records).where(records.c.id == record_id)).first()
    if record is None:
        raise NotFound(f"no record #{record_id}")
    item = catalog.get(record.item_code)
    unmet: list[str] = []
    if item is None or item.polarity is not Polarity.NEGATIVE:
        return Eligibility(record_id, None, ("only negative records are repaired",))
    repair_from = window(item, record.decided_on).repair_from
    if conn.execute(in_effect(on).where(records.c.id == record_id)).first() is None:
        unmet.append("the record is not in effect (already corrected, revoked or repaired)")
    if repair_from is not None and on < repair_from:
        unmet.append(
            f"the minimum publication period ({item.publication.min}) runs until {repair_from}"
        )
    pending = conn.execute(
        select(cases.c.id).where(
            cases.c.kind == CaseKind.REPAIR.value,
            cases.c.record_id == record_id,
            cases.c.state == CaseState.OPEN.value,
        )
    ).first()
    if pending is not None:
        unmet.append(f"a repair application for this record is already open (case #{pending.id})")
    missing = [m for m in REQUIRED_MATERIALS if m not in materials]
    if missing:
        unmet.append("missing materials: " + ", ".join(missing))
    return Eligibility(record_id, repair_from, tuple(unmet))


def apply_for_repair(
    conn: Connection,
    catalog: Catalog,
    calendar: WorkCalendar,
    record_id: int,
    on: date,
    actor: str,
    materials: tuple[str, ...],
) -> Case:
    check = eligibility(conn, catalog, record_id, on, materials)
    if not check.eligible:
        raise InvalidInput(
            f"record #{record_id} cannot be repaired yet: " + "; ".join(check.unmet)
        ).saying("not_repairable_yet")
    subject_id = conn.execute(
        select(records.c.subject_id).where(records.c.id == record_id)
    ).scalar_one()
    deadline = calendar.add(on, PLATFORM_WORKING_DAYS)
    case = open_case(
        conn,
        CaseKind.REPAIR,
        subject_id,
        on,
        deadline.due,
        actor,
        record_id=record_id,
        details={
            "materials": list(materials),
            "platform_deadline": deadline.due.isoformat(),
            "calendar_warnings": list(deadline.warnings),
        },
        note="application with " + ", ".join(materials),
    )
    enqueue(
        conn,
        subject_id,
        "repair_received",
        {"case": case.reference, "record": record_id, "deadline": deadline.due.isoformat()},
    )
    return case


def forward(
    conn: Connection, calendar: WorkCalendar, case_id: int, on: date, actor: str, authority: str
) -> Case:
    """The platform has checked the application and sends it to the deciding authority, whose
    deadline then governs the case."""
    case = get_case(conn, case_id)
    if case.kind is not CaseKind.REPAIR or case.state is not CaseState.OPEN:
        raise IllegalTransition(f"case {case.reference} is not an open repair application")
    if "authority" in case.details:
        raise IllegalTransition(f"case {case.reference} was already forwarded")
    if on < case.opened_on:
        raise IllegalTransition(f"case {case.reference} was opened on {case.opened_on}")
    deadline = calendar.add(on, AUTHORITY_WORKING_DAYS)
    details = {
        **case.details,
        "authority": authority,
        "authority_deadline": deadline.due.isoformat(),
        "calendar_warnings": list(case.details.get("calendar_warnings", []))
        + list(deadline.warnings),
    }
    conn.execute(
        update(cases).where(cases.c.id == case_id).values(deadline=deadline.due, details=details)
    )
    add_step(conn, case_id, "forward", on, actor, authority, {"deadline": str(deadline.due)})
    return get_case(conn, case_id)


@dataclass(frozen=True, slots=True)
class RepairDecision:
    case: Case
    ended: list[Listing]


def decide_repair(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    case_id: int,
    on: date,
    official: str,
    *,
    granted: bool,
    reasons: str,
) -> RepairDecision:
    case = get_case(conn, case_id)
    if case.kind is not CaseKind.REPAIR or case.record_id is None:
        raise InvalidInput(f"case {case.reference} is not a repair application")
    require_open(case)
    ended: list[Listing] = []
    if granted:
        if conn.execute(in_effect(on).where(records.c.id == case.record_id)).first() is None:
            raise IllegalTransition(f"record #{case.record_id} is no longer in effect on {on}")
        end_record(
            conn, case, case.record_id, "repair", on, f"credit repair {case.reference}: {reasons}"
        )
        ended = end_for_record(
            conn, library, catalog, case.record_id, on, official, ExitReason.REPAIRED
        )
    outcome = "granted" if granted else "refused"
    details = {"ended_listings": [listing.id for listing in ended]}
    closed = close_case(conn, case, on, official, outcome, reasons, details=details)
    enqueue(
        conn,
        case.subject_id,
        "repair_decided",
        {"case": case.reference, "outcome": outcome, "reasons": reasons, **details},
    )
    return RepairDecision(closed, ended)
