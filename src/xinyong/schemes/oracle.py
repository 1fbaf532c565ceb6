"""The reference evaluator: the same plan, evaluated in plain Python one subject at a time.

It is slow on purpose and simple on purpose: it is the oracle that the compiled query is tested
against (the property tests require both to agree on generated data and schemes), and the
definition of what a plan means when the two disagree.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xinyong.schemes.ir import (
    EPSILON,
    AttrTest,
    Comparison,
    ConditionNode,
    Measure,
    Plan,
    RecordSet,
    RuleNode,
)


@dataclass(frozen=True, slots=True)
class Result:
    """One subject's evaluation: score, grade, list memberships and every measure."""

    subject_id: int
    score: float
    grade: str | None
    lists: frozenset[str]
    measures: tuple[float | None, ...]  # None: a minimum, maximum or mean of no records
    # what set the grade: "band", "override", "bar" or "new_subject" (None: no grades)
    decided_by: str | None = None


@dataclass(slots=True)
class Tables:
    """The rows a plan reads, as plain dicts."""

    subjects: list[dict[str, Any]]
    records: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)
    objections: list[dict[str, Any]] = field(default_factory=list)
    # stored evaluations, which a scheme's conditions on its previous result read
    runs: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def in_effect(tables: Tables, as_of: date) -> list[dict[str, Any]]:
    """Record versions that count on ``as_of``: decided by then, not replaced by a correction
    decided by then, and not revoked or repaired with effect by then."""
    replaced = {
        r["supersedes_id"]
        for r in tables.records
        if r["supersedes_id"] is not None and _as_date(r["decided_on"]) <= as_of  # type: ignore[operator]
    }
    ended = {e["record_id"] for e in tables.events if _as_date(e["effective_on"]) <= as_of}  # type: ignore[operator]
    return [
        r
        for r in tables.records
        if _as_date(r["decided_on"]) <= as_of  # type: ignore[operator]
        and r["id"] not in replaced
        and r["id"] not in ended
    ]


def counted(plan: Plan, tables: Tables) -> list[dict[str, Any]]:
    """The records a plan counts: in effect and, under the "published" policy, still within
    their item's publication period."""
    after = dict(plan.published_after)
    disputed = (
        {
            o["record_id"]
            for o in tables.objections
            if _as_date(o["opened_on"]) <= plan.as_of  # type: ignore[operator]
            and (o["closed_on"] is None or _as_date(o["closed_on"]) > plan.as_of)  # type: ignore[operator]
        }
        if plan.exclude_disputed
        else set()
    )
    return [
        r
        for r in in_effect(tables, plan.as_of)
        if (r["item_code"] not in after or _as_date(r["decided_on"]) > after[r["item_code"]])  # type: ignore[operator]
        and r["id"] not in disputed
    ]


def _attr_ok(record: dict[str, Any], test: AttrTest) -> bool:
    attributes = record["attributes"] or {}
    value = attributes.get(test.name)
    if value is None:
        return False
    if test.op == "in":
        return str(value) in test.value  # type: ignore[operator]
    if test.other is not None:  # against another attribute of the record, times a factor
        other = attributes.get(test.other)
        if other is None:
            return False
        number, limit = float(value), float(test.value) * float(other)  # type: ignore[arg-type]
        return _ordered(number, test.op, limit)
    if test.numeric:
        return _ordered(float(value), test.op, float(test.value))  # type: ignore[arg-type]
    if isinstance(test.value, bool):
        return bool(value) is test.value
    return str(value) == str(test.value)


def _matches(record: dict[str, Any], rs: RecordSet) -> bool:
    decided = _as_date(record["decided_on"])
    assert decided is not None
    return (
        record["item_code"] in rs.items
        and (rs.severities is None or record["severity"] in rs.severities)
        and (rs.window.start is None or decided > rs.window.start)
        and decided <= rs.window.end
        and all(_attr_ok(record, t) for t in rs.attrs)
    )


def matching(rows: list[dict[str, Any]], measure: Measure) -> list[dict[str, Any]]:
    """The records a measure reads."""
    return [r for r in rows if _matches(r, measure.records)]


def _ordered(number: float, op: str, limit: float) -> bool:
    return {
        ">=": number >= limit,
        "<=": number <= limit,
        ">": number > limit,
        "<": number < limit,
        "=": number == limit,
    }[op]


