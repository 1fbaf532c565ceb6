"""The typed plan a scheme becomes for one as-of date: the nodes both the SQL compiler and the
reference evaluator read. Dates are resolved here, so no dialect ever does date arithmetic."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from xinyong.catalog.items import Catalog
from xinyong.catalog.terms import Period
from xinyong.reference.industries import Industries
from xinyong.reference.regions import region_prefix
from xinyong.schemes.model import (
    AttributeRef,
    Compare,
    Condition,
    MeasureRef,
    RecordCondition,
    Scheme,
    SubjectCondition,
)

#: Scores are compared with band limits with this tolerance, in SQL and in Python alike.
EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class Window:
    """Records decided in (start, end]; no start means no lower limit."""

    start: date | None
    end: date


@dataclass(frozen=True, slots=True)
class AttrTest:
    """One comparison of a record attribute with a constant or, with ``other``, with another
    attribute of the same record times ``value`` (a factor then)."""

    name: str
    op: Literal[">=", "<=", ">", "<", "=", "in"]
    value: float | str | bool | tuple[str, ...]
    numeric: bool
    other: str | None = None


@dataclass(frozen=True, slots=True)
class RecordSet:
    """Records of some items, severities and attribute values, decided in a window."""

    items: frozenset[str]
    severities: frozenset[int] | None
    attrs: tuple[AttrTest, ...]
    window: Window


MeasureKind = Literal["count", "sum", "min", "max", "mean", "distinct"]


@dataclass(frozen=True, slots=True)
class Measure:
    """A number per subject: how many records, the sum, least, greatest or mean of an
    attribute (the mean weighted by ``weight`` where one is given), or its distinct values.
    Over no records the first and the last are 0; the others have no value (None)."""

    kind: MeasureKind
    records: RecordSet
    attribute: str | None = None
    weight: str | None = None

    @property
    def zero_when_empty(self) -> bool:
        return self.kind in ("count", "sum", "distinct")


@dataclass(frozen=True, slots=True)
class Comparison:
    """Measure ``left`` against a constant ``value``, or against ``times`` measure ``right``.
    A side with no value (the mean of no records) makes the comparison not hold."""

    left: int
    op: Literal[">=", "<=", ">", "<", "="]
    value: float | None = None
    right: int | None = None
    times: float = 1.0


@dataclass(frozen=True, slots=True)
class RuleNode:
    """Points: ``per_unit`` times a measure, limited to ``cap`` either way; or, with a
    ``threshold``, ``per_unit`` once when the measure reaches it."""

    id: str
    measure: int
    per_unit: float
    cap: float | None
    threshold: int | None = None


@dataclass(frozen=True, slots=True)
class SubjectTest:
    registered_after: date | None  # registered within a period before as-of
    kinds: frozenset[str] | None
    industries: tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class ConditionNode:
    """All given parts must hold: measure >= at_least, subject test, score limits, and, when
    there are alternatives, at least one of them."""

    measure: int | None
    at_least: int
    subject: SubjectTest | None
    score_below: float | None
    score_at_least: float | None
    alternatives: tuple[ConditionNode, ...] = ()
    comparisons: tuple[Comparison, ...] = ()
    # the grade of the subject's previous result (Plan.previous) is one of these
    previous: frozenset[str] | None = None

    def reads_previous(self) -> bool:
        """Whether this condition or one of its alternatives reads the previous result."""
        return self.previous is not None or any(a.reads_previous() for a in self.alternatives)

    def measures(self) -> set[int]:
        """Every measure this condition and its alternatives read."""
        found = {self.measure} if self.measure is not None else set()
        for c in self.comparisons:
            found |= {c.left} | ({c.right} if c.right is not None else set())
        for alternative in self.alternatives:
            found |= alternative.measures()
        return found


@dataclass(frozen=True, slots=True)
class ScopeNode:
    kinds: frozenset[str]
    region_prefix: str | None
    industries: tuple[str, ...]
    statuses: frozenset[str]
    registered_on_or_before: date | None
    # Nobody is graded as of a day before it was registered (a subject whose registration
    # date is unknown is kept in scope; ``registered_on_or_before`` is the strict test).
    existing_on: date | None = None
    # Individuals born after this day (under the scheme's minimum age on the as-of date, their
    # registration date being their birth date) are out of scope; unknown birth: out too.
    individuals_born_on_or_before: date | None = None
    # Subjects registered outside ``region_prefix`` are in scope too when a record of one of
    # ``operating_items`` decided by the as-of date was decided in a region under this prefix.
    operating_prefix: str | None = None
    operating_items: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Previous:
    """Where a scheme's previous result is: the newest stored result of the subject under
    scheme ``scheme_id`` (any version) from a run as of a day in the previous evaluation
    period, on or after ``since`` (None: any earlier day) and before ``before`` (the start of
    the current period); the latest as-of date first, then the latest run. A subject with no
    result in that period has no previous result."""

    scheme_id: str
    before: date
    since: date | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """A scheme resolved for one as-of date."""

    scheme: str
    as_of: date
    scope: ScopeNode
    measures: tuple[Measure, ...]
    base: float
    rules: tuple[RuleNode, ...]
    total_min: float | None
    total_max: float | None
    bands: tuple[tuple[str, float | None], ...]
    overrides: tuple[tuple[str, ConditionNode], ...]
    bars: tuple[tuple[str, ConditionNode], ...]
    new_subject: tuple[str, ConditionNode] | None
    lists: tuple[tuple[str, ConditionNode], ...]
    # Record policy "published": per item, records decided on or before this date no longer
    # count (their publication period has ended by the as-of date).
    published_after: tuple[tuple[str, date], ...] = ()
    # Record policy for disputed records: "exclude" leaves out records under an open objection
    # on the as-of date; "count" (the default) counts them, marked disputed elsewhere.
    exclude_disputed: bool = False
    # The scheme's named measures: (name, index into ``measures``), in file order.
    named: tuple[tuple[str, int], ...] = ()
    # Where the previous results are, when a condition reads them.
    previous: Previous | None = None

    @property
    def grades(self) -> tuple[str, ...]:
        return tuple(grade for grade, _ in self.bands)


_MONTHS = {"yearly": 12, "quarterly": 3, "monthly": 1}


def period_start(as_of: date, cadence: str | None) -> date:
    """The first day of the evaluation period ``as_of`` falls in: its year, quarter or month
    for a yearly, quarterly or monthly scheme; the day itself otherwise."""
    months = _MONTHS.get(cadence or "")
    if months is None:
        return as_of
    return date(as_of.year, months * ((as_of.month - 1) // months) + 1, 1)


def previous_period(as_of: date, cadence: str | None) -> tuple[date | None, date]:
    """The previous evaluation period as (first day, first day of the current period); a
    daily scheme's (or one without a cadence) is every earlier day."""
    start = period_start(as_of, cadence)
    months = _MONTHS.get(cadence or "")
    if months is None:
        return None, start
    index = start.year * 12 + start.month - 1 - months
    return date(index // 12, index % 12 + 1, 1), start


def window(spec: Period | str, as_of: date) -> Window:
    if spec == "all":
        return Window(None, as_of)
    if spec == "evaluation_year":
        return Window(date(as_of.year - 2, 12, 31), date(as_of.year - 1, 12, 31))
    assert isinstance(spec, Period)
    return Window(spec.before(as_of), as_of)


class _Builder:
    def __init__(self, scheme: Scheme, catalog: Catalog, as_of: date) -> None:
        self.definition = scheme.definition
        self.catalog = catalog
        self.as_of = as_of
        self.measures: list[Measure] = []
        self.named: dict[str, int] = {}
        for name, spec in self.definition.measures.items():
            self.named[name] = self.measure(
                Measure(spec.aggregate, self.records(spec.records), spec.attribute, spec.weight)
            )

    def measure(self, measure: Measure) -> int:
        if measure not in self.measures:
            self.measures.append(measure)
        return self.measures.index(measure)

    def records(self, condition: RecordCondition) -> RecordSet:
        items = set(condition.items())
        for category in condition.categories():
            items |= {i.code for i in self.catalog.by_category(category)}
        severities: frozenset[int] | None = None
        if isinstance(condition.severity, int):
            severities = frozenset({condition.severity})
        elif isinstance(condition.severity, list):
            severities = frozenset(condition.severity)
        elif isinstance(condition.severity, Compare):
            low, high = condition.severity.at_least, condition.severity.at_most
            low = low if isinstance(low, int | float) else 1  # the loader refuses any other
            high = high if isinstance(high, int | float) else 3
            severities = frozenset(range(int(low), int(high) + 1))
        tests = []
        for name, compare in sorted(condition.attribute.items()):
            numeric = any(
                self.catalog[code].attribute_specs[name].type in ("integer", "decimal")
                for code in items
                if name in self.catalog[code].attribute_specs
            )
            tests += _attr_tests(name, compare, numeric or bool(compare.others()))
        spec = condition.window if condition.window is not None else self.definition.window
        return RecordSet(frozenset(items), severities, tuple(tests), window(spec, self.as_of))

    def subject(self, condition: SubjectCondition) -> SubjectTest:
        within = condition.registered_within
        end = self.as_of
        if condition.measured_at == "evaluation_year_end":
            end = date(self.as_of.year - 1, 12, 31)
        return SubjectTest(
            registered_after=within.before(end) if within else None,
            kinds=frozenset(k.value for k in condition.kind) if condition.kind else None,
            industries=Industries.load().prefixes(condition.industry)
            if condition.industry
            else None,
        )

    def first_record(self, subject: SubjectCondition) -> tuple[Comparison, ...]:
        """ "The first record of X was decided within P": a record of X by the as-of date, and
        none on or before P before the end (the as-of date or the evaluation year's end)."""
        first = subject.first_record
        if first is None:
            return ()
        end = self.as_of
        if subject.measured_at == "evaluation_year_end":
            end = date(self.as_of.year - 1, 12, 31)
        items = frozenset(first.items())
        any_by_now = Measure("count", RecordSet(items, None, (), Window(None, self.as_of)))
        older = Measure("count", RecordSet(items, None, (), Window(None, first.within.before(end))))
        return (
            Comparison(self.measure(any_by_now), ">=", value=1.0),
            Comparison(self.measure(older), "<", value=1.0),
        )

    def condition(self, condition: Condition) -> ConditionNode:
        measure = None
        if condition.records is not None:
            measure = self.measure(Measure("count", self.records(condition.records)))
        first = self.first_record(condition.subject) if condition.subject else ()
        return ConditionNode(
            measure=measure,
            at_least=condition.at_least,
            subject=self.subject(condition.subject) if condition.subject else None,
            score_below=condition.score_below,
            score_at_least=condition.score_at_least,
            alternatives=tuple(self.condition(a) for a in condition.alternatives),
            previous=frozenset(condition.previous.grade) if condition.previous else None,
            comparisons=first
            + tuple(
                Comparison(
                    self.named[test.measure],
                    OPS[op],
                    value=float(value) if not isinstance(value, MeasureRef) else None,
                    right=self.named[value.measure] if isinstance(value, MeasureRef) else None,
                    times=value.times if isinstance(value, MeasureRef) else 1.0,
                )
                for test in condition.compare
                for op, value in test.tests()
            ),
        )


#: A file's comparison words as operators.
OPS: dict[str, Literal[">=", "<=", ">", "<", "="]] = {
    "at_least": ">=",
    "at_most": "<=",
    "above": ">",
    "below": "<",
    "equals": "=",
}


def _attr_tests(name: str, compare: Compare, numeric: bool) -> list[AttrTest]:
    tests = []
    for op, value in (
        (">=", compare.at_least),
        ("<=", compare.at_most),
        (">", compare.above),
        ("<", compare.below),
    ):
        if isinstance(value, AttributeRef):
            tests.append(AttrTest(name, op, float(value.times), True, other=value.attribute))  # type: ignore[arg-type]
        elif value is not None:
            tests.append(AttrTest(name, op, float(value), True))  # type: ignore[arg-type]
    if compare.equals is not None:
        equals = compare.equals
        as_number = numeric and not isinstance(equals, bool)
        tests.append(
            AttrTest(
                name,
                "=",
                float(equals) if as_number else equals,
                as_number,
            )
        )
    if compare.one_of is not None:
        tests.append(AttrTest(name, "in", tuple(compare.one_of), False))
    return tests


def record_set(
    scheme: Scheme, catalog: Catalog, as_of: date, condition: RecordCondition
) -> RecordSet:
    """The records a condition of ``scheme`` names, resolved for ``as_of``."""
    return _Builder(scheme, catalog, as_of).records(condition)


def plan(scheme: Scheme, catalog: Catalog, as_of: date) -> Plan:
    """Resolve ``scheme`` for ``as_of``: windows become dates, categories become items."""
    d = scheme.definition
    builder = _Builder(scheme, catalog, as_of)
    rules = []
    for rule in d.score.rules:
        if rule.measure is not None:
            assert rule.per_unit is not None
            index = builder.named[rule.measure]
            rules.append(RuleNode(rule.id, index, rule.per_unit, rule.cap))
            continue
        assert rule.when is not None
        records = builder.records(rule.when)
        threshold = None
        if rule.per_record is not None:
            measure = Measure("count", records)
            per_unit = rule.per_record
        elif rule.points is not None:
            measure = Measure("count", records)
            per_unit, threshold = rule.points, rule.at_least
        else:
            assert rule.of is not None and rule.per_unit is not None
            function, _, rest = rule.of.partition("(")
            measure = Measure("sum" if function == "sum" else "distinct", records, rest[:-1])
            per_unit = rule.per_unit
        rules.append(RuleNode(rule.id, builder.measure(measure), per_unit, rule.cap, threshold))
    grades = d.grades
    overrides = (
        tuple((o.grade, builder.condition(o.when)) for o in grades.overrides) if grades else ()
    )
    bars = tuple((b.highest, builder.condition(b.when)) for b in grades.bars) if grades else ()
    new_subject = (
        (grades.new_subject.grade, builder.condition(grades.new_subject.when))
        if grades and grades.new_subject
        else None
    )
    lists = tuple((entry.id, builder.condition(entry.enter)) for entry in d.lists)
    conditions = [c for _, c in (*overrides, *bars, *lists)]
    conditions += [new_subject[1]] if new_subject else []
    previous = None
    if any(c.reads_previous() for c in conditions):
        since, before = previous_period(as_of, d.scheme.cadence)
        previous = Previous(scheme.id, before, since)
    scope = d.scope
    registered = scope.registered_at_least.before(as_of) if scope.registered_at_least else None
    published_after: tuple[tuple[str, date], ...] = ()
    if d.records == "published":
        items = sorted({i for m in builder.measures for i in m.records.items})
        published_after = tuple(
            (code, period.before(as_of))
            for code in items
            if (period := catalog[code].publication.max) is not None
        )
    read_items = frozenset(i for m in builder.measures for i in m.records.items)
    operating = region_prefix(scope.region) if scope.operating_in_region else None
    return Plan(
        scheme=scheme.key,
        published_after=published_after,
        exclude_disputed=d.disputed == "exclude",
        named=tuple(builder.named.items()),
        previous=previous,
        as_of=as_of,
        scope=ScopeNode(
            kinds=frozenset(k.value for k in scope.kinds),
            region_prefix=region_prefix(scope.region),
            industries=Industries.load().prefixes(scope.industry),
            statuses=frozenset(scope.status),
            registered_on_or_before=registered,
            existing_on=as_of,
            operating_prefix=operating,
            operating_items=read_items if operating else frozenset(),
            individuals_born_on_or_before=(
                Period(scope.minimum_age, "Y").before(as_of) if scope.minimum_age else None
            ),
        ),
        measures=tuple(builder.measures),
        base=d.score.base,
        rules=tuple(rules),
        total_min=d.score.total.min,
        total_max=d.score.total.max,
        bands=tuple((b.grade, b.min) for b in grades.bands) if grades else (),
        overrides=overrides,
        bars=bars,
        new_subject=new_subject,
        lists=lists,
    )
