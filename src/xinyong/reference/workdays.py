"""Working days on the Chinese official calendar, for deadlines counted in working days.

The State Council publishes each year's holiday arrangement late in the year before, including
weekend days made into working days (调休). The ``chinese-calendar`` package carries the published
years; an operator can load a newly published year (or a correction) into the ``calendar_days``
table before the package catches up, and those days take precedence. A deadline that runs into a
year neither knows is counted Monday to Friday and carries a warning saying so, so that nobody
mistakes a guess for the official calendar.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
from sqlalchemy import Connection, delete, insert, select

from xinyong import clock
from xinyong.errors import InvalidInput
from xinyong.reference.dates import parse_date
from xinyong.store.tables import calendar_days


@dataclass(frozen=True, slots=True)
class Deadline:
    """A date reached by counting working days, with any caveat about how it was counted."""

    due: date
    working_days: int
    warnings: tuple[str, ...] = ()


@dataclass(slots=True)
class WorkCalendar:
    """The official calendar, with operator-loaded days (``overrides``) taking precedence."""

    overrides: Mapping[date, bool] = field(default_factory=dict)

    @classmethod
    def from_database(cls, conn: Connection) -> WorkCalendar:
        rows = conn.execute(select(calendar_days.c.day, calendar_days.c.workday))
        return cls({day: bool(workday) for day, workday in rows})

    def known(self, day: date) -> bool:
        """Whether the official arrangement for ``day``'s year is known."""
        if any(d.year == day.year for d in self.overrides):
            return True
        try:
            chinese_calendar.is_workday(day)
        except NotImplementedError:
            return False
        return True

    def is_workday(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if any(d.year == day.year for d in self.overrides):
            return day.weekday() < 5  # a loaded year lists its exceptions; the rest is Mon-Fri
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5

    def add(self, start: date, working_days: int) -> Deadline:
        """The date ``working_days`` working days after ``start`` (``start`` itself not counted,
        as periods in law start the next day)."""
        if working_days < 0:
            raise InvalidInput("a number of working days cannot be negative")
        day, left, unknown = start, working_days, set()
        while left > 0:
            day += timedelta(days=1)
            if not self.known(day):
                unknown.add(day.year)
            if self.is_workday(day):
                left -= 1
        warnings = tuple(
            f"the official holiday arrangement for {year} is not known here; days in {year} "
            "were counted Monday to Friday (load the year with 'xinyong calendar load')"
            for year in sorted(unknown)
        )
        return Deadline(day, working_days, warnings)

    def between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end``."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_workday(day)
        return count


def read_days(path: Path) -> dict[date, tuple[bool, str | None]]:
    """Read a calendar file: CSV with columns ``date``, ``kind`` (``holiday`` or ``workday``)
    and an optional ``name``; every problem names the row."""
    days: dict[date, tuple[bool, str | None]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or not {"date", "kind"} <= set(reader.fieldnames):
            raise InvalidInput(f"{path}: a calendar file needs the columns date and kind")
        for number, row in enumerate(reader, start=2):
            try:
                day = parse_date(row["date"])
            except ValueError as error:
                raise InvalidInput(f"{path}: row {number}, field date: {error}") from None
            kind = (row["kind"] or "").strip().lower()
            if kind not in ("holiday", "workday"):
                raise InvalidInput(
                    f"{path}: row {number}, field kind: expected holiday or workday, got {kind!r}"
                )
            days[day] = (kind == "workday", (row.get("name") or "").strip() or None)
    return days


def load_days(
    conn: Connection, days: Mapping[date, tuple[bool, str | None]], source: str
) -> Iterable[int]:
    """Store operator-supplied days (replacing earlier entries for the same days); returns the
    years touched. The days of a loaded year that are not listed count Monday to Friday."""
    if not days:
        return []
    now = clock.now()
    conn.execute(delete(calendar_days).where(calendar_days.c.day.in_(list(days))))
    conn.execute(
        insert(calendar_days),
        [
            {"day": d, "workday": w, "name": n, "source": source, "loaded_at": now}
            for d, (w, n) in sorted(days.items())
        ],
    )
    return sorted({d.year for d in days})
