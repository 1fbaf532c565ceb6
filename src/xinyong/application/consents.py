"""Consent-based checks of domestic workers as use cases: a worker gives one employer a
consent for one service category and may withdraw it; the employer checks the worker under
the consents that hold, and gets a pass or a flag per category; both see the consents and the
checks. Over the HTTP service and the portal the caller is a signed-in subject (the worker, or
the employer); at the command line an operator acts for them and is named."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from xinyong.application.base import Core
from xinyong.disclosure import consents
from xinyong.disclosure.consents import Answer, Asked, Consent
from xinyong.disclosure.tokens import Principal, Role
from xinyong.errors import Forbidden
from xinyong.reference.services import CategorySet
from xinyong.registry.subjects import get, names_of


@dataclass(frozen=True, slots=True)
class Shown:
    """A consent with the names of both sides and its state on the day."""

    consent: Consent
    state: str
    worker_code: str
    worker_name: str
    employer_code: str
    employer_name: str


@dataclass(frozen=True, slots=True)
class Mine:
    """What a subject sees of consents: those it gave, those given to it, and the checks."""

    given: list[Shown]
    received: list[Shown]
    checks_about_me: list[Asked]
    checks_by_me: list[Asked]


def _own(principal: Principal | None, code: str, what: str) -> None:
    if principal is None:
        return
    if principal.role is not Role.SUBJECT or principal.subject_code != code:
        raise Forbidden(f"{what} is for the subject itself, signed in with its own token")


class Consents:
    """The consent use cases."""

    def __init__(self, core: Core) -> None:
        self.core = core

    def grant(
        self,
        worker_code: str,
        employer_code: str,
        category: str,
        days: int,
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Shown:
        _own(principal, worker_code, "giving a consent")
        core = self.core
        with core.transaction() as conn:
            worker, employer = get(conn, worker_code), get(conn, employer_code)
            made = consents.grant(conn, worker, employer, category, days, core.today(), by)
            return self._shown(conn, [made])[0]

    def revoke(
        self, consent_id: int, worker_code: str, *, by: str, principal: Principal | None = None
    ) -> Shown:
        _own(principal, worker_code, "withdrawing a consent")
        with self.core.transaction() as conn:
            worker = get(conn, worker_code)
            done = consents.revoke(conn, consent_id, worker.id, by)
            return self._shown(conn, [done])[0]

    def _shown(self, conn: Connection, found: list[Consent]) -> list[Shown]:
        """Consents with the codes and names of both sides and their state today."""
        today = self.core.today()
        names = names_of(conn, [c.worker_id for c in found] + [c.employer_id for c in found])
        shown = []
        for c in found:
            worker, employer = names[c.worker_id], names[c.employer_id]
            shown.append(Shown(c, c.state(today), worker[0], worker[1], employer[0], employer[1]))
        return shown

    def check(
        self,
        employer_code: str,
        worker_code: str,
        *,
        by: str,
        principal: Principal | None = None,
    ) -> Answer:
        """The check, or :class:`Forbidden` when no consent holds (the refusal is kept)."""
        _own(principal, employer_code, "a consent check")
        caller = principal or Principal(by, Role.SUBJECT, subject_code=employer_code)
        core = self.core
        with core.transaction() as conn:
            worker, employer = get(conn, worker_code), get(conn, employer_code)
            found = consents.check(
                conn, core.library, core.catalog, caller, worker, employer, core.today()
            )
        if isinstance(found, consents.Refusal):
            raise Forbidden(f"{found.reason} (check {found.reference} refused)").saying(
                "consent_missing", reference=found.reference
            )
        return found

    def mine(self, code: str, *, principal: Principal | None = None) -> Mine:
        _own(principal, code, "the consents page")
        with self.core.reading() as conn:
            subject = get(conn, code)
            given = self._shown(conn, consents.of_worker(conn, subject.id))
            received = self._shown(conn, consents.of_employer(conn, subject.id))
            about = consents.checks_of(conn, worker_id=subject.id)
            by_me = consents.checks_of(conn, employer_id=subject.id)
        return Mine(given, received, about, by_me)

    def categories(self) -> CategorySet:
        """The service categories a consent may name (data/services/domestic.yaml)."""
        return consents.categories()
