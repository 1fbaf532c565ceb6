"""The compiled query against the reference evaluator, on generated records and generated plans,
on SQLite and PostgreSQL. Amounts and points are multiples of 1/4 so that float sums are exact
in any order, and a disagreement is a real one."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert

from xinyong.backends import duckdb as duckdb_backend
from xinyong.backends.sql import run_plan
from xinyong.backends.tables import read_tables
from xinyong.schemes.ir import (
    AttrTest,
    Comparison,
    ConditionNode,
    Measure,
    Plan,
    Previous,
    RecordSet,
    RuleNode,
    ScopeNode,
    SubjectTest,
    Window,
)
from xinyong.schemes.oracle import evaluate
from xinyong.store.database import Database
from xinyong.store.tables import (
    batches,
    cases,
    evaluation_results,
    evaluation_runs,
    record_events,
    records,
    subjects,
)

AS_OF = date(2025, 6, 30)
ITEMS = ("ADM_PENALTY_GENERAL", "ADM_PENALTY_SERIOUS", "JUD_DEFAULTER", "HON_AWARD")
quarters = st.integers(-80, 80).map(lambda n: n / 4)
# Dates anywhere, and often on the edges that windows and periods are made of, so that the
# boundaries (start excluded, end included) are exercised.
EDGES = [
    date(2022, 6, 30),
    date(2022, 7, 1),
    date(2023, 6, 30),
    date(2023, 12, 31),
    date(2024, 6, 30),
    date(2024, 7, 1),
    date(2024, 12, 31),
    date(2025, 6, 30),
]
days = st.one_of(
    st.integers(0, 3000).map(lambda n: date(2018, 1, 1) + timedelta(days=n)),
    st.sampled_from(EDGES),
)

windows = st.one_of(
    st.just(Window(None, AS_OF)),
    st.sampled_from([365, 730, 1095]).map(lambda n: Window(AS_OF - timedelta(days=n), AS_OF)),
    st.just(Window(date(2023, 12, 31), date(2024, 12, 31))),
    # records decided on or before a day well before the as-of date ("the first record of X
    # was more than 3 years ago")
    st.just(Window(None, date(2022, 6, 30))),
)
attr_tests = st.one_of(
    st.builds(
        AttrTest,
        st.just("fine_10k_cny"),
        st.sampled_from([">=", "<=", ">", "<", "="]),
        quarters.map(abs),
        st.just(True),
    ),
    st.builds(
        AttrTest,
        st.just("level"),
        st.just("in"),
        st.lists(
            st.sampled_from(["national", "provincial", "county"]),
            min_size=1,
            max_size=2,
            unique=True,
        ).map(tuple),
        st.just(False),
    ),
)
# against another attribute of the same record, times a factor ("at least half the amount due")
attr_tests = st.one_of(
    attr_tests,
    st.builds(
        AttrTest,
        st.just("fine_10k_cny"),
        st.sampled_from([">=", "<=", ">", "<"]),
        st.sampled_from([0.5, 1.0, 2.0]),
        st.just(True),
        st.just("due"),
    ),
)
record_sets = st.builds(
    RecordSet,
    st.frozensets(st.sampled_from(ITEMS), min_size=1, max_size=3),
    st.one_of(st.none(), st.frozensets(st.integers(1, 3), min_size=1)),
    st.lists(attr_tests, max_size=2, unique=True).map(tuple),
    windows,
)
# Records of one item, any severity, no attribute test, over all time: the measure of a
# per-record rule, which the compiler takes through its table (or CASE) of item points.
one_item_records = st.builds(
    RecordSet,
    st.sampled_from(ITEMS).map(lambda item: frozenset({item})),
    st.none(),
    st.just(()),
    st.just(Window(None, AS_OF)),
)
measures = st.one_of(
    st.builds(Measure, st.just("count"), record_sets),
    st.builds(Measure, st.just("count"), one_item_records),
    st.builds(Measure, st.just("sum"), record_sets, st.just("fine_10k_cny")),
    st.builds(Measure, st.just("distinct"), record_sets, st.just("level")),
    # the least, greatest and mean fine, and the fine's mean weighted by the amount due: no
    # value (None, NULL) where no record matches
    st.builds(
        Measure, st.sampled_from(["min", "max", "mean"]), record_sets, st.just("fine_10k_cny")
    ),
    st.builds(Measure, st.just("mean"), record_sets, st.just("fine_10k_cny"), st.just("due")),
)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    chosen = tuple(draw(st.lists(measures, min_size=1, max_size=5, unique=True)))
    n = len(chosen)
    rules = tuple(
        RuleNode(
            f"r{i}",
            draw(st.integers(0, n - 1)),
            draw(quarters),
            draw(st.one_of(st.none(), st.integers(1, 40).map(float))),
            draw(st.one_of(st.none(), st.integers(1, 4))),
        )
        for i in range(draw(st.integers(0, 5)))
    )
    minimums = sorted(
        draw(st.lists(st.integers(-50, 150), min_size=1, max_size=3, unique=True)), reverse=True
    )
    grades = ["A", "B", "C", "D"][: len(minimums) + 1]
    bands = tuple(zip(grades, [float(m) for m in minimums] + [None], strict=True))

    def condition(depth: int = 0) -> ConditionNode:
        subject = draw(
            st.one_of(
                st.none(),
                st.builds(
                    SubjectTest,
                    st.one_of(st.none(), days),
                    st.none(),
                    st.one_of(st.none(), st.just(("48",))),
                ),
            )
        )
        comparisons = tuple(
            Comparison(
                draw(st.integers(0, n - 1)),
                draw(st.sampled_from([">=", "<=", ">", "<", "="])),
                value=draw(quarters) if against_constant else None,
                right=None if against_constant else draw(st.integers(0, n - 1)),
                times=1.0 if against_constant else draw(st.sampled_from([0.5, 1.0, 2.0])),
            )
            for against_constant in draw(st.lists(st.booleans(), max_size=2))
        )
        return ConditionNode(
            # the grade of the previous result: none of the schemes' grades, or some
            previous=draw(
                st.one_of(st.none(), st.frozensets(st.sampled_from("ABCDN"), min_size=1))
            ),
            comparisons=comparisons,
            measure=draw(st.one_of(st.none(), st.integers(0, n - 1))),
            at_least=draw(st.integers(1, 3)),
            subject=subject,
            score_below=draw(st.one_of(st.none(), st.integers(0, 120).map(float))),
            score_at_least=None,
            # "any of these grounds": nested once at most, as scheme files do.
            alternatives=tuple(
                condition(depth + 1) for _ in range(draw(st.integers(0, 2 if depth == 0 else 0)))
            ),
        )

    total = sorted(draw(st.lists(st.integers(-20, 120).map(float), min_size=2, max_size=2)))
    bounded = draw(st.booleans())
    overrides = tuple(
        (draw(st.sampled_from(grades)), condition()) for _ in range(draw(st.integers(0, 2)))
    )
    bars = tuple(
        (draw(st.sampled_from(grades)), condition()) for _ in range(draw(st.integers(0, 2)))
    )
    new_subject = ("N", condition()) if draw(st.booleans()) else None
    lists = tuple((f"list{i}", condition()) for i in range(draw(st.integers(0, 2))))
    read = [c for _, c in (*overrides, *bars, *lists)] + ([new_subject[1]] if new_subject else [])
    region = draw(st.sampled_from([None, "32"]))
    # subjects registered elsewhere, in scope through records of some items decided there
    operating = region if draw(st.booleans()) else None
    operating_items = (
        draw(st.frozensets(st.sampled_from(ITEMS), min_size=1)) if operating else frozenset()
    )
    return Plan(
        previous=Previous("generated", PERIOD, draw(st.sampled_from([SINCE, None])))
        if any(c.reads_previous() for c in read)
        else None,
        scheme="generated@1",
        as_of=AS_OF,
        scope=ScopeNode(
            frozenset({"enterprise", "individual"}),
            region,
            (),
            frozenset({"active"}),
            None,
            operating_prefix=operating,
            operating_items=operating_items,
            # a minimum age: the individual (registered, that is born, on 2024-03-01) is out
            # of scope a day before its birthday, in on the day itself
            individuals_born_on_or_before=draw(
                st.sampled_from([None, date(2024, 2, 29), date(2024, 3, 1)])
            ),
        ),
        measures=chosen,
        base=float(draw(st.integers(0, 100))),
        rules=rules,
        total_min=total[0] if bounded else None,
        total_max=total[1] if bounded else None,
        bands=bands,
        overrides=overrides,
        bars=bars,
        new_subject=new_subject,
        lists=lists,
        published_after=tuple(
            (item, draw(days)) for item in sorted(draw(st.sets(st.sampled_from(ITEMS))))
        ),
        exclude_disputed=draw(st.booleans()),
    )


record_row = st.fixed_dictionaries(
    {
        "subject": st.integers(0, 5),
        "item": st.sampled_from(ITEMS),
        "decided_on": days,
        "severity": st.one_of(st.none(), st.integers(1, 3)),
        "fine": st.one_of(st.none(), quarters.map(abs)),
        "due": st.one_of(st.none(), quarters.map(abs)),
        "level": st.sampled_from([None, "national", "provincial", "county"]),
        "fate": st.sampled_from([None, None, None, "revoked", "corrected"]),
        "fate_on": days,
        "objected_on": st.one_of(st.none(), st.none(), days),
        "objection_days": st.one_of(st.none(), st.integers(0, 400)),
        "decided_in": st.sampled_from([None, "320100", "320102", "440300"]),
    }
)
record_rows = st.lists(record_row, max_size=40)

# Stored runs a plan's previous result is read from: the previous period runs from SINCE to
# the day before PERIOD, so the runs before SINCE or as of PERIOD are not previous ones; two
# runs share an as-of date (the later run wins), and one is of another scheme.
SINCE, PERIOD = date(2024, 1, 1), date(2025, 1, 1)
RUNS = (
    ("generated", date(2023, 6, 30)),
    ("generated", date(2023, 12, 31)),
    ("generated", SINCE),
    ("generated", date(2024, 6, 30)),
    ("generated", date(2024, 6, 30)),
    ("generated", date(2024, 12, 31)),
    ("generated", PERIOD),
    ("other", date(2024, 12, 31)),
)
history = st.lists(
    st.tuples(
        st.integers(0, len(RUNS) - 1),
        st.integers(0, 5),
        st.sampled_from(["A", "B", "C", "D", "N", None]),
    ),
    max_size=14,
    unique_by=lambda h: (h[0], h[1]),
)


def load(
    conn: Connection,
    rows: list[dict[str, Any]],
    results: list[tuple[int, int, str | None]] = (),  # type: ignore[assignment]
) -> None:
    now = datetime.now(UTC)
    for i in range(6):
        conn.execute(
            insert(subjects),
            {
                "id": i + 1,
                "code": f"T{i:017d}",
                "id_scheme": "uscc",
                "kind": "individual" if i == 5 else "enterprise",
                "name": f"s{i}",
                "region_code": "320102" if i % 2 else "440305",
                "industry_code": "4812" if i < 3 else "65",
                "registered_on": date(2019 + i, 3, 1),
                "status": "cancelled" if i == 4 else "active",
                "source": "t",
                "created_at": now,
            },
        )
    conn.execute(
        insert(batches),
        {
            "id": 1,
            "source": "t",
            "batch_key": "t",
            "content_sha256": "-",
            "file_format": "t",
            "received_at": now,
            "rows_total": 0,
            "rows_accepted": 0,
            "rows_quarantined": 0,
        },
    )
    for number, (scheme_id, as_of) in enumerate(RUNS, start=1):
        conn.execute(
            insert(evaluation_runs),
            {
                "id": number,
                "scheme_id": scheme_id,
                "scheme_version": 1,
                "scheme_sha256": "-",
                "as_of": as_of,
                "kind": "full",
                "subjects": 0,
                "started_at": now,
                "finished_at": now,
            },
        )
    for run, subject, grade in results:
        conn.execute(
            insert(evaluation_results),
            {
                "run_id": run + 1,
                "subject_id": subject + 1,
                "score": 0.0,
                "grade": grade,
                "lists": "",
            },
        )
    for n, row in enumerate(rows, start=1):
        attributes = {
            k: v
            for k, v in (
                ("fine_10k_cny", row["fine"]),
                ("level", row["level"]),
                ("due", row.get("due")),
            )
            if v is not None
        }
        values = {
            "subject_id": row["subject"] + 1,
            "item_code": row["item"],
            "decided_on": row["decided_on"],
            "severity": row["severity"],
            "decided_in": row.get("decided_in"),
            "source": "t",
            "batch_id": 1,
            "row_number": n,
            "attributes": attributes,
            "recorded_at": now,
        }
        record_id = conn.execute(insert(records).returning(records.c.id), values).scalar_one()
        if row.get("objected_on") is not None:
            opened = row["objected_on"]
            length = row.get("objection_days")
            conn.execute(
                insert(cases),
                {
                    "kind": "objection",
                    "subject_id": row["subject"] + 1,
                    "record_id": record_id,
                    "opened_on": opened,
                    "deadline": opened + timedelta(days=20),
                    "state": "open" if length is None else "decided",
                    "closed_on": None if length is None else opened + timedelta(days=length),
                    "details": {},
                    "created_at": now,
                },
            )
        if row["fate"] == "revoked":
            conn.execute(
                insert(record_events),
                {
                    "record_id": record_id,
                    "kind": "revocation",
                    "effective_on": row["fate_on"],
                    "source": "t",
                    "batch_id": 1,
                    "row_number": n,
                    "recorded_at": now,
                },
            )
        elif row["fate"] == "corrected":
            fixed = {
                **values,
                "attributes": {**attributes, "fine_10k_cny": 1.5},
                "decided_on": row["fate_on"],
                "supersedes_id": record_id,
            }
            conn.execute(insert(records), fixed)


BOUNDARY_RECORDS = [
    {
        "subject": 0,
        "item": "ADM_PENALTY_GENERAL",
        "decided_on": day,
        "severity": 3,
        "fine": 10.0,
        "level": "national",
        "fate": None,
        "fate_on": date(2020, 1, 1),
    }
    for day in (date(2022, 6, 30), date(2022, 7, 1), date(2024, 6, 30), date(2024, 7, 1))
]
BOUNDARY_PLAN = Plan(
    scheme="boundaries@1",
    as_of=AS_OF,
    scope=ScopeNode(frozenset({"enterprise"}), None, (), frozenset({"active"}), None),
    measures=(
        Measure(
            "count",
            RecordSet(
                frozenset({"ADM_PENALTY_GENERAL"}), None, (), Window(date(2022, 6, 30), AS_OF)
            ),
        ),
    ),
    base=0.0,
    rules=(RuleNode("r", 0, 1.0, None),),
    total_min=None,
    total_max=None,
    bands=(("A", 2.0), ("B", None)),
    overrides=(),
    bars=(),
    new_subject=None,
    lists=(),
    published_after=(("ADM_PENALTY_GENERAL", date(2024, 6, 30)),),
)


DISPUTE_RECORDS = [
    {**BOUNDARY_RECORDS[3], "objected_on": opened, "objection_days": days}
    for opened, days in (
        (AS_OF, None),  # lodged on the as-of date: disputed
        (AS_OF - timedelta(days=5), 5),  # decided on the as-of date: no longer disputed
        (AS_OF - timedelta(days=5), 6),  # decided the day after: still disputed
        (AS_OF + timedelta(days=1), None),  # lodged after: not yet disputed
    )
]


@example(plan=BOUNDARY_PLAN, rows=BOUNDARY_RECORDS, results=[])  # window start, publication end
@example(
    plan=replace(BOUNDARY_PLAN, exclude_disputed=True, published_after=()),
    rows=DISPUTE_RECORDS,
    results=[],
)
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans(), rows=record_rows, results=history)
def test_compiled_query_equals_reference(
    db: Database, plan: Plan, rows: list[dict[str, Any]], results: list[tuple[int, int, str | None]]
) -> None:
    agree(db, plan, rows, results)


def agree(
    db: Database,
    plan: Plan,
    rows: list[dict[str, Any]],
    results: list[tuple[int, int, str | None]] = (),  # type: ignore[assignment]
) -> None:
    """The compiled query on ``db`` (and DuckDB beside SQLite) gives what the reference
    evaluator gives: every measure it returns, the score, the grade and the lists."""
    with db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            load(conn, rows, results)
            compiled = run_plan(conn, plan)
            tables = read_tables(conn)
        finally:
            transaction.rollback()
    expected = evaluate(plan, tables)
    engines = {db.dialect: compiled}
    if db.dialect == "sqlite":  # DuckDB runs the same plan over the same rows
        engines["duckdb"] = duckdb_backend.run(duckdb_backend.from_rows(tables), plan)
    for engine, outcomes in engines.items():
        assert set(outcomes) == set(expected), engine
        for subject_id, want in expected.items():
            got = outcomes[subject_id]
            for index, value in got.measures.items():
                assert value == want.measures[index], (engine, subject_id, index)
            assert abs(got.score - want.score) < 1e-9, (engine, subject_id)
            assert (got.grade, got.lists) == (want.grade, want.lists), (engine, subject_id)
            assert got.decided_by == want.decided_by, (engine, subject_id)


# -- named measures and their comparisons, drawn so that every one of them is read -------------
simple_sets = st.builds(
    RecordSet,
    st.frozensets(st.sampled_from(ITEMS[:2]), min_size=1, max_size=2),
    st.none(),
    st.lists(attr_tests, max_size=1).map(tuple),
    st.sampled_from([Window(None, AS_OF), Window(AS_OF - timedelta(days=1095), AS_OF)]),
)
read_measures = st.one_of(
    st.builds(
        Measure,
        st.sampled_from(["min", "max", "mean", "sum"]),
        simple_sets,
        st.just("fine_10k_cny"),
    ),
    st.builds(Measure, st.just("mean"), simple_sets, st.just("fine_10k_cny"), st.just("due")),
    st.builds(Measure, st.just("count"), simple_sets),
)


@st.composite
def measure_plans(draw: st.DrawFn) -> Plan:
    chosen = tuple(draw(st.lists(read_measures, min_size=2, max_size=4, unique=True)))
    n = len(chosen)
    # every measure gives points, so its value reaches the score
    rules = tuple(RuleNode(f"r{i}", i, draw(quarters), None) for i in range(n))

    def compared() -> Comparison:
        if draw(st.booleans()):
            return Comparison(
                draw(st.integers(0, n - 1)),
                draw(st.sampled_from([">=", "<=", ">", "<"])),
                value=draw(quarters.map(abs)),
            )
        return Comparison(
            draw(st.integers(0, n - 1)),
            draw(st.sampled_from([">=", "<=", ">", "<", "="])),
            right=draw(st.integers(0, n - 1)),
            times=draw(st.sampled_from([0.5, 1.0, 2.0])),
        )

    def condition() -> ConditionNode:
        return ConditionNode(
            None, 1, None, None, None, comparisons=tuple(compared() for _ in range(2))
        )

    return Plan(
        scheme="measures@1",
        as_of=AS_OF,
        scope=ScopeNode(
            frozenset({"enterprise", "individual"}), None, (), frozenset({"active"}), None
        ),
        measures=chosen,
        base=50.0,
        rules=rules,
        total_min=None,
        total_max=None,
        bands=(("A", 60.0), ("B", 40.0), ("C", None)),
        overrides=(("C", condition()),),
        bars=(("B", condition()),),
        new_subject=None,
        lists=tuple((f"list{i}", condition()) for i in range(3)),
    )


# Records crowded onto few subjects and the items the measures read, most with both numbers,
# so that a subject often has several values for one measure (least, greatest, mean differ).
dense_row = st.fixed_dictionaries(
    {
        "subject": st.integers(0, 2),
        "item": st.sampled_from(ITEMS[:2]),
        "decided_on": st.integers(0, 1000).map(lambda n: AS_OF - timedelta(days=n)),
        "severity": st.just(2),
        "fine": st.one_of(st.none(), *[quarters.map(abs)] * 4),
        "due": st.one_of(st.none(), *[quarters.map(abs)] * 4),
        "level": st.just(None),
        "fate": st.sampled_from([None, None, None, None, "revoked"]),
        "fate_on": days,
    }
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=measure_plans(), rows=st.lists(dense_row, min_size=6, max_size=30))
def test_measures_and_their_comparisons_equal_reference(
    db: Database, plan: Plan, rows: list[dict[str, Any]]
) -> None:
    agree(db, plan, rows)


# -- the scheme's previous result, drawn so that conditions read little else ------------------
@st.composite
def history_plans(draw: st.DrawFn) -> Plan:
    def condition() -> ConditionNode:
        grades = draw(st.frozensets(st.sampled_from("ABCN"), min_size=1, max_size=2))
        return ConditionNode(None, 1, None, None, None, previous=grades)

    return Plan(
        scheme="generated@1",
        as_of=AS_OF,
        scope=ScopeNode(
            frozenset({"enterprise", "individual"}), None, (), frozenset({"active"}), None
        ),
        measures=(Measure("count", RecordSet(frozenset(ITEMS), None, (), Window(None, AS_OF))),),
        base=50.0,
        rules=(RuleNode("r", 0, draw(quarters), None),),
        total_min=None,
        total_max=None,
        bands=(("A", 60.0), ("B", 40.0), ("C", None)),
        overrides=(("C", condition()),) if draw(st.booleans()) else (),
        bars=(("B", condition()),) if draw(st.booleans()) else (),
        new_subject=("N", condition()) if draw(st.booleans()) else None,
        lists=(("list0", condition()),),
        previous=Previous("generated", PERIOD, SINCE),
    )


# results crowded onto few subjects, so that one subject often has several runs' results
dense_history = st.lists(
    st.tuples(
        st.integers(0, len(RUNS) - 1),
        st.integers(0, 2),
        st.sampled_from(["A", "B", "C", "N", None]),
    ),
    min_size=4,
    max_size=18,
    unique_by=lambda h: (h[0], h[1]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=history_plans(), rows=st.lists(dense_row, max_size=8), results=dense_history)
def test_the_previous_result_equals_reference(
    db: Database,
    plan: Plan,
    rows: list[dict[str, Any]],
    results: list[tuple[int, int, str | None]],
) -> None:
    agree(db, plan, rows, results)


# -- scope by where a subject operates: records decided in the region bring it in ------------
@st.composite
def operating_plans(draw: st.DrawFn) -> Plan:
    plan = draw(history_plans())
    items = draw(st.frozensets(st.sampled_from(ITEMS[:2]), min_size=1))
    return replace(
        plan,
        previous=None,
        overrides=(),
        bars=(),
        new_subject=None,
        lists=(),
        scope=replace(plan.scope, region_prefix="32", operating_prefix="32", operating_items=items),
    )


# records of the six subjects (half registered outside region 32), some decided there, some
# after the as-of date
operating_row = st.fixed_dictionaries(
    {
        "subject": st.integers(0, 5),
        "item": st.sampled_from(ITEMS[:3]),
        "decided_on": st.integers(-60, 400).map(lambda n: AS_OF - timedelta(days=n)),
        "severity": st.just(2),
        "fine": st.none(),
        "level": st.just(None),
        "fate": st.sampled_from([None, None, "revoked"]),
        "fate_on": days,
        "decided_in": st.sampled_from([None, "320100", "440300"]),
    }
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=operating_plans(), rows=st.lists(operating_row, max_size=12))
def test_scope_by_where_a_subject_operates_equals_reference(
    db: Database, plan: Plan, rows: list[dict[str, Any]]
) -> None:
    agree(db, plan, rows)
