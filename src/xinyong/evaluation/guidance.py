"""What would change a subject's grade or list status under a scheme, and from when.

The engine answers by evaluating, never by rules written for the purpose: the scheme's own plan
is run by the reference evaluator over the subject's records with some of them taken away, as a
granted repair takes a record away (an event of kind ``repair`` effective on the as-of date), and
over later dates, as records leave the scheme's windows and their publication periods end.

- **Ways out**: for each change of the result that taking records away can bring about (a
  different grade, leaving a list, joining one), the smallest sets of the subject's negative
  records that bring it about, searched by size (one record, then two, ...). Each record says
  from when it can be gone: the first day a repair may be applied for (the end of its item's
  minimum publication period), or the first day it no longer counts under this scheme version
  by itself, whichever is earlier; a set is possible from the latest of its records' days.
- **By time alone**: the first dates on which the result changes with nothing done, found by
  evaluating the plan on each day a record leaves one of the measures that read it.

The search is bounded (:data:`MAX_SET` records a set, :data:`MAX_EVALUATIONS` evaluations);
a bounded search says so (``complete`` is false) rather than claim a smallest set it did not
prove.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import Connection

from xinyong.backends.tables import read_tables
from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Polarity
from xinyong.registry.subjects import get
from xinyong.schemes.ir import Plan, plan
from xinyong.schemes.model import Scheme
from xinyong.schemes.oracle import Result, Tables, counted, evaluate, matching

#: The largest set of records searched for one change.
MAX_SET = 4
#: The most evaluations one scheme's search may run.
MAX_EVALUATIONS = 4000
#: How far ahead a record's last counting day and the changes by time are looked for.
HORIZON_DAYS = 366 * 10


@dataclass(frozen=True, slots=True)
class Status:
    """A result as the subject sees it: its grade and the lists it is on."""

    grade: str | None
    lists: frozenset[str]

    @classmethod
    def of(cls, result: Result) -> Status:
        return cls(result.grade, result.lists)


@dataclass(frozen=True, slots=True)
class Change:
    """One way the status differs: ``grade`` (to ``to``), ``leaves`` or ``joins`` (a list)."""

    kind: str
    to: str | None

    def describe(self, before: Status) -> str:
        if self.kind == "grade":
            return f"grade {before.grade} -> {self.to}"
        return f"{self.kind} list {self.to}"


@dataclass(frozen=True, slots=True)
class Exit:
    """How one of the subject's negative records can stop counting."""

    record_id: int
    item_code: str
    decided_on: date
    repair_from: date | None  # a repair may be applied for from this day (None: no repair)
    stops_counting_on: date | None  # no longer counts by itself (None: not within the horizon)

    @property
    def earliest(self) -> date | None:
        days = [d for d in (self.repair_from, self.stops_counting_on) if d is not None]
        return min(days) if days else None

    @property
    def by(self) -> str:
        """``repair`` or ``expiry``: which comes first."""
        if self.repair_from is None:
            return "expiry"
        if self.stops_counting_on is None or self.repair_from <= self.stops_counting_on:
            return "repair"
        return "expiry"


@dataclass(frozen=True, slots=True)
class Way:
    """A smallest set of records whose repair or expiry brings ``change`` about."""

    change: Change
    records: tuple[Exit, ...]

    @property
    def possible_from(self) -> date | None:
        days = [e.earliest for e in self.records]
        return None if any(d is None for d in days) else max(d for d in days if d)


