"""Listing terms as the law sets them, extension by a later record, and exit by an event
record.

A list's grounds (its ``enter`` condition, or each of its ``any`` alternatives) may each set a
term: a period, ``open`` (no fixed term: the listing runs until its exit event) or the term the
deciding authority wrote into its decision (the greatest value of a number attribute among the
ground's records). A listing proposed on several grounds takes the longest of their terms; a
ground that sets none takes the list's own period.

A list with ``extend`` extends a listing in effect by a later record of its item (the record
joins the listing's records), from the listing's current end, by a period or by the term the
record sets. A list with ``exit`` ends a listing when a record of the exit item arrives,
decided on or after the newest record behind the listing (the obligation performed): a listing
in effect is exited and a pending one dropped, on the day the record is stored, with the
deadline the law gives for the deletion (``within_working_days`` of the record's decision) kept
in the event. A candidate whose exit record is already there is not proposed, and the records
behind an ended listing never list the subject again
(:func:`xinyong.dueprocess.memberships.spent_records`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, or_

from xinyong.backends.tables import read_tables
from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Period
from xinyong.dueprocess.lifecycle import OPEN, ExitReason, State
from xinyong.dueprocess.memberships import PENDING, Listing, as_listing, listing_query
from xinyong.reference.workdays import WorkCalendar
from xinyong.schemes.conditions import AttributeTerm, Condition
from xinyong.schemes.ir import ConditionNode, Measure, Plan, RecordSet, Window, plan, record_set
from xinyong.schemes.library import Library
from xinyong.schemes.model import ListDef, RecordCondition, Scheme
from xinyong.schemes.oracle import Result, counted, holds, matching
from xinyong.store.tables import listings


def _longest(terms: list[str]) -> str:
    if OPEN in terms:
        return OPEN
    return max(terms, key=lambda t: (Period.parse(t).approx_days(), t))


def _term(
    term: Period | str | AttributeTerm | None,
    default: str,
    rows: list[dict[str, Any]],
) -> str:
    """A ground's term as a listing stores it (``2Y``, ``open``), read from ``rows`` (the
    ground's records) where the decision sets it."""
    if term is None:
        return default
    if isinstance(term, AttributeTerm):
        values = [
            float(v) for r in rows if (v := (r["attributes"] or {}).get(term.attribute)) is not None
        ]
        return str(Period(int(max(values)), term.unit)) if values else default
    return str(term)


def listing_term(
    definition: ListDef,
    resolved: Plan,
    subject: dict[str, Any],
    result: Result,
    rows: list[dict[str, Any]],
) -> str:
    """The term of a listing proposed now: the longest term of the grounds that hold."""
    node = dict(resolved.lists)[definition.id]
    default = _term(definition.enter.term, str(definition.period), rows)
    if not definition.enter.alternatives:
        records = (
            matching(rows, resolved.measures[node.measure]) if node.measure is not None else []
        )
        return _term(definition.enter.term, str(definition.period), records)
    terms = []
    pairs: list[tuple[Condition, ConditionNode]] = list(
        zip(definition.enter.alternatives, node.alternatives, strict=True)
    )
    for ground, alternative in pairs:
        if not holds(alternative, subject, list(result.measures), result.score):
            continue
        records = (
            matching(rows, resolved.measures[alternative.measure])
            if alternative.measure is not None
            else []
        )
        terms.append(_term(ground.term, default, records))
    return _longest(terms or [default])


@dataclass(frozen=True, slots=True)
class Performed:
    """The record that ends a listing, and when the law wants the deletion by."""

    record_id: int
    decided_on: date
    deadline: date
    warnings: tuple[str, ...]


def exit_record(
    conn: Connection,
    scheme: Scheme,
    definition: ListDef,
    catalog: Catalog,
    on: date,
    rows: list[dict[str, Any]],
    behind: list[int],
) -> Performed | None:
    """The first record of the list's exit item decided on or after the newest record behind
    a listing (None: the list has no exit, or no such record has come)."""
    if definition.exit is None:
        return None
    decided = [r["decided_on"] for r in rows if r["id"] in set(behind)]
    since = max(decided) if decided else None
    found = sorted(
        (
            r
            for r in _of_any_date(scheme, catalog, on, definition.exit.records, rows)
            if since is None or r["decided_on"] >= since
        ),
        key=lambda r: (r["decided_on"], r["id"]),
    )
    if not found:
        return None
    first = found[0]
    days = definition.exit.within_working_days
    due = WorkCalendar.from_database(conn).add(first["decided_on"], days)
    return Performed(int(first["id"]), first["decided_on"], due.due, due.warnings)


