"""Who is on which list: a listing as stored (its state and the records behind it), its
events, and the members of a list or the lists of a subject on a day. Reading only; the steps
that change a listing are in :mod:`xinyong.dueprocess.listings`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
)

from xinyong.dueprocess.lifecycle import Action, Event, ListingState, State, replay
from xinyong.errors import NotFound
from xinyong.store.tables import listing_events, listing_records, listings, subjects

PENDING = (State.PROPOSED.value, State.NOTIFIED.value, State.SIGNED_OFF.value)


@dataclass(frozen=True, slots=True)
class Listing:
    id: int
    subject_id: int
    subject_code: str
    scheme_id: str
    scheme_version: int
    list_id: str
    list_kind: str
    run_id: int | None
    state: ListingState
    record_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.scheme_id}/{self.list_id}"


def listing_query() -> Select[Any]:
    return select(listings, subjects.c.code).join(subjects, subjects.c.id == listings.c.subject_id)


def in_effect_on(at: date | BindParameter[date]) -> ColumnElement[bool]:
    """SQL for :meth:`ListingState.in_effect`: listed by ``at``, period not over, not exited."""
    return and_(
        listings.c.listed_from <= at,
        # an open-ended listing (no end date) runs until it is exited
        or_(listings.c.listed_until > at, listings.c.listed_until.is_(None)),
        or_(listings.c.exited_on.is_(None), listings.c.exited_on > at),
    )


def get_listing(conn: Connection, listing_id: int) -> Listing:
    row = conn.execute(listing_query().where(listings.c.id == listing_id)).first()
    if row is None:
        raise NotFound(f"no listing #{listing_id}")
    return as_listing(conn, row)


def as_listing(conn: Connection, row: Any) -> Listing:
    record_ids = tuple(
        r
        for (r,) in conn.execute(
            select(listing_records.c.record_id)
            .where(listing_records.c.listing_id == row.id)
            .order_by(listing_records.c.record_id)
        )
    )
    return _listing(row, record_ids)


def _listing(row: Any, record_ids: tuple[int, ...]) -> Listing:
    state = ListingState(
        state=State(row.state),
        proposed_on=row.proposed_on,
        period=row.period,
        notice_period=row.notice_period,
        notified_on=row.notified_on,
        objection_deadline=row.objection_deadline,
        signed_off_on=row.signed_off_on,
        signed_off_by=row.signed_off_by,
        listed_from=row.listed_from,
        listed_until=row.listed_until,
        exited_on=row.exited_on,
        exit_reason=row.exit_reason,
    )
    return Listing(
        row.id,
        row.subject_id,
        row.code,
        row.scheme_id,
        row.scheme_version,
        row.list_id,
        row.list_kind,
        row.run_id,
        state,
        record_ids,
    )


def events(conn: Connection, listing_id: int) -> list[Event]:
    rows = conn.execute(
        select(listing_events)
        .where(listing_events.c.listing_id == listing_id)
        .order_by(listing_events.c.seq)
    )
    return [
        Event(Action(r.action), r.effective_on, r.actor, r.reason, dict(r.details or {}))
        for r in rows
    ]


def verify(conn: Connection, listing_id: int) -> bool:
    """Whether the stored state is exactly what replaying the listing's events gives."""
    return replay(events(conn, listing_id)) == get_listing(conn, listing_id).state


