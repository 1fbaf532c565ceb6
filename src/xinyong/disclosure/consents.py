"""Consent-based checks: a worker lets one employer check it for one service category, for a
limited time, and may withdraw that at any time; the employer's check answers, per consented
category, only ``pass`` or ``flag`` with the kinds of the reasons, never the records.

The answer comes from a screening scheme in force (``type: screening``): the worker is
evaluated as of the day by the compiled query (a stored, incremental run the answer cites), and
each of the scheme's flags that holds flags the categories it ``screens``. A check without a
consent that holds on the day is refused, and the refusal is kept as a row too. An answered
check is a read of the worker's non-public data: it is written to the worker's access log, in
the same transaction, under the consent as its legal basis, so the worker sees it in "who read
my file". Granting, withdrawing and every check are in the audit log.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, insert, select, update

from xinyong import clock
from xinyong.catalog.items import Catalog
from xinyong.disclosure import access
from xinyong.disclosure.access import Purpose
from xinyong.disclosure.tokens import Principal
from xinyong.errors import Conflict, Forbidden, InvalidInput, NotFound
from xinyong.evaluation.runs import reevaluate
from xinyong.reference.identifiers import SubjectKind
from xinyong.reference.services import CategorySet, ServiceCategories
from xinyong.registry.subjects import Subject
from xinyong.schemes.library import Library
from xinyong.schemes.model import Scheme, SchemeType
from xinyong.store import audit
from xinyong.store.locks import lock_name, lock_rows
from xinyong.store.tables import consent_checks, consents, evaluation_results

#: The longest a consent may run, in days (our rule: a hiring decision takes weeks, not
#: months; a longer one would be a standing licence to watch the worker).
MAX_DAYS = 90
#: The purpose every consent states: this is a check before hiring, nothing else.
PURPOSE = "check before hiring for domestic service"
#: The legal basis a consent check cites in the worker's access log.
BASIS = "the worker's consent {ids} (PIPL art. 13(1)1 and art. 14)"
#: The role the access log gives an employer's read, apart from the worker's own reads.
EMPLOYER = "employer"


@dataclass(frozen=True, slots=True)
class Consent:
    id: int
    worker_id: int
    employer_id: int
    category_set: str
    category: str
    purpose: str
    valid_from: date
    valid_until: date
    granted_at: datetime
    granted_by: str
    revoked_at: datetime | None
    revoked_by: str | None

    def holds(self, on: date) -> bool:
        """Whether a check may be made under it on ``on``."""
        return self.revoked_at is None and self.valid_from <= on <= self.valid_until

    def state(self, on: date) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if on > self.valid_until:
            return "expired"
        return "valid"


@dataclass(frozen=True, slots=True)
class Reason:
    """The kind of a reason for a flag: the flag's id and names, nothing about the records."""

    kind: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """One category's answer: ``pass`` or ``flag`` (with the reasons' kinds), or ``unchecked``
    where no screening scheme in force covers the worker."""

    category: str
    zh: str
    en: str
    outcome: str
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Answer:
    reference: str
    at: date
    scheme: str | None
    outcomes: tuple[Outcome, ...]
    consent_ids: tuple[int, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "outcomes": [
                {
                    "category": o.category,
                    "outcome": o.outcome,
                    "reasons": [r.kind for r in o.reasons],
                }
                for o in self.outcomes
            ],
        }


@dataclass(frozen=True, slots=True)
class Refusal:
    reference: str
    at: date
    reason: str


@dataclass(frozen=True, slots=True)
class Asked:
    """A check as the worker and the employer see it afterwards."""

    reference: str
    at: date
    asked_at: datetime
    worker_id: int
    employer_id: int
    actor: str
    outcome: str
    refusal: str | None
    consent_ids: tuple[int, ...]
    answer: dict[str, Any] | None


def categories() -> CategorySet:
    return ServiceCategories.load()["domestic-service"]


def _consent(row: Any) -> Consent:
    return Consent(*(getattr(row, c.name) for c in consents.columns))


def get(conn: Connection, consent_id: int) -> Consent:
    row = conn.execute(select(consents).where(consents.c.id == consent_id)).first()
    if row is None:
        raise NotFound(f"no consent {consent_id}")
    return _consent(row)


