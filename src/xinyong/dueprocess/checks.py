"""Point-of-service checks: may this subject have this service from this department today?

``check`` reads the subject's list memberships in effect and its latest grades, finds every
measures memorandum in force whose trigger they meet, and returns each measure that concerns the
action and the department, with the trigger, the legal basis, whether a record behind it is
disputed, and whether a leniency policy suspends it. Only memberships and grades trigger
measures, so a subject that is neither listed nor graded for a measure never gets it. Every
check is logged with its answer and an audit reference that the department keeps.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Connection, Insert, bindparam, insert, select
from sqlalchemy.exc import SQLAlchemyError

from xinyong import clock
from xinyong.catalog.measures import MeasureCatalog, ServiceAction, shipped_measures
from xinyong.dueprocess.leniency import Policy, deferral, suspensions
from xinyong.dueprocess.memberships import Listing, standing
from xinyong.dueprocess.objections import disputed_ids
from xinyong.errors import AccessNotLogged, InvalidInput, NotFound
from xinyong.evaluation.runs import latest_results
from xinyong.reference.identifiers import parse_identifier
from xinyong.schemes.library import Library
from xinyong.schemes.model import Scheme, SchemeType
from xinyong.store.tables import access_log, checks, subjects

#: The subject a check is about, by its code (built once: a check runs thousands of times an
#: hour, and building the statement costs more than the database's answer).
SUBJECT_BY_CODE = select(subjects).where(subjects.c.code == bindparam("code"))

#: Every column but the key, of the check's row and of the read's access-log row.
_CHECK_COLUMNS = tuple(c.name for c in checks.columns if not c.primary_key)
_READ_COLUMNS = tuple(c.name for c in access_log.columns if not c.primary_key)


def _logged_check() -> Insert:
    """The check's row and its access-log row in one statement (a data-modifying CTE), for a
    database that has them: the law's log costs no second round trip."""
    read = insert(access_log).values({c: bindparam(f"read_{c}") for c in _READ_COLUMNS})
    row = insert(checks).values({c: bindparam(f"check_{c}") for c in _CHECK_COLUMNS})
    return row.add_cte(read.cte("logged"))


LOGGED_CHECK = _logged_check()


@dataclass(frozen=True, slots=True)
class Trigger:
    kind: str  # "listing" or "grade"
    scheme: str
    detail: str  # the list id, or the grade
    since: date
    until: date | None
    listing_id: int | None = None
    run_id: int | None = None
    record_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class AppliedMeasure:
    code: str
    name_zh: str
    name_en: str
    effect: str
    incentive: bool
    status: str  # "applies" or "suspended"
    trigger: Trigger
    memorandum: str  # scheme key and entry id
    legal_basis: tuple[str, ...]
    disputed_records: tuple[int, ...] = ()
    leniency: str | None = None


@dataclass(frozen=True, slots=True)
class Remark:
    """Something the checking department should know beside the measures: a listing deferred
    by a leniency policy, a measure suspended by one, a record behind a measure in dispute.
    ``kind`` names the message (the portal says it in the reader's language); :meth:`text` is
    its English form, which the answer's ``notes`` carry."""

    kind: str  # "deferred", "suspended" or "disputed"
    policy: str | None = None
    until: date | None = None
    listing_id: int | None = None
    list: str | None = None
    measure: str | None = None
    record_id: int | None = None

    def text(self, on: date) -> str:
        if self.kind == "deferred":
            return (
                f"listing #{self.listing_id} on {self.list} is deferred until {self.until} "
                f"by leniency policy {self.policy}"
            )
        if self.kind == "suspended":
            return f"{self.measure} is suspended on {on} by leniency policy {self.policy}"
        return f"record #{self.record_id} behind {self.measure} is disputed (objection open)"


@dataclass(frozen=True, slots=True)
class CheckAnswer:
    reference: str
    subject_code: str
    action: str
    department: str
    at: date
    measures: tuple[AppliedMeasure, ...]
    notes: tuple[str, ...] = field(default=())
    remarks: tuple[Remark, ...] = field(default=())

    @property
    def applies(self) -> tuple[AppliedMeasure, ...]:
        return tuple(m for m in self.measures if m.status == "applies")

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        for measure in data["measures"]:
            trigger = measure["trigger"]
            trigger["since"] = trigger["since"].isoformat()
            trigger["until"] = trigger["until"].isoformat() if trigger["until"] else None
        for remark in data["remarks"]:
            remark["until"] = remark["until"].isoformat() if remark["until"] else None
        return data


def _in_force(scheme: Scheme, at: date) -> bool:
    meta = scheme.definition.scheme
    return meta.effective_from <= at and (meta.effective_to is None or at < meta.effective_to)


def _grades(
    conn: Connection, subject_id: int, scheme_ids: Iterable[str], at: date
) -> list[Trigger]:
    """The subject's grade in the latest run (full or incremental) of each scheme as of ``at``."""
    return [
        Trigger(
            "grade",
            f"{latest.scheme_id}@{latest.scheme_version}",
            latest.grade,
            latest.as_of,
            None,
            run_id=latest.run_id,
        )
        for latest in latest_results(conn, subject_id, at, list(scheme_ids))
        if latest.grade is not None
    ]


