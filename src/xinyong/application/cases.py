"""Cases: objections to records and credit-repair applications. Deciding either changes what
counts (a record corrected, revoked or repaired), so the decision, the listings it ends and the
re-evaluation of the subject are one transaction: no interface can decide without re-grading.

Each step names who takes it (``by``, written to the case) and, from the HTTP service and the
portal, the ``principal`` whose reach is checked; ``None`` is an operator at the command line.
Every step is dated by the application's clock, never by the caller, and locks the record and
the case it changes before it checks its rule: two officials deciding one case at once give
one decision, and the other is told the case is already decided."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection

from xinyong.application.base import Core
from xinyong.disclosure import access
from xinyong.disclosure.access import Permission, Purpose
from xinyong.disclosure.tokens import Principal
from xinyong.dueprocess.cases import Case, CaseKind, Step, cases_of, get_case, inbox, timeline
from xinyong.dueprocess.memberships import Listing
from xinyong.dueprocess.objections import ObjectionDecision, decide_objection, object_to
from xinyong.dueprocess.repair import (
    Eligibility,
    RepairDecision,
    apply_for_repair,
    decide_repair,
    eligibility,
    forward,
)
from xinyong.errors import Conflict, Forbidden
from xinyong.evaluation.runs import Run
from xinyong.reference.workdays import WorkCalendar
from xinyong.registry.records import RecordView, owner_code, subject_records
from xinyong.registry.subjects import get, regions_of
from xinyong.store.locks import lock_rows
from xinyong.store.tables import cases, records

HANDLING = Purpose("handling the case", "the objection and credit-repair procedures")


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision on a case, and the evaluation runs it caused."""

    case: Case
    ended: list[Listing]
    runs: list[Run]
    decision: ObjectionDecision | RepairDecision


def _reach_record(conn: Connection, principal: Principal | None, record_id: int) -> None:
    """Check the caller's reach, and lock the record: steps about one record are one at a time."""
    owner = owner_code(conn, record_id)
    if principal is not None:
        access.reach(principal, get(conn, owner))
    lock_rows(conn, records, [record_id])


def _reach_case(
    conn: Connection, principal: Principal | None, case_id: int, *, lock: bool = False
) -> Case:
    """The case, after checking the caller's reach; with ``lock``, its record (first) and the
    case itself are locked until the step ends, and the case is read again under the lock."""
    case = get_case(conn, case_id)
    if principal is not None:
        access.reach(principal, get(conn, case.subject_code))
    if lock:
        lock_rows(conn, records, [case.record_id] if case.record_id else [])
        lock_rows(conn, cases, [case_id])
        case = get_case(conn, case_id)
    return case


@dataclass(frozen=True, slots=True)
class Dossier:
    """A case as an official sees it to decide it."""

    case: Case
    steps: list[Step]
    subject_name: str
    record: RecordView | None


