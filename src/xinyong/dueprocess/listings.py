"""Listings in the database: proposals from an evaluation run, then each lifecycle step as a
dated event, with the notice to the subject written to the outbox in the same transaction.

The rules live in :mod:`xinyong.dueprocess.lifecycle`; this module gathers the facts a rule needs
(open objections on the records behind a listing, leniency deferrals), stores the event and the
state it gives, and can replay a listing's events to check the stored state.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from xinyong import clock
from xinyong.backends.tables import read_tables
from xinyong.catalog.items import Catalog
from xinyong.dueprocess.leniency import Policy, deferral
from xinyong.dueprocess.lifecycle import (
    Action,
    Event,
    ExitReason,
    ListingState,
    apply,
)
from xinyong.dueprocess.memberships import (
    PENDING,
    Listing,
    active,
    get_listing,
    spent_records,
)
from xinyong.dueprocess.terms import exit_record, listing_term
from xinyong.errors import InvalidInput
from xinyong.evaluation.runs import Run
from xinyong.schemes.ir import ConditionNode, Plan, plan
from xinyong.schemes.library import Library
from xinyong.schemes.model import Scheme
from xinyong.schemes.oracle import counted, evaluate, facts, matching
from xinyong.store import audit
from xinyong.store.events import append_step
from xinyong.store.outbox import enqueue
from xinyong.store.tables import (
    cases,
    evaluation_results,
    evaluation_runs,
    listing_events,
    listing_records,
    listings,
    records,
)


def _record(conn: Connection, listing_id: int, state: ListingState, event: Event) -> None:
    """Store a step: its event, and the state it gives as the listing's current state."""
    _append_event(conn, listing_id, state, event)
    conn.execute(update(listings).where(listings.c.id == listing_id).values(**state.columns()))


def _append_event(conn: Connection, listing_id: int, state: ListingState, event: Event) -> None:
    seq = append_step(
        conn,
        listing_events,
        "listing_id",
        listing_id,
        {
            "action": event.action.value,
            "state_after": state.state.value,
            "effective_on": event.on,
            "actor": event.actor,
            "reason": event.reason,
            "details": event.details,
        },
    )
    audit.append(
        conn,
        actor=event.actor,
        action=f"listing.{event.action.value}",
        target=f"listing:{listing_id}",
        details={
            "step": seq,
            "state_after": state.state.value,
            "effective_on": event.on,
            "reason": event.reason,
        },
    )


def _step(conn: Connection, listing: Listing, event: Event) -> Listing:
    state = apply(listing.state, event)
    _record(conn, listing.id, state, event)
    return get_listing(conn, listing.id)


def triggering_records(resolved: Plan, rows: list[dict[str, Any]], list_id: str) -> list[int]:
    """The records behind a subject's membership of a list, from the records the plan counts
    for that subject: those the entry condition counts, or, for a list entered by score, every
    counted record that a rule deducted points for."""
    chosen = _grounds(resolved, rows, dict(resolved.lists)[list_id])
    if not chosen:
        chosen = [
            r
            for rule in resolved.rules
            if rule.per_unit < 0
            for r in matching(rows, resolved.measures[rule.measure])
        ]
    return sorted({int(r["id"]) for r in chosen})


def _grounds(
    resolved: Plan, rows: list[dict[str, Any]], condition: ConditionNode
) -> list[dict[str, Any]]:
    """The records a condition counts, and those of each of its alternatives that holds on
    records alone (an alternative that needs fewer records than it has is not a ground)."""
    chosen = []
    if condition.measure is not None:
        chosen = matching(rows, resolved.measures[condition.measure])
    for alternative in condition.alternatives:
        if (
            alternative.measure is None
            or len(matching(rows, resolved.measures[alternative.measure])) >= alternative.at_least
        ):
            chosen = chosen + _grounds(resolved, rows, alternative)
    return chosen


