"""Shadow runs: a scheme version evaluated for a set period before it is approved, beside the
version in force, and never used.

A credit office puts a version in shadow for a number of days. On each of them, the version is
evaluated over every subject in scope by the same compiled query as a real run, but its results
go to tables of their own (:mod:`xinyong.store.tables.shadows`) that no check, profile, listing,
report or other scheme reads: a version in shadow cannot decide anything about anyone. Each
shadow run is paired with the full run of the version in force that day, so the office sees,
day by day, how many subjects would have moved and between which grades and lists. A version
is put in shadow only before it takes effect and before it is published; its approval waits
until the shadow period is over or stopped (see :mod:`xinyong.application.schemes`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, String, insert, literal, select, text, update
from sqlglot import exp

from xinyong import clock
from xinyong.backends.sql import dialect_of
from xinyong.catalog.items import Catalog
from xinyong.errors import Conflict, InvalidInput, NotFound
from xinyong.evaluation.plans import results_insert
from xinyong.evaluation.runs import Run
from xinyong.schemes.compiler import compile_plan
from xinyong.schemes.ir import plan
from xinyong.schemes.model import Scheme, SchemeType
from xinyong.store.tables import evaluation_results, scheme_shadows, shadow_results, shadow_runs

#: The longest shadow period, in days (a year: a scheme is evaluated at most daily).
MAX_DAYS = 366


@dataclass(frozen=True, slots=True)
class Shadow:
    id: int
    scheme: str
    sha256: str
    starts_on: date
    ends_on: date
    reason: str
    started_by: str
    started_at: datetime
    stopped_on: date | None
    stopped_by: str | None

    @property
    def last_day(self) -> date:
        """The last day it is evaluated: its end, or the day before it was stopped."""
        if self.stopped_on is not None:
            return min(self.ends_on, self.stopped_on - timedelta(days=1))
        return self.ends_on

    def open_on(self, day: date) -> bool:
        return self.starts_on <= day <= self.last_day

    def over_by(self, day: date) -> bool:
        """The period is over on ``day``: its last day has passed, or it was stopped."""
        return self.stopped_on is not None or day > self.ends_on


@dataclass(frozen=True, slots=True)
class ShadowRun:
    """One day of a shadow: the version's results beside the full run of the version in
    force (``baseline``); ``transitions`` counts subjects by (grade in force, grade in
    shadow), ``entered`` and ``left`` the subjects who would join or leave each list."""

    id: int
    shadow_id: int
    as_of: date
    subjects: int
    baseline: int | None
    transitions: dict[tuple[str | None, str | None], int] = field(default_factory=dict)
    entered: dict[str, int] = field(default_factory=dict)
    left: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(n for (a, b), n in self.transitions.items() if a != b)


@dataclass(frozen=True, slots=True)
class ShadowReport:
    shadow: Shadow
    runs: list[ShadowRun]


def _shadow(row: Any) -> Shadow:
    return Shadow(
        row.id,
        f"{row.scheme_id}@{row.scheme_version}",
        row.sha256,
        row.starts_on,
        row.ends_on,
        row.reason,
        row.started_by,
        row.started_at,
        row.stopped_on,
        row.stopped_by,
    )


def latest(conn: Connection, scheme: Scheme) -> Shadow | None:
    """The version's newest shadow, if it has been put in one."""
    row = conn.execute(
        select(scheme_shadows)
        .where(
            scheme_shadows.c.scheme_id == scheme.id,
            scheme_shadows.c.scheme_version == scheme.version,
        )
        .order_by(scheme_shadows.c.id.desc())
        .limit(1)
    ).first()
    return _shadow(row) if row is not None else None


def start(conn: Connection, scheme: Scheme, *, on: date, days: int, reason: str, by: str) -> Shadow:
    """Put a version in shadow from ``on`` for ``days`` days (the caller holds the lock that
    makes the check below hold when the row is written)."""
    if scheme.definition.scheme.type in (SchemeType.MEASURES, SchemeType.INSPECTION):
        raise InvalidInput(f"{scheme.key} is not evaluated, so it cannot run in shadow")
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"a shadow period is 1 to {MAX_DAYS} days, not {days}")
    if not reason.strip():
        raise InvalidInput("say why the version runs in shadow (reason)")
    current = latest(conn, scheme)
    if current is not None and not current.over_by(on):
        raise Conflict(f"{scheme.key} is already in shadow until {current.ends_on}")
    row = conn.execute(
        insert(scheme_shadows).returning(*scheme_shadows.c),
        {
            "scheme_id": scheme.id,
            "scheme_version": scheme.version,
            "sha256": scheme.sha256,
            "starts_on": on,
            "ends_on": on + timedelta(days=days - 1),
            "reason": reason.strip(),
            "started_by": by,
            "started_at": clock.now(),
        },
    ).one()
    return _shadow(row)


def stop(conn: Connection, scheme: Scheme, *, on: date, by: str) -> Shadow:
    """End a running shadow from ``on`` (it is not evaluated on that day or later)."""
    current = latest(conn, scheme)
    if current is None or current.over_by(on):
        raise Conflict(f"{scheme.key} is not in shadow")
    row = conn.execute(
        update(scheme_shadows)
        .where(scheme_shadows.c.id == current.id, scheme_shadows.c.stopped_on.is_(None))
        .values(stopped_on=on, stopped_by=by)
        .returning(*scheme_shadows.c)
    ).one()
    return _shadow(row)


