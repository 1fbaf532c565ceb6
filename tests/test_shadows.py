"""Shadow runs: a version evaluated for a set period beside the version in force, its results
checked against the reference evaluator, and never read by anything that decides."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from dueprocess import add_records, add_subject
from helpers import resident_id, uscc_code
from xinyong.application import Application
from xinyong.backends.tables import read_tables
from xinyong.clock import FixedClock
from xinyong.errors import Conflict, InvalidInput
from xinyong.evaluation.runs import latest_results
from xinyong.schemes.ir import plan
from xinyong.schemes.oracle import evaluate
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import evaluation_results, shadow_results

DAY = date(2019, 12, 1)  # version 1 in force, version 2 takes effect on 2020-01-01
NEW, OLD = "shenzhen-rental-bike@2", "shenzhen-rental-bike@1"


def _riders(db: Database, n: int = 40) -> list[str]:
    rng = random.Random(3)
    codes = []
    with db.begin() as conn:
        for i in range(n):
            code = resident_id(300 + i, ["440303", "440305", "440303", "440105"][i % 4])
            rider = add_subject(conn, code, "individual", code[:6])
            days = {DAY - timedelta(days=rng.randrange(400)) for _ in range(rng.randrange(5))}
            add_records(conn, rider, "BIKE_VIOLATION", sorted(days), conduct="damage")
            codes.append(code)
        for i in range(n // 8):  # operators: version 1 did not list them
            firm = add_subject(conn, uscc_code(700 + i, "440304"), "enterprise", "440304", "78")
            add_records(conn, firm, "BIKE_OPERATOR_VIOLATION", [DAY], conduct="over_quota")
            codes.append(uscc_code(700 + i, "440304"))
    return codes


def _app(db: Database, day: date = DAY) -> Application:
    return Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(day))


def _expected(app: Application, db: Database, day: date) -> tuple[Counter[str], Counter[str]]:
    """Subjects who would join and leave each list, by the reference evaluator."""
    with db.connect() as conn:
        tables = read_tables(conn)
    new = evaluate(plan(app.library.get(NEW), app.catalog, day), tables)
    old = evaluate(plan(app.library.get(OLD), app.catalog, day), tables)
    entered: Counter[str] = Counter()
    left: Counter[str] = Counter()
    for subject in set(new) | set(old):
        after = set(new[subject].lists) if subject in new else set()
        before = set(old[subject].lists) if subject in old else set()
        entered.update(after - before)
        left.update(before - after)
    return entered, left


def test_a_shadow_runs_each_day_beside_the_version_in_force(db: Database) -> None:
    codes = _riders(db)
    app = _app(db)
    shadow = app.shadows.start(NEW, days=3, reason="a month of trial before 2020", by="王")
    assert (shadow.starts_on, shadow.ends_on) == (DAY, DAY + timedelta(days=2))
    assert isinstance(app.clock, FixedClock)
    for offset in range(4):
        day = DAY + timedelta(days=offset)
        app.clock.day = day
        done = app.shadows.run()
        if offset == 3:  # the period is over
            assert done == []
            continue
        (one,) = done
        assert one.problem is None and one.run is not None
        entered, left = _expected(app, db, day)
        assert one.run.entered == dict(entered) and one.run.left == dict(left)
        assert one.run.entered["operators"] == 5  # version 2's new list is seen coming
        assert sum(left.values()) > 0  # riders outside Shenzhen leave its lists
        assert sum(one.run.transitions.values()) == len(codes)
        assert app.shadows.run() == []  # a day runs once
        with db.begin() as conn:  # a new violation before the next day's run
            add_records(conn, 1 + offset, "BIKE_VIOLATION", [day], conduct="damage")
    report = app.shadows.report(NEW)
    assert [r.as_of for r in report.runs] == [DAY + timedelta(days=d) for d in range(3)]
    assert all(r.baseline is not None for r in report.runs)
    actions = [e.action for e in app.oversight.entries() if "shadow" in e.action]
    assert actions == ["scheme.shadow_started"] + ["scheme.shadow_run"] * 3
    # the version in force ran each day as itself; the shadow decided nothing
    with db.connect() as conn:
        versions = {
            r.scheme_version
            for i in range(1, 46)
            for r in latest_results(conn, i, DAY + timedelta(days=9))
        }
        assert versions == {1}
        assert conn.execute(shadow_results.select()).first() is not None
        stored = conn.execute(evaluation_results.select()).all()
        assert len(stored) == 3 * 40  # version 1: riders only


def test_nothing_but_the_shadow_module_reads_the_shadow_tables() -> None:
    """The structural half of "never used": no other module names the shadow tables."""
    source = Path(__file__).parents[1] / "src" / "xinyong"
    readers = {
        str(p.relative_to(source))
        for p in source.rglob("*.py")
        if any(t in p.read_text(encoding="utf-8") for t in ("shadow_results", "shadow_runs"))
    }
    assert readers == {
        "evaluation/shadows.py",
        "store/tables/__init__.py",
        "store/tables/shadows.py",
        "store/migrations/versions/0018_shadow_runs.py",
    }


def test_a_shadow_is_only_for_a_version_not_yet_in_force_nor_published(db: Database) -> None:
    _riders(db, 4)
    app = _app(db)
    with pytest.raises(Conflict, match="in force since 2019-08-01"):
        app.shadows.start(OLD, days=10, reason="trial", by="王")
    with pytest.raises(InvalidInput, match="name the version"):
        app.shadows.start("shenzhen-rental-bike", days=10, reason="trial", by="王")
    with pytest.raises(InvalidInput, match="1 to 366 days"):
        app.shadows.start(NEW, days=0, reason="trial", by="王")
    with pytest.raises(InvalidInput, match="say why"):
        app.shadows.start(NEW, days=5, reason=" ", by="王")
    app.shadows.start(NEW, days=30, reason="trial", by="王")
    with pytest.raises(Conflict, match="already in shadow until 2019-12-30"):
        app.shadows.start(NEW, days=30, reason="again", by="李")


def test_approval_waits_for_the_shadow_period(db: Database) -> None:
    _riders(db, 4)
    app = _app(db)
    app.shadows.start(NEW, days=30, reason="trial", by="王")
    app.schemes.submit(NEW, by="王")
    with pytest.raises(Conflict, match="runs in shadow until 2019-12-30"):
        app.schemes.publish(NEW, by="李")
    stopped = app.shadows.stop(NEW, by="李")
    assert stopped.stopped_on == DAY and stopped.last_day < DAY
    assert app.shadows.run() == []  # stopped today: not run today
    with pytest.raises(Conflict, match="not in shadow"):
        app.shadows.stop(NEW, by="李")
    published = app.schemes.publish(NEW, by="李")
    (entry,) = [e for e in app.oversight.entries() if e.action == "scheme.published"]
    assert entry.details["shadow"] == stopped.id and published.published_by == "李"
    with pytest.raises(Conflict, match="already published"):
        app.shadows.start(NEW, days=5, reason="after publication", by="王")


def test_a_version_whose_file_changed_is_not_run(db: Database, tmp_path: Path) -> None:
    _riders(db, 4)
    app = _app(db)
    app.shadows.start(NEW, days=5, reason="trial", by="王")
    from xinyong.store.tables import scheme_shadows

    with db.begin() as conn:  # as if the file had been edited after the shadow began
        conn.execute(scheme_shadows.update().values(sha256="0" * 64))
    (day,) = app.shadows.run()
    assert day.run is None and day.problem is not None and "changed since" in day.problem
    with db.connect() as conn:
        assert conn.execute(shadow_results.select()).first() is None
