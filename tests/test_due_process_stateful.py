"""Due process under random orders of events: a hypothesis state machine proposes, notifies,
objects, decides, signs off, lists, repairs, grants leniency and lets time pass, and after every
step checks the rules that must always hold."""

from __future__ import annotations

import os
import tempfile
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from sqlalchemy import select

from dueprocess import add_records, add_subject, on_list
from helpers import resident_id
from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Period
from xinyong.disclosure.credit_file import credit_file
from xinyong.dueprocess.cases import CaseKind, CaseState, cases_of, timeline
from xinyong.dueprocess.checks import check
from xinyong.dueprocess.leniency import deferral, get_policy, grant, load_policies
from xinyong.dueprocess.lifecycle import Action, ExitReason, State, replay
from xinyong.dueprocess.listings import exit_listing, notify, propose, put_on_list, sign_off
from xinyong.dueprocess.memberships import (
    PENDING,
    events,
    get_listing,
    listings_of,
    memberships,
    standing,
    verify,
)
from xinyong.dueprocess.objections import decide_objection, object_to
from xinyong.dueprocess.publication import window
from xinyong.dueprocess.repair import REQUIRED_MATERIALS, apply_for_repair, decide_repair, forward
from xinyong.errors import XinyongError
from xinyong.evaluation.runs import store_run
from xinyong.reference.workdays import WorkCalendar
from xinyong.schemes.library import Library
from xinyong.store.database import Database
from xinyong.store.outbox import notices
from xinyong.store.tables import listing_events, records

CATALOG = Catalog.load()
LIBRARY = Library.load(CATALOG)
POLICIES = [on_list(p, "shenzhen-rental-bike/untrustworthy") for p in load_policies()]
SCHEME = LIBRARY.get("shenzhen-rental-bike")
CALENDAR = WorkCalendar()
RIDERS = 2