def due(conn: Connection, day: date) -> list[Shadow]:
    """Every shadow open on ``day`` that has no run for it yet."""
    done = select(shadow_runs.c.shadow_id).where(shadow_runs.c.as_of == day)
    rows = conn.execute(
        select(scheme_shadows)
        .where(
            scheme_shadows.c.starts_on <= day,
            scheme_shadows.c.ends_on >= day,
            scheme_shadows.c.id.not_in(done),
        )
        .order_by(scheme_shadows.c.id)
    )
    return [s for s in map(_shadow, rows) if s.open_on(day)]


def store(
    conn: Connection,
    shadow: Shadow,
    scheme: Scheme,
    catalog: Catalog,
    day: date,
    baseline: Run | None,
) -> ShadowRun:
    """Evaluate the version as of ``day`` into the shadow tables and compare it with
    ``baseline``. Refused for a file other than the one put in shadow, a day outside the
    period, or a day already run."""
    if scheme.sha256 != shadow.sha256 or scheme.key != shadow.scheme:
        raise Conflict(f"{scheme.key} changed since it was put in shadow; start a new shadow")
    if not shadow.open_on(day):
        raise InvalidInput(f"{shadow.scheme} is not in shadow on {day}")
    started = clock.now()
    found = conn.execute(
        select(shadow_runs.c.id).where(
            shadow_runs.c.shadow_id == shadow.id, shadow_runs.c.as_of == day
        )
    ).first()
    if found is not None:
        raise Conflict(f"{shadow.scheme} already ran in shadow as of {day} (#{found.id})")
    run_id = conn.execute(
        insert(shadow_runs).returning(shadow_runs.c.id),
        {
            "shadow_id": shadow.id,
            "as_of": day,
            "baseline_run_id": baseline.id if baseline is not None else None,
            "subjects": 0,
            "started_at": started,
            "finished_at": started,
        },
    ).scalar_one()
    dialect = dialect_of(conn)
    resolved = plan(scheme, catalog, day)
    query = compile_plan(resolved, dialect)
    names = [name for name, _ in resolved.lists]
    statement = results_insert(query, exp.Literal.number(run_id), names, "shadow_results")
    count = conn.execute(text(statement.sql(dialect=dialect))).rowcount
    conn.execute(
        update(shadow_runs)
        .where(shadow_runs.c.id == run_id)
        .values(subjects=count, finished_at=clock.now())
    )
    done = baseline.id if baseline is not None else None
    return _compared(conn, int(run_id), shadow.id, day, int(count), done)


def _compared(
    conn: Connection, run_id: int, shadow_id: int, day: date, count: int, baseline: int | None
) -> ShadowRun:
    """A shadow run beside its baseline: every subject of either, by its grade and lists in
    each (None: not in that run's scope)."""
    transitions: Counter[tuple[str | None, str | None]] = Counter()
    entered: Counter[str] = Counter()
    left: Counter[str] = Counter()
    s = select(shadow_results).where(shadow_results.c.run_id == run_id).subquery("s")
    if baseline is None:
        query = select(
            literal(None, String).label("was"),
            s.c.grade.label("would"),
            literal("", String).label("lists_was"),
            s.c.lists.label("lists_would"),
        )
    else:
        b = select(evaluation_results).where(evaluation_results.c.run_id == baseline)
        old = b.subquery("b")
        query = select(
            old.c.grade.label("was"),
            s.c.grade.label("would"),
            old.c.lists.label("lists_was"),
            s.c.lists.label("lists_would"),
        ).select_from(s.join(old, s.c.subject_id == old.c.subject_id, full=True))
    for row in conn.execute(query):
        transitions[(row.was, row.would)] += 1
        before, after = set((row.lists_was or "").split()), set((row.lists_would or "").split())
        entered.update(after - before)
        left.update(before - after)
    return ShadowRun(
        run_id, shadow_id, day, count, baseline, dict(transitions), dict(entered), dict(left)
    )


def report(conn: Connection, shadow: Shadow) -> ShadowReport:
    """The shadow and each of its runs beside its baseline, oldest first."""
    rows = conn.execute(
        select(shadow_runs)
        .where(shadow_runs.c.shadow_id == shadow.id)
        .order_by(shadow_runs.c.as_of)
    ).all()
    runs = [_compared(conn, r.id, shadow.id, r.as_of, r.subjects, r.baseline_run_id) for r in rows]
    return ShadowReport(shadow, runs)


def every(conn: Connection, limit: int = 50) -> list[Shadow]:
    """Every shadow, newest first."""
    rows = conn.execute(select(scheme_shadows).order_by(scheme_shadows.c.id.desc()).limit(limit))
    return [_shadow(r) for r in rows]


def get(conn: Connection, scheme: Scheme) -> Shadow:
    found = latest(conn, scheme)
    if found is None:
        raise NotFound(f"{scheme.key} has not run in shadow")
    return found