class Cases:
    """Use cases of objections and credit repair."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def object(
        self,
        record_id: int,
        reason: str,
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Case:
        """Open an objection: the record is disputed from that day until the case is closed."""
        with self.core.transaction() as conn:
            _reach_record(conn, principal, record_id)
            day = self.core.today()
            return object_to(conn, self.core.catalog, record_id, day, by, reason)

    def decide_objection(
        self,
        case_id: int,
        *,
        uphold: bool,
        reasons: str,
        by: str,
        correction: dict[str, Any] | None = None,
        principal: Principal | None = None,
    ) -> Decided:
        """Uphold (correct or revoke the record, ending the listings it caused) or reject an
        objection, then re-evaluate the subject, all in one transaction."""
        core = self.core
        with core.transaction() as conn:
            found = _reach_case(conn, principal, case_id, lock=True)
            if found.kind is not CaseKind.OBJECTION:
                raise Conflict(f"{found.reference} is not an objection")
            day = core.today()
            decision = decide_objection(
                conn,
                core.library,
                core.catalog,
                case_id,
                day,
                by,
                upheld=uphold,
                reasons=reasons,
                correction=correction,
            )
            runs = core.reevaluate(conn, [decision.case.subject_id], day)
        return Decided(decision.case, decision.ended, runs, decision)

    def repair_eligibility(self, record_id: int, on: date | None = None) -> Eligibility:
        """Whether a record may be repaired on a day, and from when if not yet."""
        with self.core.reading() as conn:
            return eligibility(conn, self.core.catalog, record_id, on or self.core.today())

    def apply_for_repair(
        self,
        record_id: int,
        materials: tuple[str, ...],
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Case:
        """Apply for credit repair of a record; the platform's deadline runs in working days."""
        with self.core.transaction() as conn:
            _reach_record(conn, principal, record_id)
            return apply_for_repair(
                conn,
                self.core.catalog,
                WorkCalendar.from_database(conn),
                record_id,
                self.core.today(),
                by,
                materials,
            )

    def forward(
        self,
        case_id: int,
        authority: str,
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Case:
        """Forward a repair application to the authority that decides it."""
        with self.core.transaction() as conn:
            _reach_case(conn, principal, case_id, lock=True)
            return forward(
                conn,
                WorkCalendar.from_database(conn),
                case_id,
                self.core.today(),
                by,
                authority,
            )

    def decide_repair(
        self,
        case_id: int,
        *,
        grant: bool,
        reasons: str,
        by: str,
        principal: Principal | None = None,
    ) -> Decided:
        """Grant (the record leaves public view, its listings end) or refuse a repair, then
        re-evaluate the subject, all in one transaction."""
        core = self.core
        with core.transaction() as conn:
            found = _reach_case(conn, principal, case_id, lock=True)
            if found.kind is not CaseKind.REPAIR:
                raise Conflict(f"{found.reference} is not a repair application")
            day = core.today()
            decision = decide_repair(
                conn,
                core.library,
                core.catalog,
                case_id,
                day,
                by,
                granted=grant,
                reasons=reasons,
            )
            runs = core.reevaluate(conn, [decision.case.subject_id], day)
        return Decided(decision.case, decision.ended, runs, decision)

    # -- reading --------------------------------------------------------------------------------
    def case(self, case_id: int, principal: Principal | None = None) -> Case:
        """A case; read by an official, it is written to the subject's access log."""
        with self.core.transaction() as conn:
            found = _reach_case(conn, principal, case_id)
            if principal is not None:
                access.log_read(
                    conn, principal, found.subject_id, f"case {found.reference}", HANDLING
                )
            return found

    def dossier(self, case_id: int, principal: Principal) -> Dossier:
        """What an official decides a case on: the case, its steps, the subject's name and the
        disputed record as stored; one read, written to the subject's access log."""
        access.authorize(principal, Permission.CASES_DECIDE)
        with self.core.transaction() as conn:
            found = _reach_case(conn, principal, case_id)
            subject = get(conn, found.subject_code)
            record = next(
                (r for r in subject_records(conn, subject.id) if r.id == found.record_id), None
            )
            access.log_read(conn, principal, subject.id, f"case {found.reference}", HANDLING)
            return Dossier(found, timeline(conn, case_id), subject.name, record)

    def timeline(self, case_id: int) -> tuple[Case, list[Step]]:
        with self.core.reading() as conn:
            return get_case(conn, case_id), timeline(conn, case_id)

    def inbox(
        self,
        *,
        kind: CaseKind | None = None,
        overdue: bool = False,
        on: date | None = None,
        principal: Principal | None = None,
        limit: int | None = None,
    ) -> list[Case]:
        """Open cases on a day, most urgent first; a token's region limits which."""
        with self.core.reading() as conn:
            found = inbox(conn, on or self.core.today(), kind=kind, overdue_only=overdue)
            if principal is not None:
                regions = regions_of(conn, {c.subject_code for c in found})
                found = [
                    c
                    for c in found
                    if access.in_scope(principal, c.subject_code, regions.get(c.subject_code))
                ]
        return found[:limit] if limit else found

    def own(self, case_id: int, principal: Principal) -> tuple[Case, list[Step]]:
        """A subject's own case and its timeline; another subject's case is refused."""
        with self.core.reading() as conn:
            found = get_case(conn, case_id)
            if found.subject_code != principal.subject_code or found.kind is CaseKind.LINK:
                raise Forbidden(f"case {case_id} is not yours")
            return found, timeline(conn, case_id)

    def of_subject(self, code: str) -> list[Case]:
        """A subject's own cases (as the subject sees them: no proposed record links)."""
        with self.core.reading() as conn:
            return cases_of(conn, get(conn, code).id, own=True)
