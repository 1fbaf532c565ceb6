"""Objections: a subject (or its agent) disputes a record.

While the case is open the record is *disputed* on every date from the day the objection was
lodged until the day it is decided; :func:`disputed_ids` is the one place that says so, and the
profile, the credit report, check answers and the schemes' ``disputed`` record policy all read
it. The case must be answered within its deadline (20 days unless the catalog item says
otherwise; Credit Reporting Regulation art. 25). Upholding it corrects the record by a new fact,
a correction or a revocation, never an edit, and ends the listings the record caused; rejecting
it keeps the record and states the reasons.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import BindParameter, Connection, Date, Select, bindparam, insert, or_, select

from xinyong import clock
from xinyong.catalog.items import Catalog
from xinyong.dueprocess.cases import (
    Case,
    CaseKind,
    case_batch,
    close_case,
    end_record,
    get_case,
    open_case,
    require_open,
    seal_batch,
)
from xinyong.dueprocess.lifecycle import ExitReason, IllegalTransition
from xinyong.dueprocess.listings import end_for_record
from xinyong.dueprocess.memberships import Listing
from xinyong.errors import InvalidInput, NotFound
from xinyong.reference.dates import parse_date
from xinyong.registry.records import in_effect
from xinyong.schemes.library import Library
from xinyong.store.outbox import enqueue
from xinyong.store.tables import cases, records


def disputed(at: date | BindParameter[date]) -> Select[Any]:
    """``SELECT record_id`` of the records under an open objection on ``at``."""
    return select(cases.c.record_id).where(
        cases.c.kind == CaseKind.OBJECTION.value,
        cases.c.record_id.is_not(None),
        cases.c.opened_on <= at,
        or_(cases.c.closed_on.is_(None), cases.c.closed_on > at),
    )


def disputed_ids(conn: Connection, at: date, subject_id: int | None = None) -> set[int]:
    if subject_id is not None:  # a check or a file: one statement, built once
        return {r for (r,) in conn.execute(_DISPUTED_OF, {"at": at, "subject_id": subject_id})}
    return {r for (r,) in conn.execute(disputed(at))}


_DISPUTED_OF = disputed(bindparam("at", type_=Date)).where(
    cases.c.subject_id == bindparam("subject_id")
)


def _record(conn: Connection, record_id: int) -> Any:
    row = conn.execute(select(records).where(records.c.id == record_id)).first()
    if row is None:
        raise NotFound(f"no record #{record_id}")
    return row


def object_to(
    conn: Connection,
    catalog: Catalog,
    record_id: int,
    on: date,
    actor: str,
    reason: str,
    *,
    listing_id: int | None = None,
    days: int | None = None,
) -> Case:
    """Open an objection to a record in effect; the record is disputed from ``on``."""
    record = _record(conn, record_id)
    if not reason.strip():
        raise InvalidInput("an objection says what is wrong with the record")
    effective = in_effect(on).where(records.c.id == record_id)
    if conn.execute(effective).first() is None:
        raise IllegalTransition(
            f"record #{record_id} is not in effect on {on} (corrected, revoked, repaired or not "
            "yet decided); object to the record that replaced it"
        )
    if disputed_ids(conn, on, record.subject_id) & {record_id}:
        raise IllegalTransition(f"record #{record_id} is already under an open objection").saying(
            "already_disputed"
        )
    item = catalog.get(record.item_code)
    allowed = days or (item.objection_days if item else 20)
    deadline = on + timedelta(days=allowed)
    case = open_case(
        conn,
        CaseKind.OBJECTION,
        record.subject_id,
        on,
        deadline,
        actor,
        record_id=record_id,
        listing_id=listing_id,
        details={"reason": reason, "source": record.source, "days": allowed},
        note=reason,
    )
    enqueue(
        conn,
        record.subject_id,
        "objection_received",
        {"case": case.reference, "record": record_id, "deadline": deadline.isoformat()},
    )
    return case


def _checked_correction(
    catalog: Catalog, record: Any, correction: dict[str, Any], today: date
) -> tuple[dict[str, Any], date | None]:
    """The corrected values, checked as an ingested row's are: each attribute one the item
    declares, of its type; a decision date that is a date and not in the future."""
    values = dict(correction)
    decided_on: date | None = None
    raw_day = values.pop("decided_on", None)
    if raw_day is not None:
        try:
            decided_on = parse_date(raw_day)
        except ValueError as exc:
            raise InvalidInput(f"correction.decided_on: {exc}", field="correction") from None
        if decided_on > today:
            raise InvalidInput(
                f"correction.decided_on: {decided_on} is in the future", field="correction"
            )
    item = catalog.get(record.item_code)
    checked = {}
    for name, value in values.items():
        spec = item.attribute_specs.get(name) if item else None
        if spec is None:
            raise InvalidInput(
                f"correction.{name}: {record.item_code} has no attribute {name!r}",
                field="correction",
            )
        try:
            checked[name] = spec.parse(value)
        except ValueError as exc:
            raise InvalidInput(f"correction.{name}: {exc}", field="correction") from None
    return checked, decided_on


@dataclass(frozen=True, slots=True)
class ObjectionDecision:
    case: Case
    new_record_id: int | None
    revoked: bool
    ended: list[Listing]


def decide_objection(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    case_id: int,
    on: date,
    official: str,
    *,
    upheld: bool,
    reasons: str,
    correction: dict[str, Any] | None = None,
) -> ObjectionDecision:
    """Decide an objection. Upheld with a ``correction`` (new attribute values, and optionally
    ``decided_on``), the record is replaced by a corrected one; upheld without, it is revoked.
    Either way the listings it caused end. Rejected, nothing changes but the case."""
    case = get_case(conn, case_id)
    if case.kind is not CaseKind.OBJECTION or case.record_id is None:
        raise InvalidInput(f"case {case.reference} is not an objection to a record")
    require_open(case)
    new_id: int | None = None
    ended: list[Listing] = []
    if upheld:
        record = _record(conn, case.record_id)
        if correction:
            corrected, decided_on = _checked_correction(catalog, record, correction, on)
            batch_id = case_batch(conn, case, 1)
            new_id = int(
                conn.execute(
                    insert(records).returning(records.c.id),
                    {
                        "subject_id": record.subject_id,
                        "item_code": record.item_code,
                        "decided_on": decided_on or record.decided_on,
                        "valid_from": record.valid_from,
                        "valid_to": record.valid_to,
                        "severity": record.severity,
                        "reference": record.reference,
                        "source": record.source,
                        "batch_id": batch_id,
                        "row_number": 1,
                        "attributes": {**dict(record.attributes or {}), **corrected},
                        "warnings": None,
                        "supersedes_id": record.id,
                        "recorded_at": clock.now(),
                    },
                ).scalar_one()
            )
            seal_batch(conn, case, batch_id)
        else:
            end_record(
                conn,
                case,
                record.id,
                "revocation",
                on,
                f"objection {case.reference} upheld: {reasons}",
            )
        ended = end_for_record(
            conn, library, catalog, record.id, on, official, ExitReason.REVOKED, new_id
        )
    outcome = "upheld" if upheld else "rejected"
    details = {"new_record": new_id, "ended_listings": [listing.id for listing in ended]}
    closed = close_case(conn, case, on, official, outcome, reasons, details=details)
    enqueue(
        conn,
        case.subject_id,
        "objection_decided",
        {"case": case.reference, "outcome": outcome, "reasons": reasons, **details},
    )
    return ObjectionDecision(closed, new_id, upheld and not correction, ended)