def _measure(rows: list[dict[str, Any]], measure: Measure) -> float | None:
    matched = matching(rows, measure)
    if measure.kind == "count":
        return float(len(matched))
    values = [(r["attributes"] or {}).get(measure.attribute) for r in matched]
    if measure.kind == "distinct":
        return float(len({str(v) for v in values if v is not None}))
    if measure.kind == "mean" and measure.weight is not None:
        pairs = [
            (float(v), float(w))
            for r in matched
            if (v := (r["attributes"] or {}).get(measure.attribute)) is not None
            and (w := (r["attributes"] or {}).get(measure.weight)) is not None
        ]
        weights = sum(w for _, w in pairs)
        return sum(v * w for v, w in pairs) / weights if weights else None
    numbers = [float(v) for v in values if v is not None]
    if measure.kind == "sum":
        return float(sum(numbers))
    if not numbers:
        return None
    if measure.kind == "min":
        return min(numbers)
    if measure.kind == "max":
        return max(numbers)
    return sum(numbers) / len(numbers)


def compared(c: Comparison, measures: Sequence[float | None]) -> bool:
    """Whether a comparison of measures holds; a side with no value: it does not."""
    left = measures[c.left]
    right = c.value if c.right is None else measures[c.right]
    if left is None or right is None:
        return False
    return _ordered(left, c.op, right if c.right is None else c.times * right)


def rule_points(rule: RuleNode, measures: Sequence[float | None]) -> float:
    """What one rule adds to the score (negative: deducts); a measure with no value gives 0."""
    value = measures[rule.measure] or 0.0
    if rule.threshold is not None:
        raw = rule.per_unit if value >= rule.threshold else 0.0
    else:
        raw = rule.per_unit * value
    return clamp(raw, -rule.cap if rule.cap is not None else None, rule.cap)


def clamp(value: float, low: float | None, high: float | None) -> float:
    if high is not None and value > high:
        return high
    if low is not None and value < low:
        return low
    return value


def previous_grades(plan: Plan, tables: Tables) -> dict[int, str | None]:
    """Each subject's grade in its previous result (see :class:`~xinyong.schemes.ir.Previous`),
    for the subjects that have one."""
    previous = plan.previous
    if previous is None:
        return {}
    runs = {
        r["id"]: _as_date(r["as_of"])
        for r in tables.runs
        if r["scheme_id"] == previous.scheme_id
        and _as_date(r["as_of"]) < previous.before  # type: ignore[operator]
        and (previous.since is None or _as_date(r["as_of"]) >= previous.since)  # type: ignore[operator]
    }
    newest: dict[int, tuple[date, int, str | None]] = {}
    for result in tables.results:
        as_of = runs.get(result["run_id"])
        if as_of is None:
            continue
        key = (as_of, result["run_id"], result["grade"])
        if result["subject_id"] not in newest or key[:2] > newest[result["subject_id"]][:2]:
            newest[result["subject_id"]] = key
    return {subject_id: grade for subject_id, (_, _, grade) in newest.items()}


def operating(plan: Plan, tables: Tables) -> set[int]:
    """The subjects with a record of the scheme's items decided in the scope's region (by the
    record's ``decided_in``) by the as-of date, where the scope reaches them."""
    scope = plan.scope
    if scope.operating_prefix is None:
        return set()
    return {
        r["subject_id"]
        for r in tables.records
        if r["item_code"] in scope.operating_items
        and (r.get("decided_in") or "").startswith(scope.operating_prefix)
        and _as_date(r["decided_on"]) <= plan.as_of  # type: ignore[operator]
    }


def facts(plan: Plan, tables: Tables) -> list[dict[str, Any]]:
    """The subjects' rows as conditions read them: with ``previous_grade``, the grade of the
    subject's previous result (None where it has none or the plan reads none), and
    ``operates_in_region`` (the scope reaches it through its records)."""
    grades = previous_grades(plan, tables)
    there = operating(plan, tables)
    return [
        {**s, "previous_grade": grades.get(s["id"]), "operates_in_region": s["id"] in there}
        for s in tables.subjects
    ]