class DueProcess(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.db = Database(f"sqlite:///{Path(self.folder.name) / 'sm.db'}")
        self.db.migrate()
        self.today = date(2025, 6, 30)
        self.codes = [resident_id(40 + n) for n in range(RIDERS)]
        self.subjects: list[int] = []
        with self.db.begin() as conn:
            for n, code in enumerate(self.codes):
                subject = add_subject(conn, code)
                self.subjects.append(subject)
                days = [date(2025, 1, 5 + n), date(2025, 3, 10), date(2025, 5, 20 - n)]
                if n == 0:
                    days.append(date(2025, 6, 1))
                add_records(conn, subject, "BIKE_VIOLATION", days, conduct="damage")
                # public penalties with a one-year publication period, for the public view
                add_records(
                    conn, subject, "ADM_PENALTY_GENERAL", [date(2024, 7, 1 + n), date(2025, 2, 1)]
                )
            propose(conn, SCHEME, CATALOG, store_run(conn, SCHEME, CATALOG, self.today), self.today)

    def teardown(self) -> None:
        self.db.dispose()
        self.folder.cleanup()

    # --- helpers ------------------------------------------------------------------------
    def _listings(self) -> list[int]:
        with self.db.connect() as conn:
            return [x.id for s in self.subjects for x in listings_of(conn, s)]

    def _records(self) -> list[int]:
        with self.db.connect() as conn:
            return list(conn.execute(select(records.c.id).order_by(records.c.id)).scalars())

    def _cases(self, kind: CaseKind) -> list[int]:
        with self.db.connect() as conn:
            return [
                c.id
                for s in self.subjects
                for c in cases_of(conn, s)
                if c.kind is kind and c.state is CaseState.OPEN
            ]

    def _attempt(self, step: object) -> None:
        """Run a step; a refusal must change nothing (the transaction is rolled back)."""
        before = self._snapshot()
        try:
            with self.db.begin() as conn:
                step(conn)  # type: ignore[operator]
        except XinyongError:
            assert self._snapshot() == before

    def _snapshot(self) -> tuple[object, ...]:
        with self.db.connect() as conn:
            return tuple(
                (x.id, x.state, len(events(conn, x.id)))
                for s in self.subjects
                for x in listings_of(conn, s)
            )

    # --- rules ----------------------------------------------------------------------------
    @rule(days=st.integers(0, 45))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @rule()
    def evaluate_and_propose(self) -> None:
        with self.db.begin() as conn:
            run = store_run(conn, SCHEME, CATALOG, self.today)
            propose(conn, SCHEME, CATALOG, run, self.today)

    @rule(pick=st.integers(0, 50))
    def take_the_next_step(self, pick: int) -> None:
        """Move a listing on by its next regular step, waiting as long as the rules require,
        so that random runs reach listing, repair and exit often."""
        ids = self._listings()
        if not ids:
            return
        target = ids[pick % len(ids)]
        with self.db.connect() as conn:
            state = get_listing(conn, target).state
        if state.state is State.PROPOSED:
            self._attempt(lambda c: notify(c, target, self.today, "xinyong", SCHEME, CATALOG))
        elif state.state is State.NOTIFIED:
            assert state.objection_deadline is not None
            self.today = max(self.today, state.objection_deadline)
            self._attempt(lambda c: sign_off(c, target, self.today, "王科长"))
        elif state.state is State.SIGNED_OFF:
            self._attempt(lambda c: put_on_list(c, target, self.today, "王科长", POLICIES))

    @rule(pick=st.integers(0, 50))
    def notify_one(self, pick: int) -> None:
        ids = self._listings()
        if ids:
            target = ids[pick % len(ids)]
            self._attempt(lambda c: notify(c, target, self.today, "xinyong", SCHEME, CATALOG))

    @rule(pick=st.integers(0, 50), official=st.sampled_from(["王科长", "xinyong", " "]))
    def sign_off_one(self, pick: int, official: str) -> None:
        ids = self._listings()
        if ids:
            target = ids[pick % len(ids)]
            self._attempt(lambda c: sign_off(c, target, self.today, official))

    @rule(pick=st.integers(0, 50))
    def list_one(self, pick: int) -> None:
        ids = self._listings()
        if ids:
            target = ids[pick % len(ids)]
            self._attempt(lambda c: put_on_list(c, target, self.today, "王科长", POLICIES))

    @rule(pick=st.integers(0, 50), reason=st.sampled_from(list(ExitReason)))
    def exit_one(self, pick: int, reason: ExitReason) -> None:
        ids = self._listings()
        if ids:
            target = ids[pick % len(ids)]
            self._attempt(lambda c: exit_listing(c, target, self.today, "王科长", reason))

    @rule(pick=st.integers(0, 50))
    def object_to_one(self, pick: int) -> None:
        ids = self._records()
        target = ids[pick % len(ids)]
        self._attempt(lambda c: object_to(c, CATALOG, target, self.today, "本人", "not me"))

    @rule(pick=st.integers(0, 50), upheld=st.booleans(), correct=st.booleans())
    def decide_an_objection(self, pick: int, upheld: bool, correct: bool) -> None:
        ids = self._cases(CaseKind.OBJECTION)
        if ids:
            target = ids[pick % len(ids)]
            fix = {"conduct": "banned_area_parking"} if correct else None
            self._attempt(
                lambda c: decide_objection(
                    c,
                    LIBRARY,
                    CATALOG,
                    target,
                    self.today,
                    "李处长",
                    upheld=upheld,
                    reasons="checked",
                    correction=fix,
                )
            )

    @rule(pick=st.integers(0, 50))
    def apply_for_repair_of_one(self, pick: int) -> None:
        ids = self._records()
        target = ids[pick % len(ids)]
        self._attempt(
            lambda c: apply_for_repair(
                c, CATALOG, CALENDAR, target, self.today, "本人", REQUIRED_MATERIALS
            )
        )

    @rule(pick=st.integers(0, 50), granted=st.booleans(), forwarded=st.booleans())
    def decide_a_repair(self, pick: int, granted: bool, forwarded: bool) -> None:
        ids = self._cases(CaseKind.REPAIR)
        if ids:
            target = ids[pick % len(ids)]
            if forwarded:
                self._attempt(lambda c: forward(c, CALENDAR, target, self.today, "平台", "交通局"))
            self._attempt(
                lambda c: decide_repair(
                    c,
                    LIBRARY,
                    CATALOG,
                    target,
                    self.today,
                    "陈局长",
                    granted=granted,
                    reasons="decided",
                )
            )

    @rule(rider=st.integers(0, RIDERS - 1), months=st.integers(0, 4))
    def grant_grace(self, rider: int, months: int) -> None:
        policy = get_policy(POLICIES, "spc-2019-grace")
        self._attempt(
            lambda c: grant(c, policy, self.subjects[rider], self.today, grace=Period(months, "M"))
        )

    # --- what must always hold ----------------------------------------------------------
    @invariant()
    def nobody_is_listed_without_notice_and_sign_off(self) -> None:
        with self.db.connect() as conn:
            for subject in self.subjects:
                sent = {
                    n.payload.get("listing")
                    for n in notices(conn, subject)
                    if n.kind == "listing_notice"
                }
                for listing in listings_of(conn, subject):
                    s = listing.state
                    if s.listed_from is None:
                        continue
                    actions = {e.action: e for e in events(conn, listing.id)}
                    assert Action.NOTIFY in actions and Action.SIGN_OFF in actions
                    assert listing.id in sent
                    assert s.notified_on and s.objection_deadline and s.signed_off_on
                    assert s.notified_on <= s.objection_deadline <= s.signed_off_on
                    assert s.signed_off_on <= s.listed_from
                    assert s.signed_off_by and not s.signed_off_by.startswith("xinyong")
                    grace = deferral(conn, POLICIES, subject, listing.key, s.proposed_on)
                    if grace is not None:
                        event("a listing waited for its leniency grace")
                        assert s.listed_from >= grace.until

    @invariant()
    def measures_only_follow_memberships(self) -> None:
        with self.db.begin() as conn:
            for subject, code in zip(self.subjects, self.codes, strict=True):
                # membership from the listing's own dates, not from the query check() uses
                members = {
                    x.id for x in listings_of(conn, subject) if x.state.in_effect(self.today)
                }
                assert members == {m.id for m in memberships(conn, subject, self.today)}
                # the check's one query gives the same listings, records and states as the
                # reads of each listing
                in_effect, pending = standing(conn, subject, self.today)
                assert in_effect == memberships(conn, subject, self.today)
                assert pending == [
                    x for x in listings_of(conn, subject) if x.state.state.value in PENDING
                ]
                answer = check(
                    conn,
                    LIBRARY,
                    code,
                    "rental",
                    "bike_operator",
                    self.today,
                    actor="invariant",
                    policies=POLICIES,
                )
                for measure in answer.measures:
                    assert measure.trigger.listing_id in members
                listed = [
                    m
                    for m in memberships(conn, subject, self.today)
                    if m.list_id == "untrustworthy"
                ]
                assert bool(listed) == bool(answer.applies)
                # a disputed record is shown as disputed in the check answer and the file
                file = credit_file(conn, CATALOG, code, self.today)
                disputed = {f.record.id for f in file.records if f.disputed}
                open_objections = {
                    c.record_id
                    for c in cases_of(conn, subject)
                    if c.kind is CaseKind.OBJECTION and c.state is CaseState.OPEN
                }
                assert disputed == open_objections
                for measure in answer.measures:
                    behind = set(measure.trigger.record_ids)
                    assert set(measure.disputed_records) == behind & disputed

    @invariant()
    def nothing_past_its_period_is_public(self) -> None:
        with self.db.connect() as conn:
            for code in self.codes:
                for entry in credit_file(conn, CATALOG, code, self.today, public=True).records:
                    item = CATALOG[entry.record.item_code]
                    assert window(item, entry.record.decided_on).public_on(self.today)
                    assert entry.record.state.value == "in_effect"

    @invariant()
    def every_state_is_its_history_replayed(self) -> None:
        with self.db.connect() as conn:
            for subject in self.subjects:
                for listing in listings_of(conn, subject):
                    event(f"listing reached {listing.state.state.value}")
                    if listing.state.exit_reason:
                        event(f"listing ended: {listing.state.exit_reason}")
                    assert verify(conn, listing.id)
                    history = events(conn, listing.id)
                    # every recorded step says the state that replaying up to it gives
                    recorded = conn.execute(
                        select(listing_events.c.state_after)
                        .where(listing_events.c.listing_id == listing.id)
                        .order_by(listing_events.c.seq)
                    ).scalars()
                    for n, state_after in enumerate(recorded, start=1):
                        assert replay(history[:n]).state.value == state_after
                    if listing.state.state in (State.EXITED, State.DROPPED):
                        assert history[-1].action in (Action.EXIT, Action.DROP)
                for case in cases_of(conn, subject):
                    steps = [s.action for s in timeline(conn, case.id)]
                    assert steps[0] == "open"
                    assert (case.state is CaseState.OPEN) == ("decide" not in steps)


DueProcess.TestCase.settings = settings(
    # 25 runs of 40 steps in `make test`; XINYONG_STATEFUL_EXAMPLES=500 for a deeper search.
    max_examples=int(os.environ.get("XINYONG_STATEFUL_EXAMPLES", "25")),
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDueProcess = DueProcess.TestCase
