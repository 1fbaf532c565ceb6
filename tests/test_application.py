"""The application layer: one use case per step, under one clock, and the same results from
every engine. Interfaces are tested in their own files; here the use cases themselves."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dueprocess import add_records, add_subject
from helpers import resident_id, uscc_code
from xinyong import clock
from xinyong.application import Application
from xinyong.application.errors import status_of
from xinyong.application.walkthrough import walk
from xinyong.clock import FixedClock
from xinyong.errors import Unsupported
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import evaluation_runs

RIDER = resident_id(7, "440305", "19900101")
DAY = date(2026, 9, 1)


def _app(db: Database) -> Application:
    return Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(DAY))


def _rider(db: Database) -> int:
    with db.begin() as conn:
        rider = add_subject(conn, RIDER, "individual", "440305")
        add_records(
            conn,
            rider,
            "BIKE_VIOLATION",
            [date(2026, 2, 1), date(2026, 5, 1), date(2026, 8, 1)],
            conduct="damage",
        )
    return rider


def test_use_cases_run_on_the_applications_clock(db: Database) -> None:
    app = _app(db)
    with app.transaction():
        assert clock.today() == DAY
        assert clock.now().date() == DAY
    assert clock.today() == date.today()  # outside a use case: the system's clock


def test_the_walkthroughs_decisions_re_evaluate_the_subject(db: Database) -> None:
    _rider(db)
    app = _app(db)
    evaluated = app.evaluations.evaluate("shenzhen-rental-bike", as_of=DAY)
    assert evaluated.lists.get("untrustworthy") == 1
    with db.connect() as conn:
        before = conn.execute(select(func.count()).select_from(evaluation_runs)).scalar_one()
    lines = walk(app, evaluated.run, date(2026, 9, 2))
    text = "\n".join(lines)
    assert "objection" in text and "rejected; re-evaluated under" in text, text
    assert "repair granted; re-evaluated under" in text, text
    with db.connect() as conn:
        incremental = conn.execute(
            select(func.count())
            .select_from(evaluation_runs)
            .where(evaluation_runs.c.kind == "incremental", evaluation_runs.c.id > before)
        ).scalar_one()
    # one run per scheme in force, for each of the two decisions
    assert incremental >= 2


def test_a_version_not_in_force_gives_a_trial_run_that_nothing_reads(db: Database) -> None:
    from xinyong.errors import InvalidInput
    from xinyong.evaluation.runs import latest_results, subject_grades

    rider = _rider(db)
    app = _app(db)
    # version 1 ended on 2020-01-01: on DAY it is a trial, kept and comparable
    trial = app.evaluations.evaluate("shenzhen-rental-bike@1", as_of=DAY)
    assert trial.run.kind == "trial" and trial.run.trial
    assert trial.lists.get("untrustworthy") == 1
    with db.connect() as conn:
        assert latest_results(conn, rider, DAY) == []
        assert subject_grades(conn, rider, DAY) == {}
    with pytest.raises(InvalidInput, match="only a run of the version in force"):
        app.listings.propose(trial.run.id)
    with pytest.raises(InvalidInput, match="not published"):
        app.evaluations.evaluate("shenzhen-rental-bike@1", as_of=DAY, publish=True)
    # the version in force, stored before another trial of the same day, is what a check reads
    official = app.evaluations.evaluate("shenzhen-rental-bike", as_of=DAY)
    assert official.run.kind == "full" and official.run.scheme == "shenzhen-rental-bike@2"
    assert app.evaluations.evaluate("shenzhen-rental-bike@2", as_of=DAY).run.kind == "full"
    later = app.evaluations.evaluate("shenzhen-rental-bike@1", as_of=DAY).run
    with db.connect() as conn:
        (found,) = latest_results(conn, rider, DAY)
    assert found.scheme_version == 2 and found.run_id < later.id
    # the same version was in force on its own dates: there it is a full run
    assert app.evaluations.evaluate("shenzhen-rental-bike@1", as_of=date(2019, 9, 1)).run.kind == (
        "full"
    )
    first, second, _ = app.evaluations.compare(
        "shenzhen-rental-bike@2", "shenzhen-rental-bike@1", as_of=DAY
    )
    assert (first.kind, second.kind) == ("full", "trial")


def _grades(app: Application, engine: str | None) -> dict[str | None, int]:
    done = app.evaluations.evaluate("shenzhen-rental-bike", as_of=DAY, engine=engine)
    return {**done.grades, **{f"list:{k}": v for k, v in done.lists.items()}}


def test_duckdb_gives_the_databases_results(db: Database) -> None:
    pytest.importorskip("duckdb")
    _rider(db)
    app = _app(db)
    assert _grades(app, "duckdb") == _grades(app, None)


def test_an_unknown_engine_is_refused_as_unsupported(db: Database) -> None:
    app = _app(db)
    with pytest.raises(Unsupported, match="no engine 'oracle'"):
        app.evaluations.evaluate("shenzhen-rental-bike", as_of=DAY, engine="oracle")


def test_export_parquet_writes_every_table_a_scheme_reads(db: Database, tmp_path: Path) -> None:
    pytest.importorskip("duckdb")
    _rider(db)
    written = _app(db).evaluations.export_parquet(tmp_path / "pq")
    assert written["subjects"] == 1 and written["records"] == 3
    assert sorted(p.name for p in (tmp_path / "pq").iterdir()) == [
        "cases.parquet",
        "evaluation_results.parquet",
        "evaluation_runs.parquet",
        "record_events.parquet",
        "records.parquet",
        "subjects.parquet",
    ]


def _polluter(db: Database) -> tuple[str, int]:
    """A Zhengzhou manufacturer with one exceedance: graded good (90), not full."""
    code = uscc_code(41, "410105")
    with db.begin() as conn:
        firm = add_subject(conn, code, "enterprise", "410105", industry="26")
        (record,) = add_records(
            conn, firm, "ENV_VIOLATION", [date(2026, 3, 1)], conduct="exceedance"
        )
    return code, record


def test_an_upheld_objection_changes_the_public_standing_at_once(db: Database) -> None:
    """The profile reads the newest stored result, and deciding re-evaluates: the grade the
    public sees follows the decision, not the next yearly run."""
    code, record = _polluter(db)
    app = _app(db)
    app.evaluations.evaluate("zhengzhou-environment", as_of=DAY)
    firm = app.files.search(code, 1).hits[0].id

    def standing() -> tuple[str | None, float]:
        (shown,) = [
            g for g in app.files.profile(firm).grades if g.scheme_id == "zhengzhou-environment"
        ]
        return shown.grade, shown.score

    assert standing() == ("环保良好", 90.0)
    case = app.cases.object(record, "the reading was from a faulty meter", by="the firm")
    app.cases.decide_objection(case.id, uphold=True, reasons="meter fault proven", by="officer")
    assert standing() == ("环保诚信", 100.0)


def test_a_full_file_read_with_a_token_needs_a_purpose_and_is_logged(db: Database) -> None:
    from xinyong.disclosure.access import Purpose
    from xinyong.disclosure.tokens import Role
    from xinyong.errors import Forbidden

    code, _ = _polluter(db)
    app = _app(db)
    token = app.oversight.issue_token("procurement office", Role.DEPARTMENT, department="财政局")
    official = app.authenticate(token)
    with pytest.raises(Forbidden, match="declared purpose"):
        app.files.file(code, principal=official)
    purpose = Purpose("review before a contract", "Government Procurement Law, art. 22")
    file = app.files.file(code, principal=official, purpose=purpose)
    assert [e.record.item_code for e in file.records] == ["ENV_VIOLATION"]
    readers = app.files.readers(code, official)
    assert [r.purpose for r in readers] == ["review before a contract"]
    # looking at the readers is itself a read, logged for oversight
    again = {r.purpose for r in app.files.readers(code, official)}
    assert again == {"review before a contract", "oversight of who read the file"}


def test_a_scheme_version_is_published_once_by_a_second_person(db: Database) -> None:
    from xinyong.errors import Conflict, Forbidden

    app = _app(db)
    with pytest.raises(Conflict, match="no review waiting: submit it first"):
        app.schemes.publish("zhengzhou-environment@1", by="the head of office")
    review = app.schemes.submit("zhengzhou-environment@1", by="the credit office")
    assert review.state == "submitted" and review.cases_passed == review.cases_total > 0
    assert review.impact["scheme"] == "zhengzhou-environment@1"
    assert review.impact["as_of"] == DAY.isoformat() and "metrics" in review.impact
    with pytest.raises(Forbidden, match="a second person approves it"):
        app.schemes.publish("zhengzhou-environment@1", by="the credit office")
    first = app.schemes.publish("zhengzhou-environment@1", by="the head of office")
    assert len(first.sha256) == 64 and first.audit_seq >= 1
    approved = app.schemes.review("zhengzhou-environment@1")
    assert approved is not None and approved.state == "approved"
    assert approved.decided_by == "the head of office" and approved.id == review.id
    with pytest.raises(Conflict, match="already published"):
        app.schemes.publish("zhengzhou-environment@1", by="someone else")
    (entry,) = [e for e in app.oversight.entries() if e.action == "scheme.published"]
    assert entry.details["sha256"] == first.sha256
    assert entry.details["review"] == review.id
    assert entry.details["submitted_by"] == "the credit office"
    assert [e.action for e in app.oversight.entries() if e.object.startswith("scheme:")] == [
        "scheme.submitted",
        "scheme.published",
    ]
    assert app.oversight.verify().intact


def test_a_newer_submission_supersedes_the_open_one(db: Database) -> None:
    app = _app(db)
    first = app.schemes.submit("shenzhen-rental-bike@2", by="王")
    assert first.against == "shenzhen-rental-bike@1"
    second = app.schemes.submit("shenzhen-rental-bike@2", by="李", against="shenzhen-rental-bike@1")
    assert app.schemes.review("shenzhen-rental-bike@2") == second
    published = app.schemes.publish("shenzhen-rental-bike@2", by="王")  # 李 submitted the open one
    assert published.published_by == "王"


def test_a_list_page_masks_the_members(db: Database) -> None:
    _rider(db)
    app = _app(db)
    _run, proposed = app.listings.propose(scheme="shenzhen-rental-bike", as_of=DAY)
    (listing,) = [p for p in proposed if p.list_id == "untrustworthy"]
    app.listings.notify(listing.id, by="clerk")
    assert isinstance(app.clock, FixedClock)
    app.clock.day = date(2026, 9, 20)  # after the 10-day objection window
    app.listings.sign_off(listing.id, by="chief")
    app.listings.put_on_list(listing.id, by="chief")
    total, members = app.listings.page(listing.key, at=date(2026, 10, 1))
    assert total == 1
    (member,) = members
    assert member.listing.id == listing.id
    assert member.code != RIDER and member.code[:6] == RIDER[:6] and "*" in member.code


@pytest.mark.parametrize(
    ("correction", "problem"),
    [
        ({"conduct": "a lot"}, "correction.conduct: expected one of"),
        ({"decided_on": "2999-01-01"}, "correction.decided_on: 2999-01-01 is in the future"),
        ({"colour": "red"}, "ENV_VIOLATION has no attribute 'colour'"),
    ],
)
def test_a_correction_given_with_an_upheld_objection_is_checked_like_a_row(
    db: Database, correction: dict[str, str], problem: str
) -> None:
    from xinyong.errors import InvalidInput

    _code, record = _polluter(db)
    app = _app(db)
    case = app.cases.object(record, "the reading was wrong", by="the firm")
    with pytest.raises(InvalidInput, match=re.escape(problem)):
        app.cases.decide_objection(
            case.id, uphold=True, reasons="corrected", by="officer", correction=correction
        )
    assert app.cases.case(case.id).state.value == "open"  # nothing was decided


def test_a_decided_case_cannot_be_decided_again(db: Database) -> None:
    from xinyong.errors import XinyongError

    _code, record = _polluter(db)
    app = _app(db)
    case = app.cases.object(record, "the reading was wrong", by="the firm")
    app.cases.decide_objection(case.id, uphold=False, reasons="no", by="officer")
    with pytest.raises(XinyongError, match="is already decided: rejected") as refused:
        app.cases.decide_objection(case.id, uphold=True, reasons="yes", by="another officer")
    assert status_of(refused.value) == 409


def test_steps_are_dated_by_the_clock_and_an_earlier_exit_is_bounded(db: Database) -> None:
    from xinyong.application.base import Backdate
    from xinyong.dueprocess.lifecycle import ExitReason
    from xinyong.errors import InvalidInput

    _rider(db)
    app = _app(db)
    assert isinstance(app.clock, FixedClock)
    _run, proposed = app.listings.propose(scheme="shenzhen-rental-bike", as_of=DAY)
    (listing,) = [p for p in proposed if p.list_id == "untrustworthy"]
    assert listing.state.proposed_on == DAY
    app.listings.notify(listing.id, by="clerk")
    app.clock.day = date(2026, 9, 20)
    app.listings.sign_off(listing.id, by="chief")
    listed = app.listings.put_on_list(listing.id, by="chief")
    assert listed.state.listed_from == date(2026, 9, 20)  # dated by the clock
    app.clock.day = date(2026, 10, 10)
    performed = ExitReason("performed")
    with pytest.raises(InvalidInput, match="never in the future"):
        app.listings.exit(
            listing.id, performed, by="chief", effective=Backdate(date(2026, 10, 11), "paid")
        )
    with pytest.raises(InvalidInput, match="before the previous step"):
        app.listings.exit(
            listing.id, performed, by="chief", effective=Backdate(date(2026, 9, 1), "paid")
        )
    with pytest.raises(InvalidInput, match="states its reason"):
        app.listings.exit(
            listing.id, performed, by="chief", effective=Backdate(date(2026, 10, 1), " ")
        )
    ended = app.listings.exit(
        listing.id, performed, by="chief", effective=Backdate(date(2026, 10, 1), "fine paid 1 Oct")
    )
    assert ended.state.exited_on == date(2026, 10, 1)
    _listing, steps, replays = app.listings.history(listing.id)
    assert replays
    assert steps[-1].details["recorded_on"] == "2026-10-10"
    assert steps[-1].details["effective_because"] == "fine paid 1 Oct"


BIKES = "深圳市交通运输局"


def _listed_rider(app: Application, references: list[str]) -> int:
    """A rider with three rental-bike violations sent by the department, on the list."""
    assert isinstance(app.clock, FixedClock)
    app.clock.day = DAY
    rows = [
        {
            "subject_code": RIDER,
            "subject_name": "张三",
            "item_code": "BIKE_VIOLATION",
            "decided_on": day,
            "reference": reference,
            "conduct": "damage",
        }
        for reference, day in zip(
            references, ["2026-02-01", "2026-05-01", "2026-08-01"], strict=True
        )
    ]
    app.records.submit(rows, source=BIKES, actor="dept", key="v", answer=lambda _d: {})
    _run, proposed = app.listings.propose(scheme="shenzhen-rental-bike", as_of=DAY)
    (listing,) = [p for p in proposed if p.list_id == "untrustworthy"]
    app.listings.notify(listing.id, by="clerk")
    app.clock.day = date(2026, 9, 20)
    app.listings.sign_off(listing.id, by="chief")
    app.listings.put_on_list(listing.id, by="chief")
    return listing.id


def test_a_revocation_sent_in_a_batch_ends_the_listing_it_caused(db: Database) -> None:
    app = _app(db)
    listing_id = _listed_rider(app, ["SZ-1", "SZ-2", "SZ-3"])
    revoke = {
        "action": "revoke",
        "target_reference": "SZ-1",
        "item_code": "BIKE_VIOLATION",
        "decided_on": "2026-09-20",
        "reason": "复议撤销",
    }
    app.records.submit(
        [revoke], source="深圳市交通运输局", actor="dept", key="r", answer=lambda _d: {}
    )
    ended = app.listings.listing(listing_id)
    assert ended.state.state.value == "exited" and ended.state.exit_reason == "revoked"
    assert app.checks.check(RIDER, "rental", "bike_operator", by="clerk").applies == ()


def test_a_listing_that_ended_is_not_proposed_again_from_the_same_records(db: Database) -> None:
    from xinyong.dueprocess.lifecycle import ExitReason

    app = _app(db)
    listing_id = _listed_rider(app, ["SZ-1", "SZ-2", "SZ-3"])
    assert isinstance(app.clock, FixedClock)
    app.clock.day = date(2026, 10, 1)
    app.listings.exit(listing_id, ExitReason("performed"), by="court clerk")
    _run, again = app.listings.propose(scheme="shenzhen-rental-bike", as_of=date(2026, 10, 1))
    assert [p for p in again if p.list_id == "untrustworthy"] == []


def test_the_record_a_decision_writes_is_sealed_like_a_batch(db: Database) -> None:
    from sqlalchemy import update

    from xinyong.dueprocess.objections import ObjectionDecision
    from xinyong.store.tables import records

    _code, record = _polluter(db)
    app = _app(db)
    case = app.cases.object(record, "it was dust, not an exceedance", by="the firm")
    decided = app.cases.decide_objection(
        case.id, uphold=True, reasons="dust", by="officer", correction={"conduct": "dust"}
    )
    assert isinstance(decided.decision, ObjectionDecision)
    new_id = decided.decision.new_record_id
    assert new_id is not None and app.oversight.verify().intact
    with db.begin() as conn:
        conn.execute(
            update(records).where(records.c.id == new_id).values(attributes={"conduct": "waste"})
        )
    (problem,) = app.oversight.verify().problems
    assert problem.endswith(f"record #{new_id} was edited in place")