def _in_scope(subject: dict[str, Any], plan: Plan) -> bool:
    scope = plan.scope
    registered = _as_date(subject["registered_on"])
    return (
        subject["kind"] in scope.kinds
        and subject["status"] in scope.statuses
        and (
            scope.region_prefix is None
            or (subject["region_code"] or "").startswith(scope.region_prefix)
            or bool(subject.get("operates_in_region"))
        )
        and (
            not scope.industries
            or any((subject["industry_code"] or "").startswith(i) for i in scope.industries)
        )
        and (
            scope.registered_on_or_before is None
            or (registered is not None and registered <= scope.registered_on_or_before)
        )
        and (scope.existing_on is None or registered is None or registered <= scope.existing_on)
        and (
            scope.individuals_born_on_or_before is None
            or subject["kind"] != "individual"
            or (registered is not None and registered <= scope.individuals_born_on_or_before)
        )
    )


def holds(
    c: ConditionNode, subject: dict[str, Any], measures: Sequence[float | None], score: float
) -> bool:
    if c.measure is not None and (measures[c.measure] or 0.0) < c.at_least:
        return False
    if not all(compared(comparison, measures) for comparison in c.comparisons):
        return False
    if c.subject is not None:
        t = c.subject
        registered = _as_date(subject["registered_on"])
        if t.registered_after is not None and not (
            registered is not None and registered > t.registered_after
        ):
            return False
        if t.kinds is not None and subject["kind"] not in t.kinds:
            return False
        if t.industries is not None and not any(
            (subject["industry_code"] or "").startswith(i) for i in t.industries
        ):
            return False
    if c.score_below is not None and not score < c.score_below - EPSILON:
        return False
    if c.previous is not None and subject.get("previous_grade") not in c.previous:
        return False
    if c.alternatives and not any(holds(a, subject, measures, score) for a in c.alternatives):
        return False
    return c.score_at_least is None or score >= c.score_at_least - EPSILON


def evaluate(plan: Plan, tables: Tables) -> dict[int, Result]:
    """Every subject in scope, with or without records."""
    by_subject: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in counted(plan, tables):
        by_subject[record["subject_id"]].append(record)
    results = {}
    for subject in facts(plan, tables):
        if not _in_scope(subject, plan):
            continue
        rows = by_subject.get(subject["id"], [])
        measures = [_measure(rows, m) for m in plan.measures]
        score = plan.base + sum(rule_points(rule, measures) for rule in plan.rules)
        score = clamp(score, plan.total_min, plan.total_max)
        grade, decided_by, _ = grading(plan, subject, measures, score)
        results[subject["id"]] = Result(
            subject["id"],
            score,
            grade,
            frozenset(name for name, c in plan.lists if holds(c, subject, measures, score)),
            tuple(measures),
            decided_by,
        )
    return results


def grade_of(
    plan: Plan, subject: dict[str, Any], measures: Sequence[float | None], score: float
) -> str | None:
    return grading(plan, subject, measures, score)[0]


def grade_steps(
    plan: Plan, subject: dict[str, Any], measures: Sequence[float | None], score: float
) -> tuple[str | None, list[str]]:
    """The grade, and each step that made it what it is, in order."""
    grade, _, steps = grading(plan, subject, measures, score)
    return grade, steps


def grading(
    plan: Plan, subject: dict[str, Any], measures: Sequence[float | None], score: float
) -> tuple[str | None, str | None, list[str]]:
    """The grade, what set it (the score's ``band``, an ``override``, a ``bar`` that held it
    down, or ``new_subject``), and each step that made it what it is, in order."""
    if not plan.bands:
        return None, None, []
    if plan.new_subject and holds(plan.new_subject[1], subject, measures, score):
        return plan.new_subject[0], "new_subject", [f"new subject: grade {plan.new_subject[0]}"]
    order = plan.grades
    index = len(order) - 1
    decided_by = "band"
    steps = []
    for position, (_, minimum) in enumerate(plan.bands):
        if minimum is not None and score >= minimum - EPSILON:
            index = position
            steps.append(f"score {score:g} is at least {minimum:g}: band {order[index]}")
            break
    else:
        steps.append(f"score {score:g} is below every band minimum: band {order[index]}")
    for number, (grade, condition) in enumerate(plan.overrides, start=1):
        if holds(condition, subject, measures, score):
            index, decided_by = order.index(grade), "override"
            steps.append(f"override {number} holds: grade {grade}")
            break
    for number, (grade, condition) in enumerate(plan.bars, start=1):
        if holds(condition, subject, measures, score) and index < order.index(grade):
            index, decided_by = order.index(grade), "bar"
            steps.append(f"bar {number} holds: at best {grade}")
    return order[index], decided_by, steps
