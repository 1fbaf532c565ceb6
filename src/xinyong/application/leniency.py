"""Leniency: the policies in force, tagging a subject into a class a policy names, individual
grants, and applications for a grant (a case with a deadline in working days)."""

from __future__ import annotations

from datetime import date

from xinyong.application.base import Core
from xinyong.catalog.terms import Period
from xinyong.dueprocess.cases import Case
from xinyong.dueprocess.leniency import (
    Policy,
    apply_for_leniency,
    decide_leniency,
    get_policy,
    grant,
)
from xinyong.reference.workdays import WorkCalendar
from xinyong.registry.subjects import Subject, get
from xinyong.registry.tags import add_tag


class Leniency:
    """Use cases of leniency policies."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def policies(self) -> list[Policy]:
        return self.core.policies

    def tag(
        self,
        code: str,
        tag: str,
        *,
        basis: str,
        by: str,
        on: date | None = None,
        until: date | None = None,
    ) -> date:
        """Put a subject in a class (e.g. ``epidemic_affected``) from a day, with its basis."""
        with self.core.transaction() as conn:
            day = on or self.core.today()
            add_tag(conn, get(conn, code).id, tag, day, source=by, basis=basis, valid_to=until)
            return day

    def grant(
        self, code: str, policy_id: str, *, grace: Period | None = None, on: date | None = None
    ) -> Subject:
        """An individual grant under a policy that works by grants."""
        policy = get_policy(self.core.policies, policy_id)
        with self.core.transaction() as conn:
            subject = get(conn, code)
            grant(conn, policy, subject.id, on or self.core.today(), grace=grace)
            return subject

    def apply(
        self,
        code: str,
        policy_id: str,
        reason: str,
        *,
        by: str,
        grace: Period | None = None,
    ) -> Case:
        """A subject's application for a grant; decided within working days."""
        policy = get_policy(self.core.policies, policy_id)
        with self.core.transaction() as conn:
            return apply_for_leniency(
                conn,
                WorkCalendar.from_database(conn),
                policy,
                get(conn, code).id,
                self.core.today(),
                by,
                reason,
                grace,
            )

    def decide(
        self,
        case_id: int,
        *,
        grant: bool,
        reasons: str,
        by: str,
        grace: Period | None = None,
    ) -> Case:
        """Grant (with the grace period given) or refuse an application."""
        with self.core.transaction() as conn:
            return decide_leniency(
                conn,
                self.core.policies,
                case_id,
                self.core.today(),
                by,
                granted=grant,
                reasons=reasons,
                grace=grace,
            )