def of_worker(conn: Connection, worker_id: int) -> list[Consent]:
    rows = conn.execute(
        select(consents).where(consents.c.worker_id == worker_id).order_by(consents.c.id.desc())
    )
    return [_consent(r) for r in rows]


def of_employer(conn: Connection, employer_id: int) -> list[Consent]:
    rows = conn.execute(
        select(consents).where(consents.c.employer_id == employer_id).order_by(consents.c.id.desc())
    )
    return [_consent(r) for r in rows]


def grant(
    conn: Connection,
    worker: Subject,
    employer: Subject,
    category: str,
    days: int,
    on: date,
    actor: str,
) -> Consent:
    """The worker's consent to the employer's check for ``category`` from ``on`` for ``days``
    days. One consent per worker, employer and category holds at a time (under a lock on
    the three, re-read inside it)."""
    if worker.kind is not SubjectKind.INDIVIDUAL:
        raise InvalidInput("only a person consents to a check of itself", field="worker")
    if employer.id == worker.id:
        raise InvalidInput("a worker does not check itself", field="employer")
    found = categories().get(category)
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"days: a consent lasts 1 to {MAX_DAYS} days", field="days")
    lock_name(conn, f"consent:{worker.id}:{employer.id}:{found.code}")
    for held in of_worker(conn, worker.id):
        if held.employer_id == employer.id and held.category == found.code and held.holds(on):
            raise Conflict(
                f"consent #{held.id} for {found.en} already holds until {held.valid_until}; "
                "withdraw it first to change it"
            ).saying("consent_exists", id=held.id, until=held.valid_until)
    now = clock.now()
    consent_id = conn.execute(
        insert(consents).returning(consents.c.id),
        {
            "worker_id": worker.id,
            "employer_id": employer.id,
            "category_set": categories().id,
            "category": found.code,
            "purpose": PURPOSE,
            "valid_from": on,
            "valid_until": on + timedelta(days=days - 1),
            "granted_at": now,
            "granted_by": actor,
        },
    ).scalar_one()
    audit.append(
        conn,
        actor=actor,
        action="consent.granted",
        target=f"consent:{consent_id}",
        subject_id=worker.id,
        details={"employer": employer.code, "category": found.code, "days": days},
    )
    return get(conn, int(consent_id))


def revoke(conn: Connection, consent_id: int, worker_id: int, actor: str) -> Consent:
    """Withdraw a consent, from now: the next check under it is refused. Locked and re-read,
    so of two withdrawals at once one wins and the other is a conflict."""
    lock_rows(conn, consents, [consent_id])
    held = get(conn, consent_id)
    if held.worker_id != worker_id:
        raise Forbidden("only the worker who gave a consent withdraws it")
    if held.revoked_at is not None:
        raise Conflict(f"consent #{consent_id} was already withdrawn").saying(
            "consent_revoked", id=consent_id
        )
    done = conn.execute(
        update(consents)
        .where(consents.c.id == consent_id, consents.c.revoked_at.is_(None))
        .values(revoked_at=clock.now(), revoked_by=actor)
    )
    if done.rowcount != 1:
        raise Conflict(f"consent #{consent_id} was already withdrawn")
    audit.append(
        conn,
        actor=actor,
        action="consent.revoked",
        target=f"consent:{consent_id}",
        subject_id=worker_id,
    )
    return get(conn, consent_id)


def screening_scheme(library: Library, on: date) -> Scheme | None:
    """The screening scheme in force on ``on`` for the shipped category set."""
    for scheme in library.in_force(on):
        definition = scheme.definition
        screening = definition.screening
        kind = definition.scheme.type
        if kind is SchemeType.SCREENING and screening and screening.categories == categories().id:
            return scheme
    return None


def _reference(on: date) -> str:
    return f"CON-{on:%Y%m%d}-{secrets.token_hex(5).upper()}"


