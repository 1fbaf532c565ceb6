"""Publication periods: when a record comes down and from when it may be repaired."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, Date, Integer, MetaData, String, Table, create_engine, insert, select

from xinyong.catalog.items import Catalog
from xinyong.dueprocess.publication import public_condition, window

CATALOG = Catalog.load()


def test_penalty_tiers_follow_527() -> None:
    decided = date(2025, 3, 31)
    minor = window(CATALOG["ADM_PENALTY_MINOR"], decided)
    general = window(CATALOG["ADM_PENALTY_GENERAL"], decided)
    serious = window(CATALOG["ADM_PENALTY_SERIOUS"], decided)
    assert general.repair_from == date(2025, 6, 30)  # 3 months, month end clamped
    assert general.public_until == date(2026, 3, 31)
    assert serious.repair_from == date(2026, 3, 31)
    assert serious.public_until == date(2028, 3, 31)
    assert minor.public_until is not None and minor.public_until <= date(2025, 7, 1)
    assert general.public_on(date(2026, 3, 30)) and not general.public_on(date(2026, 3, 31))


def test_positive_items_have_nothing_to_repair() -> None:
    assert window(CATALOG["HON_BLOOD_DONATION"], date(2025, 1, 1)).repair_from is None


SAMPLE = Table(
    "sample",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("item_code", String),
    Column("decided_on", Date),
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(i.code for i in CATALOG)),
            st.dates(date(2019, 1, 1), date(2026, 12, 31)),
        ),
        min_size=1,
        max_size=30,
    ),
    st.dates(date(2019, 1, 1), date(2028, 12, 31)),
)
@example(rows=[("ADM_PENALTY_GENERAL", date(2024, 6, 30))], at=date(2025, 6, 30))
@example(rows=[("ADM_PENALTY_GENERAL", date(2024, 2, 29))], at=date(2025, 2, 28))
@example(rows=[("ADM_PENALTY_MINOR", date(2024, 11, 30))], at=date(2025, 2, 28))
def test_the_sql_view_and_the_window_agree(rows: list[tuple[str, date]], at: date) -> None:
    """The public view is a SQL condition with per-item cut-off dates; it must say exactly what
    each record's own window says, month ends included."""
    engine = create_engine("sqlite://")
    SAMPLE.metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(SAMPLE),
            [{"id": i, "item_code": c, "decided_on": d} for i, (c, d) in enumerate(rows)],
        )
        query = select(SAMPLE.c.id).where(public_condition(CATALOG, at, SAMPLE))
        found = set(conn.execute(query).scalars())
    expected = {
        i for i, (code, decided) in enumerate(rows) if window(CATALOG[code], decided).public_on(at)
    }
    assert found == expected


def test_month_ends_agree_exactly() -> None:
    item = CATALOG["ADM_PENALTY_GENERAL"]
    for offset in range(0, 800):
        decided = date(2024, 1, 1) + timedelta(days=offset)
        until = window(item, decided).public_until
        assert until is not None
        assert item.publication.max.before(until) >= decided
        assert item.publication.max.before(until - timedelta(days=1)) < decided