def propose(
    conn: Connection, scheme: Scheme, catalog: Catalog, run: Run, on: date, actor: str = "xinyong"
) -> list[Listing]:
    """Propose a listing for every candidate of a stored run that has no pending or current
    listing on that list. Only a proposal: nothing takes effect until it has been notified,
    the objection window has closed and an official has signed it off. A trial run (a
    version not in force on its date) proposes nothing."""
    if run.trial:
        raise InvalidInput(
            f"run #{run.id} is a trial of {run.scheme}, not in force on {run.as_of}: "
            "only a run of the version in force proposes listings"
        )
    defs = {d.id: d for d in scheme.definition.lists}
    resolved = plan(scheme, catalog, run.as_of)
    rows = conn.execute(
        select(evaluation_results.c.subject_id, evaluation_results.c.lists).where(
            evaluation_results.c.run_id == run.id, evaluation_results.c.lists != ""
        )
    ).all()
    proposed = []
    for subject_id, names in rows:
        new = [n for n in names.split() if active(conn, subject_id, f"{scheme.id}/{n}", on) is None]
        if not new:
            continue
        tables = read_tables(conn, [subject_id])
        mine = counted(resolved, tables)
        result = evaluate(resolved, tables).get(subject_id)
        subject = facts(resolved, tables)[0]
        for list_id in new:
            definition = defs[list_id]
            found = triggering_records(resolved, mine, list_id)
            if found and set(found) <= spent_records(conn, subject_id, f"{scheme.id}/{list_id}"):
                continue  # these records already listed the subject, and that listing ended
            if exit_record(conn, scheme, definition, catalog, on, mine, found) is not None:
                continue  # the obligation was performed after the records that would list it
            period = str(definition.period)
            if result is not None:
                period = listing_term(definition, resolved, subject, result, mine)
            event = Event(
                Action.PROPOSE,
                on,
                actor,
                f"candidate in run #{run.id} of {scheme.key} as of {run.as_of}",
                {
                    "period": period,
                    "notice_period": str(definition.notice),
                    "run_id": run.id,
                    "records": found,
                },
            )
            state = apply(None, event)
            listing_id = conn.execute(
                insert(listings).returning(listings.c.id),
                {
                    "subject_id": subject_id,
                    "scheme_id": scheme.id,
                    "scheme_version": scheme.version,
                    "list_id": list_id,
                    "list_kind": definition.severity,
                    "run_id": run.id,
                    "created_at": clock.now(),
                    **state.columns(),
                },
            ).scalar_one()
            if found:
                conn.execute(
                    insert(listing_records),
                    [{"listing_id": listing_id, "record_id": r} for r in found],
                )
            _append_event(conn, int(listing_id), state, event)
            proposed.append(get_listing(conn, int(listing_id)))
    return proposed


def notify(
    conn: Connection, listing_id: int, on: date, actor: str, scheme: Scheme, catalog: Catalog
) -> Listing:
    """Tell the subject the reasons, the basis, its rights and the objection deadline."""
    listing = get_listing(conn, listing_id)
    state = apply(listing.state, Event(Action.NOTIFY, on, actor))
    definition = next(d for d in scheme.definition.lists if d.id == listing.list_id)
    reasons = [
        {
            "record": r.id,
            "item": r.item_code,
            "item_name": catalog[r.item_code].name.zh if r.item_code in catalog else r.item_code,
            "decided_on": r.decided_on.isoformat(),
            "reference": r.reference,
            "source": r.source,
        }
        for r in conn.execute(
            select(records).where(records.c.id.in_(listing.record_ids)).order_by(records.c.id)
        )
    ]
    payload = {
        "listing": listing.id,
        "list": listing.key,
        "list_name": definition.name.zh,
        "reasons": reasons,
        "legal_basis": [b.cite() for b in scheme.definition.scheme.legal_basis],
        "period": listing.state.period,
        "objection_deadline": state.objection_deadline.isoformat()
        if state.objection_deadline
        else None,
        "rights": [
            "object to any record listed as a reason until the objection deadline",
            "apply for credit repair once the minimum publication period has passed",
            "see your own credit file and who read it",
        ],
    }
    notice_id = enqueue(conn, listing.subject_id, "listing_notice", payload)
    event = Event(Action.NOTIFY, on, actor, "notice of proposed listing", {"notice": notice_id})
    _record(conn, listing.id, state, event)
    return get_listing(conn, listing.id)


def open_objections(conn: Connection, record_ids: tuple[int, ...], on: date) -> list[int]:
    if not record_ids:
        return []
    rows = conn.execute(
        select(cases.c.id).where(
            cases.c.kind == "objection",
            cases.c.record_id.in_(record_ids),
            cases.c.opened_on <= on,
            or_(cases.c.closed_on.is_(None), cases.c.closed_on > on),
        )
    )
    return [r for (r,) in rows]


def sign_off(conn: Connection, listing_id: int, on: date, official: str) -> Listing:
    listing = get_listing(conn, listing_id)
    pending = open_objections(conn, listing.record_ids, on)
    return _step(
        conn,
        listing,
        Event(Action.SIGN_OFF, on, official, "signed off", {"open_objections": pending}),
    )


