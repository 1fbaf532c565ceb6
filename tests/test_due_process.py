"""Listings, objections, repair, measures and checks, walked through as a regulator would."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Connection, select, update
from sqlalchemy.exc import IntegrityError

from dueprocess import add_records, add_subject, on_list
from helpers import resident_id, uscc_code
from xinyong.catalog.items import Catalog
from xinyong.dueprocess.cases import CaseKind, inbox, timeline
from xinyong.dueprocess.checks import check
from xinyong.dueprocess.leniency import get_policy, grant, load_policies
from xinyong.dueprocess.lifecycle import ExitReason, IllegalTransition, State
from xinyong.dueprocess.listings import exit_listing, notify, propose, put_on_list, sign_off
from xinyong.dueprocess.memberships import events, memberships, verify
from xinyong.dueprocess.objections import decide_objection, disputed_ids, object_to
from xinyong.dueprocess.repair import apply_for_repair, decide_repair, eligibility, forward
from xinyong.errors import InvalidInput
from xinyong.evaluation.runs import store_run
from xinyong.reference.workdays import WorkCalendar
from xinyong.registry.tags import add_tag
from xinyong.schemes.library import Library
from xinyong.store.database import Database
from xinyong.store.outbox import notices
from xinyong.store.tables import checks, listings

BIKE = "shenzhen-rental-bike"
MATERIALS = ("credit_commitment", "proof_of_performance")


@pytest.fixture(scope="module")
def library(catalog: Catalog) -> Library:
    return Library.load(catalog)


def _listed_rider(
    conn: Connection, library: Library, catalog: Catalog, serial: int = 1
) -> tuple[int, list[int], int]:
    """A rider with three violations in a year, proposed for the untrustworthy list."""
    subject = add_subject(conn, resident_id(serial))
    days = [date(2025, 1, 10), date(2025, 3, 5), date(2025, 6, 1)]
    ids = add_records(conn, subject, "BIKE_VIOLATION", days, conduct="damage")
    scheme = library.get(BIKE)
    run = store_run(conn, scheme, catalog, date(2025, 6, 30))
    proposed = propose(conn, scheme, catalog, run, date(2025, 7, 1))
    mine = [p for p in proposed if p.subject_id == subject and p.list_id == "untrustworthy"]
    assert len(mine) == 1
    assert mine[0].record_ids == tuple(ids)
    return subject, ids, mine[0].id


def test_a_listing_walks_through_every_step(
    db: Database, library: Library, catalog: Catalog
) -> None:
    scheme = library.get(BIKE)
    with db.begin() as conn:
        subject, record_ids, listing_id = _listed_rider(conn, library, catalog)
        with pytest.raises(IllegalTransition, match="notified"):
            sign_off(conn, listing_id, date(2025, 7, 2), "王科长")
        listing = notify(conn, listing_id, date(2025, 7, 2), "xinyong", scheme, catalog)
        assert listing.state.objection_deadline == date(2025, 7, 12)
        notice = [n for n in notices(conn, subject) if n.kind == "listing_notice"][-1]
        assert [r["record"] for r in notice.payload["reasons"]] == record_ids
        assert notice.payload["legal_basis"] and notice.payload["rights"]
        assert notice.payload["objection_deadline"] == "2025-07-12"
        with pytest.raises(IllegalTransition, match="objection window is open until 2025-07-12"):
            sign_off(conn, listing_id, date(2025, 7, 11), "王科长")
        with pytest.raises(IllegalTransition, match="name the official"):
            sign_off(conn, listing_id, date(2025, 7, 12), "xinyong")
        listing = sign_off(conn, listing_id, date(2025, 7, 12), "王科长")
        assert listing.state.state is State.SIGNED_OFF
        listing = put_on_list(conn, listing_id, date(2025, 7, 13), "王科长", [])
        assert (listing.state.listed_from, listing.state.listed_until) == (
            date(2025, 7, 13),
            date(2026, 7, 13),
        )
        assert [m.id for m in memberships(conn, subject, date(2025, 8, 1))] == [listing_id]
        assert memberships(conn, subject, date(2025, 7, 12)) == []
        # the period ends by itself: no job, no event needed
        assert memberships(conn, subject, date(2026, 7, 13)) == []
        with pytest.raises(IllegalTransition, match="runs until 2026-07-13"):
            exit_listing(conn, listing_id, date(2026, 1, 1), "王科长", ExitReason.EXPIRED)
        assert [e.action.value for e in events(conn, listing_id)] == [
            "propose",
            "notify",
            "sign_off",
            "list",
        ]
        assert verify(conn, listing_id)


def test_the_database_refuses_a_listing_without_due_process(
    db: Database, library: Library, catalog: Catalog
) -> None:
    with db.connect() as conn, conn.begin():
        _, _, listing_id = _listed_rider(conn, library, catalog)
        with pytest.raises(IntegrityError):
            conn.execute(
                update(listings)
                .where(listings.c.id == listing_id)
                .values(state="listed", listed_from=date(2025, 7, 2), listed_until=date(2026, 7, 2))
            )


def test_an_objection_blocks_sign_off_and_an_upheld_one_drops_the_listing(
    db: Database, library: Library, catalog: Catalog
) -> None:
    scheme = library.get(BIKE)
    with db.begin() as conn:
        subject, record_ids, listing_id = _listed_rider(conn, library, catalog)
        notify(conn, listing_id, date(2025, 7, 2), "xinyong", scheme, catalog)
        case = object_to(
            conn, catalog, record_ids[0], date(2025, 7, 5), "本人", "I was not riding that bike"
        )
        assert case.deadline == date(2025, 7, 25)
        assert disputed_ids(conn, date(2025, 7, 5)) == {record_ids[0]}
        assert disputed_ids(conn, date(2025, 7, 4)) == set()
        with pytest.raises(IllegalTransition, match="already under an open objection"):
            object_to(conn, catalog, record_ids[0], date(2025, 7, 6), "本人", "again")
        with pytest.raises(IllegalTransition, match="open objection"):
            sign_off(conn, listing_id, date(2025, 7, 20), "王科长")
        assert [c.id for c in inbox(conn, date(2025, 7, 26), overdue_only=True)] == [case.id]
        decision = decide_objection(
            conn,
            library,
            catalog,
            case.id,
            date(2025, 7, 21),
            "李处长",
            upheld=True,
            reasons="wrong bike number",
        )
        assert decision.revoked and [listing.id for listing in decision.ended] == [listing_id]
        assert disputed_ids(conn, date(2025, 7, 21)) == set()
        ended = decision.ended[0]
        assert ended.state.state is State.DROPPED and ended.state.exit_reason == "revoked"
        assert [s.action for s in timeline(conn, case.id)] == ["open", "decide"]
        assert verify(conn, listing_id)
        # with one violation revoked, the rider is no longer a candidate
        run = store_run(conn, scheme, catalog, date(2025, 7, 31))
        assert [
            p
            for p in propose(conn, scheme, catalog, run, date(2025, 8, 1))
            if p.subject_id == subject and p.list_id == "untrustworthy"
        ] == []


def test_a_rejected_objection_corrects_nothing(
    db: Database, library: Library, catalog: Catalog
) -> None:
    with db.begin() as conn:
        _, record_ids, _ = _listed_rider(conn, library, catalog)
        case = object_to(conn, catalog, record_ids[1], date(2025, 7, 5), "代理人", "too harsh")
        decision = decide_objection(
            conn,
            library,
            catalog,
            case.id,
            date(2025, 7, 10),
            "李处长",
            upheld=False,
            reasons="the record stands",
        )
        assert decision.case.outcome == "rejected" and decision.ended == []
        with pytest.raises(IllegalTransition, match="already decided"):
            decide_objection(
                conn,
                library,
                catalog,
                case.id,
                date(2025, 7, 11),
                "李处长",
                upheld=True,
                reasons="x",
            )


def test_a_correction_is_a_new_fact(db: Database, library: Library, catalog: Catalog) -> None:
    with db.begin() as conn:
        _, record_ids, _ = _listed_rider(conn, library, catalog)
        case = object_to(conn, catalog, record_ids[2], date(2025, 7, 5), "本人", "wrong conduct")
        decision = decide_objection(
            conn,
            library,
            catalog,
            case.id,
            date(2025, 7, 9),
            "李处长",
            upheld=True,
            reasons="the conduct was parking",
            correction={"conduct": "banned_area_parking"},
        )
        assert decision.new_record_id is not None and not decision.revoked


def test_measures_follow_listing_and_repair_ends_them(
    db: Database, library: Library, catalog: Catalog
) -> None:
    scheme = library.get(BIKE)
    calendar = WorkCalendar()
    with db.begin() as conn:
        _, record_ids, listing_id = _listed_rider(conn, library, catalog)
        code = resident_id(1)
        before = check(
            conn,
            library,
            code,
            "rental",
            "bike_operator",
            date(2025, 7, 1),
            actor="operator A",
            policies=[],
        )
        assert before.measures == ()
        notify(conn, listing_id, date(2025, 7, 2), "xinyong", scheme, catalog)
        sign_off(conn, listing_id, date(2025, 7, 12), "王科长")
        put_on_list(conn, listing_id, date(2025, 7, 12), "王科长", [])
        answer = check(
            conn,
            library,
            code,
            "rental",
            "bike_operator",
            date(2025, 8, 1),
            actor="operator A",
            policies=[],
        )
        assert [m.code for m in answer.applies] == ["NO_BIKE_RENTAL"]
        applied = answer.applies[0]
        assert applied.trigger.listing_id == listing_id and applied.legal_basis
        assert (
            check(
                conn, library, code, "bidding", "ndrc", date(2025, 8, 1), actor="x", policies=[]
            ).measures
            == ()
        )
        assert (
            check(
                conn, library, code, "rental", "tax", date(2025, 8, 1), actor="x", policies=[]
            ).measures
            == ()
        )
        logged = conn.execute(select(checks.c.reference)).scalars().all()
        assert answer.reference in logged and len(logged) == 4
        # repair: minor tier, no minimum period; materials are required
        assert not eligibility(conn, catalog, record_ids[0], date(2025, 8, 1)).eligible
        with pytest.raises(InvalidInput, match="missing materials"):
            apply_for_repair(conn, catalog, calendar, record_ids[0], date(2025, 8, 1), "本人", ())
        case = apply_for_repair(
            conn, catalog, calendar, record_ids[0], date(2025, 9, 26), "本人", MATERIALS
        )
        # 10 working days from Fri 26 Sep 2025 across the National Day holiday (1-8 Oct), with
        # Sunday 28 Sep and Saturday 11 Oct made working days: 28, 29, 30 Sep, 9, 10, 11, 13,
        # 14, 15, 16 Oct (Monday to Friday alone would give 10 Oct)
        assert case.kind is CaseKind.REPAIR and case.deadline == date(2025, 10, 16)
        case = forward(conn, calendar, case.id, date(2025, 9, 30), "平台", "深圳市交通运输局")
        # 3 working days from 30 Sep: 9, 10, 11 Oct (a Saturday made a working day)
        assert case.deadline == date(2025, 10, 11)
        decision = decide_repair(
            conn,
            library,
            catalog,
            case.id,
            date(2025, 10, 9),
            "陈局长",
            granted=True,
            reasons="paid and committed",
        )
        assert [listing.id for listing in decision.ended] == [listing_id]
        assert decision.ended[0].state.exit_reason == "repaired"
        after = check(
            conn,
            library,
            code,
            "rental",
            "bike_operator",
            date(2025, 10, 10),
            actor="operator A",
            policies=[],
        )
        assert after.measures == ()
        # as of a past date the answer is still what it was then
        past = check(
            conn,
            library,
            code,
            "rental",
            "bike_operator",
            date(2025, 8, 1),
            actor="auditor",
            policies=[],
        )
        assert [m.code for m in past.applies] == ["NO_BIKE_RENTAL"]
        assert verify(conn, listing_id)


def test_leniency_defers_listing_and_the_check_says_so(
    db: Database, library: Library, catalog: Catalog
) -> None:
    policies = [on_list(p, f"{BIKE}/untrustworthy") for p in load_policies()]
    scheme = library.get(BIKE)
    with db.begin() as conn:
        subject, _, listing_id = _listed_rider(conn, library, catalog)
        spc2019 = get_policy(policies, "spc-2019-grace")
        with pytest.raises(InvalidInput, match="from 1M to 3M"):
            grant(conn, spc2019, subject, date(2025, 7, 1), grace=None)
        from xinyong.catalog.terms import Period

        grant(conn, spc2019, subject, date(2025, 7, 1), grace=Period(2, "M"))
        notify(conn, listing_id, date(2025, 7, 2), "xinyong", scheme, catalog)
        sign_off(conn, listing_id, date(2025, 7, 12), "王科长")
        with pytest.raises(
            IllegalTransition, match="spc-2019-grace defers listing until 2025-09-01"
        ):
            put_on_list(conn, listing_id, date(2025, 7, 12), "王科长", policies)
        answer = check(
            conn,
            library,
            resident_id(1),
            "rental",
            "bike_operator",
            date(2025, 8, 1),
            actor="operator A",
            policies=policies,
        )
        assert answer.measures == ()
        assert any(
            "deferred until 2025-09-01 by leniency policy spc-2019-grace" in n for n in answer.notes
        )
        (remark,) = answer.remarks  # the same, for the portal to say in the reader's language
        assert (remark.kind, remark.policy, remark.until) == (
            "deferred",
            "spc-2019-grace",
            date(2025, 9, 1),
        )
        assert answer.to_json()["remarks"][0]["until"] == "2025-09-01"
        listing = put_on_list(conn, listing_id, date(2025, 9, 1), "王科长", policies)
        assert listing.state.listed_from == date(2025, 9, 1)
        assert verify(conn, listing_id)


def test_epidemic_leniency_covers_tagged_firms_only(db: Database) -> None:
    policies = [on_list(p, f"{BIKE}/untrustworthy") for p in load_policies()]
    spc2020 = get_policy(policies, "spc-2020-epidemic-grace")
    from xinyong.dueprocess.leniency import covers
    from xinyong.store.tables import subjects

    with db.begin() as conn:
        hit = add_subject(conn, uscc_code(1, "420100"), kind="enterprise", region="420100")
        other = add_subject(conn, uscc_code(2, "420100"), kind="enterprise", region="420100")
        add_tag(
            conn,
            hit,
            "epidemic_affected",
            date(2020, 2, 1),
            source="武汉市发展改革委",
            basis="受疫情影响企业名单（测试）",
        )
        rows = {r.id: r for r in conn.execute(select(subjects))}
        assert covers(conn, spc2020, rows[hit], date(2020, 6, 1))
        assert not covers(conn, spc2020, rows[other], date(2020, 6, 1))
        assert not covers(conn, spc2020, rows[hit], date(2020, 5, 12))  # before it took effect


def test_a_leniency_application_is_a_case_whose_grant_defers_listing(
    db: Database, library: Library, catalog: Catalog
) -> None:
    from xinyong.catalog.terms import Period
    from xinyong.dueprocess.leniency import apply_for_leniency, decide_leniency

    policies = [on_list(p, f"{BIKE}/untrustworthy") for p in load_policies()]
    scheme = library.get(BIKE)
    with db.begin() as conn:
        subject, _, listing_id = _listed_rider(conn, library, catalog)
        spc2019 = get_policy(policies, "spc-2019-grace")
        case = apply_for_leniency(
            conn,
            WorkCalendar(),
            spc2019,
            subject,
            date(2025, 7, 1),
            "本人",
            "paying in instalments",
            Period(3, "M"),
        )
        assert case.kind is CaseKind.LENIENCY and case.deadline == date(2025, 7, 15)
        assert [c.id for c in inbox(conn, date(2025, 7, 2), kind=CaseKind.LENIENCY)] == [case.id]
        decided = decide_leniency(
            conn,
            policies,
            case.id,
            date(2025, 7, 1),
            "执行局",
            granted=True,
            reasons="instalment plan agreed",
            grace=Period(1, "M"),
        )
        assert decided.outcome == "granted" and decided.details["grace"] == "1M"
        notify(conn, listing_id, date(2025, 7, 2), "xinyong", scheme, catalog)
        sign_off(conn, listing_id, date(2025, 7, 12), "王科长")
        with pytest.raises(IllegalTransition, match="defers listing until 2025-08-01"):
            put_on_list(conn, listing_id, date(2025, 7, 20), "王科长", policies)
        assert put_on_list(conn, listing_id, date(2025, 8, 1), "王科长", policies).state.listed_from
        with pytest.raises(InvalidInput, match="applies by class"):
            apply_for_leniency(
                conn,
                WorkCalendar(),
                get_policy(policies, "spc-2020-epidemic-grace"),
                subject,
                date(2025, 7, 1),
                "本人",
                "x",
            )


def test_a_policy_that_suspends_measures_says_so_in_the_check(
    db: Database, library: Library, catalog: Catalog, tmp_path: Path
) -> None:
    path = tmp_path / "suspend.yaml"
    path.write_text(
        """