def follow_later_records(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    subject_ids: set[int] | list[int],
    on: date,
    actor: str,
) -> list[Listing]:
    """Follow the records a batch stored for ``subject_ids``: each pending or current listing
    on a list with ``extend`` or ``exit`` is extended by a later record of its extend item, and
    ended once its exit record has arrived (dropped if pending, exited as performed if in
    effect)."""
    from xinyong.dueprocess.listings import drop, exit_listing

    keys = {(s.id, d.id) for s in library for d in s.definition.lists if d.exit or d.extend}
    if not keys or not subject_ids:
        return []
    ended = []
    for listing in _open_listings(conn, sorted(set(subject_ids)), keys):
        pending = listing.state.state.value in PENDING
        if not (pending or listing.state.in_effect(on)):
            continue
        scheme = _scheme(library, listing)
        definition = next(d for d in scheme.definition.lists if d.id == listing.list_id)
        resolved = plan(scheme, catalog, on)
        rows = counted(resolved, read_tables(conn, [listing.subject_id]))
        if definition.extend is not None and listing.state.in_effect(on):
            listing = _extend(conn, scheme, definition, catalog, on, rows, listing, actor)
        performed = exit_record(
            conn, scheme, definition, catalog, on, rows, list(listing.record_ids)
        )
        if performed is None:
            continue
        note = f"record #{performed.record_id}: obligations performed"
        details = {
            "record": performed.record_id,
            "decided_on": performed.decided_on.isoformat(),
            "delete_by": performed.deadline.isoformat(),
            "late": on > performed.deadline,
            "warnings": list(performed.warnings),
        }
        if pending:
            ended.append(drop(conn, listing.id, on, actor, ExitReason.PERFORMED.value, note))
        elif listing.state.state is State.LISTED:
            ended.append(
                exit_listing(conn, listing.id, on, actor, ExitReason.PERFORMED, note, details)
            )
    return ended


def _extend(
    conn: Connection,
    scheme: Scheme,
    definition: ListDef,
    catalog: Catalog,
    on: date,
    rows: list[dict[str, Any]],
    listing: Listing,
    actor: str,
) -> Listing:
    """Extend a listing once for each later record of the list's ``extend`` item not yet
    behind it, in the order they were decided."""
    from xinyong.dueprocess.listings import extend_listing

    assert definition.extend is not None
    if listing.state.listed_until is None:
        return listing  # no fixed term: nothing to extend
    behind = set(listing.record_ids)
    start = listing.state.listed_from
    later = sorted(
        (
            r
            for r in _of_any_date(scheme, catalog, on, definition.extend.records, rows)
            if r["id"] not in behind and start is not None and r["decided_on"] >= start
        ),
        key=lambda r: (r["decided_on"], r["id"]),
    )
    for record in later:
        assert listing.state.listed_until is not None
        term = Period.parse(_term(definition.extend.by, "0D", [record]))
        if term.amount <= 0:
            continue  # the record sets no term
        until = term.after(listing.state.listed_until)
        listing = extend_listing(conn, listing.id, on, actor, until, int(record["id"]))
    return listing


def _of_any_date(
    scheme: Scheme,
    catalog: Catalog,
    on: date,
    condition: RecordCondition,
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """The rows a record condition names, decided on any day up to ``on`` whatever the
    scheme's window (an exit or an extension may come years after the listing)."""
    wanted = record_set(scheme, catalog, on, condition)
    every = RecordSet(wanted.items, wanted.severities, wanted.attrs, Window(None, on))
    return matching(rows, Measure("count", every))


def _open_listings(
    conn: Connection, subject_ids: list[int], keys: set[tuple[str, str]]
) -> list[Listing]:
    """The pending or listed listings of ``subject_ids`` on the lists ``keys``, one query per
    5,000 subjects."""
    found = []
    states = [*PENDING, State.LISTED.value]
    lists = or_(*(and_(listings.c.scheme_id == s, listings.c.list_id == n) for s, n in keys))
    for start in range(0, len(subject_ids), 5000):
        part = subject_ids[start : start + 5000]
        query = listing_query().where(
            listings.c.subject_id.in_(part), listings.c.state.in_(states), lists
        )
        found += [as_listing(conn, row) for row in conn.execute(query.order_by(listings.c.id))]
    return found


def _scheme(library: Library, listing: Listing) -> Scheme:
    return library.get(f"{listing.scheme_id}@{listing.scheme_version}")