def put_on_list(
    conn: Connection, listing_id: int, on: date, actor: str, policies: list[Policy]
) -> Listing:
    """Make a signed-off listing take effect, unless a leniency policy defers it."""
    listing = get_listing(conn, listing_id)
    deferred = deferral(conn, policies, listing.subject_id, listing.key, listing.state.proposed_on)
    details: dict[str, Any] = {}
    if deferred is not None:
        details = {"leniency": deferred.policy, "deferred_until": deferred.until.isoformat()}
    result = _step(conn, listing, Event(Action.LIST, on, actor, "listing takes effect", details))
    enqueue(
        conn,
        listing.subject_id,
        "listed",
        {
            "listing": listing.id,
            "list": listing.key,
            "from": on.isoformat(),
            "until": result.state.listed_until.isoformat() if result.state.listed_until else None,
            **details,
        },
    )
    return result


def exit_listing(
    conn: Connection,
    listing_id: int,
    on: date,
    actor: str,
    reason: ExitReason,
    note: str = "",
    details: dict[str, Any] | None = None,
) -> Listing:
    """End a listing in effect from ``on``; ``details`` (an earlier effective date's reason)
    are kept in the event."""
    listing = get_listing(conn, listing_id)
    event = Event(
        Action.EXIT, on, actor, note or reason.value, {"reason": reason, **(details or {})}
    )
    result = _step(conn, listing, event)
    enqueue(
        conn,
        listing.subject_id,
        "exited",
        {"listing": listing.id, "list": listing.key, "on": on.isoformat(), "reason": reason},
    )
    return result


def extend_listing(
    conn: Connection, listing_id: int, on: date, actor: str, until: date, record_id: int
) -> Listing:
    """Extend a listing in effect to ``until`` because of a later record, which joins the
    records behind the listing (so that it never lists the subject again afterwards)."""
    listing = get_listing(conn, listing_id)
    event = Event(
        Action.EXTEND,
        on,
        actor,
        f"record #{record_id}",
        {"until": until.isoformat(), "record": record_id},
    )
    result = _step(conn, listing, event)
    conn.execute(insert(listing_records), {"listing_id": listing_id, "record_id": record_id})
    enqueue(
        conn,
        listing.subject_id,
        "extended",
        {"listing": listing.id, "list": listing.key, "until": until.isoformat()},
    )
    return get_listing(conn, result.id)


def drop(
    conn: Connection, listing_id: int, on: date, actor: str, reason: str, note: str
) -> Listing:
    listing = get_listing(conn, listing_id)
    return _step(conn, listing, Event(Action.DROP, on, actor, note, {"reason": reason}))


def still_qualifies(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    listing: Listing,
    without: int,
    replacement: int | None = None,
) -> bool:
    """Whether the subject would still have been a candidate for the listing, on the same
    evaluation date under the same scheme version, without record ``without`` (and with its
    ``replacement``, when it was corrected rather than revoked)."""
    as_of = listing.state.proposed_on
    if listing.run_id is not None:
        as_of = conn.execute(
            select(evaluation_runs.c.as_of).where(evaluation_runs.c.id == listing.run_id)
        ).scalar_one()
    scheme = library.get(f"{listing.scheme_id}@{listing.scheme_version}")
    tables = read_tables(conn, [listing.subject_id])
    tables.records = [
        r for r in tables.records if r["id"] != without and r["supersedes_id"] != without
    ]
    if replacement is not None:
        tables.records += [
            dict(r._mapping)
            for r in conn.execute(select(records).where(records.c.id == replacement))
        ]
    result = evaluate(plan(scheme, catalog, as_of), tables).get(listing.subject_id)
    return result is not None and listing.list_id in result.lists


def end_for_record(
    conn: Connection,
    library: Library,
    catalog: Catalog,
    record_id: int,
    on: date,
    actor: str,
    reason: ExitReason,
    replacement: int | None = None,
) -> list[Listing]:
    """End the pending or current listings a record caused: a pending one is dropped, one in
    effect is exited. A listing that the subject's other records would have brought about all
    the same is kept. Used when an objection is upheld or a repair is granted."""
    rows = conn.execute(
        select(listings.c.id)
        .join(listing_records, listing_records.c.listing_id == listings.c.id)
        .where(listing_records.c.record_id == record_id)
        .order_by(listings.c.id)
    ).all()
    ended = []
    for (listing_id,) in rows:
        listing = get_listing(conn, listing_id)
        if not (listing.state.state.value in PENDING or listing.state.in_effect(on)):
            continue
        if still_qualifies(conn, library, catalog, listing, record_id, replacement):
            continue
        if listing.state.state.value in PENDING:
            ended.append(drop(conn, listing_id, on, actor, reason.value, f"record #{record_id}"))
        elif listing.state.in_effect(on):
            ended.append(exit_listing(conn, listing_id, on, actor, reason, f"record #{record_id}"))
    return ended
