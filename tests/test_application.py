"""The application layer: one use case per step, under one clock, and the same results from
every engine. Interfaces are tested in their own files; here the use cases themselves."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dueprocess import add_records, add_subject
from helpers import resident_id
from xinyong import clock
from xinyong.application import Application
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
        "record_events.parquet",
        "records.parquet",
        "subjects.parquet",
    ]
