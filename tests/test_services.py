"""Grading of government services: ratings sent in a batch (bad ones open rectification cases
with deadlines), the agency's answer and the unanswered ones closed as late, the monthly grade
against the reference evaluator, the ranking of a region with its trend, and a citizen's file
that never holds an agency's grade."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from dueprocess import add_subject
from helpers import resident_id, uscc_code
from xinyong.application import Application
from xinyong.application.services import SCHEME, level_of
from xinyong.backends.tables import read_tables
from xinyong.clock import FixedClock
from xinyong.disclosure.tokens import Principal, Role
from xinyong.dueprocess.cases import CaseKind
from xinyong.dueprocess.lifecycle import IllegalTransition
from xinyong.errors import Forbidden
from xinyong.schemes.ir import plan
from xinyong.schemes.oracle import evaluate
from xinyong.settings import Settings
from xinyong.store.database import Database

DAY = date(2026, 10, 15)
MONTH_END = date(2026, 10, 31)
ZZ_AGENCIES = [uscc_code(600 + i, "410100", prefix="11") for i in range(4)]
COUNTY = uscc_code(610, "410102", prefix="11")
NJ = uscc_code(611, "320100", prefix="11")
CITIZEN = resident_id(612, "410102", "19800101")


def _app(db: Database, day: date = DAY) -> Application:
    return Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(day))


def _rows(code: str, levels: list[int], day: str = "2026-10-{:02d}") -> list[dict[str, Any]]:
    return [
        {
            "item_code": "GOV_SERVICE_RATING",
            "subject_code": code,
            "decided_on": day.format(1 + i % 14),
            "reference": f"HCP-{code[-6:]}-{day[:7]}-{i}",
            "level": level,
            "service_item": "不动产登记",
            "channel": "hall",
        }
        for i, level in enumerate(levels)
    ]


def _send(app: Application, rows: list[dict[str, Any]], key: str) -> Any:
    return app.records.submit(
        rows,
        source="郑州市政务服务中心",
        actor="department:评价系统",
        key=key,
        answer=lambda done: {"accepted": done.report.accepted},
    )


@pytest.fixture
def app(db: Database) -> Application:
    with db.begin() as conn:
        for code in [*ZZ_AGENCIES, COUNTY, NJ]:
            add_subject(conn, code, "agency", code[2:8])
        add_subject(conn, CITIZEN, "individual", "410102")
    return _app(db)


def test_an_agencys_level_is_its_division() -> None:
    assert [level_of(c) for c in ("410000", "410100", "410102", None)] == [
        "province",
        "city",
        "county",
        "national",
    ]


def test_bad_ratings_open_rectifications_that_the_agency_answers(
    app: Application, db: Database
) -> None:
    agency = ZZ_AGENCIES[0]
    _send(app, _rows(agency, [5, 5, 2, 1, 4, 3]), "b-1")
    waiting = app.cases.inbox(kind=CaseKind.RECTIFICATION)
    assert len(waiting) == 2 and all(c.subject_code == agency for c in waiting)
    assert all(c.deadline > DAY for c in waiting)
    first, second = waiting
    me = Principal("窗口负责人", Role.SUBJECT, subject_code=agency)
    other = Principal("别的机关", Role.SUBJECT, subject_code=ZZ_AGENCIES[1])
    with pytest.raises(Forbidden):
        app.services.rectify(first.id, "已回访", by="x", principal=other)
    closed, record_id, runs = app.services.rectify(
        first.id, "已回访并重新办理", by=me.actor, principal=me
    )
    assert closed.outcome == "rectified" and record_id and runs
    with pytest.raises(IllegalTransition):
        app.services.rectify(first.id, "again", by=me.actor, principal=me)
    late = _app(
        db, second.deadline.replace(day=second.deadline.day) if False else date(2026, 11, 30)
    )
    (done,) = late.services.close_overdue(by="xinyong monthly job")
    assert done[0].id == second.id and done[0].outcome == "unanswered"
    file = late.files.file(agency)
    on_time = sorted(
        r.record.attributes["on_time"]
        for r in file.records
        if r.record.item_code == "GOV_SERVICE_RECTIFICATION"
    )
    assert on_time == [0, 1]


def test_the_monthly_grade_agrees_with_the_reference_evaluator_and_ranks_the_region(
    app: Application, db: Database
) -> None:
    rng = random.Random(5)
    for number, code in enumerate([*ZZ_AGENCIES, COUNTY, NJ]):
        levels = [rng.choice([5, 5, 5, 4, 4, 3, 2, 1][: 8 - number]) for _ in range(12 + number)]
        _send(app, _rows(code, levels, "2026-09-{:02d}"), f"s-{number}")
    september = _app(db, date(2026, 9, 30)).services.grade_month(as_of=date(2026, 9, 30))[0]
    for number, code in enumerate([*ZZ_AGENCIES, COUNTY, NJ]):
        levels = [rng.choice([5, 5, 4, 4, 3, 2][: 6 - number % 3]) for _ in range(11 + number)]
        _send(app, _rows(code, levels), f"o-{number}")
    month = _app(db, MONTH_END)
    run, _closed = month.services.grade_month(as_of=MONTH_END)
    assert run.subjects == 6 and september.subjects == 6
    with db.connect() as conn:
        tables = read_tables(conn)
    expected = evaluate(plan(month.library.get(SCHEME), month.catalog, MONTH_END), tables)
    ranked = month.services.ranking("410100")
    assert {r.code for r in ranked} == {*ZZ_AGENCIES, COUNTY}  # the region's, not Nanjing's
    with db.connect() as conn:
        from xinyong.registry.subjects import get

        ids = {get(conn, r.code).id: r for r in ranked}
    for subject_id, row in ids.items():
        assert row.grade == expected[subject_id].grade
        assert row.previous is not None and row.trend in ("up", "down", "same")
    order = [r.grade for r in ranked]
    bands = [b.grade for b in month.library.get(SCHEME).definition.grades.bands]  # type: ignore[union-attr]
    assert order == sorted(order, key=lambda g: bands.index(g) if g in bands else 99)
    page = month.services.agency(next(iter(ids)))
    assert [m.month for m in page.months] == ["2026-09", "2026-10"]
    assert len(page.grades) == 2


def test_a_citizens_own_file_never_holds_an_agencys_grade(app: Application) -> None:
    _send(app, _rows(ZZ_AGENCIES[0], [1] * 12), "c-1")
    _app(app.db, MONTH_END).services.grade_month(as_of=MONTH_END)
    me = Principal("市民", Role.SUBJECT, subject_code=CITIZEN)
    mine = app.files.own_file(me)
    assert mine.records == () and mine.open_cases == ()
    assert SCHEME not in app.files.grade_history(mine.subject.id)


def test_a_months_export_is_ingested_with_its_words_and_opens_a_case_per_bad_rating(
    db: Database, tmp_path: Any
) -> None:
    from xinyong.registry.subjects import register_many
    from xinyong.samples.services import LEVELS, agencies, ratings, registrations, write_ratings

    found = agencies()
    with db.begin() as conn:
        register_many(conn, registrations(found), "test")
    month = date(2026, 10, 1)
    path = write_ratings(tmp_path / "ratings.csv", found, 3000, month)
    bad = sum(row[4] in LEVELS[3:] for row in ratings(found, 3000, month))
    app = _app(db, MONTH_END)
    done = app.records.ingest_file(path, "全国一体化政务服务平台")
    assert done.report.profile == "gov_service_rating"
    assert done.report.accepted == 3000 and not done.report.rejected
    assert len(app.cases.inbox(kind=CaseKind.RECTIFICATION)) == bad > 0
    run, _ = app.services.grade_month(as_of=MONTH_END)
    assert run.subjects == len(found)
    graded = {r.grade for r in app.services.ranking("41")}
    assert len(graded - {None}) >= 2  # the agencies' qualities spread their grades


def test_the_ranking_and_an_agencys_page_in_the_portal(app: Application, db: Database) -> None:
    from fastapi.testclient import TestClient

    from xinyong.web import create_app

    for number, code in enumerate(ZZ_AGENCIES):
        _send(app, _rows(code, [5 - number % 3] * 12), f"p-{number}")
    _app(db, MONTH_END).services.grade_month(as_of=MONTH_END)
    web = create_app(Settings(today=MONTH_END, database_url=db.url), db)
    with TestClient(web, base_url="http://localhost") as c:
        page = c.get("/services?region=4101&lang=zh")
        assert page.status_code == 200
        assert page.text.count('data-trend="new"') == len(ZZ_AGENCIES) + 1  # and the county's
        assert 'data-grade="A"' in page.text
        with db.connect() as conn:
            from xinyong.registry.subjects import get

            agency_id = get(conn, ZZ_AGENCIES[0]).id
        mine = c.get(f"/services/{agency_id}?lang=en")
        assert mine.status_code == 200 and "2026-10" in mine.text
        assert c.get(f"/services/{agency_id + 100}").status_code == 404


def test_an_official_reads_a_rectification_in_the_inbox(app: Application, db: Database) -> None:
    import re

    from fastapi.testclient import TestClient

    from xinyong.disclosure.tokens import issue
    from xinyong.web import create_app

    _send(app, _rows(ZZ_AGENCIES[0], [1]), "d-1")
    with db.begin() as conn:
        token = issue(conn, "李明", Role.OFFICIAL)
    web = create_app(Settings(today=DAY, database_url=db.url), db)
    with TestClient(web, base_url="http://localhost") as c:
        form = re.search(r'name="csrf" value="([0-9a-f]+)"', c.get("/signin").text)
        assert form
        c.post("/signin", data={"token": token, "csrf": form.group(1)})
        inbox = c.get("/desk?lang=zh").text
        found = re.search(r'href="(/desk/cases/\d+)"[^>]*data-kind="rectification"', inbox)
        found = found or re.search(r'data-kind="rectification"[^>]*href="(/desk/cases/\d+)"', inbox)
        assert found, inbox[-2000:]
        page = c.get(found.group(1))
        assert page.status_code == 200 and "rectification-hint" in page.text