def check(
    conn: Connection,
    library: Library,
    code: str,
    action: str,
    department: str,
    at: date,
    *,
    actor: str,
    policies: list[Policy],
    measures: MeasureCatalog | None = None,
    admit: Callable[[Any], Mapping[str, object] | None] | None = None,
) -> CheckAnswer:
    """The check, answered and logged in ``conn``. ``admit``, given the subject's row once it
    is read, may refuse the caller (out of its reach) and returns the access-log row of the
    read, written with the check's own row or not at all."""
    if action not in {a.value for a in ServiceAction}:
        known = ", ".join(a.value for a in ServiceAction)
        raise InvalidInput(f"unknown action {action!r}; use one of {known}")
    if not department.strip() or not actor.strip():
        raise InvalidInput("a check names the department and the person asking")
    catalog = measures or shipped_measures()
    normalised = parse_identifier(code).code
    subject = conn.execute(SUBJECT_BY_CODE, {"code": normalised}).first()
    if subject is None:
        raise NotFound(f"no subject {normalised}")
    read = admit(subject) if admit is not None else None
    memoranda = [
        s for s in library if s.definition.scheme.type is SchemeType.MEASURES and _in_force(s, at)
    ]
    listed, pending = standing(conn, subject.id, at)
    disputed = disputed_ids(conn, at, subject.id)
    triggers = [
        Trigger(
            "listing",
            f"{m.scheme_id}@{m.scheme_version}",
            m.list_id,
            m.state.listed_from or at,
            m.state.listed_until,
            listing_id=m.id,
            record_ids=m.record_ids,
        )
        for m in listed
    ]
    graded_by = [
        e.when.grade.scheme for s in memoranda for e in s.definition.memorandum if e.when.grade
    ]
    triggers += _grades(conn, subject.id, graded_by, at)
    suspended = suspensions(conn, policies, subject, at)
    applied: list[AppliedMeasure] = []
    for memo in memoranda:
        for entry in memo.definition.memorandum:
            if entry.departments and department not in entry.departments:
                continue
            for trigger in triggers:
                scheme_id = trigger.scheme.split("@")[0]
                if entry.when.list:
                    if (
                        trigger.kind != "listing"
                        or entry.when.list != f"{scheme_id}/{trigger.detail}"
                    ):
                        continue
                elif entry.when.grade:
                    if trigger.kind != "grade" or entry.when.grade.scheme != scheme_id:
                        continue
                    if trigger.detail not in entry.when.grade.grades:
                        continue
                for code_ in entry.measures:
                    measure = catalog[code_]
                    if not measure.applies_to(action, department):
                        continue
                    if measure.period is not None and at >= measure.period.after(trigger.since):
                        continue
                    policy = suspended.get(code_) or suspended.get("*")
                    basis = [b.cite() for b in measure.legal_basis]
                    basis += [b.cite() for b in memo.definition.scheme.legal_basis]
                    if entry.basis:
                        basis.append(entry.basis.cite())
                    applied.append(
                        AppliedMeasure(
                            code=code_,
                            name_zh=measure.name.zh,
                            name_en=measure.name.en,
                            effect=measure.effect.value,
                            incentive=measure.incentive,
                            status="suspended" if policy else "applies",
                            trigger=trigger,
                            memorandum=f"{memo.key}#{entry.id}",
                            legal_basis=tuple(basis),
                            disputed_records=tuple(r for r in trigger.record_ids if r in disputed),
                            leniency=policy.id if policy else None,
                        )
                    )
    remarks = _deferrals(conn, subject.id, pending, policies, at)
    remarks += [
        Remark("suspended", policy=m.leniency, measure=m.code) for m in applied if m.leniency
    ]
    remarks += [
        Remark("disputed", measure=m.code, record_id=r) for m in applied for r in m.disputed_records
    ]
    remarks = list(dict.fromkeys(remarks))
    answer = CheckAnswer(
        reference=f"CHK-{at:%Y%m%d}-{secrets.token_hex(5).upper()}",
        subject_code=subject.code,
        action=action,
        department=department,
        at=at,
        measures=tuple(applied),
        notes=tuple(r.text(at) for r in remarks),
        remarks=tuple(remarks),
    )
    row = {
        "reference": answer.reference,
        "subject_id": subject.id,
        "action": action,
        "department": department,
        "at": at,
        "actor": actor,
        "answer": answer.to_json(),
        "asked_at": clock.now(),
    }
    _write(conn, row, read)
    return answer


def _write(conn: Connection, row: dict[str, Any], read: Mapping[str, object] | None) -> None:
    """The check's row, and the read's access-log row with it: one statement where the
    database takes a data-modifying CTE (PostgreSQL), else two in the same transaction."""
    if read is None:
        conn.execute(insert(checks), row)
        return
    try:
        if conn.dialect.name == "postgresql":
            params = {f"check_{c}": row[c] for c in _CHECK_COLUMNS}
            params.update({f"read_{c}": read[c] for c in _READ_COLUMNS})
            conn.execute(LOGGED_CHECK, params)
        else:
            conn.execute(insert(access_log), dict(read))
            conn.execute(insert(checks), row)
    except SQLAlchemyError as error:
        raise AccessNotLogged(
            "the check and its read could not be written to the logs, so nothing is returned "
            f"({type(error).__name__})"
        ) from None


def _deferrals(
    conn: Connection, subject_id: int, pending: list[Listing], policies: list[Policy], at: date
) -> list[Remark]:
    """Say so when a leniency policy is why a signed-off listing has not taken effect yet."""
    notes = []
    for row in pending:
        found = deferral(conn, policies, subject_id, row.key, row.state.proposed_on)
        if found is not None and at < found.until:
            notes.append(
                Remark(
                    "deferred",
                    policy=found.policy,
                    until=found.until,
                    listing_id=row.id,
                    list=row.key,
                )
            )
    return notes