def active(conn: Connection, subject_id: int, key: str, on: date) -> Listing | None:
    """A listing of the subject on that list that is pending or in effect on ``on``."""
    scheme_id, list_id = key.split("/")
    row = conn.execute(
        listing_query()
        .where(
            listings.c.subject_id == subject_id,
            listings.c.scheme_id == scheme_id,
            listings.c.list_id == list_id,
            or_(
                listings.c.state.in_(PENDING),
                and_(
                    listings.c.state == State.LISTED.value,
                    or_(listings.c.listed_until > on, listings.c.listed_until.is_(None)),
                ),
            ),
        )
        .order_by(listings.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else as_listing(conn, row)


def memberships(conn: Connection, subject_id: int, at: date) -> list[Listing]:
    """The subject's listings in effect on ``at``; periods end by themselves."""
    rows = conn.execute(
        listing_query()
        .where(
            listings.c.subject_id == subject_id,
            in_effect_on(at),
        )
        .order_by(listings.c.id)
    )
    return [as_listing(conn, r) for r in rows]


def standing(conn: Connection, subject_id: int, at: date) -> tuple[list[Listing], list[Listing]]:
    """The subject's listings in effect on ``at`` (as :func:`memberships`) and those still
    pending (proposed, notified, signed off: not yet in effect), each with its records, in
    one query: what a check at the counter reads."""
    rows = conn.execute(_STANDING, {"subject_id": subject_id, "at": at}).all()
    in_effect: list[Listing] = []
    pending: list[Listing] = []
    for _, group in groupby(rows, key=lambda r: r.id):
        found = list(group)
        first = found[0]
        linked = tuple(r.linked_record for r in found if r.linked_record is not None)
        listing = _listing(first, linked)
        # the query reads only these two kinds: not in effect is pending
        (in_effect if first.in_effect else pending).append(listing)
    return in_effect, pending


def _standing() -> Select[Any]:
    effective = in_effect_on(bindparam("at", type_=Date))
    # the states as plain parameters: an IN list would be expanded anew on every run
    pending = or_(*(listings.c.state == bindparam(f"state_{s}", s) for s in PENDING))
    return (
        listing_query()
        .add_columns(
            listing_records.c.record_id.label("linked_record"),
            case((effective, 1), else_=0).label("in_effect"),
        )
        .outerjoin(listing_records, listing_records.c.listing_id == listings.c.id)
        .where(listings.c.subject_id == bindparam("subject_id"), or_(effective, pending))
        .order_by(listings.c.id, listing_records.c.record_id)
    )


#: The statement of :func:`standing`, built once.
_STANDING = _standing()


def members(conn: Connection, key: str, at: date) -> list[Listing]:
    """Everyone on a list (``scheme-id/list-id``) on ``at``, as published."""
    scheme_id, _, list_id = key.partition("/")
    rows = conn.execute(
        listing_query()
        .where(
            listings.c.scheme_id == scheme_id,
            listings.c.list_id == list_id,
            in_effect_on(at),
        )
        .order_by(listings.c.listed_from, listings.c.id)
    )
    return [as_listing(conn, r) for r in rows]


def members_page(
    conn: Connection, key: str, at: date, offset: int = 0, limit: int = 50
) -> tuple[int, list[Listing]]:
    """One page of a list's members on ``at`` and how many there are in all."""
    scheme_id, _, list_id = key.partition("/")
    where = (listings.c.scheme_id == scheme_id, listings.c.list_id == list_id, in_effect_on(at))
    total = conn.execute(select(func.count()).select_from(listings).where(*where)).scalar_one()
    rows = conn.execute(
        listing_query()
        .where(*where)
        .order_by(listings.c.listed_from.desc(), listings.c.id)
        .offset(offset)
        .limit(limit)
    )
    return int(total), [as_listing(conn, r) for r in rows]


def sizes(conn: Connection, key: str, days: Sequence[date]) -> list[int]:
    """How many were on a list on each of ``days`` (one count per day)."""
    scheme_id, _, list_id = key.partition("/")
    counted = []
    for day in days:
        where = (listings.c.scheme_id == scheme_id, listings.c.list_id == list_id)
        query = select(func.count()).select_from(listings).where(*where, in_effect_on(day))
        counted.append(int(conn.execute(query).scalar_one()))
    return counted


#: The states in which a listing waits for an official's step.
WAITING = (State.PROPOSED, State.NOTIFIED, State.SIGNED_OFF)


def in_progress(conn: Connection, limit: int = 500) -> list[Listing]:
    """Listings that wait for a step (notice, sign-off, taking effect), the oldest first."""
    rows = conn.execute(
        listing_query()
        .where(listings.c.state.in_([s.value for s in WAITING]))
        .order_by(listings.c.proposed_on, listings.c.id)
        .limit(limit)
    )
    return [as_listing(conn, r) for r in rows]


def listings_of(conn: Connection, subject_id: int) -> list[Listing]:
    rows = conn.execute(
        listing_query().where(listings.c.subject_id == subject_id).order_by(listings.c.id)
    )
    return [as_listing(conn, r) for r in rows]


def spent_records(conn: Connection, subject_id: int, key: str) -> set[int]:
    """The records behind the subject's listings on a list that have ended (exited: the
    period served, the obligations performed, repaired, revoked): they cannot list it again."""
    scheme_id, _, list_id = key.partition("/")
    rows = conn.execute(
        select(listing_records.c.record_id)
        .join(listings, listings.c.id == listing_records.c.listing_id)
        .where(
            listings.c.subject_id == subject_id,
            listings.c.scheme_id == scheme_id,
            listings.c.list_id == list_id,
            listings.c.state == State.EXITED.value,
        )
    )
    return {int(r) for (r,) in rows}