@dataclass(frozen=True, slots=True)
class Drift:
    """The status changes on ``on`` with nothing done: on that day these records leave a
    measure that read them (a window slides past them, or their publication ends)."""

    on: date
    status: Status
    changes: tuple[Change, ...]
    record_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Guidance:
    scheme: str
    as_of: date
    code: str
    in_scope: bool
    status: Status | None
    ways: tuple[Way, ...] = ()
    drift: tuple[Drift, ...] = ()
    candidates: tuple[Exit, ...] = ()
    evaluations: int = 0
    complete: bool = True

    def lines(self) -> list[str]:
        if not self.in_scope or self.status is None:
            return [f"{self.code} is not in the scope of {self.scheme}"]
        status = self.status
        lists = ", ".join(sorted(status.lists)) or "no list"
        out = [f"{self.scheme} as of {self.as_of}: grade {status.grade}, {lists}"]
        if not self.ways:
            out.append("  no repair or expiry of its negative records changes this")
        for way in self.ways:
            ids = ", ".join(f"#{e.record_id} ({e.by} from {e.earliest})" for e in way.records)
            out.append(f"  {way.change.describe(status)}: {ids}; possible from {way.possible_from}")
        for drift in self.drift:
            changes = "; ".join(c.describe(status) for c in drift.changes)
            ids = ", ".join(f"#{i}" for i in drift.record_ids)
            out.append(f"  with nothing done, on {drift.on}: {changes} (as {ids} age out)")
        if not self.complete:
            out.append(
                f"  (the search stopped after {self.evaluations} evaluations; larger sets "
                "were not tried)"
            )
        return out


def differences(before: Status, after: Status) -> tuple[Change, ...]:
    found = []
    if after.grade != before.grade:
        found.append(Change("grade", after.grade))
    found += [Change("leaves", name) for name in sorted(before.lists - after.lists)]
    found += [Change("joins", name) for name in sorted(after.lists - before.lists)]
    return tuple(found)