policy:
  id: test-suspension
  title: {zh: 暂停租车限制（测试）, en: Rental ban suspended (test)}
  authority: 测试机关
  legal_basis: [{document: 测试文件}]
  effective_from: 2025-08-01
  effective_to: 2025-09-01
applies_to: {tags: [hardship]}
suspend_measures: [NO_BIKE_RENTAL]
""",
        encoding="utf-8",
    )
    policies = load_policies([path])
    scheme = library.get(BIKE)
    with db.begin() as conn:
        subject, _, listing_id = _listed_rider(conn, library, catalog)
        notify(conn, listing_id, date(2025, 7, 2), "xinyong", scheme, catalog)
        sign_off(conn, listing_id, date(2025, 7, 12), "王科长")
        put_on_list(conn, listing_id, date(2025, 7, 12), "王科长", policies)
        add_tag(
            conn, subject, "hardship", date(2025, 7, 1), source="民政局", basis="困难认定（测试）"
        )

        def ask(day: date) -> list[tuple[str, str, str | None]]:
            answer = check(
                conn,
                library,
                resident_id(1),
                "rental",
                "bike_operator",
                day,
                actor="operator",
                policies=policies,
            )
            return [(m.code, m.status, m.leniency) for m in answer.measures]

        assert ask(date(2025, 7, 20)) == [("NO_BIKE_RENTAL", "applies", None)]
        assert ask(date(2025, 8, 10)) == [("NO_BIKE_RENTAL", "suspended", "test-suspension")]
        assert ask(date(2025, 9, 1)) == [("NO_BIKE_RENTAL", "applies", None)]


def test_the_outbox_delivers_and_keeps_failures_for_retry(db: Database) -> None:
    from xinyong.store.outbox import deliver, enqueue

    sent: list[tuple[int, str]] = []

    class Letters:
        def send(self, subject_id: int, kind: str, payload: object) -> None:
            sent.append((subject_id, kind))

    class Broken:
        def send(self, subject_id: int, kind: str, payload: object) -> None:
            raise ConnectionError("gateway down")

    with db.begin() as conn:
        subject = add_subject(conn, resident_id(9))
        enqueue(conn, subject, "listing_notice", {"listing": 1})
        enqueue(conn, subject, "listed", {"listing": 1}, channel="sms")
        assert deliver(conn, {"letter": Letters(), "sms": Broken()}) == 1
        assert sent == [(subject, "listing_notice")]
        pending = [n for n in notices(conn, subject) if n.delivered_at is None]
        assert [(n.kind, n.attempts) for n in pending] == [("listed", 1)]
        # the letter is not sent twice; the failed SMS is tried again
        assert deliver(conn, {"letter": Letters(), "sms": Letters()}) == 1
        assert sent == [(subject, "listing_notice"), (subject, "listed")]
        assert all(n.delivered_at is not None for n in notices(conn, subject))


def test_a_leniency_policy_defers_only_the_lists_it_names(tmp_path: Path) -> None:
    from xinyong.schemes.model import InvalidScheme

    court = get_policy(load_policies(), "spc-2020-epidemic-grace")
    assert court.concerns("court-judgment-defaulters/defaulters")
    assert not court.concerns(f"{BIKE}/untrustworthy")  # a court's grace is not a customs one
    text = (court.path.read_text(encoding="utf-8")).replace(
        "  lists: [court-judgment-defaulters/defaulters]\n", ""
    )
    path = tmp_path / "everything.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidScheme, match="names the lists it applies to"):
        load_policies([path])
