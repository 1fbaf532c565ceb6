"""Why a subject has its score, grade and lists under a scheme as of a date: the rules that
fired, on which records, for how many points, and the steps to the grade. The explanation is
computed by the reference evaluator and checked against the compiled query (and against the
stored run, where there is one): an explanation that disagrees says so."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import Connection

from xinyong.backends.sql import run_plan
from xinyong.backends.tables import read_tables
from xinyong.catalog.items import Catalog
from xinyong.errors import NotFound
from xinyong.evaluation.runs import latest_run, result_for
from xinyong.registry.subjects import get
from xinyong.schemes.ir import plan
from xinyong.schemes.model import Scheme
from xinyong.schemes.oracle import counted, evaluate, grade_steps, matching, rule_points


@dataclass(frozen=True, slots=True)
class Firing:
    rule: str
    value: float
    points: float
    capped: bool
    record_ids: tuple[int, ...]
    threshold: int | None = None


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
    subject_row = tables.subjects[0]
    grade, steps = grade_steps(resolved, subject_row, list(result.measures), result.score)
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
    )
