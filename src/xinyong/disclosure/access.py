"""Who may do what, over which subjects, and the log of every read of non-public data.

One policy table (:data:`POLICY`) says which role holds which permission; the HTTP service asks
it on every route, and the tests walk it as a matrix of role x route x region. Two rules narrow a
permission to subjects: a subject's token opens only its own file, and a token with a region sees
only subjects registered under that region (a city's office sees its city; a province's office
sees its cities).

A read of non-public data is allowed only with a declared purpose and legal basis, and is written
to ``access_log`` in the same transaction as the read; if that write fails the caller gets
nothing. The subject can list who read its file.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import SQLAlchemyError

from xinyong import clock
from xinyong.disclosure.tokens import Principal, Role
from xinyong.errors import AccessNotLogged, Forbidden, InvalidInput
from xinyong.reference.regions import region_prefix
from xinyong.store.tables import access_log


class Permission(enum.StrEnum):
    PUBLIC = "public"  # public records, lists, schemes, the catalog
    OWN_FILE = "file.own"  # a subject's own full file, its cases, who read it
    FILE = "file.read"  # any subject's full file, for a declared purpose
    READERS = "file.readers"  # who read a subject's file
    SUBMIT = "records.submit"
    AMEND = "records.amend"  # corrections and revocations of a department's own records
    CHECK = "check"
    EVALUATE = "evaluations.run"
    EXPLAIN = "evaluations.explain"
    LISTINGS = "listings.decide"
    CASES_FILE = "cases.file"
    CASES_DECIDE = "cases.decide"
    SCHEMES = "schemes.manage"  # run a scheme's test cases, publish a version
    WEBHOOKS = "webhooks.manage"
    AUDIT = "audit.read"
    DRAW = "inspections.draw"  # commit a draw of an inspection plan, enter its seed
    INSPECT = "inspections.results"  # enter the result of an inspection
    AGENCIES = "agencies.manage"  # register rating agencies, suspend and reinstate them
    CONSENT = "consents"  # give and withdraw consents; check a worker under one given to you


P = Permission
POLICY: dict[Role, frozenset[Permission]] = {
    Role.PUBLIC: frozenset({P.PUBLIC}),
    Role.SUBJECT: frozenset({P.PUBLIC, P.OWN_FILE, P.CASES_FILE, P.CONSENT}),
    Role.DEPARTMENT: frozenset({P.PUBLIC, P.FILE, P.SUBMIT, P.AMEND, P.CHECK, P.INSPECT}),
    Role.AGENCY: frozenset({P.PUBLIC, P.FILE, P.SUBMIT}),
    Role.OFFICIAL: frozenset(
        {
            P.PUBLIC,
            P.FILE,
            P.READERS,
            P.AMEND,
            P.CHECK,
            P.EVALUATE,
            P.EXPLAIN,
            P.LISTINGS,
            P.CASES_FILE,
            P.CASES_DECIDE,
            P.SCHEMES,
            P.WEBHOOKS,
            P.AUDIT,
            P.DRAW,
            P.INSPECT,
            P.AGENCIES,
        }
    ),
    Role.AUDITOR: frozenset({P.PUBLIC, P.READERS, P.AUDIT}),
}
"""The whole of who may do what. A route names one permission; nothing else grants access."""


def holds(principal: Principal, permission: Permission) -> bool:
    return permission in POLICY[principal.role]


def authorize(principal: Principal, permission: Permission) -> None:
    if not holds(principal, permission):
        raise Forbidden(f"the role {principal.role.value} does not hold {permission.value}")


def in_scope(principal: Principal, code: str, region_code: str | None) -> bool:
    """Whether the principal's token reaches a subject with this code and region."""
    if principal.role is Role.SUBJECT:
        return principal.subject_code == code
    prefix = region_prefix(principal.region_code)
    if prefix is None:
        return True
    return region_code is not None and region_code.startswith(prefix)


class Located(Protocol):
    """A subject as far as its reach goes: its code and its region (a ``Subject``, or the
    ``subjects`` row a check reads)."""

    @property
    def code(self) -> str: ...

    @property
    def region_code(self) -> str | None: ...


