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
    ConditionNode,
    Measure,
    Plan,
    RecordSet,
    RuleNode,
    ScopeNode,
    SubjectTest,
    Window,
)
from xinyong.schemes.oracle import evaluate
from xinyong.store.database import Database
from xinyong.store.tables import batches, cases, record_events, records, subjects

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
        return ConditionNode(
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
    return Plan(
        scheme="generated@1",
        as_of=AS_OF,
        scope=ScopeNode(
            frozenset({"enterprise", "individual"}),
            draw(st.sampled_from([None, "32"])),
            (),
            frozenset({"active"}),
            None,
        ),
        measures=chosen,
        base=float(draw(st.integers(0, 100))),
        rules=rules,
        total_min=total[0] if bounded else None,
        total_max=total[1] if bounded else None,
        bands=bands,
        overrides=tuple(
            (draw(st.sampled_from(grades)), condition()) for _ in range(draw(st.integers(0, 2)))
        ),
        bars=tuple(
            (draw(st.sampled_from(grades)), condition()) for _ in range(draw(st.integers(0, 2)))
        ),
        new_subject=("N", condition()) if draw(st.booleans()) else None,
        lists=tuple((f"list{i}", condition()) for i in range(draw(st.integers(0, 2)))),
        published_after=tuple(
            (item, draw(days)) for item in sorted(draw(st.sets(st.sampled_from(ITEMS))))
        ),
        exclude_disputed=draw(st.booleans()),
    )


record_rows = st.lists(
    st.fixed_dictionaries(
        {
            "subject": st.integers(0, 5),
            "item": st.sampled_from(ITEMS),
            "decided_on": days,
            "severity": st.one_of(st.none(), st.integers(1, 3)),
            "fine": st.one_of(st.none(), quarters.map(abs)),
            "level": st.sampled_from([None, "national", "provincial", "county"]),
            "fate": st.sampled_from([None, None, None, "revoked", "corrected"]),
            "fate_on": days,
            "objected_on": st.one_of(st.none(), st.none(), days),
            "objection_days": st.one_of(st.none(), st.integers(0, 400)),
        }
    ),
    max_size=40,
)


def load(conn: Connection, rows: list[dict[str, Any]]) -> None:
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
    for n, row in enumerate(rows, start=1):
        attributes = {
            k: v
            for k, v in (("fine_10k_cny", row["fine"]), ("level", row["level"]))
            if v is not None
        }
        values = {
            "subject_id": row["subject"] + 1,
            "item_code": row["item"],
            "decided_on": row["decided_on"],
            "severity": row["severity"],
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


@example(plan=BOUNDARY_PLAN, rows=BOUNDARY_RECORDS)  # window start and publication end, exactly
@example(
    plan=replace(BOUNDARY_PLAN, exclude_disputed=True, published_after=()), rows=DISPUTE_RECORDS
)
@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans(), rows=record_rows)
def test_compiled_query_equals_reference(
    db: Database, plan: Plan, rows: list[dict[str, Any]]
) -> None:
    with db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            load(conn, rows)
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
