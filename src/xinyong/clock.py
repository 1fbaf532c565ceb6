"""The one clock: what "now" and "today" are for every step xinyong takes.

The application layer is built with one :class:`Clock` and runs each use case under it
(:func:`using`); the core reads it through :func:`now` and :func:`today` instead of asking the
operating system, so that tests and demos fix the date in one place. Outside any use case the
clock is the system's.

>>> from datetime import date
>>> with using(FixedClock(date(2026, 3, 2))):
...     today()
datetime.date(2026, 3, 2)
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol


class Clock(Protocol):
    """A source of the current instant (timezone-aware, UTC) and of the current day."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class SystemClock:
    """The operating system's clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def today(self) -> date:
        return date.today()


@dataclass(slots=True)
class FixedClock:
    """A clock whose day is fixed (``XINYONG_TODAY``, tests, the demo). Its instant is that day
    at the system's time of day, so that timestamps still order the steps taken on it; a demo
    moves it on with :meth:`advance`."""

    day: date
    _system: SystemClock = field(default_factory=SystemClock, repr=False)

    def now(self) -> datetime:
        return datetime.combine(self.day, self._system.now().timetz())

    def today(self) -> date:
        return self.day

    def advance(self, days: int) -> date:
        self.day += timedelta(days=days)
        return self.day


def at_midnight(day: date) -> datetime:
    """The first instant of ``day`` in UTC."""
    return datetime.combine(day, time(), tzinfo=UTC)


_SYSTEM = SystemClock()
_current: ContextVar[Clock] = ContextVar("xinyong_clock", default=_SYSTEM)


def now() -> datetime:
    """The current instant on the clock of the use case being run."""
    return _current.get().now()


def today() -> date:
    """The current day on the clock of the use case being run."""
    return _current.get().today()


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Run the block with ``clock`` as the current clock (per thread and task)."""
    token = _current.set(clock)
    try:
        yield clock
    finally:
        _current.reset(token)
