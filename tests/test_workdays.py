"""Deadlines in working days on the official calendar, across holidays and adjusted workdays."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xinyong.errors import InvalidInput
from xinyong.reference.workdays import WorkCalendar, load_days, read_days
from xinyong.store.database import Database

CAL = WorkCalendar()


@pytest.mark.parametrize(
    ("start", "days", "due", "why"),
    [
        # Spring Festival 2025: 28 Jan - 4 Feb off; Sunday 26 Jan and Saturday 8 Feb worked
        (date(2025, 1, 24), 1, date(2025, 1, 26), "Sunday 26 Jan 2025 is a working day"),
        (date(2025, 1, 27), 1, date(2025, 2, 5), "the holiday runs to 4 Feb"),
        (date(2025, 2, 5), 3, date(2025, 2, 8), "Saturday 8 Feb 2025 is a working day"),
        # National Day 2025: 1-8 Oct off; Sunday 28 Sep and Saturday 11 Oct worked
        (date(2025, 9, 30), 3, date(2025, 10, 11), "platform to authority across National Day"),
        (date(2025, 9, 26), 10, date(2025, 10, 16), "repair answer across National Day"),
        # Labour Day 2026: 1-5 May off; Saturday 9 May worked
        (date(2026, 4, 30), 3, date(2026, 5, 8), "1-5 May 2026 off"),
        (date(2026, 5, 7), 2, date(2026, 5, 9), "Saturday 9 May 2026 is a working day"),
        # National Day 2026: Saturday 10 Oct worked
        (date(2026, 9, 30), 3, date(2026, 10, 10), "Saturday 10 Oct 2026 is a working day"),
    ],
)
def test_deadlines_across_holidays(start: date, days: int, due: date, why: str) -> None:
    deadline = CAL.add(start, days)
    assert deadline.due == due, why
    assert deadline.warnings == ()


def test_a_year_nobody_has_published_counts_monday_to_friday_and_says_so() -> None:
    deadline = CAL.add(date(2026, 12, 28), 10)
    # 29, 30, 31 Dec 2026 (known), then from Friday 1 Jan 2027 Monday to Friday: even New
    # Year's Day counts, which is why the answer carries a warning
    assert deadline.due == date(2027, 1, 11)
    assert len(deadline.warnings) == 1 and "2027" in deadline.warnings[0]
    assert "xinyong calendar load" in deadline.warnings[0]


def test_an_operator_loads_the_new_year(db: Database, tmp_path: Path) -> None:
    path = tmp_path / "2027.csv"
    path.write_text(
        "date,kind,name\n2027-01-01,holiday,元旦\n2027-01-04,holiday,元旦\n"
        "2027-01-09,workday,调休\n",
        encoding="utf-8",
    )
    with db.begin() as conn:
        years = load_days(conn, read_days(path), source="国办发明电（测试）")
        assert list(years) == [2027]
        calendar = WorkCalendar.from_database(conn)
    deadline = calendar.add(date(2026, 12, 31), 5)
    # 1 Jan and 4 Jan off, Saturday 9 Jan worked: 5, 6, 7, 8, 9 Jan
    assert deadline.due == date(2027, 1, 9)
    assert deadline.warnings == ()


def test_a_bad_calendar_file_names_the_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("date,kind\n2027-01-01,holiday\n2027-01-02,party\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="row 3, field kind"):
        read_days(path)


@given(st.dates(date(2005, 1, 1), date(2026, 11, 1)), st.integers(0, 40))
def test_the_due_day_is_a_working_day_with_exactly_n_before_it(start: date, days: int) -> None:
    deadline = CAL.add(start, days)
    assert CAL.between(start, deadline.due) == days
    if days:
        assert CAL.is_workday(deadline.due)
        assert CAL.between(start, deadline.due - timedelta(days=1)) == days - 1