def check(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    principal: Principal,
    worker: Subject,
    employer: Subject,
    on: date,
) -> Answer | Refusal:
    """The employer's check of the worker on ``on``: an answer per category the worker
    consented to, or a refusal (kept, and returned for the caller to raise after commit)."""

    def to_employer() -> list[Consent]:
        return [c for c in of_worker(conn, worker.id) if c.employer_id == employer.id]

    # locked, then read again: a withdrawal that committed first is seen
    lock_rows(conn, consents, [c.id for c in to_employer() if c.revoked_at is None])
    valid = [c for c in to_employer() if c.holds(on)]
    now = clock.now()
    row: dict[str, Any] = {
        "reference": _reference(on),
        "worker_id": worker.id,
        "employer_id": employer.id,
        "at": on,
        "asked_at": now,
        "actor": principal.actor,
        "consent_ids": [c.id for c in valid],
    }
    if not valid:
        reason = "no consent of the worker to this employer holds today"
        conn.execute(insert(consent_checks), {**row, "outcome": "refused", "refusal": reason})
        audit.append(
            conn,
            actor=principal.actor[: audit.ACTOR_LENGTH],
            action="consent.check_refused",
            target=f"consent-check:{row['reference']}",
            subject_id=worker.id,
            details={"employer": employer.code},
        )
        return Refusal(row["reference"], on, reason)
    outcomes, scheme, run_id = _outcomes(conn, library, catalog, worker, valid, on)
    answer = Answer(row["reference"], on, scheme, outcomes, tuple(c.id for c in valid))
    ids = ", ".join(f"#{c.id}" for c in valid)
    purpose = Purpose(
        f"{PURPOSE}: {', '.join(o.category for o in outcomes)}", BASIS.format(ids=ids)
    )
    read = access.entry(principal, worker.id, "consent", purpose)
    read["role"] = EMPLOYER
    access.log_read_entry(conn, read)
    conn.execute(
        insert(consent_checks),
        {**row, "outcome": "answered", "answer": answer.to_json(), "run_id": run_id},
    )
    audit.append(
        conn,
        actor=principal.actor[: audit.ACTOR_LENGTH],
        action="consent.checked",
        target=f"consent-check:{row['reference']}",
        subject_id=worker.id,
        details={"employer": employer.code, "consents": ids, "run": run_id},
    )
    return answer


def _outcomes(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    worker: Subject,
    valid: Sequence[Consent],
    on: date,
) -> tuple[tuple[Outcome, ...], str | None, int | None]:
    """Evaluate the worker under the screening scheme in force (an incremental run) and read
    which flags hold; each consented category passes or is flagged by them."""
    wanted = sorted({c.category for c in valid}, key=categories().codes.index)
    names = {code: categories().get(code) for code in wanted}
    scheme = screening_scheme(library, on)
    run_id = None
    found = None
    if scheme is not None:
        (run,) = reevaluate(conn, [scheme], catalog, [worker.id], on)
        run_id = run.id
        found = conn.execute(
            select(evaluation_results.c.lists).where(
                and_(
                    evaluation_results.c.run_id == run.id,
                    evaluation_results.c.subject_id == worker.id,
                )
            )
        ).first()
    if scheme is None or found is None:  # no scheme, or out of its scope (a minor, say)
        unchecked = tuple(Outcome(c, names[c].zh, names[c].en, "unchecked") for c in wanted)
        return unchecked, scheme.key if scheme else None, run_id
    outcomes = []
    holding = set((found.lists or "").split())
    flags = [d for d in scheme.definition.lists if d.id in holding]
    for code in wanted:
        reasons = tuple(Reason(d.id, d.name.zh, d.name.en) for d in flags if code in d.screens)
        outcome = "flag" if reasons else "pass"
        outcomes.append(Outcome(code, names[code].zh, names[code].en, outcome, reasons))
    return tuple(outcomes), scheme.key, run_id


def _asked(row: Any) -> Asked:
    return Asked(
        row.reference,
        row.at,
        row.asked_at,
        row.worker_id,
        row.employer_id,
        row.actor,
        row.outcome,
        row.refusal,
        tuple(row.consent_ids or ()),
        row.answer,
    )


def checks_of(
    conn: Connection,
    *,
    worker_id: int | None = None,
    employer_id: int | None = None,
    limit: int = 100,
) -> list[Asked]:
    """The checks asked about a worker, or by an employer, newest first."""
    query = select(consent_checks).order_by(consent_checks.c.id.desc()).limit(limit)
    if worker_id is not None:
        query = query.where(consent_checks.c.worker_id == worker_id)
    if employer_id is not None:
        query = query.where(consent_checks.c.employer_id == employer_id)
    return [_asked(r) for r in conn.execute(query)]
