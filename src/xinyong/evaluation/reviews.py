"""Scheme reviews: no version is published without one.

A person submits a version: its own test cases must pass, and its impact report (see
:mod:`xinyong.evaluation.impact`) is stored with the file's SHA-256, the day it was measured on
and the version it was measured against; a newer submission of the same version supersedes an
open one. Another person approves it: the approval is refused to the submitter, to a file that
changed since it was submitted, and to a version with no open review; it is taken inside the
audit log's lock and re-checked there, so two approvals at once give one publication.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from xinyong import clock
from xinyong.errors import Conflict, Forbidden
from xinyong.evaluation.impact import Impact
from xinyong.schemes.model import Scheme
from xinyong.store.tables import scheme_reviews

SUBMITTED, APPROVED, SUPERSEDED = "submitted", "approved", "superseded"


@dataclass(frozen=True, slots=True)
class Review:
    id: int
    scheme: str
    sha256: str
    against: str | None
    as_of: date
    cases_passed: int
    cases_total: int
    impact: dict[str, Any]
    submitted_by: str
    submitted_at: datetime
    state: str
    decided_by: str | None
    decided_at: datetime | None


def _review(row: Any) -> Review:
    return Review(
        row.id,
        f"{row.scheme_id}@{row.scheme_version}",
        row.sha256,
        row.against,
        row.as_of,
        row.cases_passed,
        row.cases_total,
        row.impact,
        row.submitted_by,
        row.submitted_at,
        row.state,
        row.decided_by,
        row.decided_at,
    )


def _of(scheme: Scheme) -> Any:
    return (scheme_reviews.c.scheme_id == scheme.id) & (
        scheme_reviews.c.scheme_version == scheme.version
    )


def submit(conn: Connection, scheme: Scheme, impact: Impact, cases: int, by: str) -> Review:
    """Store the version's review (its ``cases`` all passed: the caller ran them), superseding
    an open one of the same version."""
    conn.execute(
        update(scheme_reviews)
        .where(_of(scheme), scheme_reviews.c.state == SUBMITTED)
        .values(state=SUPERSEDED)
    )
    review_id = conn.execute(
        insert(scheme_reviews).returning(scheme_reviews.c.id),
        {
            "scheme_id": scheme.id,
            "scheme_version": scheme.version,
            "sha256": scheme.sha256,
            "against": impact.against,
            "as_of": impact.as_of,
            "cases_passed": cases,
            "cases_total": cases,
            "impact": impact.to_json(),
            "submitted_by": by,
            "submitted_at": clock.now(),
            "state": SUBMITTED,
        },
    ).scalar_one()
    return get(conn, int(review_id))


def get(conn: Connection, review_id: int) -> Review:
    row = conn.execute(select(scheme_reviews).where(scheme_reviews.c.id == review_id)).one()
    return _review(row)


def latest(conn: Connection, scheme: Scheme) -> Review | None:
    """The version's newest review, whatever its state."""
    row = conn.execute(
        select(scheme_reviews).where(_of(scheme)).order_by(scheme_reviews.c.id.desc()).limit(1)
    ).first()
    return None if row is None else _review(row)


def approve(conn: Connection, scheme: Scheme, by: str) -> Review:
    """Approve the version's open review (call inside the audit log's lock)."""
    found = latest(conn, scheme)
    if found is None or found.state != SUBMITTED:
        raise Conflict(
            f"{scheme.key} has no review waiting: submit it first, so that its cases and its "
            "impact report are stored with it"
        )
    if found.sha256 != scheme.sha256:
        raise Conflict(
            f"{scheme.key} changed since review #{found.id} was submitted: submit it again"
        )
    if found.submitted_by == by:
        raise Forbidden(f"{by} submitted {scheme.key} for review; a second person approves it")
    conn.execute(
        update(scheme_reviews)
        .where(scheme_reviews.c.id == found.id)
        .values(state=APPROVED, decided_by=by, decided_at=clock.now())
    )
    return get(conn, found.id)
