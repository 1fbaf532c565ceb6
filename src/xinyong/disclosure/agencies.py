"""Registered credit-rating agencies: what a registration allows, and the check every agency
read and submission passes first.

A registration names the agency (a subject), its regulator and licence, its business scope,
the catalog items it may read, and the days it is valid. An agency's token names the agency:
each request reads the registration afresh, so a suspension or the end of validity stops reads
and submissions at once, with no token to revoke. A read by an agency returns only the records
of the items its registration names, and the access log says so. An agency submits only its own
ratings (``AGENCY_CREDIT_RATING``), and the platform writes the agency's name and licence on
each, so a profile shows them as a third party's rating with the agency named.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.catalog.items import Catalog
from xinyong.disclosure.credit_file import CreditFile
from xinyong.disclosure.tokens import Principal, Role
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.reference.identifiers import SubjectKind
from xinyong.registry.subjects import Subject
from xinyong.store import audit
from xinyong.store.locks import lock_rows
from xinyong.store.tables import agency_registrations, subjects

#: The one item an agency submits: its ratings.
RATING_ITEM = "AGENCY_CREDIT_RATING"


@dataclass(frozen=True, slots=True)
class Registration:
    id: int
    subject_id: int
    regulator: str
    licence: str
    business_scope: str
    items: tuple[str, ...]
    valid_from: date
    valid_until: date
    status: str
    status_reason: str | None
    created_at: datetime
    changed_at: datetime
    changed_by: str
    agency_code: str = ""
    agency_name: str = ""

    def state(self, on: date) -> str:
        if self.status == "suspended":
            return "suspended"
        if on < self.valid_from:
            return "not_yet_valid"
        if on > self.valid_until:
            return "expired"
        return "active"


def _registration(row: Any) -> Registration:
    return Registration(
        row.id,
        row.subject_id,
        row.regulator,
        row.licence,
        row.business_scope,
        tuple(row.items),
        row.valid_from,
        row.valid_until,
        row.status,
        row.status_reason,
        row.created_at,
        row.changed_at,
        row.changed_by,
        row.code,
        row.name,
    )


_SELECT = select(agency_registrations, subjects.c.code, subjects.c.name).join(
    subjects, subjects.c.id == agency_registrations.c.subject_id
)


def get(conn: Connection, registration_id: int) -> Registration:
    row = conn.execute(_SELECT.where(agency_registrations.c.id == registration_id)).first()
    if row is None:
        raise NotFound(f"no agency registration {registration_id}")
    return _registration(row)


def of_agency(conn: Connection, code: str) -> Registration | None:
    row = conn.execute(_SELECT.where(subjects.c.code == code)).first()
    return None if row is None else _registration(row)


def every(conn: Connection) -> list[Registration]:
    return [_registration(r) for r in conn.execute(_SELECT.order_by(agency_registrations.c.id))]


def register(
    conn: Connection,
    catalog: Catalog,
    agency: Subject,
    *,
    regulator: str,
    licence: str,
    business_scope: str,
    items: list[str],
    valid_from: date,
    valid_until: date,
    actor: str,
) -> Registration:
    """Record an agency's registration as its regulator granted it."""
    if agency.kind not in (SubjectKind.ENTERPRISE, SubjectKind.ORGANISATION):
        raise InvalidInput("a rating agency is an enterprise or organisation", field="agency")
    if valid_until < valid_from:
        raise InvalidInput("valid_until: after valid_from", field="valid_until")
    if not items:
        raise InvalidInput("items: name the catalog items the agency may read", field="items")
    unknown = sorted(set(items) - {i.code for i in catalog})
    if unknown:
        raise InvalidInput(f"items: not in the catalog: {', '.join(unknown)}", field="items")
    for name, value in (("regulator", regulator), ("licence", licence), ("scope", business_scope)):
        if not value.strip():
            raise InvalidInput(f"{name}: required", field=name)
    if of_agency(conn, agency.code) is not None:
        raise Conflict(f"{agency.code} is registered already; suspend or reinstate it")
    now = clock.now()
    new_id = conn.execute(
        insert(agency_registrations).returning(agency_registrations.c.id),
        {
            "subject_id": agency.id,
            "regulator": regulator.strip(),
            "licence": licence.strip(),
            "business_scope": business_scope.strip(),
            "items": sorted(set(items)),
            "valid_from": valid_from,
            "valid_until": valid_until,
            "status": "active",
            "created_at": now,
            "changed_at": now,
            "changed_by": actor,
        },
    ).scalar_one()
    audit.append(
        conn,
        actor=actor,
        action="agency.registered",
        target=f"agency:{new_id}",
        subject_id=agency.id,
        details={"licence": licence, "items": " ".join(sorted(set(items)))},
    )
    return get(conn, int(new_id))


