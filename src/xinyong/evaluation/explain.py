"""Why a subject has its score, grade and lists under a scheme as of a date: the rules that
fired, on which records, for how many points, and the steps to the grade. The explanation is
computed by the reference evaluator and checked against the compiled query (and against the
stored run, where there is one): an explanation that disagrees says so."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import Connection

from xinyong.backends.sql import run_plan
from xinyong.backends.tables import read_tables
from xinyong.catalog.items import Catalog
from xinyong.errors import NotFound
from xinyong.evaluation.runs import latest_run, result_for
from xinyong.registry.subjects import get
from xinyong.schemes.ir import ConditionNode, Plan, plan
from xinyong.schemes.model import Scheme
from xinyong.schemes.oracle import (
    counted,
    evaluate,
    facts,
    grade_steps,
    holds,
    matching,
    rule_points,
)


@dataclass(frozen=True, slots=True)
class Firing:
    rule: str
    value: float
    points: float
    capped: bool
    record_ids: tuple[int, ...]
    threshold: int | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    """One thing a condition read, with its value: a count of matching records or a named
    measure (with the records it read), the scheme's previous grade, or the subject's
    registration date."""

    what: str
    value: float | str | None
    record_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Test:
    """A step of the grade or a list's entry condition (``override 1 -> D``, ``bar 2 -> B``,
    ``new subject -> M``, ``list untrustworthy``), whether it held, and what it read."""

    step: str
    holds: bool
    readings: tuple[Reading, ...]


@dataclass(frozen=True, slots=True)
class Explanation:
    scheme: str
    as_of: date
    code: str
    in_scope: bool
    base: float
    firings: tuple[Firing, ...]
    score: float
    grade: str | None
    steps: tuple[str, ...]
    lists: frozenset[str]
    agrees_with_query: bool
    stored: tuple[float, str | None, str] | None
    # each named measure of the scheme: its name, its value (None: no value) and the records
    # it read
    measures: tuple[tuple[str, float | None, tuple[int, ...]], ...] = ()
    # every override, bar, new-subject rule and list entry: whether it held, what it read
    tests: tuple[Test, ...] = ()

    def lines(self) -> list[str]:
        if not self.in_scope:
            return [f"{self.code} is not in the scope of {self.scheme}"]
        out = [f"{self.scheme} as of {self.as_of}: base {self.base:g}"]
        for name, value, ids in self.measures:
            shown = "no value" if value is None else f"{value:g}"
            records = ", ".join(f"#{i}" for i in ids) or "no records"
            out.append(f"  measure {name} = {shown}  [{records}]")
        for f in self.firings:
            records = ", ".join(f"#{i}" for i in f.record_ids) or "no records"
            cap = " (capped)" if f.capped else ""
            if f.threshold is not None and f.value < f.threshold:
                cap = f" (needs {f.threshold})"
            out.append(f"  rule {f.rule}: {f.value:g} -> {f.points:+g}{cap}  [{records}]")
        out.append(f"score {self.score:g}")
        out += [f"  {step}" for step in self.steps]
        out.append(f"grade {self.grade}" if self.grade else "no grade")
        for test in self.tests:
            out.append(f"  {test.step}: {'holds' if test.holds else 'does not hold'}")
            for reading in test.readings:
                reading_value = reading.value
                shown = (
                    f"{reading_value:g}" if isinstance(reading_value, float) else str(reading_value)
                )
                listed = ", ".join(f"#{i}" for i in reading.record_ids)
                out.append(f"    {reading.what} = {shown}" + (f"  [{listed}]" if listed else ""))
        out.append(f"lists: {', '.join(sorted(self.lists)) or 'none'}")
        out.append(
            "the compiled query agrees"
            if self.agrees_with_query
            else "WARNING: the compiled query disagrees with this explanation"
        )
        if self.stored:
            out.append(f"stored run: score {self.stored[0]:g}, grade {self.stored[1]}")
        return out


def explain(
    conn: Connection, scheme: Scheme, catalog: Catalog, as_of: date, code: str
) -> Explanation:
    subject = get(conn, code)
    resolved = plan(scheme, catalog, as_of)
    tables = read_tables(conn, [subject.id])
    result = evaluate(resolved, tables).get(subject.id)
    compiled = run_plan(conn, resolved, [subject.id]).get(subject.id)
    if result is None:
        return Explanation(
            scheme.key,
            as_of,
            subject.code,
            False,
            resolved.base,
            (),
            0.0,
            None,
            (),
            frozenset(),
            compiled is None,
            None,
        )
    rows = counted(resolved, tables)
    firings = []
    for rule in resolved.rules:
        measure = resolved.measures[rule.measure]
        value = result.measures[rule.measure]
        points = rule_points(rule, result.measures)
        uncapped = rule_points(replace(rule, cap=None), result.measures)
        if value:
            ids = tuple(sorted(r["id"] for r in matching(rows, measure)))
            firings.append(Firing(rule.id, value, points, points != uncapped, ids, rule.threshold))
    named = []
    for name, index in resolved.named:
        ids = tuple(sorted(r["id"] for r in matching(rows, resolved.measures[index])))
        named.append((name, result.measures[index], ids))
    subject_row = facts(resolved, tables)[0]
    grade, steps = grade_steps(resolved, subject_row, list(result.measures), result.score)
    names = {index: name for name, index in resolved.named}
    values = list(result.measures)

    def test(step: str, condition: ConditionNode) -> Test:
        held = holds(condition, subject_row, values, result.score)
        found = _readings(resolved, condition, rows, subject_row, values, names)
        return Test(step, held, tuple(dict.fromkeys(found)))

    tests = [test(f"override {n} -> {g}", c) for n, (g, c) in enumerate(resolved.overrides, 1)]
    tests += [test(f"bar {n} -> at best {g}", c) for n, (g, c) in enumerate(resolved.bars, 1)]
    if resolved.new_subject:
        tests.append(test(f"new subject -> {resolved.new_subject[0]}", resolved.new_subject[1]))
    tests += [test(f"list {name}", c) for name, c in resolved.lists]
    agrees = compiled is not None and (
        abs(compiled.score - result.score) < 1e-9
        and compiled.grade == result.grade
        and compiled.lists == result.lists
    )
    stored = None
    try:
        run = latest_run(conn, scheme, as_of)
        stored = result_for(conn, run.id, subject.id)
    except NotFound:
        pass
    return Explanation(
        scheme.key,
        as_of,
        subject.code,
        True,
        resolved.base,
        tuple(firings),
        result.score,
        grade,
        tuple(steps),
        result.lists,
        agrees,
        stored,
        tuple(named),
        tuple(tests),
    )


def _readings(
    resolved: Plan,
    condition: ConditionNode,
    rows: list[dict[str, Any]],
    subject: dict[str, Any],
    values: list[float | None],
    names: dict[int, str],
) -> list[Reading]:
    """What a condition (and each of its alternatives) read, with values and records."""

    def measure(index: int) -> Reading:
        m = resolved.measures[index]
        what = f"measure {names[index]}" if index in names else f"{m.kind} of records of "
        if index not in names:
            what += "/".join(sorted(m.records.items))
        ids = tuple(sorted(r["id"] for r in matching(rows, m)))
        return Reading(what, values[index], ids)

    found = []
    if condition.measure is not None:
        found.append(measure(condition.measure))
    for comparison in condition.comparisons:
        found.append(measure(comparison.left))
        if comparison.right is not None:
            found.append(measure(comparison.right))
    if condition.previous is not None:
        found.append(Reading("previous grade", subject.get("previous_grade")))
    if condition.subject is not None and condition.subject.registered_after is not None:
        registered = subject.get("registered_on")
        found.append(Reading("registered on", None if registered is None else str(registered)))
    for alternative in condition.alternatives:
        found += _readings(resolved, alternative, rows, subject, values, names)
    return found