class _Search:
    """One subject under one scheme: plans by date, evaluations counted."""

    def __init__(self, scheme: Scheme, catalog: Catalog, tables: Tables, subject_id: int):
        self.scheme = scheme
        self.catalog = catalog
        self.tables = tables
        self.subject_id = subject_id
        self.evaluations = 0
        self._plans: dict[date, Plan] = {}
        self._read: dict[date, list[frozenset[int]]] = {}

    def plan(self, on: date) -> Plan:
        found = self._plans.get(on)
        if found is None:
            found = self._plans[on] = plan(self.scheme, self.catalog, on)
        return found

    def status(self, on: date, repaired: tuple[int, ...] = ()) -> Status | None:
        self.evaluations += 1
        tables = self.tables
        if repaired:
            events = [{"record_id": i, "kind": "repair", "effective_on": on} for i in repaired]
            tables = replace(tables, events=[*tables.events, *events])
        result = evaluate(self.plan(on), tables).get(self.subject_id)
        return None if result is None else Status.of(result)

    def read(self, on: date) -> list[frozenset[int]]:
        """For each measure of the plan on ``on``, the records it reads."""
        found = self._read.get(on)
        if found is None:
            resolved = self.plan(on)
            rows = counted(resolved, self.tables)
            found = [frozenset(r["id"] for r in matching(rows, m)) for m in resolved.measures]
            self._read[on] = found
        return found

    def leaves(self, record_id: int, start: date) -> list[date | None]:
        """For each measure that reads the record on ``start``, the first later day it no longer
        does (None: not within the horizon). Windows slide forward and publication periods
        end, so a record once out of a measure stays out."""
        out: list[date | None] = []
        for index, ids in enumerate(self.read(start)):
            if record_id not in ids:
                continue
            low, high = start, start + timedelta(days=HORIZON_DAYS)
            if record_id in self.read(high)[index]:
                out.append(None)
                continue
            while (high - low).days > 1:  # read on low, not on high
                middle = low + timedelta(days=(high - low).days // 2)
                if record_id in self.read(middle)[index]:
                    low = middle
                else:
                    high = middle
            out.append(high)
        return out


def guidance(
    conn: Connection, scheme: Scheme, catalog: Catalog, as_of: date, code: str
) -> Guidance:
    """The ways out of the subject's status under ``scheme`` as of ``as_of`` (see the module)."""
    (found,) = guidances(conn, [scheme], catalog, as_of, code)
    return found


def guidances(
    conn: Connection, schemes: Iterable[Scheme], catalog: Catalog, as_of: date, code: str
) -> list[Guidance]:
    """:func:`guidance` under each of ``schemes``, the subject's rows read once."""
    subject = get(conn, code)
    tables = read_tables(conn, [subject.id])
    return [_guide(s, catalog, as_of, subject.code, subject.id, tables) for s in schemes]


def _guide(
    scheme: Scheme, catalog: Catalog, as_of: date, code: str, subject_id: int, tables: Tables
) -> Guidance:
    search = _Search(scheme, catalog, tables, subject_id)
    before = search.status(as_of)
    if before is None:
        return Guidance(scheme.key, as_of, code, False, None)
    read = sorted(set().union(*search.read(as_of)))
    by_id = {r["id"]: r for r in tables.records}
    leaving = {i: search.leaves(i, as_of) for i in read}
    exits = [_exit(catalog, by_id[i], as_of, leaving[i]) for i in read]
    negative = [e for e in exits if e.repair_from is not None]
    ways, complete = _ways(search, before, negative, as_of)
    drift = _drift(search, before, leaving)
    return Guidance(
        scheme.key,
        as_of,
        code,
        True,
        before,
        tuple(ways),
        tuple(drift),
        tuple(exits),
        search.evaluations,
        complete,
    )


def _exit(catalog: Catalog, record: dict[str, Any], as_of: date, leaves: list[date | None]) -> Exit:
    item = catalog.get(record["item_code"])
    decided = record["decided_on"]
    decided_on = decided if isinstance(decided, date) else date.fromisoformat(str(decided)[:10])
    repair_from = None
    if item is not None and item.polarity is Polarity.NEGATIVE:
        # the end of the item's minimum publication period, as credit repair counts it
        repair_from = max(item.publication.min.after(decided_on), as_of)
    # it stops counting when the last measure that reads it no longer does
    stops = None if None in leaves else max(d for d in leaves if d is not None)
    return Exit(record["id"], record["item_code"], decided_on, repair_from, stops)


def _ways(
    search: _Search, before: Status, negative: list[Exit], as_of: date
) -> tuple[list[Way], bool]:
    """For each change, every set of the smallest size that brings it about (at most three,
    the earliest possible first)."""
    found: dict[Change, list[Way]] = {}
    grades = search.plan(as_of).grades
    for size in range(1, min(MAX_SET, len(negative)) + 1):
        settled = set(found)
        for chosen in combinations(negative, size):
            if search.evaluations >= MAX_EVALUATIONS:
                return _ordered(found, grades), False
            # a set that holds a smaller way to a change says nothing new about it
            after = search.status(as_of, tuple(e.record_id for e in chosen))
            if after is None:
                continue
            for change in differences(before, after):
                if change in settled:
                    continue
                found.setdefault(change, []).append(Way(change, chosen))
    return _ordered(found, grades), len(negative) <= MAX_SET


def _ordered(found: dict[Change, list[Way]], grades: tuple[str, ...]) -> list[Way]:
    """Grade changes first (the nearest grade first), then lists left, then lists joined;
    for each, the sets possible soonest first."""
    far = date.max
    kinds = {"grade": 0, "leaves": 1, "joins": 2}

    def rank(change: Change) -> tuple[int, int, str]:
        place = grades.index(change.to) if change.kind == "grade" and change.to in grades else 0
        return kinds[change.kind], -place, str(change.to)

    out = []
    for change in sorted(found, key=rank):
        ways = sorted(found[change], key=lambda w: (w.possible_from or far, _ids(w)))
        out += ways[:3]
    return out


def _ids(way: Way) -> tuple[int, ...]:
    return tuple(e.record_id for e in way.records)


def _drift(search: _Search, before: Status, leaving: dict[int, list[date | None]]) -> list[Drift]:
    """The first day the status changes with nothing done, and the next changes (up to three),
    looked for on each day a record leaves one of the measures that read it."""
    days: dict[date, set[int]] = {}
    for record_id, leaves in leaving.items():
        for day in leaves:
            if day is not None:
                days.setdefault(day, set()).add(record_id)
    out: list[Drift] = []
    current = before
    for day in sorted(days):
        after = search.status(day)
        if after is None or after == current:
            continue
        out.append(Drift(day, after, differences(before, after), tuple(sorted(days[day]))))
        current = after
        if len(out) == 3:
            break
    return out