def reach(principal: Principal, subject: Located) -> None:
    """Refuse a subject outside the principal's reach, saying why."""
    if in_scope(principal, subject.code, subject.region_code):
        return
    if principal.role is Role.SUBJECT:
        raise Forbidden("a subject's token opens only that subject's own file")
    raise Forbidden(
        f"the token's region {principal.region_code} does not include the subject's "
        f"region {subject.region_code or '(none)'}"
    )


def reach_region(principal: Principal, region: str, what: str) -> None:
    """Refuse something filed under ``region`` (a scheme; ``000000`` for the whole country)
    that lies outside the principal's region."""
    prefix = region_prefix(principal.region_code)
    if prefix and not region.startswith(prefix):
        raise Forbidden(
            f"the token's region {principal.region_code} does not include {what} ({region})"
        )


@dataclass(frozen=True, slots=True)
class Purpose:
    """Why a non-public read is made, and under which law."""

    purpose: str
    legal_basis: str

    @classmethod
    def declared(cls, purpose: str | None, legal_basis: str | None) -> Purpose:
        if not (purpose or "").strip():
            raise InvalidInput(
                "X-Purpose: a read of non-public data must state its purpose",
                field="header.X-Purpose",
            )
        if not (legal_basis or "").strip():
            raise InvalidInput(
                "X-Legal-Basis: a read of non-public data must cite its basis",
                field="header.X-Legal-Basis",
            )
        return cls(str(purpose).strip()[:500], str(legal_basis).strip()[:500])


OWN = Purpose("the subject reads its own file", "the subject's right to see its own credit file")


def entry(
    principal: Principal, subject_id: int, resource: str, purpose: Purpose
) -> dict[str, object]:
    """The access-log row of one read, dated now: for :func:`log_read`, or for a use case that
    writes it together with its own row in one statement (the check)."""
    return {
        "read_at": clock.now(),
        "actor": principal.actor,
        "role": principal.role.value,
        "token_id": principal.token_id,
        "subject_id": subject_id,
        "resource": resource[:200],
        "purpose": purpose.purpose,
        "legal_basis": purpose.legal_basis,
    }


def log_read(
    conn: Connection, principal: Principal, subject_id: int, resource: str, purpose: Purpose
) -> None:
    """Write who read what of whose, why and under which law; in the caller's transaction."""
    log_read_entry(conn, entry(principal, subject_id, resource, purpose))


def log_read_entry(conn: Connection, row: dict[str, object]) -> None:
    """Write one access-log row made by :func:`entry` (a use case may set its role: an
    employer reading under a consent is not the subject reading its own file)."""
    try:
        conn.execute(insert(access_log), row)
    except SQLAlchemyError as error:
        raise AccessNotLogged(
            "the read could not be written to the access log, so nothing is returned "
            f"({type(error).__name__})"
        ) from None


@dataclass(frozen=True, slots=True)
class Read:
    read_at: datetime
    actor: str
    role: str
    resource: str
    purpose: str
    legal_basis: str


def readers(
    conn: Connection, subject_id: int, limit: int = 200, *, others_only: bool = False
) -> list[Read]:
    """Who read this subject's non-public data, newest first; with ``others_only``, not the
    subject's own reads of its file."""
    query = (
        select(
            access_log.c.read_at,
            access_log.c.actor,
            access_log.c.role,
            access_log.c.resource,
            access_log.c.purpose,
            access_log.c.legal_basis,
        )
        .where(access_log.c.subject_id == subject_id)
        .order_by(access_log.c.id.desc())
        .limit(limit)
    )
    if others_only:
        query = query.where(access_log.c.role != Role.SUBJECT.value)
    return [Read(*row) for row in conn.execute(query)]


def own_reads(conn: Connection, subject_id: int) -> int:
    """How many times the subject read its own file (shown as a count, apart from others)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(access_log)
            .where(access_log.c.subject_id == subject_id, access_log.c.role == Role.SUBJECT.value)
        ).scalar_one()
    )