def set_status(
    conn: Connection, registration_id: int, status: str, reason: str, actor: str
) -> Registration:
    """Suspend (``suspended``) or reinstate (``active``) a registration, under a lock on its
    row: of two officials acting at once one wins, the other is told it is done already."""
    if not reason.strip():
        raise InvalidInput("reason: say why", field="reason")
    lock_rows(conn, agency_registrations, [registration_id])
    found = get(conn, registration_id)
    if found.status == status:
        raise Conflict(f"registration {found.licence} is {status} already")
    conn.execute(
        update(agency_registrations)
        .where(agency_registrations.c.id == registration_id)
        .values(
            status=status, status_reason=reason.strip(), changed_at=clock.now(), changed_by=actor
        )
    )
    audit.append(
        conn,
        actor=actor,
        action=f"agency.{'suspended' if status == 'suspended' else 'reinstated'}",
        target=f"agency:{registration_id}",
        subject_id=found.subject_id,
        details={"reason": reason.strip()},
    )
    return get(conn, registration_id)


def standing(conn: Connection, principal: Principal, on: date) -> Registration:
    """The registration an agency's token stands on, if it allows acting on ``on``; else
    :class:`Forbidden` saying why (not registered, suspended, not yet valid, expired)."""
    if principal.role is not Role.AGENCY or not principal.subject_code:
        raise Forbidden("an agency's token names the registered agency")
    found = of_agency(conn, principal.subject_code)
    if found is None:
        raise Forbidden(f"{principal.subject_code} has no registration as a rating agency")
    state = found.state(on)
    if state != "active":
        raise Forbidden(
            f"the registration {found.licence} is {state.replace('_', ' ')}: "
            "no reads and no submissions"
        ).saying("agency_" + state, licence=found.licence)
    return found


def hold(conn: Connection, principal: Principal, on: date) -> Registration:
    """:func:`standing`, re-read under a lock on the registration's row, inside a submission's
    transaction: a suspension committed before it stops the batch, one after it waits."""
    found = standing(conn, principal, on)
    lock_rows(conn, agency_registrations, [found.id])
    return standing(conn, principal, on)


def scoped(file: CreditFile, registration: Registration) -> CreditFile:
    """The file as an agency may read it: the records of the items its registration names,
    and nothing derived from others (listings and cases are left out)."""
    allowed = set(registration.items)
    kept = tuple(r for r in file.records if r.record.item_code in allowed)
    return replace(file, records=kept, listings=(), open_cases=())


def rating_rows(rows: list[dict[str, Any]], registration: Registration) -> list[dict[str, Any]]:
    """An agency's batch: only its ratings, each with the agency's name and licence written
    from the registration (whatever the row said). A row of another item is refused, naming
    the row and the field."""
    out = []
    for number, row in enumerate(rows, start=1):
        item = str(row.get("item_code") or "")
        if item != RATING_ITEM:
            raise InvalidInput(
                f"row {number}: item_code: an agency submits only its ratings ({RATING_ITEM}), "
                f"not {item or '(none)'}",
                field=f"rows[{number - 1}].item_code",
            )
        out.append({**row, "agency": registration.agency_name, "licence": registration.licence})
    return out
