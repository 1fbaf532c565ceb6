"""What would change my grade: the engine's answer, checked by doing what it says.

Each way out is applied (records repaired, through the repair process or as repair events) and
the subject re-evaluated with the compiled query, not with the reference evaluator that found
it; each smaller set is shown not to do it; each change by time alone is checked on its day and
the day before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import combinations

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert, text

from dueprocess import add_batch, add_records, add_subject
from helpers import uscc_code
from xinyong.application import Application
from xinyong.backends.base import outcomes
from xinyong.backends.sql import dialect_of
from xinyong.catalog.items import Catalog
from xinyong.clock import FixedClock
from xinyong.dueprocess.repair import REQUIRED_MATERIALS
from xinyong.evaluation.guidance import Change, Guidance, Status, guidance
from xinyong.schemes.compiler import to_sql
from xinyong.schemes.ir import Plan, plan
from xinyong.schemes.library import Library
from xinyong.settings import Settings
from xinyong.store.database import Database
from xinyong.store.tables import record_events

DAY = date(2025, 6, 30)
ZZ = "zhengzhou-environment"


def _firm(conn: Connection, serial: int) -> tuple[str, int]:
    code = uscc_code(serial, "410105")
    return code, add_subject(conn, code, "enterprise", "410105", "26")


def test_the_smallest_repair_that_changes_the_grade_is_named_and_works(db: Database) -> None:
    app = Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(DAY))
    with db.begin() as conn:
        code, sid = _firm(conn, 1)
        exceedances = add_records(
            conn, sid, "ENV_VIOLATION", [date(2024, 3, 1), date(2024, 9, 1)], conduct="exceedance"
        )
        (permit,) = add_records(conn, sid, "ENV_VIOLATION", [date(2025, 1, 1)], conduct="no_permit")
    (found,) = app.evaluations.guidance(code, ZZ)
    assert found.status == Status("环保警示", frozenset({"warning"}))  # 100 - 10 - 10 - 15
    first = found.ways[0]
    assert first.change == Change("grade", "环保良好")
    assert [e.record_id for e in first.records] == [permit]  # one record is enough: 80
    assert first.possible_from == DAY  # the minimum publication period has passed
    leaving = [w for w in found.ways if w.change == Change("leaves", "warning")]
    assert [[e.record_id for e in w.records] for w in leaving] == [[permit]]
    redlist = [w for w in found.ways if w.change == Change("joins", "redlist")]
    assert [sorted(e.record_id for e in w.records) for w in redlist] == [[*exceedances, permit]]
    # with nothing done: the second exceedance leaves the 2-year window first
    assert [(d.on, d.status.grade) for d in found.drift] == [
        (date(2026, 9, 1), "环保良好"),
        (date(2027, 1, 1), "环保诚信"),
    ]
    assert any("possible from 2025-06-30" in line for line in found.lines())

    # Doing it: apply for the repair, forward it, grant it; the re-grade says what it said.
    case = app.cases.apply_for_repair(permit, REQUIRED_MATERIALS, by=code)
    app.cases.forward(case.id, "郑州市生态环境局", by="official")
    app.cases.decide_repair(case.id, grant=True, reasons="permit obtained", by="official")
    after = app.evaluations.explain(ZZ, code)
    assert after.agrees_with_query
    assert (after.grade, after.lists) == ("环保良好", frozenset())
    (again,) = app.evaluations.guidance(code, ZZ)
    assert again.status == Status("环保良好", frozenset())


def test_a_subject_out_of_scope_or_with_nothing_to_repair(db: Database) -> None:
    app = Application.build(Settings(database_url=db.url), db=db, clock=FixedClock(DAY))
    with db.begin() as conn:
        clean, _ = _firm(conn, 2)
        elsewhere = uscc_code(3, "320102")
        add_subject(conn, elsewhere, "enterprise", "320102", "26")
    (found,) = app.evaluations.guidance(clean, ZZ)
    assert found.status == Status("环保诚信", frozenset({"redlist"}))
    assert found.ways == () and found.drift == () and found.complete
    assert "no repair or expiry" in found.lines()[1]
    (outside,) = app.evaluations.guidance(elsewhere, ZZ)
    assert not outside.in_scope
    # with no scheme named: only the schemes that have the subject in scope
    assert ZZ not in {g.scheme.split("@")[0] for g in app.evaluations.guidance(elsewhere)}


# -- the property: every way works, no smaller set does, every drift happens on its day --------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, Catalog, Library]]:
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('guidance') / 'g.db'}")
    db.migrate()
    catalog = Catalog.load()
    yield db, catalog, Library.load(catalog)
    db.dispose()


CONDUCTS = ["exceedance", "no_permit", "dust", "waste", "falsified_monitoring"]
RECORDS = st.lists(
    st.tuples(
        st.sampled_from(CONDUCTS),
        st.integers(min_value=0, max_value=900),  # days before DAY
        st.sampled_from([None, 5, 12, 30]),  # fine, 10k CNY
    ),
    min_size=0,
    max_size=6,
    unique_by=lambda row: row[1],  # one a day: the helper numbers a day's decisions from 1
)
_serial = iter(range(1000, 10**6))


_QUERIES: dict[tuple[date, int], tuple[Plan, str]] = {}


def _compiled(conn: Connection, catalog: Catalog, library: Library, sid: int, on: date) -> Status:
    """The compiled query's status of the subject on ``on`` (compiled once per day and subject:
    the data changes between runs, the query does not)."""
    if (on, sid) not in _QUERIES:
        resolved = plan(library.get(ZZ), catalog, on)
        _QUERIES[on, sid] = resolved, to_sql(resolved, dialect_of(conn), subject_ids=[sid])
    resolved, sql = _QUERIES[on, sid]
    result = outcomes(resolved, conn.execute(text(sql)).mappings())[sid]
    return Status(result.grade, result.lists)


def _repaired(conn: Connection, ids: tuple[int, ...], on: date) -> None:
    now = datetime.now(UTC)
    batch = add_batch(conn, len(ids))
    for n, record_id in enumerate(ids, 1):
        conn.execute(
            insert(record_events),
            {
                "record_id": record_id,
                "kind": "repair",
                "effective_on": on,
                "source": "test",
                "batch_id": batch,
                "row_number": n,
                "recorded_at": now,
            },
        )


def _with_repairs(
    conn: Connection, catalog: Catalog, library: Library, sid: int, ids: tuple[int, ...]
) -> Status:
    """The compiled query's status with ``ids`` repaired today, the repairs then undone."""
    nested = conn.begin_nested()
    try:
        _repaired(conn, ids, DAY)
        return _compiled(conn, catalog, library, sid, DAY)
    finally:
        nested.rollback()


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=RECORDS)
def test_every_way_out_works_and_none_smaller_does(
    world: tuple[Database, Catalog, Library], rows: list[tuple[str, int, int | None]]
) -> None:
    db, catalog, library = world
    with db.begin() as conn:
        code, sid = _firm(conn, next(_serial))
        for conduct, back, fine in rows:
            extra = {} if fine is None else {"fine_10k_cny": fine}
            day = DAY - timedelta(days=back)
            add_records(conn, sid, "ENV_VIOLATION", [day], conduct=conduct, **extra)
        found: Guidance = guidance(conn, library.get(ZZ), catalog, DAY, code)
        note("\n".join(found.lines()))
        note(repr(found.candidates))
        before = _compiled(conn, catalog, library, sid, DAY)
        assert found.status == before
        negative = [e.record_id for e in found.candidates if e.repair_from is not None]
        for way in found.ways:
            ids = tuple(e.record_id for e in way.records)
            assert _changed(way.change, before, _with_repairs(conn, catalog, library, sid, ids))
            for size in range(1, len(ids)):
                for smaller in combinations(negative, size):
                    after = _with_repairs(conn, catalog, library, sid, smaller)
                    assert not _changed(way.change, before, after), (way, smaller)
        previous = before
        for drift in found.drift:
            assert _compiled(conn, catalog, library, sid, drift.on) == drift.status
            day_before = drift.on - timedelta(days=1)
            assert _compiled(conn, catalog, library, sid, day_before) == previous
            previous = drift.status


def _changed(change: Change, before: Status, after: Status) -> bool:
    if change.kind == "grade":
        return after.grade == change.to
    if change.kind == "leaves":
        return change.to in before.lists and change.to not in after.lists
    return change.to not in before.lists and change.to in after.lists
